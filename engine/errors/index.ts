/**
 * Typed errors with stable codes.
 *
 * Every error a user can see carries a `code` that never changes meaning (tests and
 * scripts match on it) and a `context` object with what the user needs to act on it:
 * file / line / column for YAML, field and value for data. Context must never hold a
 * secret (key bytes, seeds, tokens): errors end up in logs.
 */
export class SolrulesError<Code extends string = string> extends Error {
  readonly code: Code;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: Code, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SolrulesError';
    this.code = code;
    this.context = context;
  }

  /** A JSON-safe view (bigints as decimal strings) for logs and `--format json`. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, context: jsonSafe(this.context) };
  }
}

/** True when `err` is a SolrulesError, optionally with the given code. */
export function isSolrulesError(err: unknown, code?: string): err is SolrulesError {
  return err instanceof SolrulesError && (code === undefined || err.code === code);
}

/** Deep-copies a value replacing bigints with decimal strings so JSON.stringify accepts it. */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v);
    return out;
  }
  return value;
}

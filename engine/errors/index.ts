/**
 * Typed errors with stable codes.
 *
 * Every error a user can see carries a `code` that never changes meaning (tests and
 * scripts match on it) and a `context` object with what the user needs to act on it:
 * file / line / column for YAML, field and value for data. Context must never hold a
 * secret (key bytes, seeds, tokens): errors end up in logs. The codes and their contexts are
 * registered in codes.ts.
 */
import type { ContextOf, ErrorCode } from './codes.ts';

export { ERROR_PREFIXES, type ErrorCode, type ErrorContext, type ErrorPrefix, type ContextOf, type Context } from './codes.ts';

export class SolrulesError<Code extends ErrorCode = ErrorCode> extends Error {
  readonly code: Code;
  readonly context: ContextOf<Code>;

  constructor(code: Code, message: string, context: ContextOf<Code> = {} as ContextOf<Code>, options?: { cause?: unknown }) {
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

/** True when `err` is a SolrulesError (with `code`, when given: its context then has that code's type). */
export function isSolrulesError<Code extends ErrorCode = ErrorCode>(err: unknown, code?: Code): err is SolrulesError<Code> {
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

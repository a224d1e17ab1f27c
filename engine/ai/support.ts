/** Clock, logger and secret redaction shared by the AI client and queue. */
import { logger as rootLogger } from '../infra/telemetry/index.ts';

/** Time as the AI layer sees it: injected so tests and backtests control it. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The subset of a pino logger the AI layer uses. */
export interface AiLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The engine logger, component `ai`. */
export function defaultAiLogger(): AiLogger {
  return rootLogger().child({ component: 'ai' });
}

const REDACTED = '[redacted]';

/** Replaces every occurrence of the secrets (and any bearer token) in a string. */
export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out.replace(/Bearer\s+[A-Za-z0-9._~+/=-]{8,}/g, `Bearer ${REDACTED}`);
}

/** Deep-copies a value redacting the secrets from every string in it. */
export function redactValue<T>(value: T, secrets: readonly (string | undefined)[]): T {
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets)) as T;
  if (value instanceof Error) return redactText(value.message, secrets) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, secrets);
    return out as T;
  }
  return value;
}

/** A logger that strips the secrets from every message and field before the inner logger sees them. */
export function redactingLogger(inner: AiLogger, secrets: readonly (string | undefined)[]): AiLogger {
  const wrap = (level: keyof AiLogger) => (obj: object, msg: string) => inner[level](redactValue(obj, secrets), redactText(msg, secrets));
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

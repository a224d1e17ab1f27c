/**
 * Telemetry hooks every component reports through: a structured logger (pino, secrets
 * redacted) and a shared Prometheus registry (prom-client) with get-or-create helpers, so a
 * component declares its metrics where it uses them and the /metrics endpoint sees them all.
 */
import pino, { type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export type { Logger } from 'pino';

/** Paths redacted from every log line: key material and credentials never reach a log. */
export const REDACT_PATHS = [
  'secretKey',
  'privateKey',
  'keypair',
  'seed',
  'mnemonic',
  'password',
  'token',
  'authorization',
  '*.secretKey',
  '*.privateKey',
  '*.keypair',
  '*.seed',
  '*.mnemonic',
  '*.password',
  '*.token',
  '*.authorization',
  'headers.authorization',
];

/** Creates a logger; level from SOLRULES_LOG_LEVEL (default info). Writes JSON lines to stderr by default. */
export function createLogger(opts: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const level = opts.level ?? process.env.SOLRULES_LOG_LEVEL ?? 'info';
  return pino(
    { level, name: opts.name ?? 'solrules', redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid } },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}

let rootLogger: Logger | undefined;

/** The process-wide logger. */
export function logger(): Logger {
  rootLogger ??= createLogger();
  return rootLogger;
}

/** Replaces the process-wide logger (CLI output modes, tests). */
export function setLogger(l: Logger): void {
  rootLogger = l;
}

/** The registry /metrics serves. */
export const registry = new Registry();

function getOrCreate<M>(name: string, make: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? make();
}

/** A counter in the shared registry (created on first use). Label values must be bounded (never ids). */
export function counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
  return getOrCreate(name, () => new Counter<L>({ name, help, labelNames: [...labelNames], registers: [registry] }));
}

export function gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
  return getOrCreate(name, () => new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] }));
}

export function histogram<L extends string>(name: string, help: string, labelNames: readonly L[] = [], buckets?: number[]): Histogram<L> {
  return getOrCreate(
    name,
    () => new Histogram<L>({ name, help, labelNames: [...labelNames], registers: [registry], ...(buckets ? { buckets } : {}) }),
  );
}

/**
 * Logs: JSON lines (pino) with the active trace and order ids on every line that has them and
 * secrets redacted; readable lines in a terminal. Every line carries `service`, `role` and `level`
 * as a name (`"level":"warn"`): the labels Promtail gives each stream in Loki (deploy/loki), and
 * `trace_id`, which Grafana links to the trace in Jaeger.
 *
 * Levels, as ops read them:
 * - error: needs attention now (an order that cannot execute, a wallet below its floor, a crash);
 * - warn: recoverable (RPC errors and failovers, quote failures, a refused reload, a retry);
 * - info: what the engine did (trades, balances, reloads applied, control actions);
 * - debug: quotes and route plans, per-evaluation detail.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentOrderId, currentTraceIds } from './tracing.ts';

export type { Logger } from 'pino';

/** Paths redacted from every log line: key material and credentials never reach a log. */
export const REDACT_PATHS = [
  'secretKey',
  'privateKey',
  'keypair',
  'seed',
  'mnemonic',
  'password',
  'secret',
  'token',
  'apiKey',
  'authorization',
  '*.secretKey',
  '*.privateKey',
  '*.keypair',
  '*.seed',
  '*.mnemonic',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
];

export type LogFormat = 'json' | 'pretty';

export interface LoggerOptions {
  /** Default SOLRULES_LOG_LEVEL, then info. */
  level?: string;
  name?: string;
  /** Where lines go (default stderr). A destination given here gets JSON unless `format` says otherwise. */
  destination?: DestinationStream;
  /** Default SOLRULES_LOG_FORMAT; else pretty when stderr is a terminal, JSON otherwise. */
  format?: LogFormat;
  /** `service` on every line: default OTEL_SERVICE_NAME (as the spans' service.name), then `solrules`. */
  service?: string;
  /** `role` on every line (scanner, planner, executor, all): default SOLRULES_ROLE, then `all`. */
  role?: string;
}

/** The format in force: explicit, then SOLRULES_LOG_FORMAT, then pretty on a terminal. */
export function logFormat(opts: { format?: LogFormat; destination?: unknown } = {}, env: NodeJS.ProcessEnv = process.env, isTty = !!process.stderr.isTTY): LogFormat {
  if (opts.format) return opts.format;
  const fromEnv = env.SOLRULES_LOG_FORMAT;
  if (fromEnv === 'json' || fromEnv === 'pretty') return fromEnv;
  if (opts.destination) return 'json';
  return isTty ? 'pretty' : 'json';
}

type PrettyFactory = (opts: Record<string, unknown>) => DestinationStream;

function prettyStream(destination: DestinationStream | undefined): DestinationStream | undefined {
  let factory: PrettyFactory;
  try {
    // pino-pretty is optional at run time (a devDependency): JSON lines when it is absent
    factory = createRequire(import.meta.url)('pino-pretty') as PrettyFactory;
  } catch {
    return undefined;
  }
  // pino-pretty writes to a real stream; adapt a bare { write } destination
  const target =
    destination && typeof (destination as { on?: unknown }).on !== 'function'
      ? new Writable({ write: (chunk: Buffer, _enc, cb) => (destination.write(chunk.toString('utf8')), cb()) })
      : destination;
  return factory({
    colorize: !destination && !!process.stderr.isTTY,
    destination: target ?? 2,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,name,service,role',
    singleLine: true,
  });
}

/** Trace and order ids of the active context, merged into every line. */
function contextFields(): Record<string, string> {
  const ids = currentTraceIds();
  const orderId = currentOrderId();
  if (!ids && !orderId) return {};
  return { ...(ids ?? {}), ...(orderId ? { order_id: orderId } : {}) };
}

/** Creates a logger (see the module doc for what each level means). */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.SOLRULES_LOG_LEVEL ?? 'info';
  const format = logFormat(opts);
  const stream = (format === 'pretty' ? prettyStream(opts.destination) : undefined) ?? opts.destination ?? pino.destination({ fd: 2, sync: true });
  return pino(
    {
      level,
      name: opts.name ?? 'solrules',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { pid: process.pid, service: opts.service ?? process.env.OTEL_SERVICE_NAME ?? 'solrules', role: opts.role ?? process.env.SOLRULES_ROLE ?? 'all' },
      // the level's name, not pino's number: Loki labels and LogQL filters read `level="error"`
      formatters: { level: (label) => ({ level: label }) },
      mixin: contextFields,
      // a field given on the line wins over the context's (e.g. a different order id)
      mixinMergeStrategy: (mergeObject, mixinObject) => ({ ...mixinObject, ...mergeObject }),
    },
    stream,
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

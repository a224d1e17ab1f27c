/**
 * Bus selection: `SOLRULES_BUS` (or an explicit setting) picks the implementation.
 *
 *   unset / `memory`                        the in-process bus (the embedded default)
 *   `nats://[user:pass@]host:port[,host:port…][?options]`   NATS JetStream
 *
 * Options: `namespace=NAME` (prefix subjects and streams: several deployments on one NATS),
 * `ack_wait_ms=N` (redelivery after a worker died; default 30000), `max_bytes=N` (caps every
 * stream's size; JetStream reserves it on the server), `replicas=N` (copies of each stream on
 * a NATS cluster).
 */
import { SolrulesError } from '../../errors/index.ts';
import { redactUrl } from '../health/index.ts';
import type { Bus } from './bus.ts';

export type BusConfig =
  | { kind: 'memory'; display: string }
  | { kind: 'nats'; servers: string[]; namespace: string | undefined; ackWaitMs: number | undefined; maxBytes: number | undefined; replicas: number | undefined; url: string; display: string };

export interface OpenBusOptions {
  /** Overrides SOLRULES_BUS. */
  url?: string;
  /** Connection name shown by the NATS server. */
  name?: string;
}

/** Which bus the options and environment select, without connecting. */
export function resolveBusConfig(opts: OpenBusOptions = {}): BusConfig {
  const raw = (opts.url ?? process.env.SOLRULES_BUS ?? '').trim();
  if (raw === '' || raw === 'memory') return { kind: 'memory', display: 'in-process bus (embedded)' };
  if (raw.startsWith('nats://') || raw.startsWith('tls://')) {
    const [servers, query = ''] = raw.split('?', 2) as [string, string?];
    const params = new URLSearchParams(query);
    for (const key of params.keys()) {
      if (!['namespace', 'ack_wait_ms', 'max_bytes', 'replicas'].includes(key)) {
        throw new SolrulesError('BUS_CONFIG', `SOLRULES_BUS: unknown option '${key}' (known: namespace, ack_wait_ms, max_bytes, replicas)`, { field: 'SOLRULES_BUS', value: key });
      }
    }
    const namespace = params.get('namespace') ?? undefined;
    if (namespace !== undefined && !/^[A-Za-z0-9_-]+$/.test(namespace)) {
      throw new SolrulesError('BUS_CONFIG', `SOLRULES_BUS namespace must be letters, digits, '_' or '-'; got '${namespace}'`, { field: 'SOLRULES_BUS', value: namespace });
    }
    const positive = (key: string): number | undefined => {
      const v = params.get(key);
      if (v === null) return undefined;
      if (!/^\d+$/.test(v) || Number(v) <= 0) throw new SolrulesError('BUS_CONFIG', `SOLRULES_BUS ${key} must be a positive integer; got '${v}'`, { field: 'SOLRULES_BUS', value: v });
      return Number(v);
    };
    const list = servers.split(',').map((s) => (s.includes('://') ? s : `nats://${s}`));
    return {
      kind: 'nats',
      servers: list,
      namespace,
      ackWaitMs: positive('ack_wait_ms'),
      maxBytes: positive('max_bytes'),
      replicas: positive('replicas'),
      url: raw,
      display: `NATS JetStream at ${redactUrl(servers)}${namespace ? ` (namespace ${namespace})` : ''}`,
    };
  }
  throw new SolrulesError('BUS_CONFIG', `SOLRULES_BUS must be 'memory' or a nats:// URL; got '${redactUrl(raw)}'`, { field: 'SOLRULES_BUS', value: redactUrl(raw) });
}

/** Opens the selected bus (in-process by default). */
export async function openBus(opts: OpenBusOptions = {}): Promise<Bus> {
  const cfg = resolveBusConfig(opts);
  if (cfg.kind === 'memory') {
    const { MemoryBus } = await import('./memory.ts');
    return new MemoryBus();
  }
  const { NatsBus, STREAMS } = await import('./nats/index.ts');
  const maxBytes = cfg.maxBytes;
  const streams = maxBytes === undefined ? undefined : Object.fromEntries(Object.entries(STREAMS).map(([k, s]) => [k, { maxBytes: Math.min(s.maxBytes, maxBytes) }]));
  return NatsBus.connect({
    servers: cfg.servers,
    ...(cfg.namespace ? { namespace: cfg.namespace } : {}),
    ...(cfg.ackWaitMs ? { ackWaitMs: cfg.ackWaitMs } : {}),
    ...(cfg.replicas ? { replicas: cfg.replicas } : {}),
    ...(streams ? { streams } : {}),
    ...(opts.name ? { name: opts.name } : {}),
  });
}

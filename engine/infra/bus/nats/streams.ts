/**
 * The JetStream streams solrules uses, and how a subject maps onto them.
 *
 *   MARKET         market.>               file, bounded by age (1 h) and size (1 GiB): hot data, old drops
 *   OPPORTUNITIES  trade.opportunities.>  file, 7 days, 1 GiB
 *   EXECUTION      execution.>            file, 30 days, 4 GiB (the order lifecycle is the audit trail)
 *   DLQ            dlq.>                  file, 90 days, 256 MiB (dead letters wait for a human)
 *
 * JetStream reserves each stream's max_bytes on the server, so the sizes are modest defaults;
 * a deployment sets its own through `NatsBusOptions.streams`.
 *
 * Every stream keeps a 2-minute duplicate window: a message republished with the same
 * `Nats-Msg-Id` (an order id) inside it is stored once. `control.*` and other subjects are
 * not stored: they travel over core NATS (at most once), as a control plane should.
 */
import { DiscardPolicy, RetentionPolicy, StorageType, type StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';

export interface StreamSpec {
  /** Stream name without namespace. */
  name: string;
  /** Subject filter without namespace. */
  subject: string;
  maxAgeMs: number;
  maxBytes: number;
}

export type StreamKey = 'market' | 'opportunities' | 'execution' | 'dlq';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GiB = 1024 ** 3;

export const STREAMS: Record<StreamKey, StreamSpec> = {
  market: { name: 'MARKET', subject: 'market.>', maxAgeMs: HOUR, maxBytes: GiB },
  opportunities: { name: 'OPPORTUNITIES', subject: 'trade.opportunities.>', maxAgeMs: 7 * DAY, maxBytes: GiB },
  execution: { name: 'EXECUTION', subject: 'execution.>', maxAgeMs: 30 * DAY, maxBytes: 4 * GiB },
  dlq: { name: 'DLQ', subject: 'dlq.>', maxAgeMs: 90 * DAY, maxBytes: GiB / 4 },
};

/** The duplicate window for `Nats-Msg-Id` dedup. */
export const DUPLICATE_WINDOW_MS = 120_000;

/** True when every subject matching `pattern` also matches `filter` (NATS wildcards). */
export function covers(filter: string, pattern: string): boolean {
  const f = filter.split('.');
  const p = pattern.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return p.length > i;
    if (i >= p.length || p[i] === '>') return false;
    if (f[i] === '*') continue;
    if (p[i] !== f[i]) return false;
  }
  return f.length === p.length;
}

/** The stream that stores `pattern` (all of it), if any. */
export function streamFor(pattern: string): StreamKey | undefined {
  return (Object.keys(STREAMS) as StreamKey[]).find((k) => covers(STREAMS[k].subject, pattern));
}

/** Stream configuration as sent to the server, with namespace applied. */
export function streamConfig(spec: StreamSpec, ns: Namespace, replicas = 1): Partial<StreamConfig> & { name: string } {
  return {
    name: ns.stream(spec.name),
    subjects: [ns.subject(spec.subject)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: nanos(spec.maxAgeMs),
    max_bytes: spec.maxBytes,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    num_replicas: replicas,
  };
}

/**
 * A namespace isolates one deployment (or one test run) on a shared NATS: subjects get a
 * `<ns>.` prefix and stream names a `<NS>_` prefix. Empty = the plain names of DESIGN.md.
 */
export class Namespace {
  constructor(readonly ns: string = '') {
    if (ns && !/^[A-Za-z0-9_-]+$/.test(ns)) throw new Error(`namespace must be letters, digits, '_' or '-'; got '${ns}'`);
  }

  subject(s: string): string {
    return this.ns ? `${this.ns}.${s}` : s;
  }

  /** The logical subject of a physical one. */
  strip(s: string): string {
    return this.ns && s.startsWith(`${this.ns}.`) ? s.slice(this.ns.length + 1) : s;
  }

  stream(name: string): string {
    return this.ns ? `${this.ns.toUpperCase()}_${name}` : name;
  }
}

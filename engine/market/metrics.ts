/** The scanners' metrics: the `scanner` domain (and the dedup cache) of the telemetry catalog. */
import { metrics } from '../infra/telemetry/index.ts';
import { isSolrulesError, type SolrulesError } from '../errors/index.ts';

export type ScanMode = 'websocket' | 'rpc-polling' | 'shredstream' | 'bus';
export type EventKind = 'pool' | 'vault' | 'tick-array' | 'bin-array' | 'oracle' | 'token-account' | 'mint';

/** The catalog's error reasons for our error codes. */
function reasonOf(err: SolrulesError): 'timeout' | 'disconnect' | 'decode' | 'rate-limited' | 'rpc' | 'stale' {
  if (isSolrulesError(err, 'SCAN_RPC_FAILED')) return err.context.status === 429 ? 'rate-limited' : err.context.timeout ? 'timeout' : 'rpc';
  if (err.code === 'SCAN_CONNECT_FAILED' || err.code === 'SCAN_PUBLISH_FAILED') return 'disconnect';
  if (err.code === 'QUOTE_STATE_STALE') return 'stale';
  return 'decode'; // SCAN_SHRED_DECODE, SCAN_NOT_A_POOL and the decoders' DEX_ errors
}

export const scannerMetrics = {
  event(mode: ScanMode, venue: string, kind: EventKind): void {
    metrics.scanner.events.inc({ mode, venue, kind });
  },
  latency(mode: ScanMode, seconds: number): void {
    metrics.scanner.latency.observe({ mode }, seconds);
  },
  lagSlots(mode: ScanMode, slots: number): void {
    metrics.scanner.lagSlots.observe({ mode }, slots);
  },
  error(mode: ScanMode, err: SolrulesError): void {
    metrics.scanner.errors.inc({ mode, reason: reasonOf(err) });
  },
  reconnect(mode: ScanMode): void {
    metrics.scanner.reconnects.inc({ mode });
  },
  /** A dedup-window lookup: a duplicate is a cache hit. */
  dedup(mode: ScanMode, duplicate: boolean): void {
    if (duplicate) metrics.scanner.duplicates.inc({ mode });
    metrics.cache.requests.inc({ cache: 'dedup', result: duplicate ? 'hit' : 'miss' });
  },
  subscriptions(mode: ScanMode, n: number): void {
    metrics.scanner.subscriptions.set({ mode }, n);
  },
};

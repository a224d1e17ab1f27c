/**
 * Fault switches: ways a real RPC node or block engine misbehaves, switchable from tests.
 * All are off by default; `reset()` turns everything off again.
 */
import { EventEmitter } from 'node:events';
import { SolrulesError } from '../engine/errors/index.ts';

export interface FaultSettings {
  /** Share (0…1) of sent transactions that are acknowledged with their signature but never executed. */
  dropTransactions: number;
  /** Delay (ms) added before every RPC, block-engine and gRPC answer and every WebSocket notification. */
  latencyMs: number;
  /** Answer every HTTP JSON-RPC request with 429 and every gRPC call with RESOURCE_EXHAUSTED. */
  rateLimit: boolean;
  /** Hold every HTTP and gRPC request without answering; they are answered when this is switched off. */
  timeout: boolean;
  /** Fail this many of the next bundles (status Failed, gRPC result `rejected`), whatever they contain. */
  failNextBundles: number;
  /**
   * Accept this many of the next bundles and never land them: no result, status Pending until the
   * block engine forgets them — a bundle that lost every auction, as seen from the searcher.
   */
  loseNextBundles: number;
  /** Close every WebSocket connection and refuse new ones (HTTP 503 on upgrade) while on. */
  websocketsDown: boolean;
}

const DEFAULTS: FaultSettings = {
  dropTransactions: 0,
  latencyMs: 0,
  rateLimit: false,
  timeout: false,
  failNextBundles: 0,
  loseNextBundles: 0,
  websocketsDown: false,
};

/** mulberry32: small, seedable, good enough to pick which transactions to drop. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FaultCounters {
  droppedTransactions: number;
  rateLimited: number;
  heldRequests: number;
  failedBundles: number;
  lostBundles: number;
  closedWebSockets: number;
  refusedWebSockets: number;
}

/** Switches for the faults; events: 'change' (settings), 'closeWebSockets'. */
export class Faults extends EventEmitter {
  private settings: FaultSettings = { ...DEFAULTS };
  private random: () => number;
  private release: (() => void)[] = [];
  readonly counters: FaultCounters = { droppedTransactions: 0, rateLimited: 0, heldRequests: 0, failedBundles: 0, lostBundles: 0, closedWebSockets: 0, refusedWebSockets: 0 };

  constructor(seed = 1) {
    super();
    this.random = prng(seed);
  }

  /** Current settings (a copy). */
  get(): FaultSettings {
    return { ...this.settings };
  }

  /** Changes some switches; the others keep their value. */
  set(change: Partial<FaultSettings>): void {
    const next = { ...this.settings, ...change };
    const bad = (field: string, value: unknown, expected: string): never => {
      throw new SolrulesError('SANDBOX_BAD_FAULT', `fault '${field}' ${expected}, got ${JSON.stringify(value)}`, { field, value });
    };
    for (const key of Object.keys(change)) if (!(key in DEFAULTS)) bad(key, (change as Record<string, unknown>)[key], 'is not a fault switch');
    if (typeof next.dropTransactions !== 'number' || !(next.dropTransactions >= 0 && next.dropTransactions <= 1)) bad('dropTransactions', next.dropTransactions, 'must be a share between 0 and 1');
    if (typeof next.latencyMs !== 'number' || !(next.latencyMs >= 0) || !Number.isFinite(next.latencyMs)) bad('latencyMs', next.latencyMs, 'must be a non-negative number of milliseconds');
    for (const count of ['failNextBundles', 'loseNextBundles'] as const) if (!Number.isInteger(next[count]) || next[count] < 0) bad(count, next[count], 'must be a non-negative integer');
    for (const flag of ['rateLimit', 'timeout', 'websocketsDown'] as const) if (typeof next[flag] !== 'boolean') bad(flag, next[flag], 'must be true or false');
    this.settings = next;
    if (!next.timeout) this.releaseHeld();
    this.emit('change', this.get());
  }

  /** Turns every fault off. */
  reset(): void {
    this.set({ ...DEFAULTS });
  }

  /** Closes all open WebSocket connections once; clients may reconnect right away. */
  closeWebSockets(): void {
    this.emit('closeWebSockets');
  }

  /** Decides whether the next sent transaction is dropped. */
  takeDrop(): boolean {
    const share = this.settings.dropTransactions;
    if (share <= 0) return false;
    const dropped = share >= 1 || this.random() < share;
    if (dropped) this.counters.droppedTransactions += 1;
    return dropped;
  }

  /** Consumes one forced bundle failure, if any is pending. */
  takeBundleFailure(): boolean {
    if (this.settings.failNextBundles <= 0) return false;
    this.settings.failNextBundles -= 1;
    this.counters.failedBundles += 1;
    return true;
  }

  /** Consumes one pending bundle loss, if any: the bundle is accepted and never lands. */
  takeBundleLoss(): boolean {
    if (this.settings.loseNextBundles <= 0) return false;
    this.settings.loseNextBundles -= 1;
    this.counters.lostBundles += 1;
    return true;
  }

  get rateLimited(): boolean {
    return this.settings.rateLimit;
  }
  get websocketsDown(): boolean {
    return this.settings.websocketsDown;
  }

  /**
   * Applies latency and the timeout switch to one request: resolves when it may be answered.
   * A held request is answered (and processed) once `timeout` goes off.
   */
  async gate(): Promise<void> {
    if (this.settings.timeout) {
      this.counters.heldRequests += 1;
      await new Promise<void>((resolve) => this.release.push(resolve));
    }
    if (this.settings.latencyMs > 0) await new Promise((r) => setTimeout(r, this.settings.latencyMs));
  }

  /** Milliseconds to hold a WebSocket notification. */
  get notificationDelayMs(): number {
    return this.settings.latencyMs;
  }

  /** Lets every held request through (used when switching timeout off and on close). */
  releaseHeld(): void {
    const waiting = this.release;
    this.release = [];
    for (const r of waiting) r();
  }
}

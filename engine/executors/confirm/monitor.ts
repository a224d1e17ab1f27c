/**
 * Confirmation monitor: watches signatures until each is confirmed, failed on chain, expired
 * (its blockhash passed `lastValidBlockHeight` without it landing) or timed out. It polls
 * `getSignatureStatuses` for every watched signature in batches of at most 100, backing off
 * exponentially while nothing changes and on RPC errors.
 */
import { SolrulesError } from '../../errors/index.ts';
import type { SignatureStatus } from '../chain.ts';

export interface MonitorChain {
  getSignatureStatuses(signatures: string[]): Promise<(SignatureStatus | null)[]>;
  getBlockHeight(): Promise<number>;
}

export type ConfirmOutcome =
  | { kind: 'confirmed'; signature: string; slot: number }
  | { kind: 'failed'; signature: string; slot: number; err: unknown }
  | { kind: 'expired'; signature: string; blockHeight: number; lastValidBlockHeight: number }
  | { kind: 'timeout'; signature: string; afterMs: number };

export interface MonitorOptions {
  /** Give up after this long (default 30 s). A timeout is not an expiry: the transaction may still land. */
  timeoutMs?: number;
  /** First poll interval (default 200 ms), multiplied by `backoff` (default 1.5) up to `maxIntervalMs` (default 2 s). */
  initialIntervalMs?: number;
  backoff?: number;
  maxIntervalMs?: number;
  /** Commitment that counts as confirmed (default 'confirmed'). */
  commitment?: 'processed' | 'confirmed' | 'finalized';
}

export const MAX_STATUS_BATCH = 100;

interface Watch {
  signature: string;
  lastValidBlockHeight: number;
  deadline: number;
  started: number;
  resolve: (o: ConfirmOutcome) => void;
}


const RANK = { processed: 0, confirmed: 1, finalized: 2 } as const;

export class ConfirmationMonitor {
  private readonly watches = new Map<string, Watch[]>();
  private timer: NodeJS.Timeout | undefined;
  private interval: number;
  private readonly opts: Required<MonitorOptions>;
  private polling = false;
  /** getSignatureStatuses calls made and the largest batch (tests check the batching). */
  readonly stats = { polls: 0, largestBatch: 0, errors: 0 };
  lastError: string | undefined;
  /** Highest slot a watched transaction landed in (succeeded or failed): state read for the next send must be at least this new. */
  landedSlot = 0;

  constructor(
    private readonly chain: MonitorChain,
    opts: MonitorOptions = {},
  ) {
    this.opts = { timeoutMs: 30_000, initialIntervalMs: 200, backoff: 1.5, maxIntervalMs: 2_000, commitment: 'confirmed', ...opts };
    this.interval = this.opts.initialIntervalMs;
  }

  /** Resolves with the signature's outcome. Several watchers of one signature share the polls. */
  wait(signature: string, lastValidBlockHeight: number, opts: { timeoutMs?: number } = {}): Promise<ConfirmOutcome> {
    return new Promise((resolve) => {
      const started = Date.now();
      const w: Watch = { signature, lastValidBlockHeight, started, deadline: started + (opts.timeoutMs ?? this.opts.timeoutMs), resolve };
      const list = this.watches.get(signature) ?? [];
      list.push(w);
      this.watches.set(signature, list);
      // New work: poll soon again.
      this.interval = this.opts.initialIntervalMs;
      this.schedule(0);
    });
  }

  get watching(): number {
    return this.watches.size;
  }

  private schedule(ms: number): void {
    if (this.timer || this.watches.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, ms);
  }

  private settle(signature: string, outcome: ConfirmOutcome): void {
    const list = this.watches.get(signature);
    this.watches.delete(signature);
    for (const w of list ?? []) {
      w.resolve(outcome.kind === 'timeout' ? { ...outcome, afterMs: Date.now() - w.started } : outcome);
    }
  }

  /** One round: statuses of every watched signature (batches of ≤100), then expiry and timeouts. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    let changed = false;
    try {
      const sigs = [...this.watches.keys()];
      for (let i = 0; i < sigs.length; i += MAX_STATUS_BATCH) {
        const batch = sigs.slice(i, i + MAX_STATUS_BATCH);
        this.stats.polls += 1;
        this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
        const statuses = await this.chain.getSignatureStatuses(batch);
        batch.forEach((sig, j) => {
          const s = statuses[j];
          if (!s) return;
          if (s.err || RANK[s.confirmationStatus ?? 'processed'] >= RANK[this.opts.commitment]) this.landedSlot = Math.max(this.landedSlot, s.slot);
          if (s.err) {
            this.settle(sig, { kind: 'failed', signature: sig, slot: s.slot, err: s.err });
            changed = true;
          } else if (RANK[s.confirmationStatus ?? 'processed'] >= RANK[this.opts.commitment]) {
            this.settle(sig, { kind: 'confirmed', signature: sig, slot: s.slot });
            changed = true;
          }
        });
      }
      if (this.watches.size) {
        const height = await this.chain.getBlockHeight();
        const now = Date.now();
        for (const [sig, list] of [...this.watches]) {
          const w = list[0]!;
          if (height > w.lastValidBlockHeight) {
            // One more look: it may have landed between the status call and the height call.
            const [s] = await this.chain.getSignatureStatuses([sig]);
            if (s) continue;
            this.settle(sig, { kind: 'expired', signature: sig, blockHeight: height, lastValidBlockHeight: w.lastValidBlockHeight });
            changed = true;
          } else if (now > Math.max(...list.map((x) => x.deadline))) {
            this.settle(sig, { kind: 'timeout', signature: sig, afterMs: 0 });
            changed = true;
          }
        }
      }
      this.interval = changed ? this.opts.initialIntervalMs : Math.min(this.opts.maxIntervalMs, this.interval * this.opts.backoff);
    } catch (err) {
      this.stats.errors += 1;
      this.lastError = err instanceof SolrulesError ? err.message : String(err);
      // An RPC error is not an outcome: back off and ask again (expiry and timeouts still apply next round).
      this.interval = Math.min(this.opts.maxIntervalMs, this.interval * this.opts.backoff);
    } finally {
      this.polling = false;
      this.schedule(this.interval);
    }
  }

  /** Stops polling; pending waits resolve as timeouts. */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const sig of [...this.watches.keys()]) this.settle(sig, { kind: 'timeout', signature: sig, afterMs: 0 });
  }
}

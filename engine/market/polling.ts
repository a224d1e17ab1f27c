/**
 * RPC polling source: every `polling.intervalMs`, getMultipleAccounts over the watched accounts
 * in batches of at most 100 keys (the batched reader, a few calls in flight), and
 * getProgramAccounts (with filters) per configured program. Every answer vouches for the accounts
 * it returned at its context slot. With `known` (the scanner's state), an account whose bytes,
 * owner and lamports are what the scanner holds is not delivered again and its bytes are not
 * kept twice; without it every account is delivered and unchanged ones are dropped downstream
 * (content compare). Failures back off exponentially until a poll succeeds.
 */
import { Connection } from '@solana/web3.js';
import { SolrulesError } from '../errors/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import type { ScannerConfig } from './config.ts';
import { scannerMetrics } from './metrics.ts';
import { BatchReader, fetchProgramAccounts, rpcFailureContext, type KnownAccount } from './rpc.ts';
import type { AccountSnapshot } from '../accounts/index.ts';
import { backoffMs, type AccountSource, type AccountUpdate, type SourceOptions, type SourceSink, type SourceStats } from './source.ts';

export class PollingSource implements AccountSource {
  readonly mode: 'rpc-polling' | 'shredstream' = 'rpc-polling';
  readonly connection: Connection;
  protected readonly cfg: ScannerConfig;
  protected readonly now: () => number;
  protected readonly random: () => number;
  protected readonly log: Logger;
  protected readonly known: KnownAccount | undefined;
  protected sink: SourceSink | undefined;
  protected watched: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private failures = 0;
  private reconnects = 0;
  private live = false;
  private stopped = false;
  private lastMessageAt: number | undefined;
  /** Completed polls (tests and stats). */
  polls = 0;

  constructor(opts: SourceOptions) {
    this.cfg = opts.config;
    this.connection = opts.connection ?? new Connection(opts.config.rpcUrl, { commitment: opts.config.commitment, disableRetryOnRateLimit: true });
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.log = opts.log ?? logger().child({ component: 'scanner', mode: this.mode });
    this.known = opts.known;
  }

  stats(): SourceStats {
    return { mode: this.mode, connected: this.live, reconnects: this.reconnects, watched: this.watched.length, lastMessageAt: this.lastMessageAt };
  }

  async start(sink: SourceSink): Promise<void> {
    this.sink = sink;
    this.stopped = false;
    this.schedule(0);
  }

  async watch(addresses: readonly string[]): Promise<void> {
    this.watched = [...new Set(addresses)];
    scannerMetrics.subscriptions(this.mode, this.watched.length + this.cfg.programs.length);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.inFlight = this.pollOnce().finally(() => {
        this.inFlight = undefined;
      });
    }, ms);
  }

  /** One poll of everything watched; public so tests and callers can force one. */
  async pollOnce(): Promise<void> {
    if (this.stopped) return;
    try {
      const commitment = this.cfg.commitment;
      const updates: AccountUpdate[] = [];
      const known = this.known;
      // One attempt per call: a failed poll is retried by the poll's own backoff below.
      const reader = new BatchReader(this.connection, { commitment, batchSize: this.cfg.polling.batchSize, attempts: 1, ...(known ? { known } : {}) });
      let slot: number | undefined;
      await reader.stream(this.watched, (answer) => {
        slot = slot === undefined ? answer.slot : Math.min(slot, answer.slot);
        const receivedAt = this.now();
        for (const account of answer.accounts) {
          if (known && unchanged(known(account.address!), account)) continue;
          updates.push({ address: account.address!, account, slot: answer.slot, receivedAt, via: 'poll' });
        }
      });
      if (reader.failure) throw reader.failure;
      let vouched: number | undefined = slot;
      for (const program of this.cfg.programs) {
        const r = await fetchProgramAccounts(this.connection, program, { commitment, via: 'poll', now: this.now });
        updates.push(...r.updates);
        vouched = vouched === undefined ? r.slot : Math.min(vouched, r.slot);
      }
      if (this.stopped) return;
      this.lastMessageAt = this.now();
      for (const u of updates) this.sink?.account(u);
      if (!this.live) {
        this.live = true;
        if (this.failures > 0) {
          this.reconnects += 1;
          scannerMetrics.reconnect(this.mode);
          this.sink?.reconnected();
        }
      }
      this.failures = 0;
      if (vouched !== undefined) this.sink?.slot(vouched, this.now());
      this.polls += 1;
      this.schedule(this.cfg.polling.intervalMs);
    } catch (err) {
      if (this.stopped) return;
      this.failures += 1;
      const e = err instanceof SolrulesError ? err : new SolrulesError('SCAN_RPC_FAILED', String((err as Error)?.message ?? err), rpcFailureContext(err), { cause: err });
      this.sink?.error(e);
      if (this.live) {
        this.live = false;
        this.sink?.disconnected(e.message);
      }
      const delay = backoffMs(this.failures, Math.max(this.cfg.reconnect.initialMs, this.cfg.polling.intervalMs), this.cfg.reconnect.maxMs, this.random);
      this.log.warn({ failures: this.failures, retryInMs: delay, err: e.message }, 'poll failed; backing off');
      this.schedule(delay);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
    this.live = false;
    scannerMetrics.subscriptions(this.mode, 0);
  }
}

/** The held snapshot has these very bytes (the reader handed them back), owner and lamports. */
function unchanged(held: AccountSnapshot | undefined, fresh: AccountSnapshot): boolean {
  return held !== undefined && held.data === fresh.data && held.owner === fresh.owner && held.lamports === fresh.lamports && held.executable === fresh.executable;
}

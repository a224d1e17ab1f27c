/**
 * A recent blockhash kept fresh in the background, so a send never waits on `getLatestBlockhash`:
 * refreshed every `refreshMs` (default 400 ms, about a slot) while in use; `get()` answers from
 * the cache when the held blockhash was fetched within `maxAgeMs` (default 1 s), and fetches
 * (once, shared by concurrent callers) only when it is older — the first call, or a refresh that
 * keeps failing. A blockhash stays valid for 150 blocks (about a minute on mainnet): one fetched
 * a second ago leaves a transaction nearly all of that window, and `lastValidBlockHeight` comes
 * with it, so confirmation still knows exactly when it expired.
 */
import { SolrulesError } from '../../errors/index.ts';

export interface Blockhash {
  blockhash: string;
  lastValidBlockHeight: number;
}

export interface BlockhashCacheOptions {
  /** Background refresh interval (default 400 ms). */
  refreshMs?: number;
  /** Oldest cached blockhash `get()` returns without fetching (default 1000 ms). */
  maxAgeMs?: number;
  now?: () => number;
}

export interface BlockhashCacheStats {
  /** getLatestBlockhash calls made (background and on demand). */
  fetches: number;
  /** `get()` answered from the cache. */
  hits: number;
  /** `get()` had to wait for a fetch. */
  waits: number;
  /** Background refreshes that failed (the previous blockhash kept serving while young enough). */
  errors: number;
}

export class BlockhashCache {
  readonly stats: BlockhashCacheStats = { fetches: 0, hits: 0, waits: 0, errors: 0 };
  private held: { value: Blockhash; at: number } | undefined;
  private inflight: Promise<Blockhash> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly refreshMs: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;

  constructor(
    private readonly chain: { getLatestBlockhash(): Promise<Blockhash> },
    opts: BlockhashCacheOptions = {},
  ) {
    this.refreshMs = opts.refreshMs ?? 400;
    this.maxAgeMs = opts.maxAgeMs ?? 1000;
    this.now = opts.now ?? (() => performance.now());
    if (!(this.refreshMs > 0) || !(this.maxAgeMs >= this.refreshMs)) throw new SolrulesError('EXEC_BAD_POLICY', `blockhash cache: refreshMs must be positive and at most maxAgeMs; got refreshMs ${this.refreshMs}, maxAgeMs ${this.maxAgeMs}`, { field: 'refreshMs', value: this.refreshMs });
  }

  /**
   * The chain reached `blockHeight` (a confirmation saw an attempt expire there): a held blockhash
   * valid only up to it is never served again — a rebuilt attempt gets one that can still land,
   * however fast the chain moved since the fetch.
   */
  noteBlockHeight(blockHeight: number): void {
    if (blockHeight > this.knownHeight) this.knownHeight = blockHeight;
  }

  private knownHeight = 0;

  /** A blockhash fetched within `maxAgeMs` and not known expired; starts the background refresh on first use. */
  async get(): Promise<Blockhash> {
    this.start();
    const held = this.held;
    if (held && this.now() - held.at <= this.maxAgeMs && held.value.lastValidBlockHeight > this.knownHeight) {
      this.stats.hits += 1;
      return held.value;
    }
    this.stats.waits += 1;
    return this.fetch();
  }

  /** The same as `get()`: lets the cache stand where a chain connection's getLatestBlockhash is expected. */
  getLatestBlockhash(): Promise<Blockhash> {
    return this.get();
  }

  /** Resolves once no fetch is in flight, so a caller counting the chain's requests reads `stats.fetches` consistently. */
  async settled(): Promise<void> {
    while (this.inflight) await this.inflight.catch(() => undefined);
  }

  /** Starts the background refresh (idempotent) and fetches the first blockhash. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.fetch().catch(() => undefined), this.refreshMs);
    this.timer.unref?.(); // never what keeps a process alive
    if (!this.held && !this.inflight) void this.fetch().catch(() => undefined);
  }

  private fetch(): Promise<Blockhash> {
    this.inflight ??= (async () => {
      const started = this.now();
      this.stats.fetches += 1;
      try {
        const value = await this.chain.getLatestBlockhash();
        // Aged from when it was asked for: the chain may have moved on while the answer travelled.
        if (!this.held || started >= this.held.at) this.held = { value, at: started };
        return value;
      } catch (err) {
        this.stats.errors += 1;
        throw err;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  /** Stops the background refresh (a later `get()` starts it again). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

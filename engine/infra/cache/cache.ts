/**
 * The cache: hot data with TTLs, an event dedup window, shared rate limits and wallet locks.
 * In-memory here; Redis when configured. Values are JSON. Each user picks its own TTLs.
 */

export interface LockLease {
  /** Monotonic fencing token: a store or executor rejects writes carrying an older token. */
  fencingToken: number;
  /** Releases the lock if still held by this lease. */
  release(): Promise<void>;
  /**
   * Extends the lease to `ttlMs` from now while it is still held by this lease (same fencing
   * token); false once it expired or another holder took it — a long execution renews, and
   * learns that it lost the lock instead of writing past it.
   */
  renew(ttlMs: number): Promise<boolean>;
}

export interface Cache {
  get<T = unknown>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Sets only when absent (SET NX PX): true when this call set it — an event dedup window. */
  setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean>;
  /** Token bucket shared by every instance: takes `tokens` if available; returns ms to wait otherwise (0 = taken). */
  takeTokens(bucket: string, tokens: number, capacity: number, refillPerSecond: number): Promise<number>;
  /**
   * Exclusive lock for `ttlMs`; undefined when someone else holds it. Fencing tokens grow
   * across every holder (and, on Redis, across restarts), so a store can refuse a write from
   * a holder whose lease ran out.
   */
  acquireLock(name: string, ttlMs: number): Promise<LockLease | undefined>;
  close(): Promise<void>;
}

/** Default TTLs of what the engine keeps in the cache (ms); a user may pass its own. */
export const CACHE_TTL_MS = {
  /** A quote is served for at most 5 minutes (QuoteCache). */
  quote: 5 * 60_000,
} as const;

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

/**
 * One step of an atomic hash update (`Cache.updateHashes`). Integer fields hold exact decimal
 * strings of any size (token atoms are u64 and sums may go beyond; Redis' own integers are i64).
 */
export type HashOp =
  /** Adds `atoms` to the field (absent counts as 0). */
  | { op: 'add'; key: string; field: string; atoms: bigint }
  /** Sets the field to `atoms` only when it is absent. */
  | { op: 'init'; key: string; field: string; atoms: bigint }
  /** Sets the field to the string `value` (atoms as a decimal string, or JSON). */
  | { op: 'set'; key: string; field: string; value: string }
  | { op: 'delete'; key: string; field: string };

export interface HashUpdate {
  /**
   * Sequence guard: the update counts only while `key` holds `expect` (absent counts as '0'); it
   * then holds `next`. A writer replaying its own log (a journal's byte offsets) applies each
   * entry once even when another process sharing the log got there first.
   */
  sequence?: { key: string; expect: string; next: string };
  /** Applied at most once per marker, across every process sharing the cache; the marker is kept `ttlMs`. */
  once?: { key: string; ttlMs: number };
  /** Not applied while this marker exists (another update's `once`). */
  unless?: string;
  ops: readonly HashOp[];
}

/** `applied`; `duplicate` (a `once` / `unless` marker said it was done: the sequence still advanced); `stale` (the sequence had moved on: nothing changed). */
export type HashUpdateResult = 'applied' | 'duplicate' | 'stale';

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
  /** Applies every op of `update` as one atomic step (a Lua script on Redis), or none of them. */
  updateHashes(update: HashUpdate): Promise<HashUpdateResult>;
  /** Every field of a hash written by `updateHashes` (empty when absent). */
  readHash(key: string): Promise<Record<string, string>>;
  close(): Promise<void>;
}

/** Default TTLs of what the engine keeps in the cache (ms); a user may pass its own. */
export const CACHE_TTL_MS = {
  /** A quote is served for at most 5 minutes (QuoteCache). */
  quote: 5 * 60_000,
} as const;

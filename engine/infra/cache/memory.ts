/** In-memory cache (single process): TTLs, set-if-absent, token buckets and fenced locks. */
import type { Cache, HashUpdate, HashUpdateResult, LockLease } from './cache.ts';

interface Entry {
  json: string;
  expiresAt: number;
}

export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly locks = new Map<string, { token: number; expiresAt: number }>();
  private fencing = 0;
  private readonly hashes = new Map<string, Map<string, string>>();
  /** Sequence guards and once-markers of `updateHashes` (markers expire). */
  private readonly markers = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  private live(key: string): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const e = this.live(key);
    return e ? (JSON.parse(e.json) as T) : undefined;
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    this.entries.set(key, { json: JSON.stringify(value ?? null), expiresAt: ttlMs === undefined ? Infinity : this.now() + ttlMs });
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    await this.set(key, value, ttlMs);
    return true;
  }

  async takeTokens(bucket: string, tokens: number, capacity: number, refillPerSecond: number): Promise<number> {
    const now = this.now();
    const b = this.buckets.get(bucket) ?? { tokens: capacity, at: now };
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * refillPerSecond);
    b.at = now;
    this.buckets.set(bucket, b);
    if (b.tokens >= tokens) {
      b.tokens -= tokens;
      return 0;
    }
    return Math.ceil(((tokens - b.tokens) / refillPerSecond) * 1000);
  }

  async acquireLock(name: string, ttlMs: number): Promise<LockLease | undefined> {
    const now = this.now();
    const held = this.locks.get(name);
    if (held && held.expiresAt > now) return undefined;
    const token = ++this.fencing;
    this.locks.set(name, { token, expiresAt: now + ttlMs });
    return {
      fencingToken: token,
      release: async () => {
        if (this.locks.get(name)?.token === token) this.locks.delete(name);
      },
      renew: async (renewTtlMs: number) => {
        const lock = this.locks.get(name);
        if (!lock || lock.token !== token || lock.expiresAt <= this.now()) return false;
        lock.expiresAt = this.now() + renewTtlMs;
        return true;
      },
    };
  }

  private marker(key: string): string | undefined {
    const m = this.markers.get(key);
    if (m && m.expiresAt <= this.now()) {
      this.markers.delete(key);
      return undefined;
    }
    return m?.value;
  }

  async updateHashes(u: HashUpdate): Promise<HashUpdateResult> {
    // Checked before any write, as the Redis script does: an update is all or nothing.
    for (const op of u.ops) if ((op.op === 'add' || op.op === 'init') && typeof op.atoms !== 'bigint') throw new TypeError(`updateHashes: ${op.op} ${op.field} needs bigint atoms; got ${typeof op.atoms}`);
    if (u.sequence) {
      if ((this.marker(u.sequence.key) ?? '0') !== u.sequence.expect) return 'stale';
      this.markers.set(u.sequence.key, { value: u.sequence.next, expiresAt: Infinity });
    }
    if ((u.once && this.marker(u.once.key) !== undefined) || (u.unless && this.marker(u.unless) !== undefined)) return 'duplicate';
    for (const op of u.ops) {
      const h = this.hashes.get(op.key) ?? new Map<string, string>();
      this.hashes.set(op.key, h);
      if (op.op === 'add') h.set(op.field, (BigInt(h.get(op.field) ?? '0') + op.atoms).toString());
      else if (op.op === 'init') {
        if (!h.has(op.field)) h.set(op.field, op.atoms.toString());
      } else if (op.op === 'set') h.set(op.field, op.value);
      else h.delete(op.field);
    }
    if (u.once) this.markers.set(u.once.key, { value: '1', expiresAt: this.now() + u.once.ttlMs });
    return 'applied';
  }

  async readHash(key: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.hashes.get(key) ?? []);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/** In-memory cache (single process): TTLs, set-if-absent, token buckets and fenced locks. */
import type { Cache, LockLease } from './cache.ts';

interface Entry {
  json: string;
  expiresAt: number;
}

export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly locks = new Map<string, { token: number; expiresAt: number }>();
  private fencing = 0;

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

  async close(): Promise<void> {
    this.entries.clear();
  }
}

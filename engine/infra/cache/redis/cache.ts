/**
 * The cache on Redis (ioredis): shared by every engine instance — TTL caches, the event dedup
 * window (SET NX PX), token-bucket rate limits and wallet locks with fencing tokens (Lua, so
 * each is one atomic step). Commands fail fast (CACHE_UNAVAILABLE) while Redis is unreachable
 * instead of queueing: callers must not act on state they cannot check (see docs/infrastructure.md).
 * The client keeps reconnecting in the background.
 */
import { Redis } from 'ioredis';
import { SolrulesError } from '../../../errors/index.ts';
import { redactUrl } from '../../health/index.ts';
import type { Cache, HashUpdate, HashUpdateResult, LockLease } from '../cache.ts';
import { ACQUIRE_LOCK, RELEASE_LOCK, RENEW_LOCK, TAKE_TOKENS, UPDATE_HASHES } from './scripts.ts';

export interface RedisCacheOptions {
  /** Prefix for every key (isolates deployments and test runs on one Redis). */
  keyPrefix?: string;
  /** A command that gets no answer in this time fails (default 1 s). */
  commandTimeoutMs?: number;
  /** How long `connect` waits for the first connection (default 5 s). */
  connectTimeoutMs?: number;
}

export class RedisCache implements Cache {
  private constructor(
    readonly client: Redis,
    readonly location: string,
  ) {}

  /** Connects to `url` (redis://[user:pass@]host:port[/db]); CACHE_CONNECT when it cannot. */
  static async connect(url: string, opts: RedisCacheOptions = {}): Promise<RedisCache> {
    const location = redactUrl(url);
    const client = new Redis(url, {
      keyPrefix: opts.keyPrefix ?? '',
      lazyConnect: true,
      enableReadyCheck: false, // our PING below reports NOAUTH and friends as they are
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: opts.commandTimeoutMs ?? 1_000,
      connectTimeout: opts.connectTimeoutMs ?? 5_000,
      retryStrategy: (times) => Math.min(50 * times, 1_000),
    });
    let lastError: Error | undefined;
    client.on('error', (err: Error) => void (lastError = err)); // reported through the failing commands; reconnects on its own
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      // The connection's own error (NOAUTH, WRONGPASS, ...) says more than "Connection is closed".
      const why = lastError && lastError.message !== (err as Error).message ? `${lastError.message} (${(err as Error).message})` : (err as Error).message;
      throw new SolrulesError('CACHE_CONNECT', `cannot connect to Redis at ${location}: ${why}`, { location }, { cause: err });
    }
    return new RedisCache(client, location);
  }

  private async run<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw new SolrulesError('CACHE_UNAVAILABLE', `Redis at ${this.location} did not answer ${what}: ${(err as Error).message}`, { location: this.location, op: what }, { cause: err });
    }
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const v = await this.run('GET', () => this.client.get(key));
    return v === null ? undefined : (JSON.parse(v) as T);
  }

  async set(key: string, value: unknown, ttlMs?: number): Promise<void> {
    const json = JSON.stringify(value ?? null);
    await this.run('SET', () => (ttlMs === undefined ? this.client.set(key, json) : this.client.set(key, json, 'PX', Math.max(1, Math.ceil(ttlMs)))));
  }

  async delete(key: string): Promise<void> {
    await this.run('DEL', () => this.client.del(key));
  }

  async setIfAbsent(key: string, value: unknown, ttlMs: number): Promise<boolean> {
    const r = await this.run('SET NX', () => this.client.set(key, JSON.stringify(value ?? null), 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX'));
    return r === 'OK';
  }

  async takeTokens(bucket: string, tokens: number, capacity: number, refillPerSecond: number): Promise<number> {
    if (!(tokens > 0 && capacity > 0 && refillPerSecond > 0)) {
      throw new SolrulesError('CACHE_INVALID', `takeTokens needs positive tokens, capacity and refill; got ${tokens}, ${capacity}, ${refillPerSecond}`, { bucket, tokens, capacity, refillPerSecond });
    }
    const wait = await this.run('token bucket', () => this.client.eval(TAKE_TOKENS, 1, `bucket:${bucket}`, tokens, capacity, refillPerSecond));
    return Number(wait);
  }

  async acquireLock(name: string, ttlMs: number): Promise<LockLease | undefined> {
    const lockKey = `lock:{${name}}`;
    const token = (await this.run('lock', () => this.client.eval(ACQUIRE_LOCK, 2, lockKey, `fence:{${name}}`, Math.max(1, Math.ceil(ttlMs))))) as string | null;
    if (!token) return undefined;
    return {
      fencingToken: Number(token),
      release: async () => {
        await this.run('unlock', () => this.client.eval(RELEASE_LOCK, 1, lockKey, token));
      },
      renew: async (renewTtlMs: number) => {
        const renewed = await this.run('renew lock', () => this.client.eval(RENEW_LOCK, 1, lockKey, token, Math.max(1, Math.ceil(renewTtlMs))));
        return Number(renewed) === 1;
      },
    };
  }

  async updateHashes(u: HashUpdate): Promise<HashUpdateResult> {
    const hashes: string[] = [];
    const argv: string[] = [u.sequence?.expect ?? '', u.sequence?.next ?? '', u.once ? String(Math.max(1, Math.ceil(u.once.ttlMs))) : '', u.unless ? '1' : ''];
    for (const op of u.ops) {
      let i = hashes.indexOf(op.key);
      if (i < 0) i = hashes.push(op.key) - 1;
      argv.push(op.op === 'delete' ? 'del' : op.op, String(i + 1), op.field, op.op === 'add' || op.op === 'init' ? op.atoms.toString() : op.op === 'set' ? op.value : '');
    }
    // Unused guard slots still need a key name (they are not touched).
    const keys = [u.sequence?.key ?? 'unused:sequence', u.once?.key ?? 'unused:once', u.unless ?? 'unused:unless', ...hashes];
    const r = await this.run('hash update', () => this.client.eval(UPDATE_HASHES, keys.length, ...keys, ...argv));
    return r as HashUpdateResult;
  }

  async readHash(key: string): Promise<Record<string, string>> {
    return this.run('HGETALL', () => this.client.hgetall(key));
  }

  /** Round trip to the server (doctor, health checks). */
  async ping(): Promise<void> {
    await this.run('PING', () => this.client.ping());
  }

  async close(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

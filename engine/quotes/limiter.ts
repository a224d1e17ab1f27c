/**
 * Request limit for an upstream API: a token bucket in the `Cache` (shared by every instance
 * once the cache is Redis), plus a shared "retry after" gate set when the upstream answers 429.
 */
import type { Cache } from '../infra/cache/index.ts';
import { quoteError } from './errors.ts';

export interface RateLimiterOptions {
  /** Bucket name in the cache; instances sharing it share the limit. */
  bucket: string;
  /** Sustained rate (default 60 a minute). */
  requestsPerMinute?: number;
  /** Requests allowed at once after a quiet period (default 10). */
  burst?: number;
  /** Longest a caller waits for a token before `QUOTE_RATE_LIMITED` (default 2 s). */
  maxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RateLimiter {
  readonly requestsPerMinute: number;
  readonly burst: number;
  readonly maxWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;

  constructor(
    private readonly cache: Cache,
    private readonly opts: RateLimiterOptions,
  ) {
    this.requestsPerMinute = opts.requestsPerMinute ?? 60;
    this.burst = opts.burst ?? Math.min(10, this.requestsPerMinute);
    this.maxWaitMs = opts.maxWaitMs ?? 2_000;
    this.sleep = opts.sleep ?? sleepMs;
    this.now = opts.now ?? Date.now;
    for (const [field, v] of [['requestsPerMinute', this.requestsPerMinute], ['burst', this.burst]] as const) {
      if (!(Number.isFinite(v) && v > 0)) throw quoteError('QUOTE_CONFIG_INVALID', `rate limit ${field} must be a positive number; got ${v}`, { field, value: v });
    }
  }

  private get gateKey(): string {
    return `ratelimit:${this.opts.bucket}:retry-after`;
  }

  /** Takes one request token, waiting up to `maxWaitMs`; returns the ms waited. */
  async acquire(): Promise<number> {
    let waited = 0;
    for (;;) {
      const until = await this.cache.get<number>(this.gateKey);
      let wait = until !== undefined && until > this.now() ? until - this.now() : 0;
      if (wait === 0) wait = await this.cache.takeTokens(`ratelimit:${this.opts.bucket}`, 1, this.burst, this.requestsPerMinute / 60);
      if (wait === 0) return waited;
      if (waited + wait > this.maxWaitMs) {
        throw quoteError('QUOTE_RATE_LIMITED', `${this.opts.bucket}: request limit of ${this.requestsPerMinute}/min reached; next request in ${wait} ms, more than the ${this.maxWaitMs - waited} ms left to wait`, {
          bucket: this.opts.bucket,
          requestsPerMinute: this.requestsPerMinute,
          retryInMs: wait,
          waitedMs: waited,
        });
      }
      await this.sleep(wait);
      waited += wait;
    }
  }

  /** The upstream said 429: nobody sharing the bucket asks again for `ms`. */
  async backOff(ms: number): Promise<void> {
    await this.cache.set(this.gateKey, this.now() + ms, ms);
  }
}

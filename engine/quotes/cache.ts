/**
 * Quote cache over the shared `Cache`. A quote is stored with the version stamp of every account
 * it read; an account update bumps that account's stamp (`invalidate`), so every quote that read
 * it stops matching — in this process and in every other one sharing the cache. Stamps outlive
 * quotes, and a stamp that has expired reads as a mismatch: expiry can cause a miss, never a
 * stale hit.
 */
import { randomBytes } from 'node:crypto';
import { CACHE_TTL_MS, type Cache } from '../infra/cache/index.ts';
import { quoteMetrics } from './metrics.ts';
import { routeQuoteFromJson, routeQuoteToJson, type QuoteRequest, type RouteQuote, type RouteQuoteJson } from './types.ts';

export interface QuoteCacheOptions {
  /** How long a quote may be served (default 5 min). */
  ttlMs?: number;
  /** Key prefix (default `quote`). */
  prefix?: string;
}

interface Entry {
  quote: RouteQuoteJson;
  stamps: Record<string, string>;
}

export class QuoteCache {
  readonly ttlMs: number;
  private readonly prefix: string;
  /** Keys this process stored, by account: deleted eagerly on invalidation (others only miss). */
  private readonly byAccount = new Map<string, Set<string>>();

  constructor(
    private readonly cache: Cache,
    opts: QuoteCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? CACHE_TTL_MS.quote;
    this.prefix = opts.prefix ?? 'quote';
  }

  /** The cache key of a request: pair, mode, amount and slippage. */
  keyOf(req: QuoteRequest): string {
    return `${this.prefix}:q:${req.mode}:${req.inputMint}:${req.outputMint}:${req.amount}:${req.slippageBps ?? 50}`;
  }

  private stampKey(account: string): string {
    return `${this.prefix}:stamp:${account}`;
  }

  private async stampOf(account: string): Promise<string> {
    const key = this.stampKey(account);
    const existing = await this.cache.get<string>(key);
    if (existing !== undefined) return existing;
    await this.cache.setIfAbsent(key, randomBytes(8).toString('hex'), this.ttlMs * 2);
    return (await this.cache.get<string>(key))!;
  }

  /** The cached quote for a request, if every account it read is unchanged since. */
  async get(req: QuoteRequest): Promise<RouteQuote | undefined> {
    const key = this.keyOf(req);
    const entry = await this.cache.get<Entry>(key);
    if (entry) {
      // Every stamp at once: against Redis one round trip's wait, not one per account.
      const stamps = Object.entries(entry.stamps);
      const now = await Promise.all(stamps.map(([account]) => this.cache.get<string>(this.stampKey(account))));
      if (now.every((stamp, i) => stamp === stamps[i]![1])) {
        quoteMetrics.cache(true);
        return routeQuoteFromJson(entry.quote);
      }
      await this.cache.delete(key);
    }
    quoteMetrics.cache(false);
    return undefined;
  }

  /** Stores a quote under its request, stamped with the current version of each account it read. */
  async set(req: QuoteRequest, quote: RouteQuote): Promise<void> {
    const key = this.keyOf(req);
    const current = await Promise.all(quote.accounts.map((account) => this.stampOf(account)));
    const stamps = Object.fromEntries(quote.accounts.map((account, i) => [account, current[i]!]));
    await this.cache.set(key, { quote: routeQuoteToJson(quote), stamps } satisfies Entry, this.ttlMs);
    for (const account of quote.accounts) {
      let keys = this.byAccount.get(account);
      if (!keys) this.byAccount.set(account, (keys = new Set()));
      keys.add(key);
    }
  }

  /** These accounts changed: every cached quote that read one of them is void. */
  async invalidate(accounts: Iterable<string>): Promise<void> {
    for (const account of accounts) {
      await this.cache.set(this.stampKey(account), randomBytes(8).toString('hex'), this.ttlMs * 2);
      const keys = this.byAccount.get(account);
      if (!keys) continue;
      this.byAccount.delete(account);
      for (const key of keys) await this.cache.delete(key);
    }
  }
}

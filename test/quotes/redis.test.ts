/**
 * Over the real Redis (127.0.0.1:6379): two instances, each with its own connection, share the
 * Jupiter token bucket and 429 gate, the quote cache and its invalidation, and the scanner's
 * dedup window. Jupiter is the loopback fake; keys live under a prefix unique to the run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RedisCache } from '../../engine/infra/cache/redis/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { JupiterClient, LocalRouter, QuoteCache, StaticPoolProvider } from '../../engine/quotes/index.ts';
import { Deduplicator } from '../../engine/market/index.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { FakeJupiter, jupiterFixture, QUOTE_SLOT_299 } from './jupiter-server.ts';
import { raydiumAccounts, raydiumEntry, RAYDIUM_COIN_VAULT, RAYDIUM_POOL, SOL, USDC } from './support.ts';

async function pair(): Promise<{ a: RedisCache; b: RedisCache; cleanup: () => Promise<void> }> {
  const keyPrefix = `solrules-test-${randomBytes(4).toString('hex')}:`;
  const a = await RedisCache.connect(SERVICES.redis.url, { keyPrefix });
  const b = await RedisCache.connect(SERVICES.redis.url, { keyPrefix });
  return {
    a,
    b,
    cleanup: async () => {
      const keys = await a.client.keys(`${keyPrefix}*`);
      if (keys.length) await a.client.del(...keys);
      await a.close();
      await b.close();
    },
  };
}

const REQ = { inputMint: SOL, outputMint: USDC, amount: 100_000_000n, mode: 'exact-in' as const };

test('Redis: two Jupiter clients share one token bucket and one 429 gate', async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const { a, b, cleanup } = await pair();
  const server = await new FakeJupiter().start();
  try {
    const limit = { requestsPerMinute: 6, burst: 2, maxWaitMs: 0 };
    const ja = new JupiterClient({ baseUrl: server.url, cache: a, rateLimit: limit });
    const jb = new JupiterClient({ baseUrl: server.url, cache: b, rateLimit: limit });
    await ja.getQuote(REQ);
    await jb.getQuote(REQ);
    await assert.rejects(ja.getQuote(REQ), (e: unknown) => isSolrulesError(e, 'QUOTE_RATE_LIMITED'));
    await assert.rejects(jb.getQuote(REQ), (e: unknown) => isSolrulesError(e, 'QUOTE_RATE_LIMITED'));
    assert.equal(server.requests.length, 2, 'a burst of two between both instances, not two each');

    const gated = { requestsPerMinute: 6_000, burst: 100, maxWaitMs: 0, bucket: 'jupiter-gate' };
    let first = true;
    server.handler = () => (first ? ((first = false), { status: 429, headers: { 'retry-after': '30' }, body: {} }) : { body: jupiterFixture(QUOTE_SLOT_299) });
    const ga = new JupiterClient({ baseUrl: server.url, cache: a, rateLimit: gated });
    const gb = new JupiterClient({ baseUrl: server.url, cache: b, rateLimit: gated });
    await assert.rejects(ga.getQuote(REQ), (e: unknown) => isSolrulesError(e, 'QUOTE_RATE_LIMITED') && e.context.status === 429);
    await assert.rejects(gb.getQuote(REQ), (e: unknown) => isSolrulesError(e, 'QUOTE_RATE_LIMITED') && (e.context.retryInMs as number) > 25_000);
    assert.equal(server.requests.length, 3, 'the other instance did not ask during Retry-After');
  } finally {
    await server.close();
    await cleanup();
  }
});

test('Redis: a quote cached by one instance is voided by an account update seen by another', async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const { a, b, cleanup } = await pair();
  try {
    const qa = new QuoteCache(a);
    const qb = new QuoteCache(b);
    const req = { inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' as const };
    const quote = new LocalRouter(new StaticPoolProvider([raydiumEntry(undefined, raydiumAccounts())])).quoteSync(req);
    await qa.set(req, quote);
    assert.deepEqual(await qb.get(req), quote);
    await qb.invalidate(['11111111111111111111111111111111']);
    assert.ok(await qa.get(req), 'an unrelated account leaves it');
    await qb.invalidate([RAYDIUM_COIN_VAULT]);
    assert.equal(await qa.get(req), undefined);
    assert.ok(quote.accounts.includes(RAYDIUM_POOL));
  } finally {
    await cleanup();
  }
});

test('Redis: scanners in one dedup scope drop what the other already took', async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const { a, b, cleanup } = await pair();
  try {
    const da = new Deduplicator(a, 5_000, 'scanners');
    const db = new Deduplicator(b, 5_000, 'scanners');
    const account = raydiumAccounts().get(RAYDIUM_COIN_VAULT)!;
    const u = { address: RAYDIUM_COIN_VAULT, account, slot: 77, receivedAt: Date.now(), via: 'account' as const };
    assert.equal(await da.firstSeen(u), true);
    assert.equal(await db.firstSeen(u), false);
    assert.equal(await db.firstSeen({ ...u, slot: 78 }), true);
  } finally {
    await cleanup();
  }
});

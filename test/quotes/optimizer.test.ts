/**
 * The optimizer: local first, Jupiter (a loopback server of the test's own) as fallback, the
 * quote cache with TTL and account-keyed invalidation, shared across instances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { JupiterClient, LocalRouter, QuoteCache, QuoteOptimizer, StaticPoolProvider, type PoolEntry } from '../../engine/quotes/index.ts';
import { auditRegistry, registry } from '../../engine/infra/telemetry/index.ts';
import { FakeJupiter } from './jupiter-server.ts';
import { orcaEntry, raydiumAccounts, raydiumEntry, RAYDIUM_COIN_VAULT, RAYDIUM_POOL, SOL, USDC, withTokenAmount } from './support.ts';

const JUP_REQ = { inputMint: SOL, outputMint: USDC, amount: 100_000_000n, mode: 'exact-in' as const };

async function metric(name: string, labels: Record<string, string>): Promise<number> {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const values = (await m.get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0);
}

async function setup(entries: PoolEntry[], opts: { slot?: () => number | undefined; now?: () => number; maxAge?: number } = {}) {
  const server = await new FakeJupiter().start();
  const now = opts.now ?? Date.now;
  const cache = new MemoryCache(now);
  const provider = new StaticPoolProvider(entries, opts.slot);
  const local = new LocalRouter(provider, { maxStateAgeSlots: opts.maxAge ?? 150, now });
  const jupiter = new JupiterClient({ baseUrl: server.url, cache, timeoutMs: 1_000, now });
  const quoteCache = new QuoteCache(cache);
  const optimizer = new QuoteOptimizer({ local, fallback: jupiter, cache: quoteCache });
  return { server, cache, provider, local, jupiter, quoteCache, optimizer };
}

test('local first: a pair the local pools trade never reaches Jupiter', async () => {
  const { server, optimizer } = await setup([raydiumEntry(), orcaEntry()]);
  try {
    const q = await optimizer.quote(JUP_REQ);
    assert.equal(q.source, 'local');
    assert.equal(server.requests.length, 0);
  } finally {
    await server.close();
  }
});

test('fallback: no local pool for the pair → Jupiter answers', async () => {
  const { server, optimizer } = await setup([]);
  try {
    const q = await optimizer.quote(JUP_REQ);
    assert.equal(q.source, 'jupiter');
    assert.equal(q.amountOut, 16_198_753n);
    assert.equal(server.requests.length, 1);
  } finally {
    await server.close();
  }
});

test('fallback: local state too old → Jupiter answers; both failing → one error saying what each said', async () => {
  const slot = 10_000;
  const { server, optimizer } = await setup([raydiumEntry(9_000)], { slot: () => slot, maxAge: 100 });
  try {
    const q = await optimizer.quote(JUP_REQ);
    assert.equal(q.source, 'jupiter');
    server.handler = () => ({ status: 503, body: { error: 'down' } });
    await assert.rejects(optimizer.quote({ ...JUP_REQ, amount: 100_000_001n }), (e: unknown) => {
      assert.ok(isSolrulesError(e, 'QUOTE_STATE_STALE'));
      assert.equal((e.context.local as { code: string }).code, 'QUOTE_STATE_STALE');
      assert.equal((e.context.fallback as { code: string }).code, 'QUOTE_UPSTREAM_HTTP');
      return true;
    });
  } finally {
    await server.close();
  }
});

test('cache: a repeated request is served from the cache until an account it read changes', async () => {
  const accounts = raydiumAccounts();
  const { server, optimizer, provider } = await setup([raydiumEntry(undefined, accounts)]);
  try {
    const req = { inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' as const };
    const hits0 = await metric('solrules_cache_requests_total', { cache: 'quotes', result: 'hit' });
    const first = await optimizer.quote(req);
    const again = await optimizer.quote(req);
    assert.deepEqual(again, first);
    assert.equal((await metric('solrules_cache_requests_total', { cache: 'quotes', result: 'hit' })) - hits0, 1);

    // The pool's SOL vault changes (someone traded): the scanner reports the account, the quote is recomputed.
    accounts.set(RAYDIUM_COIN_VAULT, withTokenAmount(accounts.get(RAYDIUM_COIN_VAULT)!, 80_000n * 10n ** 9n));
    provider.add(raydiumEntry(undefined, accounts));
    const stillCached = await optimizer.quote(req);
    assert.equal(stillCached.amountOut, first.amountOut, 'without an invalidation the cached quote stands (TTL)');
    await optimizer.invalidate([RAYDIUM_COIN_VAULT]);
    const fresh = await optimizer.quote(req);
    assert.notEqual(fresh.amountOut, first.amountOut);
    assert.ok(fresh.amountOut < first.amountOut, 'more SOL in the pool: less USDC per SOL');
    assert.equal(server.requests.length, 0);

    // An update to an account the quote did not read leaves it cached.
    await optimizer.invalidate(['11111111111111111111111111111111']);
    assert.equal((await optimizer.quote(req)).quotedAt, fresh.quotedAt);
  } finally {
    await server.close();
  }
});

test('cache: a Jupiter quote is voided by an update of a pool on its route', async () => {
  const { server, optimizer } = await setup([]);
  try {
    await optimizer.quote(JUP_REQ);
    await optimizer.quote(JUP_REQ);
    assert.equal(server.requests.length, 1);
    await optimizer.invalidate(['5BKxfWMbmYBAEWvyPZS9esPducUba9GqyMjtLCfbaqyF']);
    await optimizer.quote(JUP_REQ);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

test('cache: entries expire after the TTL (default 5 min)', async () => {
  let now = 1_000_000;
  const { server, optimizer, quoteCache } = await setup([], { now: () => now });
  try {
    assert.equal(quoteCache.ttlMs, 300_000);
    await optimizer.quote(JUP_REQ);
    now += 299_000;
    await optimizer.quote(JUP_REQ);
    assert.equal(server.requests.length, 1);
    now += 2_000;
    await optimizer.quote(JUP_REQ);
    assert.equal(server.requests.length, 2);
  } finally {
    await server.close();
  }
});

test('cache: invalidation through one instance voids what another instance cached (shared cache)', async () => {
  const cache = new MemoryCache();
  const a = new QuoteCache(cache);
  const b = new QuoteCache(cache);
  const ray = raydiumEntry();
  const local = new LocalRouter(new StaticPoolProvider([ray]));
  const req = { inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' as const };
  await a.set(req, local.quoteSync(req));
  assert.ok(await b.get(req), 'b sees what a cached');
  await b.invalidate([RAYDIUM_POOL]);
  assert.equal(await a.get(req), undefined, 'and a sees what b invalidated');
});

test('a cached local quote is not served once its state is too many slots old', async () => {
  let slot = 500;
  const { server, optimizer } = await setup([raydiumEntry(495)], { slot: () => slot, maxAge: 20 });
  try {
    const req = { inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' as const };
    const first = await optimizer.quote(req);
    assert.equal(first.source, 'local');
    slot = 515;
    assert.equal((await optimizer.quote(req)).quotedAt, first.quotedAt, 'exactly 20 slots old: still served from the cache');
    slot = 530;
    server.handler = () => ({ status: 400, body: { error: 'Could not find any route' } });
    await assert.rejects(optimizer.quote(req), (e: unknown) => isSolrulesError(e, 'QUOTE_STATE_STALE'));
  } finally {
    await server.close();
  }
});

test('latency per source and requests per result are recorded, within the catalog bounds', async () => {
  const { server, optimizer } = await setup([raydiumEntry()]);
  try {
    const before = await metric('solrules_quote_requests_total', { source: 'local', result: 'ok' });
    await optimizer.quote({ inputMint: SOL, outputMint: USDC, amount: 123n, mode: 'exact-in' });
    assert.equal((await metric('solrules_quote_requests_total', { source: 'local', result: 'ok' })) - before, 1);
    const hist = (await registry.getSingleMetric('solrules_quote_duration_seconds')!.get()).values.find((v) => v.labels.source === 'local' && (v as { metricName?: string }).metricName === 'solrules_quote_duration_seconds_count');
    assert.ok(hist && hist.value >= 1);
    await assert.rejects(optimizer.quote({ inputMint: SOL, outputMint: '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU', amount: 5n, mode: 'exact-in' }));
    assert.ok((await metric('solrules_quote_requests_total', { source: 'local', result: 'no-route' })) >= 1);
    assert.deepEqual(await auditRegistry(), []);
  } finally {
    await server.close();
  }
});

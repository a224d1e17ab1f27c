/**
 * Scanner and quote optimizer together over the sandbox: a pool update voids the cached quotes
 * that read it, and when the WebSocket goes down the state ages until the staleness guard refuses
 * to quote from it — and quotes again once the scanner has reconnected and resynced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { LocalRouter, QuoteCache, QuoteOptimizer } from '../../engine/quotes/index.ts';
import { MarketScanner } from '../../engine/market/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { RAYDIUM_COIN_VAULT, RAYDIUM_POOL, raydiumNear, SOL, USDC, withTokenAmount } from '../quotes/support.ts';
import { fixtureSandbox, sandboxConfig, until } from './support.ts';

test('pool updates void cached quotes; a dead feed makes quotes stale; the reconnect makes them fresh again', async () => {
  const sb = await fixtureSandbox({ slotMs: 50, raydium: raydiumNear(1.2) });
  const bus = new MemoryBus();
  const cache = new MemoryCache();
  const log = createLogger({ level: 'silent' });
  const quoteCache = new QuoteCache(cache);
  let optimizer: QuoteOptimizer | undefined;
  const scanner = new MarketScanner({ config: sandboxConfig(sb, { slotMs: 50 }), bus, cache, log, quotes: { invalidate: (a) => optimizer!.invalidate(a) } });
  const router = new LocalRouter(scanner.market, { maxStateAgeSlots: 20 });
  optimizer = new QuoteOptimizer({ local: router, cache: quoteCache, log });
  const req = { inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' as const };
  try {
    await scanner.start();
    const first = await optimizer.quote(req);
    assert.equal(first.legs[0]!.venue, 'raydium-amm-v4', 'Raydium pays 20 % more for SOL here');
    assert.equal((await optimizer.quote(req)).quotedAt, first.quotedAt, 'served from the cache');

    const a = sb.getAccount(RAYDIUM_COIN_VAULT)!;
    sb.setAccount(RAYDIUM_COIN_VAULT, { ...a, data: withTokenAmount({ address: RAYDIUM_COIN_VAULT, ...a }, 90_000n * 10n ** 9n).data });
    // The cache entry itself is void as soon as the scanner has the update — not once the quote has aged out.
    await until(() => scanner.market.pools.get(RAYDIUM_POOL)?.reserves?.reserveA === 90_000n * 10n ** 9n, 'the scanner to see the update');
    assert.equal(await quoteCache.get(req), undefined, 'the vault update voided the cached quote');
    await until(async () => (await optimizer!.quote(req)).amountOut !== first.amountOut, 'the update to void the cached quote');
    const after = await optimizer.quote(req);
    assert.ok(after.amountOut < first.amountOut, 'more SOL in the pool, fewer USDC per SOL');

    sb.faults.set({ websocketsDown: true });
    await until(async () => {
      try {
        await optimizer!.quote({ ...req, amount: req.amount + 1n });
        return false;
      } catch (err) {
        return isSolrulesError(err, 'QUOTE_STATE_STALE');
      }
    }, 'quotes to be refused as stale', 5_000);
    sb.faults.set({ websocketsDown: false });
    await until(() => scanner.source.stats().connected, 'the reconnect', 8_000);
    await until(async () => {
      try {
        return (await optimizer!.quote({ ...req, amount: req.amount + 2n })).source === 'local';
      } catch {
        return false;
      }
    }, 'fresh quotes again', 5_000);
  } finally {
    await scanner.stop();
    await sb.close();
  }
});

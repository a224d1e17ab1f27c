/**
 * Price conflation under a backlog (`conflatePricesMs`): when a slot closes while updates are
 * already queued behind it, its price event is held and published once, on the newest state, when
 * the queue is empty; pool facts still go out per slot. Off (0), every slot publishes its price.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '@solana/web3.js';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { MarketScanner } from '../../engine/market/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { RAYDIUM_COIN_VAULT, SOL, withTokenAmount } from '../quotes/support.ts';
import { fixtureSandbox, HandSource, recorder, sandboxConfig } from './support.ts';


const SLOTS = 12;

for (const conflatePricesMs of [0, 60_000]) {
  test(`a burst of ${SLOTS} slots with conflatePricesMs ${conflatePricesMs}: ${conflatePricesMs ? 'one price event, on the newest state' : 'a price event per slot'}`, { timeout: 60_000 }, async () => {
    const sb = await fixtureSandbox();
    const bus = new MemoryBus();
    const rec = await recorder(bus);
    const source = new HandSource();
    const scanner = new MarketScanner({ config: sandboxConfig(sb), bus, cache: new MemoryCache(), source, connection: new Connection(sb.rpcUrl, 'processed'), log: createLogger({ level: 'silent' }), conflatePricesMs });
    try {
      await scanner.start();
      await scanner.idle();
      const prices = () => rec.on(`market.prices.${SOL}`);
      const pools = () => rec.messages.filter((m) => m.subject.endsWith('.pool')).length;
      const [pricesBefore, poolsBefore] = [prices().length, pools()];
      const vault = sb.getAccount(RAYDIUM_COIN_VAULT)!;
      const base = sb.slot + 1;
      // Every update of the burst is handed over at once, as a socket read of a consumer that is behind.
      for (let i = 0; i < SLOTS; i++) {
        const account = { ...vault, address: RAYDIUM_COIN_VAULT, data: withTokenAmount({ address: RAYDIUM_COIN_VAULT, ...vault }, (50_000n + BigInt(i) * 1_000n) * 10n ** 9n).data };
        source.sink.account({ address: RAYDIUM_COIN_VAULT, account, slot: base + i, receivedAt: Date.now(), via: 'account' });
        source.sink.slot(base + i + 1, Date.now());
      }
      await scanner.idle();
      const burst = prices().slice(pricesBefore);
      assert.equal(pools() - poolsBefore, SLOTS, 'a pool fact per slot, conflated or not');
      if (conflatePricesMs) {
        assert.equal(burst.length, 1, `one price event for the burst, got ${burst.length}`);
        assert.equal(scanner.conflation.superseded, 2 * (SLOTS - 1), 'both mints of the pool: every slot but the last replaced');
      } else {
        assert.equal(burst.length, SLOTS, `a price event per slot, got ${burst.length}`);
        assert.equal(scanner.conflation.superseded, 0);
      }
      // The last price event of the burst is on the newest state either way: the scanners' price now.
      assert.equal(burst.at(-1).usd, scanner.prices.priceOf(SOL)!.price.usd);
      assert.ok(burst.length < 2 || burst.at(-1).usd !== burst[0].usd, 'the burst moved the price');
    } finally {
      await scanner.stop();
      await sb.close();
    }
  });
}

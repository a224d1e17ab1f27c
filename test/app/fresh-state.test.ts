/**
 * A live send's pool state (ChainSource.freshStatesFor) on the sandbox market: while the
 * scanners are current it is rebuilt from the accounts they hold — no read — and quotes to the
 * atom what a read of the chain quotes; after a trader's swap it follows the swap once the
 * notifications are in; a state older than our own last landed transaction (`landedSlot`), or a
 * stopped source, falls back to reading the chain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { ChainSource, type TradingEngine } from '../../engine/app/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { chainScannerConfig } from '../../engine/cli/_run-chain.ts';
import { venueById, type PoolState } from '../../engine/venues/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { until } from '../market/support.ts';

const quotes = (states: PoolState[], mint: string, amount: bigint) =>
  Object.fromEntries(states.map((s) => [s.address, venueById(s.venue)!.quoteExactIn(s, mint, amount).amountOut.toString()]));

test('fresh state for a send: from the scanners when current (exact to the atom), read from the chain when not', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const source = new ChainSource({ config: chainScannerConfig(join(REPO_ROOT, 'examples/live'), { rpc: sb.rpcUrl, ws: sb.wsUrl }), log: createLogger({ level: 'silent' }) });
  const running = source.run(new MemoryBus(), {} as TradingEngine);
  const { sol, usdc } = market.mints;
  try {
    // Slots advance by hand here: a slot notification is what vouches for the scanners' state.
    const tick = () => (sb.advanceSlots(1), true);
    await until(() => tick() && source.scannerStatesFor(usdc, sol) !== undefined, 'the scanners current (a slot vouched for, the Clock read)', 10_000);
    const compare = async (what: string) => {
      tick();
      await until(() => source.scannerStatesFor(usdc, sol) !== undefined, 'the slot vouched for');
      const reads = source.freshStats.read;
      const held = await source.freshStatesFor(usdc, sol);
      assert.equal(source.freshStats.read, reads, `${what}: no read`);
      const read = await source.freshStatesFor(usdc, sol, { landedSlot: sb.chain.slot + 10 }); // newer than anything held: read
      assert.equal(source.freshStats.read, reads + 1, `${what}: read when the state must be newer than the scanners'`);
      assert.equal(held.length, 2);
      assert.deepEqual(quotes(held, usdc, 100_000_000n), quotes(read, usdc, 100_000_000n), `${what}: the scanners' state quotes what the chain's does`);
      assert.deepEqual(quotes(held, sol, 1_000_000_000n), quotes(read, sol, 1_000_000_000n));
      return quotes(held, usdc, 100_000_000n);
    };
    const before = await compare('quiet market');
    // A trader's swaps move the pools; once their notifications (and the next slot's) are in, the held state follows.
    const flow = new MarketFlow(market, { seed: 3, shockProbability: 0 });
    for (let i = 0; i < 3; i++) flow.step();
    const landed = sb.chain.slot;
    sb.advanceSlots(1);
    await until(() => tick() && source.scannerStatesFor(usdc, sol, { landedSlot: landed }) !== undefined, 'the swaps\' notifications', 10_000);
    await source.scanner!.idle();
    const after = await compare('after swaps');
    assert.notDeepEqual(after, before, 'the swaps moved the quotes');
    assert.ok(source.freshStats.fromScanner >= 2);
  } finally {
    await source.stop();
    await running.catch(() => undefined);
    await sb.close();
  }
  assert.equal(source.scannerStatesFor(usdc, sol), undefined, 'a stopped source vouches for nothing');
});

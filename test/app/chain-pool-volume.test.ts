/**
 * In a chain run the `pool` and `volume` facts reach strategy rules: on the sandbox market (real
 * Whirlpool and DLMM programs, SIMULATED traders) the scanners decode the pools, infer the swaps
 * from their state changes, and the price event carries the deepest pool and the mint's volume,
 * which the engine hands to every strategy's rules (what facts/producers.ts declares for chain runs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { referenceEvaluator, type RuleFile } from '../../engine/rules/index.ts';
import { ChainSource, composeEngine, FactWatch } from '../../engine/app/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { chainScannerConfig } from '../../engine/cli/_run-chain.ts';
import { producersOf } from '../../engine/facts/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { until } from '../market/support.ts';

const PROJECT = join(REPO_ROOT, 'examples/live');

class Recorder extends FactWatch {
  readonly seen: Record<string, any>[] = [];
  override observe(file: RuleFile, facts: Readonly<Record<string, unknown>>): void {
    this.seen.push({ file: file.id, ...facts });
  }
}

test('chain run on the sandbox: strategy rules get the deepest pool and the volume the scanners inferred', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const built = await buildActiveConfig(PROJECT, referenceEvaluator, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const log = createLogger({ level: 'silent' });
  const source = new ChainSource({ config: chainScannerConfig(PROJECT, { rpc: sb.rpcUrl, ws: sb.wsUrl }), log });
  const bus = new MemoryBus();
  const watch = new Recorder(log, new Set());
  const engine = await composeEngine({ holder: new ConfigHolder(built.active), bus, store: new MemoryStore(), log, factWatch: watch, market: source.market });
  await engine.start();
  const running = source.run(bus, engine);
  const flow = new MarketFlow(market, { seed: 3, shockProbability: 0 });
  try {
    await until(() => engine.stats.ticks > 0, 'the first price from the scanners', 10_000);
    const traded = () => watch.seen.filter((f) => f.volume && f.volume.trades24h > 0);
    for (let i = 0; i < 200 && traded().length === 0; i++) {
      flow.run(1);
      await new Promise((r) => setTimeout(r, 25));
    }
    await source.scanner!.idle();
    await bus.settle();
    const sol = market.mints.sol;
    const last = watch.seen.filter((f) => f.pool && f.volume).at(-1);
    assert.ok(last, 'a strategy evaluation received pool and volume facts');
    // The pool fact is the deepest of the configured pools, as the scanners decoded it.
    const pools = source.poolsFor(market.mints.sol, market.mints.usdc);
    assert.equal(pools.length, market.pools.length);
    assert.ok(market.pools.some((p) => p.address === last.pool.address), last.pool.address);
    const facts = pools.map((e) => source.scanner!.prices.poolFact(source.scanner!.market.pools.get(e.state.address)!)!);
    const deepest = facts.reduce((a, b) => (b.liquidityUsd > a.liquidityUsd ? b : a));
    assert.equal(last.pool.address, deepest.address);
    assert.ok([last.pool.mintA, last.pool.mintB].includes(sol));
    assert.ok(BigInt(last.pool.reserveA) > 0n && BigInt(last.pool.reserveB) > 0n);
    assert.ok(last.pool.liquidityUsd > 0 && last.pool.feeBps > 0, JSON.stringify(last.pool));
    // Volume: the swaps the flow made, inferred from pool state changes.
    const v = traded().at(-1)!.volume;
    assert.equal(v.mint, sol);
    assert.ok(v.trades24h > 0 && v.volume24hUsd > 0, JSON.stringify(v));
    assert.ok(Math.abs(v.averageTradeUsd - v.volume24hUsd / v.trades24h) < 1e-9);
    // Every strategy's rules got them (not only one kind's).
    assert.deepEqual(new Set(watch.seen.filter((f) => f.pool && f.volume).map((f) => f.file)), new Set(watch.seen.filter((f) => f.price).map((f) => f.file)));
    assert.deepEqual(new Set(watch.seen.filter((f) => f.price).map((f) => f.file)), new Set(['arbitrage', 'dca', 'grid']));
    // And the registry says so: a chain run produces them for strategy rules.
    const { BASE_PRODUCERS } = await import('../../engine/facts/index.ts');
    assert.equal(producersOf(BASE_PRODUCERS, 'pool', 'liquidityUsd', { scope: 'strategy', mode: 'chain' }).length, 1);
    assert.equal(producersOf(BASE_PRODUCERS, 'volume', 'spike', { scope: 'strategy', mode: 'replay' }).length, 0, 'a replay has no pools');
  } finally {
    await source.stop();
    await running.catch(() => undefined);
    await engine.stop();
    await sb.close();
  }
});

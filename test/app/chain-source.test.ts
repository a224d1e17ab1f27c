/**
 * `solrules run --rpc` in dry run, on loopback: the sandbox holds a SOL/USDC market on the real
 * Whirlpool and DLMM programs and SIMULATED traders move it; the chain source's scanners publish
 * prices; grid, DCA and arbitrage (examples/live) decide orders; every fill is the exact local
 * quote on the pool state; nothing is sent to the chain; the paper balances add up to the atom.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { ChainSource, compose } from '../../engine/app/index.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { chainScannerConfig } from '../../engine/cli/_run-chain.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { until } from '../market/support.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { routeHistoryFromStore } from '../../engine/market/index.ts';
import { routeHash, type ArbitragePlanner } from '../../engine/strategies/arbitrage/index.ts';

const PROJECT = join(REPO_ROOT, 'examples/live');

test('dry run on the sandbox market: grid, DCA and arbitrage fill at the exact pool quote; nothing is sent; balances reconcile', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const prevStore = process.env.SOLRULES_STORE;
  process.env.SOLRULES_STORE = 'memory';
  const market = createMarket({ chain: sb.chain, seed: 1 });
  // The example project's scanner.yaml names the pools of market seed 1: a drift here breaks `run --rpc` on the sandbox.
  const config = chainScannerConfig(PROJECT, { rpc: sb.rpcUrl, ws: sb.wsUrl });
  assert.deepEqual([...config.pools].sort(), market.pools.map((p) => p.address).sort());
  const built = await buildActiveConfig(PROJECT, referenceEvaluator, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const log = createLogger({ level: 'silent' });
  const source = new ChainSource({ config, log });
  const app = await compose({ root: PROJECT, active: built.active, factory: referenceEvaluator, log, source, watch: false });
  const results: any[] = [];
  await app.bus.subscribe(SUBJECTS.confirmed, (m) => void results.push(m.data));
  await app.bus.subscribe(SUBJECTS.failed, (m) => void results.push(m.data));
  const flow = new MarketFlow(market, { seed: 7, shockProbability: 0.1 });
  const running = source.run(app.bus, app.engine);
  try {
    await until(() => app.engine.stats.ticks > 0, 'the first price from the scanners', 10_000);
    const strategies = () => new Set(results.filter((r) => r.report.status === 'filled').map((r) => r.order.strategy));
    for (let i = 0; i < 400 && !(strategies().size >= 3 && results.length >= 6); i++) {
      flow.run(1);
      await new Promise((r) => setTimeout(r, 25));
    }
    await source.scanner!.idle();
    await app.bus.settle();
    assert.deepEqual([...strategies()].sort(), ['arbitrage', 'dca', 'grid'], `filled: ${JSON.stringify([...app.engine.stats.orders])}`);
    const start = built.active.strategies.paper!.startingBalances!;
    const balance = new Map<string, bigint>([[market.mints.sol, BigInt(start.base ?? '0')], [market.mints.usdc, BigInt(start.quote ?? '0')]]);
    for (const { order, report } of results) {
      if (report.status !== 'filled') continue;
      assert.equal(report.simulated, true);
      if (order.side !== 'roundtrip') {
        assert.equal(report.fillSource, 'pool-quote', 'a dry run on a chain fills at the pool quote, not at a price');
        assert.ok(['orca-whirlpool', 'meteora-dlmm'].includes(report.venue), report.venue);
      }
      assert.ok(BigInt(report.amountOut) >= BigInt(order.minAmountOut));
      balance.set(order.inputMint, balance.get(order.inputMint)! - BigInt(report.amountIn));
      balance.set(order.outputMint, balance.get(order.outputMint)! + BigInt(report.amountOut) - (order.side === 'roundtrip' ? BigInt(order.params.route.flashLoanFee) + BigInt(order.params.route.costsInInput) : 0n));
    }
    for (const [mint, atoms] of balance) assert.equal(app.engine.portfolio.balance(mint), atoms, `paper ${mint} reconciles to the atom`);
    const stats = sb.stats();
    assert.equal(stats.rpcRequests.sendTransaction ?? 0, 0, 'a dry run sends nothing');
    assert.deepEqual(stats.blockEngineRequests, {}, 'a dry run sends no bundle');
  } finally {
    await source.stop();
    await running.catch(() => undefined);
    await app.close();
    await sb.close();
    if (prevStore === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = prevStore;
  }
});

test('routes from history reach the arbitrage planner at start: the initializer reads them, the planner keeps them as route templates', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const config = chainScannerConfig(PROJECT, { rpc: sb.rpcUrl, ws: sb.wsUrl });
  const built = await buildActiveConfig(PROJECT, referenceEvaluator, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const log = createLogger({ level: 'silent' });
  // Yesterday: a round trip USDC → SOL on the Whirlpool, SOL → USDC on the DLMM pair filled and returned more than it took.
  const store = new MemoryStore();
  const [orca, dlmm] = ['orca-whirlpool', 'meteora-dlmm'].map((v) => market.pools.find((p) => p.venue === v)!);
  const legs = [{ pool: orca!.address, venue: orca!.venue, inputMint: market.mints.usdc, outputMint: market.mints.sol }, { pool: dlmm!.address, venue: dlmm!.venue, inputMint: market.mints.sol, outputMint: market.mints.usdc }];
  const order: any = { id: 'ord_y', strategy: 'arbitrage', rule: 'r', ruleFile: 'f', ruleSetHash: 'h', side: 'roundtrip', inputMint: market.mints.usdc, outputMint: market.mints.usdc, amountIn: 50_000_000n, minAmountOut: 50_000_000n, notionalUsd: 50, urgency: 'high', createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T01:00:00Z', params: { route: { legs } }, factsDigest: 'd', explanation: { ruleId: 'r', ruleSetHash: 'h', conditions: {} } };
  await store.insertOrder(order, 'filled');
  await store.recordExecution({ orderId: 'ord_y', executor: 'jito', status: 'filled', amountIn: 50_000_000n, amountOut: 50_400_000n, feeAtoms: 0n, networkFeeLamports: 5000n, simulated: false, at: '2026-01-01T00:00:01Z' });
  const source = new ChainSource({ config, log });
  const app = await compose({ root: PROJECT, active: built.active, factory: referenceEvaluator, log, source, watch: false, store });
  source.history = routeHistoryFromStore(app.store);
  const running = source.run(app.bus, app.engine);
  try {
    await source.watching;
    assert.equal(source.readiness!.routes.length, 1);
    assert.equal(source.routesLearned.get('arbitrage'), 1);
    const planner = app.engine.planners.get('arbitrage') as ArbitragePlanner;
    const template = planner.templates[routeHash(legs)];
    assert.ok(template, 'the history route is one of the planner\'s templates');
    assert.equal(template.amountIn, '50000000');
    assert.equal(template.realizedAtoms, '400000');
  } finally {
    await source.stop();
    await running.catch(() => undefined);
    await app.close();
    await sb.close();
  }
});

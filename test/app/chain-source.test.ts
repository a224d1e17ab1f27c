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

/**
 * The engine LIVE on the sandbox market (real Whirlpool and DLMM programs, SIMULATED other
 * traders): scanners → grid / DCA rules → risk and routing → the rpc and jito executors, which
 * build the swap with Venue.swapInstruction (min-out = the order's minAmountOut), pass the send
 * guard (simulation on the current state), sign with worker wallets and send. Every confirmed
 * order reconciles: the expected output equals the realized one, in atoms, and the workers'
 * balances moved by exactly the sum of the realized amounts and fees. Round trips borrow their
 * input from the sandbox's Kamino reserve (flash loan, same transaction).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow, tokenBalance, associatedTokenAddress } from '../../sandbox/market/index.ts';
import { engineWallets } from '../../sandbox/demo/live-context.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { buildLiveContext, ChainSource, compose, maxQuoteShortfallBps } from '../../engine/app/index.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';
import { KaminoFlashLoan } from '../../engine/executors/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { chainScannerConfig } from '../../engine/cli/_run-chain.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { until } from '../market/support.ts';

const PROJECT = join(REPO_ROOT, 'examples/live');
const MIN_CONFIRMED = 6;

test('live on the real programs: grid, DCA and a cross-venue round trip land through rpc and jito, each reconciled to the atom', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const prevStore = process.env.SOLRULES_STORE;
  process.env.SOLRULES_STORE = 'memory';
  // examples/live's arbitrage borrows its input by flash loan: the market holds the Kamino reserve.
  const market = createMarket({ chain: sb.chain, seed: 1, kamino: true });
  const wallets = engineWallets(market, { workers: 2 });
  const config = chainScannerConfig(PROJECT, { rpc: sb.rpcUrl, ws: sb.wsUrl });
  const built = await buildActiveConfig(PROJECT, referenceEvaluator, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const active = built.active;
  active.strategies.executors = {
    paper: { type: 'paper' },
    rpc: { type: 'rpc', endpoints: [sb.rpcUrl], rebroadcastMs: 1000, concurrency: 1 },
    jito: { type: 'jito', transport: 'json-rpc', blockEngine: sb.blockEngineUrl, tipPlacement: 'inline', maxBundleSends: 4, concurrency: 1 },
  };
  const log = createLogger({ level: 'silent' });
  const source = new ChainSource({ config, log });
  const live = buildLiveContext({ rpcUrl: sb.rpcUrl, workers: wallets.workers, pools: { statesFor: (a, b) => source.freshStatesFor(a, b) }, maxShortfallBps: () => maxQuoteShortfallBps(active.ruleSet.params), log, flashLoans: [new KaminoFlashLoan(market.kamino!.reserve, { lookupTables: [market.kamino!.lookupTable] })] });
  const app = await compose({ root: PROJECT, active, factory: referenceEvaluator, log, source, watch: false, live });
  const results: any[] = [];
  await app.bus.subscribe(SUBJECTS.confirmed, (m) => void results.push(m.data));
  await app.bus.subscribe(SUBJECTS.failed, (m) => void results.push(m.data));
  const flow = new MarketFlow(market, { seed: 7, shockProbability: 0.1 });
  const running = source.run(app.bus, app.engine);
  const settled = () => {
    const decided = [...app.engine.stats.orders.values()].reduce((a, r) => a + r.decided, 0);
    return results.length >= decided;
  };
  try {
    await until(() => app.engine.stats.ticks > 0, 'the first price from the scanners', 10_000);
    const landed = () => results.filter((r) => r.report.status === 'filled');
    for (let i = 0; i < 300 && !(landed().length >= MIN_CONFIRMED && landed().some((r) => r.order.side === 'roundtrip')); i++) {
      flow.run(1);
      await new Promise((r) => setTimeout(r, 30));
      await until(settled, 'every decided order to reach an outcome', 15_000);
    }
    const filled = results.filter((r) => r.report.status === 'filled');
    assert.ok(filled.length >= MIN_CONFIRMED, `confirmed ${filled.length}: ${JSON.stringify(results.map((r) => [r.order.strategy, r.report.status, r.report.reason]))}`);
    assert.ok(new Set(filled.map((r) => r.order.strategy)).size >= 2, 'at least two strategies landed orders');
    assert.ok(filled.some((r) => r.order.side === 'roundtrip'), 'a cross-venue round trip landed (two legs, one transaction)');
    // Each order: expected = realized, in atoms; a real transaction on the chain.
    const spent = new Map<string, bigint>();
    let fees = 0n;
    for (const { order, report } of filled) {
      assert.equal(report.simulated, false);
      const rec = report.reconciliation;
      assert.ok(rec, 'a live fill carries its reconciliation');
      assert.equal(rec.realizedAmountOut, rec.expectedAmountOut, `order ${order.id}: realized = expected`);
      assert.equal(rec.realizedAmountIn, rec.expectedAmountIn);
      // A flash-loan round trip's realized output is net of the loan's fee; its minAmountOut carries the strategy's estimate of that fee.
      const flashFeeEstimate = order.side === 'roundtrip' ? BigInt(order.params.route.flashLoanFee ?? '0') : 0n;
      assert.ok(BigInt(rec.realizedAmountOut) + flashFeeEstimate >= BigInt(order.minAmountOut));
      if (order.side === 'roundtrip') {
        assert.match(rec.venue, /^(orca-whirlpool>meteora-dlmm|meteora-dlmm>orca-whirlpool)$/, 'a round trip crosses the two venues in one transaction');
        assert.ok(sb.getTransaction(report.signature)!.logs.some((l: string) => l.startsWith('Program KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD invoke')), 'the round trip borrowed its input from the Kamino reserve in the same transaction');
      }
      else assert.ok(['orca-whirlpool', 'meteora-dlmm'].includes(rec.venue), rec.venue);
      assert.ok(sb.getTransaction(report.signature), 'the transaction is on the chain');
      spent.set(order.inputMint, (spent.get(order.inputMint) ?? 0n) - BigInt(rec.realizedAmountIn));
      spent.set(order.outputMint, (spent.get(order.outputMint) ?? 0n) + BigInt(rec.realizedAmountOut));
      fees += BigInt(report.networkFeeLamports);
    }
    const failedOnChain = results.filter((r) => r.report.status === 'failed' && r.report.signature);
    assert.deepEqual(failedOnChain.map((r) => r.report.reason), [], 'no transaction failed on chain after passing the guard');
    // Every worker atom accounted for: funded + realized legs - fees.
    let sol = 0n;
    let usdc = 0n;
    let lamports = 0n;
    for (const w of wallets.workers) {
      sol += tokenBalance(sb.chain, associatedTokenAddress(market.mints.sol, w.publicKey).toBase58());
      usdc += tokenBalance(sb.chain, associatedTokenAddress(market.mints.usdc, w.publicKey).toBase58());
      lamports += sb.getAccount(w.publicKey)!.lamports;
    }
    const n = BigInt(wallets.workers.length);
    assert.equal(usdc, wallets.funded.usdc * n + (spent.get(market.mints.usdc) ?? 0n), 'USDC atoms reconcile');
    assert.equal(sol, wallets.funded.wsol * n + (spent.get(market.mints.sol) ?? 0n), 'wrapped SOL atoms reconcile');
    assert.equal(lamports, wallets.funded.lamports * n - fees, 'lamports reconcile (fees and tips)');
    assert.ok(live.guard.stats.passed >= filled.length);
    assert.equal(live.accuracy.fact().samples, filled.length, 'every confirmation fed quoteAccuracy');
  } finally {
    await source.stop();
    await running.catch(() => undefined);
    await app.close();
    live.monitor.close();
    await sb.close();
    if (prevStore === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = prevStore;
  }
});

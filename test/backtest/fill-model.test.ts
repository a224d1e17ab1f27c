/**
 * The fill model, pinned by a case computed by hand (docs/backtest.md, "Fill model"): six hourly
 * bars, a DCA buying 100 USDC every 2 hours up to 250 USDC and taking profit at +5 %, fee 30 bps,
 * slippage 10 bps. Each number below is derived in the comment above it from the documented
 * formulas; the runner has to reproduce them through the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { evaluatorFactory } from '../../engine/rules/index.ts';
import { fillModel, loadBacktestData, runBacktest, type BacktestRun } from '../../engine/backtest/index.ts';
import { HAND_BARS, HAND_DCA, hourlyCsv, writeProject } from './project.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

async function backtest(fillAt: 'next-open' | 'close'): Promise<BacktestRun> {
  const dir = writeProject({ strategies: HAND_DCA, bars: hourlyCsv(HAND_BARS), fillAt });
  try {
    const built = await buildActiveConfig(dir, evaluatorFactory('compiled'), 'test', { runTests: false });
    assert.ok(built.active, JSON.stringify(built.diagnostics));
    const cfg = built.active.strategies;
    const data = loadBacktestData(cfg, join(dir, 'strategies.yaml'));
    return await runBacktest({ active: built.active, series: data.series, fill: fillModel({ fillAt: cfg.backtest?.fillAt, feeBps: cfg.paper?.feeBps, slippageBps: cfg.paper?.slippageBps }), generatedAt: '2024-01-01T00:00:00Z' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('next-open: decisions at bar closes fill at the next bar open, with slippage and fee, exactly in atoms', async () => {
  const run = await backtest('next-open');
  const fills = run.result.strategies[0]!.fills;
  // Bar 0 closes (01:00) at 100: the first buy is due → buy 100 USDC, filled at bar 1's open 102
  // moved against the buy by 10 bps: 102 × 1.001 = 102.102, at bar 1's open time 01:00.
  // fee = ceil(100,000,000 × 30 / 10,000) = 300,000 atoms; base out = floor(99,700,000 × 10^9 / (102.102 × 10^6)) = 976,474,505.
  // Bar 2 closes (03:00): 120 minutes since the last buy → buy 100 USDC at bar 3's open 98 × 1.001 = 98.098:
  // fee 300,000; base out = floor(99,700,000 × 10^9 / (98.098 × 10^6)) = 1,016,330,608.
  // Bar 4 closes (05:00) at 107: value 1.992805113 × 107 = 213.23 vs cost 200 → +6.6 % ≥ 5 % → take profit:
  // sell 1,992,805,113 atoms at bar 5's open 106 × (1 − 0.001) = 105.894: fee = ceil(1,992,805,113 × 30 / 10,000) = 5,978,416 base atoms,
  // quote out = floor((1,992,805,113 − 5,978,416) × 105.894 / 10^3) = 210,393,026. (The next buy, costing 300 > 250, is not due.)
  // Bar 5 (the last) closes: a buy is due again, but there is no next bar: it is not filled.
  assert.deepEqual(
    fills.map((f) => ({ t: (f.timeMs - T0) / H, side: f.side, price: f.price, size: f.sizeAtoms, fee: f.feeQuoteAtoms })),
    [
      { t: 1, side: 'buy', price: 102 * 1.001, size: 976_474_505n, fee: 300_000n },
      { t: 3, side: 'buy', price: 98 * 1.001, size: 1_016_330_608n, fee: 300_000n },
      // the sell's fee in quote: floor(5,978,416 × 105.894 / 10^3) = 633,078
      { t: 5, side: 'sell', price: 106 * 0.999, size: 1_992_805_113n, fee: 633_078n },
    ],
  );
  const outcomes = run.orders.map((o) => ({ rule: o.rule, decidedAt: (o.decidedAtMs - T0) / H, status: o.status, amountOut: o.amountOut }));
  assert.deepEqual(outcomes, [
    { rule: 'dca-buy', decidedAt: 1, status: 'filled', amountOut: '976474505' },
    { rule: 'dca-buy', decidedAt: 3, status: 'filled', amountOut: '1016330608' },
    { rule: 'dca-take-profit', decidedAt: 5, status: 'filled', amountOut: '210393026' },
    { rule: 'dca-buy', decidedAt: 6, status: 'failed', amountOut: undefined },
  ]);
  // FIFO: the sell closes both lots. Proceeds split by base share: floor(210,393,026 × 976,474,505 / 1,992,805,113) = 103,092,582,
  // the rest 107,300,444 to the second lot; each lot cost 100,000,000 (fee included) → P&L 3,092,582 and 7,300,444.
  const trades = run.result.strategies[0]!.trades.map((t) => ({ entry: (t.entryTimeMs - T0) / H, exit: (t.exitTimeMs! - T0) / H, size: t.sizeAtoms, pnl: t.pnlQuoteAtoms, value: t.entryValueQuoteAtoms, fees: t.feesQuoteAtoms, bars: t.barsHeld, reason: t.exitReason }));
  assert.deepEqual(trades, [
    // exit fee share floor(633,078 × 976,474,505 / 1,992,805,113) = 310,208
    { entry: 1, exit: 5, size: 976_474_505n, pnl: 3_092_582n, value: 99_700_000n, fees: 610_208n, bars: 4, reason: 'take-profit' },
    { entry: 3, exit: 5, size: 1_016_330_608n, pnl: 7_300_444n, value: 99_700_000n, fees: 622_870n, bars: 2, reason: 'take-profit' },
  ]);
  // The portfolio ends with 1,000 − 200 + 210.393026 USDC and no SOL: exact in atoms.
  const equity = run.result.portfolio.equity as unknown as { equityQuoteAtoms: bigint[] };
  assert.equal(equity.equityQuoteAtoms.at(-1), 1_010_393_026n);
  // The DCA planner's chart series (Planner.plots), sampled after each bar's evaluation and the
  // fills it caused: the average entry, 100 USDC (fee included) / 0.976474505 SOL, then 200 / 1.992805113.
  const series = run.result.markets[0]!.indicators!;
  assert.deepEqual(series.map((x) => x.name), ['dca: average entry']);
  const avg = Array.from((series[0] as { values: ArrayLike<number> }).values);
  assert.ok(Math.abs(avg[0]! - 100 / 0.976474505) < 1e-9);
  assert.ok(Math.abs(avg[2]! - 200 / 1.992805113) < 1e-9);
  assert.ok(Number.isNaN(avg[4]!)); // sold at bar 5's open: flat
  // Equity at bar 0's close (before the first fill, which happens at bar 1's open) is the starting cash.
  assert.equal(equity.equityQuoteAtoms[0], 1_000_000_000n);
});

test('close: the same decisions fill at the deciding bar close, at its close time', async () => {
  const run = await backtest('close');
  const fills = run.result.strategies[0]!.fills;
  // Bar 0 closes at 100 → buy at 100 × 1.001 = 100.1 at 01:00; bar 2 closes at 100 → buy at 100.1 at 03:00;
  // then value at 107 (bar 4) is +6.9 % → sell at 107 × 0.999 = 106.893 at 05:00; the buy due at bar 5's close fills at 105.105.
  assert.deepEqual(
    fills.map((f) => ({ t: (f.timeMs - T0) / H, side: f.side, price: f.price })),
    [
      { t: 1, side: 'buy', price: 100 * 1.001 },
      { t: 3, side: 'buy', price: 100 * 1.001 },
      { t: 5, side: 'sell', price: 107 * 0.999 },
      { t: 6, side: 'buy', price: 105 * 1.001 },
    ],
  );
  // floor(99,700,000 × 10^9 / (100.1 × 10^6)) = 996,003,996
  assert.equal(fills[0]!.sizeAtoms, 996_003_996n);
});

test('a bad fill model is a typed error naming the field and value', () => {
  assert.throws(() => fillModel({ fillAt: 'next-close' }), (e: Error & { code?: string; context?: { field?: string } }) => e.code === 'BACKTEST_BAD_FILL_MODEL' && e.context?.field === 'backtest.fillAt');
  assert.throws(() => fillModel({ feeBps: -1 }), (e: Error & { code?: string; context?: { field?: string } }) => e.code === 'BACKTEST_BAD_FILL_MODEL' && e.context?.field === 'backtest.feeBps');
});

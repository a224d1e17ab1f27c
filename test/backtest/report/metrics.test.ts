/**
 * Metrics against values worked out by hand (the arithmetic is in the comments), so a wrong
 * convention (population stdev, per-bar instead of per-day returns, 365.25-day years …) fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildReportModel, cagrPct, drawdown, exposurePct, formatAtoms, periodReturns, sharpeRatio, sortinoRatio,
  tradeStats, DAY_MS, type BacktestResult, type Trade,
} from '../../../engine/backtest/report/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';

const H = 3_600_000;
const close = (a: number | null, b: number, eps = 1e-9) => {
  assert.ok(a !== null && Math.abs(a - b) <= eps * Math.max(1, Math.abs(b)), `expected ${b}, got ${a}`);
};
const table = (times: number[], eq: number[]) => ({ timeMs: Float64Array.from(times), equityUsd: Float64Array.from(eq), equityQuoteAtoms: null });

test('daily bars: Sharpe, Sortino and drawdown of 100 → 110 → 99 → 108.9 → 119.79', () => {
  // Daily clock: one return per bar. r = +10 %, −10 %, +10 %, +10 %; mean 0.05.
  // Sample variance: (0.05² + 0.15² + 0.05² + 0.05²) / 3 = 0.03 / 3 = 0.01 → stdev 0.1.
  // Sharpe = 0.05 / 0.1 · √365 = 0.5 · 19.1049731745 = 9.5524865873.
  // Downside deviation = √(0.1² / 4) = 0.05 → Sortino = 0.05 / 0.05 · √365 = 19.1049731745.
  const eq = table([0, DAY_MS, 2 * DAY_MS, 3 * DAY_MS], [110, 99, 108.9, 119.79]);
  const r = periodReturns(eq, 100, DAY_MS);
  assert.equal(r.returns.length, 4);
  assert.equal(r.periodsPerYear, 365);
  close(sharpeRatio(r), 9.5524865873);
  close(sortinoRatio(r), 19.1049731745);
  // Peak 110 (valued at the close of bar 0 = 1 day), trough 99 (2 days): 1 − 99/110 = 10 %.
  // Back above 110 only at 119.79 (valued at 4 days): under water from day 1 to day 4 = 3 days.
  const dd = drawdown(eq, 100, 0, DAY_MS);
  close(dd.maxDrawdownPct, 10);
  assert.equal(dd.maxDrawdownPeakMs, DAY_MS);
  assert.equal(dd.maxDrawdownTroughMs, 2 * DAY_MS);
  assert.equal(dd.maxDrawdownRecoveryMs, 4 * DAY_MS);
  assert.equal(dd.longestDrawdownMs, 3 * DAY_MS);
  assert.equal(dd.longestDrawdownOpen, false);
});

test('hourly bars are sampled once per UTC day at the last close, from the starting equity', () => {
  // 48 hourly points over two UTC days; only the close of 23:00 (valued at 24:00) and of 47:00 count.
  // Day 1: 100 → 105 (+5 %), day 2: 105 → 94.5 (−10 %). Every other point is noise that must not matter.
  const times = Array.from({ length: 48 }, (_, i) => i * H);
  const eq = times.map((_, i) => (i === 23 ? 105 : i === 47 ? 94.5 : 1000 + i));
  const r = periodReturns(table(times, eq), 100, H);
  assert.deepEqual(Array.from(r.returns).map((x) => Math.round(x * 1e12) / 1e12), [0.05, -0.1]);
  // mean −0.025; sample stdev √((0.075² + 0.075²)/1) = 0.1060660172; Sharpe = −0.2357022604 · √365 = −4.5030853620.
  close(sharpeRatio(r), -4.503085362);
  // Downside deviation √(0.1²/2) = 0.0707106781; Sortino = −0.3535533906 · √365 = −6.7546280431.
  close(sortinoRatio(r), -6.7546280431);
});

test('weekly bars annualize with 365/7 periods per year', () => {
  const r = periodReturns(table([0, 7 * DAY_MS], [101, 102]), 100, 7 * DAY_MS);
  close(r.periodsPerYear, 365 / 7);
});

test('Sharpe and Sortino are null, not infinite, when undefined', () => {
  assert.equal(sharpeRatio({ returns: Float64Array.from([0.01]), periodsPerYear: 365 }), null);
  assert.equal(sharpeRatio({ returns: Float64Array.from([0.01, 0.01]), periodsPerYear: 365 }), null);
  assert.equal(sortinoRatio({ returns: Float64Array.from([0.01, 0.02]), periodsPerYear: 365 }), null);
});

test('CAGR uses 365-day years over the simulated period', () => {
  // 100 → 121 over 730 days = 2 years: √1.21 − 1 = 10 %.
  close(cagrPct(100, 121, 0, 730 * DAY_MS), 10);
  // 100 → 50 over half a year: 0.5² − 1 = −75 %.
  close(cagrPct(100, 50, 0, 182.5 * DAY_MS), -75);
  assert.equal(cagrPct(100, 0, 0, DAY_MS), -100);
});

test('drawdown still open at the end counts to the last valuation', () => {
  // Peak 120 valued at 2 h, then down to 90 (−25 %) and never back: open from 2 h to 5 h = 3 h.
  const dd = drawdown(table([0, H, 2 * H, 3 * H, 4 * H], [100, 120, 90, 100, 110]), 100, 0, H);
  close(dd.maxDrawdownPct, 25);
  assert.equal(dd.maxDrawdownRecoveryMs, null);
  assert.equal(dd.longestDrawdownMs, 3 * H);
  assert.equal(dd.longestDrawdownOpen, true);
  assert.deepEqual(Array.from(dd.series), [0, 0, 25, (1 - 100 / 120) * 100, (1 - 110 / 120) * 100]);
});

const trade = (entryH: number, exitH: number | null, pnl: bigint, extra: Partial<Trade> = {}): Trade => ({
  strategyId: 's', marketId: 'SOL/USDC', entryTimeMs: entryH * H, entryPrice: 10, exitTimeMs: exitH === null ? null : exitH * H,
  exitPrice: exitH === null ? null : 11, sizeAtoms: 100_000_000n, entryValueQuoteAtoms: 1_000n, pnlQuoteAtoms: pnl,
  pnlUsd: Number(pnl) / 1e6, feesQuoteAtoms: 2n, feesUsd: 2e-6, barsHeld: exitH === null ? 0 : exitH - entryH, exitReason: exitH === null ? null : 'signal', ...extra,
});

test('exposure is the union of holding intervals over the period', () => {
  // [10 h, 20 h) ∪ [15 h, 30 h) = 20 h; [50 h, open) runs to the end at 100 h = 50 h; 70 of 100 h.
  close(exposurePct([trade(10, 20, 0n), trade(15, 30, 0n), trade(50, null, 0n)], 0, 100 * H), 70);
});

test('trade statistics over closed trades: win rate, profit factor, expectancy, holding time', () => {
  // P&L +300, −100, +50, −50 atoms on 1,000-atom entries (+30 %, −10 %, +5 %, −5 %); one open trade ignored.
  const s = tradeStats([trade(0, 10, 300n), trade(10, 12, -100n), trade(20, 23, 50n), trade(30, 31, -50n), trade(40, null, 1_000n)]);
  assert.equal(s.trades, 4);
  assert.equal(s.openTrades, 1);
  close(s.winRatePct, 50);
  close(s.profitFactor, 350 / 150); // 2.3333…
  close(s.expectancyPct, 5); // (30 − 10 + 5 − 5) / 4
  close(s.expectancyUsd, 200 / 4 / 1e6);
  close(s.avgHoldingMs, ((10 + 2 + 3 + 1) / 4) * H);
  close(s.bestTradePct, 30);
  close(s.worstTradePct, -10);
  assert.equal(tradeStats([trade(0, 1, 5n)]).profitFactor, null, 'no losing trade: undefined, not ∞');
});

test('atoms format exactly', () => {
  assert.equal(formatAtoms(-1_234_567n, 6), '-1.234567');
  assert.equal(formatAtoms(5n, 6), '0.000005');
  assert.equal(formatAtoms(123_456_789_012_345_678_901n, 9), '123456789012.345678901');
  assert.equal(formatAtoms(42n, 0), '42');
});

function tinyResult(): BacktestResult {
  const bars = { timeMs: [0, H, 2 * H, 3 * H], open: [10, 10, 12, 15], high: [11, 12, 15, 16], low: [9, 10, 11, 14], close: [10, 12, 15, 15] };
  return {
    metadata: {
      generatedAt: '2026-01-01T00:00:00Z', timeframe: '1h', clockIntervalMs: H, period: { fromMs: 0, toMs: 4 * H },
      fillModel: { description: 'test input', fillAt: 'next-open', feeBps: 10, slippageBps: 5 }, seed: null, dataFiles: [], ruleSetHash: 'x',
    },
    markets: [{ id: 'SOL/USDC', base: { symbol: 'SOL', decimals: 9 }, quote: { symbol: 'USDC', decimals: 6 }, intervalMs: H, bars }],
    strategies: [{
      id: 's', kind: 'signal', marketIds: ['SOL/USDC'], initialEquityUsd: 100, quote: { symbol: 'USDC', decimals: 6 },
      trades: [trade(1, 3, 4_123_456n), trade(2, 3, -1n)], fills: [], equity: [{ timeMs: 0, equityUsd: 100 }, { timeMs: H, equityUsd: 101 }, { timeMs: 2 * H, equityUsd: 104 }, { timeMs: 3 * H, equityUsd: 104.1 }],
    }],
    portfolio: { initialEquityUsd: 100, equity: { timeMs: [0, H, 2 * H, 3 * H], equityUsd: [100, 101, 104, 104.1] } },
  };
}

test('the model sums P&L in atoms exactly and reports buy-and-hold over the period', () => {
  const m = buildReportModel(tinyResult());
  assert.deepEqual(m.strategies[0]!.metrics.pnl, [{ atoms: 4_123_455n, decimals: 6, symbol: 'USDC' }]);
  assert.deepEqual(m.portfolio.metrics.fees, [{ atoms: 4n, decimals: 6, symbol: 'USDC' }]);
  close(m.portfolio.metrics.buyAndHoldPct, 50); // close 10 → 15
  close(m.portfolio.metrics.totalReturnPct, 4.1);
  assert.equal(m.strategies[0]!.metrics.finalEquityExact, null, 'no atoms in the curve: no exact figure invented');
});

test('bad input names the field and the value', () => {
  const r = tinyResult();
  (r.markets[0]!.bars as unknown as { close: number[] }).close[2] = Number.NaN;
  assert.throws(() => buildReportModel(r), (e: unknown) => isSolrulesError(e, 'BACKTEST_REPORT_INPUT') && e.context.field === 'markets[0].bars.close[2]');
  const r2 = tinyResult();
  (r2.markets[0]!.bars as unknown as { timeMs: number[] }).timeMs[2] = H;
  assert.throws(() => buildReportModel(r2), (e: unknown) => isSolrulesError(e, 'BACKTEST_REPORT_INPUT') && e.context.field === 'markets[0].bars.timeMs[2]');
  const r3 = tinyResult();
  (r3.strategies[0]!.trades[0] as { pnlQuoteAtoms: unknown }).pnlQuoteAtoms = 4.5;
  assert.throws(() => buildReportModel(r3), (e: unknown) => isSolrulesError(e, 'BACKTEST_REPORT_INPUT') && e.context.field === 'strategies[0].trades[0].pnlQuoteAtoms');
  const r4 = tinyResult();
  r4.markets[0]!.indicators = [{ kind: 'line', name: 'sma', pane: 'price', values: [1, 2] }];
  assert.throws(() => buildReportModel(r4), (e: unknown) => isSolrulesError(e, 'BACKTEST_REPORT_INPUT') && e.context.field === 'markets[0].indicators[0].values.length');
});

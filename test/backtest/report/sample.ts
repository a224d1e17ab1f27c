/**
 * TEST INPUT for the report tests: a BacktestResult built from the real SOL/USDT 1h Binance spot
 * candles by a plain loop written here (SMA 20/50 crossover and RSI-14 mean reversion, decision at
 * bar close, fill at the next bar's open, fee and slippage in bps, all-in sizing, exact atoms).
 * It is NOT the engine's backtest runner; it only gives the report realistic data and is labelled
 * as test input in the report it produces.
 */
import { readFileSync } from 'node:fs';
import { sharedFixture } from '../../support/paths.ts';
import type { BacktestResult, EquityColumns, Fill, IndicatorSeries, StrategyResult, Trade } from '../../../engine/backtest/report/index.ts';

export const SOL_1H_CSV = sharedFixture('candles', 'sol-usdt-1h-binance-spot', 'SOLUSDT_1h.csv');
export const RAY_1H_CSV = sharedFixture('candles', 'ray-usdt-1h-binance-spot', 'RAYUSDT_1h.csv');
const H = 3_600_000;
const BASE_DEC = 9, QUOTE_DEC = 6;
const QUOTE_ONE = 10 ** QUOTE_DEC;

export interface Candles { timeMs: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array }

/** Reads `timestamp,open,high,low,close,volume[,…]` rows (timestamp `YYYY-MM-DD HH:MM:SS` UTC) from row `skip` on. */
export function loadCandles(path = SOL_1H_CSV, limit = Infinity, skip = 0): Candles {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1 + skip, limit === Infinity ? undefined : 1 + skip + limit);
  const n = lines.length;
  const c: Candles = { timeMs: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  lines.forEach((line, i) => {
    const [ts, o, h, l, cl, v] = line.split(',');
    c.timeMs[i] = Date.parse(`${ts!.replace(' ', 'T')}Z`);
    c.open[i] = Number(o); c.high[i] = Number(h); c.low[i] = Number(l); c.close[i] = Number(cl); c.volume[i] = Number(v);
  });
  return c;
}

function sma(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i]!;
    if (i >= n) s -= x[i - n]!;
    if (i >= n - 1) out[i] = s / n;
  }
  return out;
}

function rsi(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN);
  let up = 0, down = 0;
  for (let i = 1; i < x.length; i++) {
    const d = x[i]! - x[i - 1]!;
    const u = Math.max(d, 0), dn = Math.max(-d, 0);
    if (i <= n) { up += u / n; down += dn / n; } else { up = (up * (n - 1) + u) / n; down = (down * (n - 1) + dn) / n; }
    if (i >= n) out[i] = down === 0 ? 100 : 100 - 100 / (1 + up / down);
  }
  return out;
}

function bollinger(x: Float64Array, n: number, k: number) {
  const mid = sma(x, n), upper = new Float64Array(x.length).fill(Number.NaN), lower = new Float64Array(x.length).fill(Number.NaN);
  for (let i = n - 1; i < x.length; i++) {
    let s = 0;
    for (let j = i - n + 1; j <= i; j++) s += (x[j]! - mid[i]!) ** 2;
    const sd = Math.sqrt(s / n);
    upper[i] = mid[i]! + k * sd;
    lower[i] = mid[i]! - k * sd;
  }
  return { upper, middle: mid, lower };
}

interface Sim { trades: Trade[]; fills: Fill[]; equity: EquityColumns }

/**
 * All-in long simulation: `signal(i)` at bar i's close → +1 buy / −1 sell / 0; fills at bar i+1's
 * open ± slippage; fee on the quote notional. Cash and position are exact atoms.
 */
function simulate(id: string, c: Candles, marketId: string, initialUsd: number, feeBps: bigint, slipBps: number, signal: (i: number) => number, baseDecimals = BASE_DEC): Sim {
  const BASE_ONE = 10n ** BigInt(baseDecimals);
  const n = c.timeMs.length;
  let cash = BigInt(Math.round(initialUsd * QUOTE_ONE)), pos = 0n;
  let open: { i: number; spend: bigint; fee: bigint; price: number; value: bigint } | null = null;
  const trades: Trade[] = [], fills: Fill[] = [];
  const eqUsd = new Float64Array(n), eqAtoms: bigint[] = new Array(n);
  const priceAtoms = (p: number) => BigInt(Math.round(p * QUOTE_ONE));
  let pending = 0;
  for (let i = 0; i < n; i++) {
    if (pending > 0 && pos === 0n) {
      const p = c.open[i]! * (1 + slipBps / 1e4), pa = priceAtoms(p);
      const spend = cash, fee = (spend * feeBps) / 10_000n;
      pos = ((spend - fee) * BASE_ONE) / pa;
      const value = (pos * pa) / BASE_ONE;
      cash -= spend;
      cash += spend - fee - value; // dust left by rounding stays in cash
      open = { i, spend: spend - (spend - fee - value), fee, price: p, value };
      fills.push({ strategyId: id, marketId, timeMs: c.timeMs[i]!, side: 'buy', price: p, sizeAtoms: pos, feeQuoteAtoms: fee, reason: 'enter' });
    } else if (pending < 0 && pos > 0n && open) {
      const p = c.open[i]! * (1 - slipBps / 1e4), pa = priceAtoms(p);
      const proceeds = (pos * pa) / BASE_ONE, fee = (proceeds * feeBps) / 10_000n;
      cash += proceeds - fee;
      const pnl = proceeds - fee - open.spend;
      trades.push({
        strategyId: id, marketId, entryTimeMs: c.timeMs[open.i]!, entryPrice: open.price, exitTimeMs: c.timeMs[i]!, exitPrice: p,
        sizeAtoms: pos, entryValueQuoteAtoms: open.value, pnlQuoteAtoms: pnl, pnlUsd: Number(pnl) / QUOTE_ONE,
        feesQuoteAtoms: open.fee + fee, feesUsd: Number(open.fee + fee) / QUOTE_ONE, barsHeld: i - open.i, exitReason: 'signal',
      });
      fills.push({ strategyId: id, marketId, timeMs: c.timeMs[i]!, side: 'sell', price: p, sizeAtoms: pos, feeQuoteAtoms: fee, reason: 'exit' });
      pos = 0n;
      open = null;
    }
    const mark = cash + (pos * priceAtoms(c.close[i]!)) / BASE_ONE;
    eqAtoms[i] = mark;
    eqUsd[i] = Number(mark) / QUOTE_ONE;
    pending = signal(i);
  }
  if (open) {
    const pa = priceAtoms(c.close[n - 1]!), value = (pos * pa) / BASE_ONE, pnl = value - open.spend;
    trades.push({
      strategyId: id, marketId, entryTimeMs: c.timeMs[open.i]!, entryPrice: open.price, exitTimeMs: null, exitPrice: null,
      sizeAtoms: pos, entryValueQuoteAtoms: open.value, pnlQuoteAtoms: pnl, pnlUsd: Number(pnl) / QUOTE_ONE,
      feesQuoteAtoms: open.fee, feesUsd: Number(open.fee) / QUOTE_ONE, barsHeld: n - 1 - open.i, exitReason: null,
    });
  }
  return { trades, fills, equity: { timeMs: c.timeMs, equityUsd: eqUsd, equityQuoteAtoms: eqAtoms } };
}

/** The labelled test input: two strategies on SOL/USDT 1h, their indicators, and the portfolio. */
export function sampleResult(limit = Infinity): { result: BacktestResult; candles: Candles } {
  const c = loadCandles(SOL_1H_CSV, limit);
  const n = c.timeMs.length;
  const fast = sma(c.close, 20), slow = sma(c.close, 50), r = rsi(c.close, 14), bb = bollinger(c.close, 20, 2);
  const fee = 10n, slip = 5;
  const cross = simulate('sma-cross', c, 'SOL/USDT', 10_000, fee, slip, (i) => {
    if (i < 1 || Number.isNaN(slow[i - 1]!)) return 0;
    if (fast[i - 1]! <= slow[i - 1]! && fast[i]! > slow[i]!) return 1;
    if (fast[i - 1]! >= slow[i - 1]! && fast[i]! < slow[i]!) return -1;
    return 0;
  });
  const revert = simulate('rsi-revert', c, 'SOL/USDT', 10_000, fee, slip, (i) => (r[i]! < 25 ? 1 : r[i]! > 65 ? -1 : 0));
  const pEq = new Float64Array(n), pAtoms: bigint[] = new Array(n);
  for (let i = 0; i < n; i++) {
    pEq[i] = cross.equity.equityUsd[i]! + revert.equity.equityUsd[i]!;
    pAtoms[i] = cross.equity.equityQuoteAtoms![i]! + revert.equity.equityQuoteAtoms![i]!;
  }
  const indicators: IndicatorSeries[] = [
    { kind: 'line', name: 'fast sma 20', pane: 'price', values: fast, color: '#1f77b4' },
    { kind: 'line', name: 'slow sma 50', pane: 'price', values: slow, color: '#ff7f0e' },
    { kind: 'band', name: 'bb 20,2', pane: 'price', ...bb, color: '#9467bd' },
    { kind: 'line', name: 'rsi 14', pane: 'oscillator', group: 'RSI', values: r, levels: [25, 65], color: '#8c564b' },
  ];
  const quote = { symbol: 'USDT', decimals: QUOTE_DEC };
  const strategy = (id: string, description: string, sim: Sim): StrategyResult => ({
    id, kind: 'signal', marketIds: ['SOL/USDT'], initialEquityUsd: 10_000, quote, trades: sim.trades, fills: sim.fills, equity: sim.equity, description,
  });
  const result: BacktestResult = {
    metadata: {
      title: 'TEST INPUT — SOL/USDT 1h, SMA 20/50 crossover + RSI 14 reversion',
      generatedAt: '2026-12-07T00:00:00Z',
      timeframe: '1h',
      clockIntervalMs: H,
      period: { fromMs: c.timeMs[0]!, toMs: c.timeMs[n - 1]! + H },
      fillModel: { description: 'decision at bar close, fill at the next bar open', fillAt: 'next-open', feeBps: Number(fee), slippageBps: slip },
      seed: null,
      dataFiles: [{ path: 'shared/fixtures/candles/sol-usdt-1h-binance-spot/SOLUSDT_1h.csv', rows: n }],
      ruleSetHash: 'test-input (no rule set: trades from the plain loop in test/backtest/report/sample.ts)',
      engineVersion: 'test',
      notes: ['TEST INPUT: built by test/backtest/report/sample.ts from real Binance spot candles; trades come from a plain loop, not the engine runner. USDT counted as USD 1:1.'],
    },
    markets: [{ id: 'SOL/USDT', base: { symbol: 'SOL', decimals: BASE_DEC }, quote, intervalMs: H, bars: c, indicators }],
    strategies: [strategy('sma-cross', 'SMA 20/50 crossover, all-in', cross), strategy('rsi-revert', 'RSI 14 < 25 buy, > 65 sell, all-in', revert)],
    portfolio: { initialEquityUsd: 20_000, equity: { timeMs: c.timeMs, equityUsd: pEq, equityQuoteAtoms: pAtoms } },
  };
  return { result, candles: c };
}

function ema(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(x.length).fill(Number.NaN), k = 2 / (n + 1);
  let e = Number.NaN;
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!)) continue;
    e = Number.isNaN(e) ? x[i]! : x[i]! * k + e * (1 - k);
    out[i] = e;
  }
  return out;
}

/**
 * TEST INPUT with two markets on one clock: SOL/USDT and RAY/USDT 1h from RAY's first listed hour
 * (2021-08-10 06:00), `bars` hours. RAY's strategy (MACD cross) reports trades but no fills, so
 * its markers come from the trades; RAY carries a MACD pane (line, signal, histogram).
 */
export function twoMarketResult(bars = 1_000): BacktestResult {
  // One clock: the hours both files have (each has its own exchange-outage gaps).
  const rayAll = loadCandles(RAY_1H_CSV, bars + 50), solAll = loadCandles(SOL_1H_CSV);
  const solAt = new Map(Array.from(solAll.timeMs, (t, i) => [t, i] as const));
  const common = Array.from(rayAll.timeMs, (t, i) => [i, solAt.get(t)] as const).filter((x): x is readonly [number, number] => x[1] !== undefined).slice(0, bars);
  const pick = (c: Candles, ix: number[]): Candles => ({
    timeMs: Float64Array.from(ix, (i) => c.timeMs[i]!), open: Float64Array.from(ix, (i) => c.open[i]!), high: Float64Array.from(ix, (i) => c.high[i]!),
    low: Float64Array.from(ix, (i) => c.low[i]!), close: Float64Array.from(ix, (i) => c.close[i]!), volume: Float64Array.from(ix, (i) => c.volume[i]!),
  });
  const ray = pick(rayAll, common.map((x) => x[0])), solC = pick(solAll, common.map((x) => x[1]));
  const fast = sma(solC.close, 20), slow = sma(solC.close, 50);
  const cross = simulate('sol-cross', solC, 'SOL/USDT', 5_000, 10n, 5, (i) =>
    i < 1 || Number.isNaN(slow[i - 1]!) ? 0 : fast[i - 1]! <= slow[i - 1]! && fast[i]! > slow[i]! ? 1 : fast[i - 1]! >= slow[i - 1]! && fast[i]! < slow[i]! ? -1 : 0);
  const line = ema(ray.close, 12).map((v, i) => v - ema(ray.close, 26)[i]!);
  const signal = ema(line, 9), hist = line.map((v, i) => v - signal[i]!);
  const macd = simulate('ray-macd', ray, 'RAY/USDT', 5_000, 10n, 5, (i) => (i < 35 ? 0 : hist[i - 1]! <= 0 && hist[i]! > 0 ? 1 : hist[i - 1]! >= 0 && hist[i]! < 0 ? -1 : 0), 6);
  const quote = { symbol: 'USDT', decimals: QUOTE_DEC };
  const n = ray.timeMs.length;
  const pEq = new Float64Array(n);
  for (let i = 0; i < n; i++) pEq[i] = cross.equity.equityUsd[i]! + macd.equity.equityUsd[i]!;
  return {
    metadata: {
      title: 'TEST INPUT — two markets', generatedAt: '2026-12-07T00:00:00Z', timeframe: '1h', clockIntervalMs: H,
      period: { fromMs: ray.timeMs[0]!, toMs: ray.timeMs[n - 1]! + H },
      fillModel: { description: 'decision at bar close, fill at the next bar open', fillAt: 'next-open', feeBps: 10, slippageBps: 5 },
      seed: null, dataFiles: [{ path: 'SOLUSDT_1h.csv' }, { path: 'RAYUSDT_1h.csv' }], ruleSetHash: 'test-input', notes: ['TEST INPUT'],
    },
    markets: [
      { id: 'SOL/USDT', base: { symbol: 'SOL', decimals: BASE_DEC }, quote, intervalMs: H, bars: solC, indicators: [
        { kind: 'line', name: 'sma 20', pane: 'price', values: fast }, { kind: 'line', name: 'sma 50', pane: 'price', values: slow }] },
      { id: 'RAY/USDT', base: { symbol: 'RAY', decimals: 6 }, quote, intervalMs: H, bars: ray, indicators: [
        { kind: 'line', name: 'macd', pane: 'oscillator', group: 'MACD 12,26,9', values: line },
        { kind: 'line', name: 'signal', pane: 'oscillator', group: 'MACD 12,26,9', values: signal },
        { kind: 'line', name: 'histogram', pane: 'oscillator', group: 'MACD 12,26,9', values: hist, histogram: true, levels: [0] }] },
    ],
    strategies: [
      { id: 'sol-cross', kind: 'signal', marketIds: ['SOL/USDT'], initialEquityUsd: 5_000, quote, trades: cross.trades, fills: cross.fills, equity: cross.equity },
      { id: 'ray-macd', kind: 'signal', marketIds: ['RAY/USDT'], initialEquityUsd: 5_000, quote, trades: macd.trades, fills: [], equity: macd.equity },
    ],
    portfolio: { initialEquityUsd: 10_000, equity: { timeMs: ray.timeMs, equityUsd: pEq } },
  };
}

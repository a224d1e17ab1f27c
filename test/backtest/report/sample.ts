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
const H = 3_600_000;
const BASE_DEC = 9, QUOTE_DEC = 6;
const BASE_ONE = 10n ** BigInt(BASE_DEC), QUOTE_ONE = 10 ** QUOTE_DEC;

export interface Candles { timeMs: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array }

/** Reads `timestamp,open,high,low,close,volume` rows (timestamp `YYYY-MM-DD HH:MM:SS` UTC). */
export function loadCandles(path = SOL_1H_CSV, limit = Infinity): Candles {
  const lines = readFileSync(path, 'utf8').trim().split('\n').slice(1, limit === Infinity ? undefined : limit + 1);
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
function simulate(id: string, c: Candles, initialUsd: number, feeBps: bigint, slipBps: number, signal: (i: number) => number): Sim {
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
      fills.push({ strategyId: id, marketId: 'SOL/USDT', timeMs: c.timeMs[i]!, side: 'buy', price: p, sizeAtoms: pos, feeQuoteAtoms: fee, reason: 'enter' });
    } else if (pending < 0 && pos > 0n && open) {
      const p = c.open[i]! * (1 - slipBps / 1e4), pa = priceAtoms(p);
      const proceeds = (pos * pa) / BASE_ONE, fee = (proceeds * feeBps) / 10_000n;
      cash += proceeds - fee;
      const pnl = proceeds - fee - open.spend;
      trades.push({
        strategyId: id, marketId: 'SOL/USDT', entryTimeMs: c.timeMs[open.i]!, entryPrice: open.price, exitTimeMs: c.timeMs[i]!, exitPrice: p,
        sizeAtoms: pos, entryValueQuoteAtoms: open.value, pnlQuoteAtoms: pnl, pnlUsd: Number(pnl) / QUOTE_ONE,
        feesQuoteAtoms: open.fee + fee, feesUsd: Number(open.fee + fee) / QUOTE_ONE, barsHeld: i - open.i, exitReason: 'signal',
      });
      fills.push({ strategyId: id, marketId: 'SOL/USDT', timeMs: c.timeMs[i]!, side: 'sell', price: p, sizeAtoms: pos, feeQuoteAtoms: fee, reason: 'exit' });
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
      strategyId: id, marketId: 'SOL/USDT', entryTimeMs: c.timeMs[open.i]!, entryPrice: open.price, exitTimeMs: null, exitPrice: null,
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
  const cross = simulate('sma-cross', c, 10_000, fee, slip, (i) => {
    if (i < 1 || Number.isNaN(slow[i - 1]!)) return 0;
    if (fast[i - 1]! <= slow[i - 1]! && fast[i]! > slow[i]!) return 1;
    if (fast[i - 1]! >= slow[i - 1]! && fast[i]! < slow[i]!) return -1;
    return 0;
  });
  const revert = simulate('rsi-revert', c, 10_000, fee, slip, (i) => (r[i]! < 25 ? 1 : r[i]! > 65 ? -1 : 0));
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

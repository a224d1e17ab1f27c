/**
 * Backtest metrics. Every convention is stated here and, with formulas, in docs/backtest.md.
 *
 * - Equity is valued at bar CLOSE: point i (keyed by its bar's open time t_i) is valued at
 *   t_i + clockIntervalMs. The starting equity E_0 is valued at `period.fromMs`.
 * - Risk ratios use PERIOD returns, one period = one UTC day (or one bar when bars are longer than
 *   a day): C_k = the last equity valued in the k-th UTC day that has a valuation (a close at
 *   exactly 00:00 belongs to the day it ends), C_0 = E_0, r_k = C_k / C_{k−1} − 1. Days without a
 *   valuation (exchange outages) are skipped, not filled.
 * - Annualization: P = 365 days / max(1 day, clockIntervalMs) periods per year (crypto trades
 *   every day; 365-day years). Risk-free rate 0.
 * - Sharpe = mean(r) / stdev(r) · √P, stdev the SAMPLE standard deviation (n − 1).
 * - Sortino = mean(r) / DD · √P, DD = √(Σ min(r_k, 0)² / n) over ALL n periods (target 0).
 * - CAGR = (E_end / E_0)^(1 / years) − 1, years = (toMs − fromMs) / 365 days.
 * - Max drawdown = max over valuations of 1 − E / (running max of E, E_0 included).
 * - Ratios that divide by zero (no losing day, no drawdown, no losing trade) are null, never ∞.
 */
import type { EquityTable } from './columns.ts';
import type { Trade, Fill } from './types.ts';

export const DAY_MS = 86_400_000;
export const YEAR_MS = 365 * DAY_MS;

/** Returns per period sampled from an equity curve (see the module doc for the convention). */
export interface PeriodReturns {
  returns: Float64Array;
  periodsPerYear: number;
}

/** Samples period returns: last valuation per UTC day, starting from E_0. */
export function periodReturns(equity: EquityTable, initialEquityUsd: number, clockIntervalMs: number): PeriodReturns {
  const closes: number[] = [];
  let lastDay = Number.NaN;
  for (let i = 0; i < equity.timeMs.length; i++) {
    const valuedAt = equity.timeMs[i]! + clockIntervalMs;
    const day = Math.floor((valuedAt - 1) / DAY_MS);
    if (day === lastDay) closes[closes.length - 1] = equity.equityUsd[i]!;
    else closes.push(equity.equityUsd[i]!);
    lastDay = day;
  }
  const returns = new Float64Array(closes.length);
  let prev = initialEquityUsd;
  for (let k = 0; k < closes.length; k++) {
    returns[k] = prev > 0 ? closes[k]! / prev - 1 : 0;
    prev = closes[k]!;
  }
  return { returns, periodsPerYear: YEAR_MS / Math.max(DAY_MS, clockIntervalMs) };
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); null below two values. */
export function sampleStdev(xs: ArrayLike<number>): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

/** Annualized Sharpe ratio, risk-free 0: mean / sample stdev · √P; null when undefined. */
export function sharpeRatio(r: PeriodReturns): number | null {
  const sd = sampleStdev(r.returns);
  if (sd === null || sd === 0) return null;
  return (mean(r.returns) / sd) * Math.sqrt(r.periodsPerYear);
}

/** Annualized Sortino ratio, target 0: mean / √(Σ min(r,0)² / n) · √P; null without a losing period. */
export function sortinoRatio(r: PeriodReturns): number | null {
  const n = r.returns.length;
  if (n === 0) return null;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.min(r.returns[i]!, 0) ** 2;
  if (s === 0) return null;
  return (mean(r.returns) / Math.sqrt(s / n)) * Math.sqrt(r.periodsPerYear);
}

/** Annualized volatility (sample stdev of period returns · √P), as a percentage. */
export function annualVolatilityPct(r: PeriodReturns): number | null {
  const sd = sampleStdev(r.returns);
  return sd === null ? null : sd * Math.sqrt(r.periodsPerYear) * 100;
}

/** The deepest drawdown and the longest time under water. */
export interface Drawdown {
  /** Deepest 1 − E / peak, as a percentage (0 when the curve never fell). */
  maxDrawdownPct: number;
  /** Valuation time of the peak before the deepest drawdown, of its trough, and of the recovery (null: not recovered). */
  maxDrawdownPeakMs: number;
  maxDrawdownTroughMs: number;
  maxDrawdownRecoveryMs: number | null;
  /** Longest time from a peak to the first valuation back at or above it (or to the end when never), ms. */
  longestDrawdownMs: number;
  /** Whether that longest drawdown was still open at the end. */
  longestDrawdownOpen: boolean;
  /** Drawdown per point, as a positive percentage (for the chart). */
  series: Float64Array;
}

/** Drawdown of a curve, E_0 at `fromMs` included as the first peak. */
export function drawdown(equity: EquityTable, initialEquityUsd: number, fromMs: number, clockIntervalMs: number): Drawdown {
  const n = equity.timeMs.length;
  const series = new Float64Array(n);
  let peak = initialEquityUsd, peakAt = fromMs;
  let maxDd = 0, mddPeak = fromMs, mddTrough = fromMs, mddRecovery: number | null = null, mddOpen = false;
  let longest = 0, longestOpen = false;
  let under = false;
  for (let i = 0; i < n; i++) {
    const e = equity.equityUsd[i]!;
    const at = equity.timeMs[i]! + clockIntervalMs;
    if (e >= peak) {
      if (under) {
        if (at - peakAt > longest) { longest = at - peakAt; longestOpen = false; }
        if (mddOpen) { mddRecovery = at; mddOpen = false; }
      }
      under = false;
      peak = e;
      peakAt = at;
      continue;
    }
    under = true;
    const dd = peak > 0 ? 1 - e / peak : 0;
    series[i] = dd * 100;
    if (dd > maxDd) {
      maxDd = dd;
      mddPeak = peakAt;
      mddTrough = at;
      mddRecovery = null;
      mddOpen = true;
    }
  }
  if (under && n > 0) {
    const end = equity.timeMs[n - 1]! + clockIntervalMs;
    if (end - peakAt > longest) { longest = end - peakAt; longestOpen = true; }
  }
  return {
    maxDrawdownPct: maxDd * 100,
    maxDrawdownPeakMs: mddPeak,
    maxDrawdownTroughMs: mddTrough,
    maxDrawdownRecoveryMs: mddRecovery,
    longestDrawdownMs: longest,
    longestDrawdownOpen: longestOpen,
    series,
  };
}

/** Compound annual growth rate as a percentage; −100 when the equity ended at or below 0. */
export function cagrPct(initialEquityUsd: number, finalEquityUsd: number, fromMs: number, toMs: number): number | null {
  const years = (toMs - fromMs) / YEAR_MS;
  if (!(years > 0) || !(initialEquityUsd > 0)) return null;
  if (finalEquityUsd <= 0) return -100;
  return ((finalEquityUsd / initialEquityUsd) ** (1 / years) - 1) * 100;
}

/** Share of [fromMs, toMs) with at least one open position (union of [entry, exit) intervals), %. */
export function exposurePct(trades: readonly Trade[], fromMs: number, toMs: number): number {
  const spans = trades
    .map((t) => [Math.max(fromMs, t.entryTimeMs), Math.min(toMs, t.exitTimeMs ?? toMs)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let covered = 0, curA = Number.NaN, curB = Number.NaN;
  for (const [a, b] of spans) {
    if (Number.isNaN(curA) || a > curB) {
      if (!Number.isNaN(curA)) covered += curB - curA;
      curA = a;
      curB = b;
    } else if (b > curB) curB = b;
  }
  if (!Number.isNaN(curA)) covered += curB - curA;
  return toMs > fromMs ? (covered / (toMs - fromMs)) * 100 : 0;
}

/** Buy-and-hold return over the bars in [fromMs, toMs): last close / first close − 1, %. */
export function buyAndHoldPct(timeMs: Float64Array, close: Float64Array, fromMs: number, toMs: number): number | null {
  let first = -1, last = -1;
  for (let i = 0; i < timeMs.length; i++) {
    if (timeMs[i]! < fromMs || timeMs[i]! >= toMs) continue;
    if (first < 0) first = i;
    last = i;
  }
  if (first < 0) return null;
  return (close[last]! / close[first]! - 1) * 100;
}

/** An exact token amount: atoms and the decimals to read them with. */
export interface AtomAmount {
  atoms: bigint;
  decimals: number;
  symbol: string;
}

/** Trade statistics over closed trades (open ones are counted apart). */
export interface TradeStats {
  trades: number;
  openTrades: number;
  winRatePct: number | null;
  profitFactor: number | null;
  expectancyUsd: number | null;
  expectancyPct: number | null;
  avgHoldingMs: number | null;
  avgBarsHeld: number | null;
  bestTradePct: number | null;
  worstTradePct: number | null;
}

/** Return of one trade: net P&L / entry value, %. */
export function tradeReturnPct(t: Trade): number {
  return t.entryValueQuoteAtoms > 0n ? (Number(t.pnlQuoteAtoms) / Number(t.entryValueQuoteAtoms)) * 100 : 0;
}

/** Win rate, profit factor (Σ winning P&L / |Σ losing P&L|, in atoms), expectancy and holding time. */
export function tradeStats(all: readonly Trade[]): TradeStats {
  const closed = all.filter((t) => t.exitTimeMs !== null);
  const n = closed.length;
  let wins = 0, gross = 0n, loss = 0n, usd = 0, pct = 0, held = 0, bars = 0;
  let best = -Infinity, worst = Infinity;
  for (const t of closed) {
    if (t.pnlQuoteAtoms > 0n) { wins++; gross += t.pnlQuoteAtoms; } else loss -= t.pnlQuoteAtoms;
    usd += t.pnlUsd;
    const r = tradeReturnPct(t);
    pct += r;
    best = Math.max(best, r);
    worst = Math.min(worst, r);
    held += t.exitTimeMs! - t.entryTimeMs;
    bars += t.barsHeld;
  }
  return {
    trades: n,
    openTrades: all.length - n,
    winRatePct: n ? (wins / n) * 100 : null,
    profitFactor: n && loss > 0n ? Number(gross) / Number(loss) : null,
    expectancyUsd: n ? usd / n : null,
    expectancyPct: n ? pct / n : null,
    avgHoldingMs: n ? held / n : null,
    avgBarsHeld: n ? bars / n : null,
    bestTradePct: n ? best : null,
    worstTradePct: n ? worst : null,
  };
}

/** Exact sums of P&L and fees per quote token, over all trades (an open trade marked at the last close). */
export function atomTotals(trades: readonly Trade[], quoteOf: (t: Trade) => { symbol: string; decimals: number }): {
  pnl: AtomAmount[];
  realizedPnl: AtomAmount[];
  fees: AtomAmount[];
  feesUsd: number;
  pnlUsd: number;
} {
  const pnl = new Map<string, AtomAmount>(), realized = new Map<string, AtomAmount>(), fees = new Map<string, AtomAmount>();
  const add = (m: Map<string, AtomAmount>, q: { symbol: string; decimals: number }, v: bigint) => {
    const key = `${q.symbol}/${q.decimals}`;
    const cur = m.get(key) ?? { atoms: 0n, decimals: q.decimals, symbol: q.symbol };
    cur.atoms += v;
    m.set(key, cur);
  };
  let feesUsd = 0, pnlUsd = 0;
  for (const t of trades) {
    const q = quoteOf(t);
    add(pnl, q, t.pnlQuoteAtoms);
    if (t.exitTimeMs !== null) add(realized, q, t.pnlQuoteAtoms);
    add(fees, q, t.feesQuoteAtoms);
    feesUsd += t.feesUsd;
    pnlUsd += t.pnlUsd;
  }
  return { pnl: [...pnl.values()], realizedPnl: [...realized.values()], fees: [...fees.values()], feesUsd, pnlUsd };
}

/** Every metric of one strategy or of the portfolio. */
export interface Metrics extends TradeStats {
  initialEquityUsd: number;
  finalEquityUsd: number;
  /** The last equity exactly, when the curve carries atoms in one quote token; else null. */
  finalEquityExact: AtomAmount | null;
  totalReturnPct: number;
  cagrPct: number | null;
  maxDrawdownPct: number;
  maxDrawdownPeakMs: number;
  maxDrawdownTroughMs: number;
  maxDrawdownRecoveryMs: number | null;
  longestDrawdownMs: number;
  longestDrawdownOpen: boolean;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  annualVolatilityPct: number | null;
  /** Number of period returns the ratios were computed from, and periods per year. */
  returnPeriods: number;
  periodsPerYear: number;
  exposurePct: number;
  /** Total P&L (closed + open marked) and realized P&L, exact per quote token. */
  pnl: AtomAmount[];
  realizedPnl: AtomAmount[];
  pnlUsd: number;
  fees: AtomAmount[];
  feesUsd: number;
  fills: number;
  buyAndHoldPct: number | null;
}

/** Inputs of `computeMetrics`: one equity curve with its trades and its markets' closes. */
export interface MetricsInput {
  equity: EquityTable;
  initialEquityUsd: number;
  trades: readonly Trade[];
  fills: readonly Fill[];
  quoteOf: (t: Trade) => { symbol: string; decimals: number };
  fromMs: number;
  toMs: number;
  clockIntervalMs: number;
  /** Buy-and-hold return of each market involved; their mean is reported. */
  buyAndHoldPcts: Array<number | null>;
  /** The quote token the curve's atoms are in (null: several, atoms not comparable). */
  quote: { symbol: string; decimals: number } | null;
}

/** Computes every metric; conventions in the module doc. */
export function computeMetrics(m: MetricsInput): Metrics {
  const n = m.equity.equityUsd.length;
  const finalEquityUsd = n ? m.equity.equityUsd[n - 1]! : m.initialEquityUsd;
  const r = periodReturns(m.equity, m.initialEquityUsd, m.clockIntervalMs);
  const dd = drawdown(m.equity, m.initialEquityUsd, m.fromMs, m.clockIntervalMs);
  const cagr = cagrPct(m.initialEquityUsd, finalEquityUsd, m.fromMs, m.toMs);
  const bh = m.buyAndHoldPcts.filter((x): x is number => x !== null);
  const totals = atomTotals(m.trades, m.quoteOf);
  return {
    initialEquityUsd: m.initialEquityUsd,
    finalEquityUsd,
    finalEquityExact: n && m.quote && m.equity.equityQuoteAtoms
      ? { atoms: m.equity.equityQuoteAtoms[n - 1]!, decimals: m.quote.decimals, symbol: m.quote.symbol }
      : null,
    totalReturnPct: (finalEquityUsd / m.initialEquityUsd - 1) * 100,
    cagrPct: cagr,
    maxDrawdownPct: dd.maxDrawdownPct,
    maxDrawdownPeakMs: dd.maxDrawdownPeakMs,
    maxDrawdownTroughMs: dd.maxDrawdownTroughMs,
    maxDrawdownRecoveryMs: dd.maxDrawdownRecoveryMs,
    longestDrawdownMs: dd.longestDrawdownMs,
    longestDrawdownOpen: dd.longestDrawdownOpen,
    sharpe: sharpeRatio(r),
    sortino: sortinoRatio(r),
    calmar: cagr !== null && dd.maxDrawdownPct > 0 ? cagr / dd.maxDrawdownPct : null,
    annualVolatilityPct: annualVolatilityPct(r),
    returnPeriods: r.returns.length,
    periodsPerYear: r.periodsPerYear,
    exposurePct: exposurePct(m.trades, m.fromMs, m.toMs),
    ...tradeStats(m.trades),
    pnl: totals.pnl,
    realizedPnl: totals.realizedPnl,
    pnlUsd: totals.pnlUsd,
    fees: totals.fees,
    feesUsd: totals.feesUsd,
    fills: m.fills.length,
    buyAndHoldPct: bh.length ? bh.reduce((a, b) => a + b, 0) / bh.length : null,
  };
}

/** Formats atoms as an exact decimal string: 1234567n with 6 decimals → `1.234567`. */
export function formatAtoms(atoms: bigint, decimals: number): string {
  const neg = atoms < 0n;
  const abs = neg ? -atoms : atoms;
  if (decimals === 0) return `${neg ? '-' : ''}${abs}`;
  const s = abs.toString().padStart(decimals + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, -decimals)}.${s.slice(-decimals)}`;
}

/**
 * Minimal indicator maths so a chart can be drawn from candles alone (the CLI and the docs image).
 * A stand-in until engine/indicators lands: the chart takes any IndicatorLine, whoever computes it.
 */
import type { Bar, IndicatorLine } from '../types.ts';

type Series = (number | null)[];

/** Simple moving average; null until `period` values are in. */
export function sma(values: readonly number[], period: number): Series {
  let sum = 0;
  return values.map((v, i) => {
    sum += v;
    if (i >= period) sum -= values[i - period]!;
    return i >= period - 1 ? sum / period : null;
  });
}

/** Exponential moving average seeded with the SMA of the first `period` values. */
export function ema(values: readonly (number | null)[], period: number): Series {
  const k = 2 / (period + 1);
  const out: Series = [];
  let prev: number | null = null;
  let seed: number[] = [];
  for (const v of values) {
    if (v == null) {
      out.push(null);
      continue;
    }
    if (prev === null) {
      seed.push(v);
      if (seed.length === period) prev = seed.reduce((a, b) => a + b, 0) / period;
      out.push(prev);
      if (prev !== null) seed = [];
      continue;
    }
    prev = v * k + prev * (1 - k);
    out.push(prev);
  }
  return out;
}

/** Bollinger bands: SMA ± `mult` population standard deviations. */
export function bollinger(values: readonly number[], period: number, mult: number): { mid: Series; upper: Series; lower: Series } {
  const mid = sma(values, period);
  const upper: Series = [];
  const lower: Series = [];
  values.forEach((_, i) => {
    const m = mid[i];
    if (m == null) {
      upper.push(null);
      lower.push(null);
      return;
    }
    let s = 0;
    for (let j = i - period + 1; j <= i; j++) s += (values[j]! - m) ** 2;
    const sd = Math.sqrt(s / period);
    upper.push(m + mult * sd);
    lower.push(m - mult * sd);
  });
  return { mid, upper, lower };
}

/** Wilder's RSI. */
export function rsi(values: readonly number[], period: number): Series {
  const out: Series = [null];
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < values.length; i++) {
    const d = values[i]! - values[i - 1]!;
    const g = Math.max(0, d);
    const l = Math.max(0, -d);
    if (i <= period) {
      gain += g / period;
      loss += l / period;
      out.push(i === period ? (loss === 0 ? 100 : 100 - 100 / (1 + gain / loss)) : null);
      continue;
    }
    gain = (gain * (period - 1) + g) / period;
    loss = (loss * (period - 1) + l) / period;
    out.push(loss === 0 ? 100 : 100 - 100 / (1 + gain / loss));
  }
  return out;
}

/** MACD line, signal and histogram. */
export function macd(values: readonly number[], fast = 12, slow = 26, signal = 9): { macd: Series; signal: Series; histogram: Series } {
  const f = ema(values, fast);
  const s = ema(values, slow);
  const line = values.map((_, i) => (f[i] != null && s[i] != null ? f[i]! - s[i]! : null));
  const sig = ema(line, signal);
  return { macd: line, signal: sig, histogram: line.map((v, i) => (v != null && sig[i] != null ? v - sig[i]! : null)) };
}

/** The default study set: SMA 20/50, Bollinger(20, 2), RSI 14, MACD 12/26/9. */
export function defaultStudies(bars: readonly Bar[]): IndicatorLine[] {
  const close = bars.map((b) => b.close);
  const bb = bollinger(close, 20, 2);
  const m = macd(close);
  return [
    { name: 'SMA 20', pane: 'price', values: sma(close, 20), color: '#2962ff' },
    { name: 'SMA 50', pane: 'price', values: sma(close, 50), color: '#ff9800' },
    { name: 'BB upper', pane: 'price', values: bb.upper, color: '#9c27b0', band: 'bb' },
    { name: 'BB lower', pane: 'price', values: bb.lower, color: '#9c27b0', band: 'bb' },
    { name: 'RSI 14', pane: 'rsi', values: rsi(close, 14), color: '#7e57c2' },
    { name: 'MACD hist', pane: 'macd', values: m.histogram, style: 'histogram' },
    { name: 'MACD 12/26', pane: 'macd', values: m.macd, color: '#2962ff' },
    { name: 'Signal 9', pane: 'macd', values: m.signal, color: '#ff6d00' },
  ];
}

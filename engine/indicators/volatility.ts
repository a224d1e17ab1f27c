/** Volatility and channel indicators: Bollinger bands, standard deviation, ATR, Donchian, highest / lowest. */
import type { IndicatorBar, IndicatorState } from './types.ts';
import { RollingExtreme, RollingVariance, WilderAverage } from './window.ts';

/** Population standard deviation of the last n closes (Tulip / Achelis / trading-signals); ready after n bars. */
export class StddevState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly window: RollingVariance;
  constructor(readonly period: number) {
    this.window = new RollingVariance(period);
  }
  update(bar: IndicatorBar): void {
    this.window.push(bar.close);
    if (this.window.full) {
      this.out[0] = Math.sqrt(this.window.variance);
      this.ready = true;
    }
  }
}

/**
 * Bollinger(n, k): middle = SMA(n) of the close, σ = population standard deviation of the same n
 * closes, upper/lower = middle ± k·σ; percentB = (close − lower)/(upper − lower) (0.5 when the
 * bands coincide); width = (upper − lower)/middle. Ready after n bars.
 */
export class BollingerState implements IndicatorState {
  /** value (= middle), upper, middle, lower, percentB, width */
  readonly out = new Float64Array(6);
  ready = false;
  private readonly window: RollingVariance;
  constructor(
    readonly period: number,
    readonly k: number,
  ) {
    this.window = new RollingVariance(period);
  }
  update(bar: IndicatorBar): void {
    const w = this.window;
    w.push(bar.close);
    if (!w.full) return;
    const mid = w.mean;
    const band = this.k * Math.sqrt(w.variance);
    const upper = mid + band;
    const lower = mid - band;
    const out = this.out;
    out[0] = mid;
    out[1] = upper;
    out[2] = mid;
    out[3] = lower;
    out[4] = upper > lower ? (bar.close - lower) / (upper - lower) : 0.5;
    out[5] = (upper - lower) / mid;
    this.ready = true;
  }
}

/**
 * ATR(n), Wilder: true range = max(high − low, |high − prev close|, |low − prev close|), the first
 * bar's being high − low; smoothed by Wilder's average seeded with the mean of the first n true
 * ranges. Ready after n bars. Field `tr` is the latest true range.
 */
export class AtrState implements IndicatorState {
  /** value (ATR), tr */
  readonly out = new Float64Array(2);
  ready = false;
  private readonly avg: WilderAverage;
  private prevClose = NaN;
  constructor(readonly period: number) {
    this.avg = new WilderAverage(period);
  }
  update(bar: IndicatorBar): void {
    const h = bar.high;
    const l = bar.low;
    let tr = h - l;
    const pc = this.prevClose;
    if (pc === pc) {
      const up = Math.abs(h - pc);
      const down = Math.abs(l - pc);
      if (up > tr) tr = up;
      if (down > tr) tr = down;
    }
    this.prevClose = bar.close;
    this.avg.push(tr);
    this.out[1] = tr;
    if (this.avg.ready) {
      this.out[0] = this.avg.value;
      this.ready = true;
    }
  }
}

/** Donchian(n): upper = highest high, lower = lowest low of the last n bars (current included), middle between; ready after n bars. */
export class DonchianState implements IndicatorState {
  /** value (= middle), upper, middle, lower */
  readonly out = new Float64Array(4);
  ready = false;
  private readonly hi: RollingExtreme;
  private readonly lo: RollingExtreme;
  constructor(readonly period: number) {
    this.hi = new RollingExtreme(period, 'max');
    this.lo = new RollingExtreme(period, 'min');
  }
  update(bar: IndicatorBar): void {
    this.hi.push(bar.high);
    this.lo.push(bar.low);
    if (!this.hi.full) return;
    const u = this.hi.value;
    const l = this.lo.value;
    this.out[0] = (u + l) / 2;
    this.out[1] = u;
    this.out[2] = (u + l) / 2;
    this.out[3] = l;
    this.ready = true;
  }
}

/** Highest high (kind 'max') or lowest low ('min') of the last n bars, current included; ready after n bars. */
export class ExtremeState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly window: RollingExtreme;
  private readonly useHigh: boolean;
  constructor(
    readonly period: number,
    kind: 'max' | 'min',
  ) {
    this.window = new RollingExtreme(period, kind);
    this.useHigh = kind === 'max';
  }
  update(bar: IndicatorBar): void {
    this.window.push(this.useHigh ? bar.high : bar.low);
    if (this.window.full) {
      this.out[0] = this.window.value;
      this.ready = true;
    }
  }
}

/** Momentum indicators of the close: RSI (Wilder), MACD, rate of change. */
import type { IndicatorBar, IndicatorState } from './types.ts';
import { Ema, Ring, WilderAverage } from './window.ts';

/**
 * RSI(n), Wilder: average gain and loss of the close-to-close changes, each smoothed with
 * Wilder's average seeded by the mean of the first n changes; RSI = 100 × gain / (gain + loss).
 * Ready after n + 1 bars. A window with neither gains nor losses gives 50.
 */
export class RsiState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly gain: WilderAverage;
  private readonly loss: WilderAverage;
  private prevClose = NaN;
  private seen = 0;
  constructor(readonly period: number) {
    this.gain = new WilderAverage(period);
    this.loss = new WilderAverage(period);
  }
  update(bar: IndicatorBar): void {
    const c = bar.close;
    if (this.seen++ > 0) {
      const d = c - this.prevClose;
      this.gain.push(d > 0 ? d : 0);
      this.loss.push(d < 0 ? -d : 0);
      if (this.gain.ready) {
        const g = this.gain.value;
        const total = g + this.loss.value;
        this.out[0] = total > 0 ? (100 * g) / total : 50;
        this.ready = true;
      }
    }
    this.prevClose = c;
  }
}

/**
 * MACD(fast, slow, signal): line = EMA(fast) − EMA(slow) of the close (both seeded with the first
 * close); signal = EMA(signal) of the line, seeded with the line's first value at bar `slow`;
 * histogram = line − signal. Ready after slow + signal − 1 bars (Tulip outputs from bar `slow`,
 * before the signal has warmed up; we do not).
 */
export class MacdState implements IndicatorState {
  /** value (line), signal, histogram */
  readonly out = new Float64Array(3);
  ready = false;
  private readonly fastEma: Ema;
  private readonly slowEma: Ema;
  private readonly signalEma: Ema;
  constructor(
    readonly fast: number,
    readonly slow: number,
    readonly signal: number,
    alphas?: { fast: number; slow: number },
  ) {
    this.fastEma = new Ema(alphas?.fast ?? 2 / (fast + 1));
    this.slowEma = new Ema(alphas?.slow ?? 2 / (slow + 1));
    this.signalEma = new Ema(2 / (signal + 1));
  }
  update(bar: IndicatorBar): void {
    const f = this.fastEma.push(bar.close);
    const s = this.slowEma.push(bar.close);
    if (this.slowEma.count < this.slow) return;
    const line = f - s;
    const sig = this.signalEma.push(line);
    this.out[0] = line;
    this.out[1] = sig;
    this.out[2] = line - sig;
    if (this.signalEma.count >= this.signal) this.ready = true;
  }
}

/** ROC(n) = (close − close n bars ago) / close n bars ago, a ratio (0.05 = +5 %); ready after n + 1 bars. */
export class RocState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly ring: Ring;
  constructor(readonly period: number) {
    this.ring = new Ring(period + 1);
  }
  update(bar: IndicatorBar): void {
    this.ring.push(bar.close);
    if (this.ring.full) {
      const then = this.ring.ago(this.period);
      this.out[0] = (bar.close - then) / then;
      this.ready = true;
    }
  }
}

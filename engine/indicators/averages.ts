/** Moving averages of the close: simple, exponential, linearly weighted. */
import type { IndicatorBar, IndicatorState } from './types.ts';
import { Ema, Ring, RollingSum } from './window.ts';

/** SMA(n): mean of the last n closes; ready after n bars. */
export class SmaState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly sum: RollingSum;
  constructor(readonly period: number) {
    this.sum = new RollingSum(period);
  }
  update(bar: IndicatorBar): void {
    this.sum.push(bar.close);
    if (this.sum.full) {
      this.out[0] = this.sum.sum / this.period;
      this.ready = true;
    }
  }
}

/**
 * EMA(n): alpha = 2/(n+1), seeded with the first close (Tulip / Achelis / trading-signals);
 * ready after n bars, when the seed's weight has fallen to (1-alpha)^(n-1) ≈ 13 %.
 */
export class EmaState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly ema: Ema;
  constructor(readonly period: number) {
    this.ema = new Ema(2 / (period + 1));
  }
  update(bar: IndicatorBar): void {
    this.out[0] = this.ema.push(bar.close);
    if (this.ema.count >= this.period) this.ready = true;
  }
}

/**
 * WMA(n): weights 1..n, newest heaviest, over the last n closes; ready after n bars. Kept
 * incrementally: when the window slides every weight drops by one (subtract the plain sum) and the
 * new close enters with weight n. The weighted sum is recomputed every max(n, 4096) bars.
 */
export class WmaState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly ring: Ring;
  private sum = 0;
  private weighted = 0;
  private readonly divisor: number;
  private untilResync: number;
  constructor(readonly period: number) {
    this.ring = new Ring(period);
    this.divisor = (period * (period + 1)) / 2;
    this.untilResync = Math.max(period, 4096);
  }
  update(bar: IndicatorBar): void {
    const x = bar.close;
    const n = this.period;
    const ring = this.ring;
    if (ring.count < n) {
      ring.push(x);
      this.weighted += ring.count * x;
      this.sum += x;
    } else {
      const old = ring.push(x);
      this.weighted += n * x - this.sum;
      this.sum += x - old;
    }
    if (--this.untilResync === 0) this.resync();
    if (ring.full) {
      this.out[0] = this.weighted / this.divisor;
      this.ready = true;
    }
  }
  private resync(): void {
    this.untilResync = Math.max(this.period, 4096);
    const n = Math.min(this.ring.count, this.period);
    let s = 0;
    let w = 0;
    for (let back = 0; back < n; back++) {
      const v = this.ring.ago(back);
      s += v;
      w += (n - back) * v;
    }
    this.sum = s;
    this.weighted = w;
  }
}

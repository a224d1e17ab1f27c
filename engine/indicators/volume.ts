/** Volume indicators: VWAP (rolling n bars or anchored to the UTC day) and on-balance volume. */
import { SolrulesError } from '../errors/index.ts';
import type { IndicatorBar, IndicatorState } from './types.ts';
import { RollingSum } from './window.ts';

const DAY_MS = 86_400_000;

function volumeOf(bar: IndicatorBar, indicator: string): number {
  const v = bar.volume;
  if (v === undefined || !(v >= 0)) {
    throw new SolrulesError('INDICATOR_VOLUME_MISSING', `indicator ${indicator} needs a volume on every bar; the bar at ${new Date(bar.time).toISOString()} has ${String(v)}`, {
      indicator,
      time: bar.time,
      field: 'volume',
      value: v,
    });
  }
  return v;
}

/**
 * VWAP over the last n bars: Σ(typical price × volume) / Σ volume with typical price
 * (high + low + close)/3. Ready after n bars and while the window's volume is positive.
 */
export class RollingVwapState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private readonly pv: RollingSum;
  private readonly vol: RollingSum;
  constructor(readonly period: number) {
    this.pv = new RollingSum(period);
    this.vol = new RollingSum(period);
  }
  update(bar: IndicatorBar): void {
    const v = volumeOf(bar, 'vwap');
    this.pv.push(((bar.high + bar.low + bar.close) / 3) * v);
    this.vol.push(v);
    this.ready = this.vol.full && this.vol.sum > 0;
    if (this.ready) this.out[0] = this.pv.sum / this.vol.sum;
  }
}

/**
 * Session VWAP anchored at 00:00 UTC: the sums restart with the first bar of each UTC day. Ready
 * from the first bar of a session that has positive volume.
 */
export class SessionVwapState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private day = NaN;
  private pv = 0;
  private vol = 0;
  update(bar: IndicatorBar): void {
    const v = volumeOf(bar, 'vwap');
    const day = Math.floor(bar.time / DAY_MS);
    if (day !== this.day) {
      this.day = day;
      this.pv = 0;
      this.vol = 0;
    }
    this.pv += ((bar.high + bar.low + bar.close) / 3) * v;
    this.vol += v;
    this.ready = this.vol > 0;
    if (this.ready) this.out[0] = this.pv / this.vol;
  }
}

/**
 * On-balance volume: starts at 0 on the first bar, then adds the bar's volume when the close rose,
 * subtracts it when it fell, keeps it when unchanged (Granville / Tulip). Ready from the first bar.
 */
export class ObvState implements IndicatorState {
  readonly out = new Float64Array(1);
  ready = false;
  private prevClose = NaN;
  private total = 0;
  update(bar: IndicatorBar): void {
    const v = volumeOf(bar, 'obv');
    const c = bar.close;
    if (this.ready) {
      if (c > this.prevClose) this.total += v;
      else if (c < this.prevClose) this.total -= v;
    } else this.ready = true;
    this.out[0] = this.total;
    this.prevClose = c;
  }
}

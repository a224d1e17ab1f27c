/**
 * Candles of one timeframe built from what the engine sees: closed bars (a backtest) or price
 * ticks (a replay or a chain run), bucketed on UTC multiples of the timeframe. Only closed candles
 * are kept (a chart never shows a candle still forming), at most `capacity` of them.
 */
import type { Bar } from './types.ts';

export class CandleBuilder {
  private readonly done: Bar[] = [];
  private forming: Bar | undefined;

  constructor(
    readonly timeframeMs: number,
    private readonly capacity: number,
  ) {}

  /** Adds a closed bar of the engine's (finer or equal) timeframe; `time` is its open. */
  addBar(bar: Readonly<Bar>): void {
    this.merge(bar.time, bar.open, bar.high, bar.low, bar.close, bar.volume);
  }

  /** Adds one price tick at `timeMs`. */
  addTick(timeMs: number, price: number): void {
    this.merge(timeMs, price, price, price, price, undefined);
  }

  /** Closes the forming candle once `nowMs` reached its end (a candle whose last source bar closed). */
  closeUntil(nowMs: number): void {
    if (this.forming && this.forming.time + this.timeframeMs <= nowMs) this.close();
  }

  /** The closed candles, oldest first (at most `capacity`). */
  get closed(): readonly Bar[] {
    return this.done;
  }

  private merge(timeMs: number, open: number, high: number, low: number, close: number, volume: number | undefined): void {
    const bucket = Math.floor(timeMs / this.timeframeMs) * this.timeframeMs;
    const f = this.forming;
    if (f && f.time === bucket) {
      if (high > f.high) f.high = high;
      if (low < f.low) f.low = low;
      f.close = close;
      if (volume !== undefined) f.volume = (f.volume ?? 0) + volume;
      return;
    }
    if (f && bucket < f.time) return; // out of order: a late tick of a closed candle is not redrawn
    if (f) this.close();
    this.forming = { time: bucket, open, high, low, close, ...(volume !== undefined ? { volume } : {}) };
  }

  private close(): void {
    this.done.push(this.forming!);
    this.forming = undefined;
    // Trimmed in batches, not one shift per candle.
    if (this.done.length > this.capacity * 2) this.done.splice(0, this.done.length - this.capacity);
  }
}

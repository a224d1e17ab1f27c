/**
 * The bar model: a series of OHLCV bars of one market, one timeframe, stored column by column
 * (one Float64Array per field) so long series stay compact and scans are cache-friendly; `bar(i)`
 * and `barInto(i, out)` give a row view.
 */
import { SolrulesError } from '../../errors/index.ts';

/** spot and perp prices must never be spliced into one series; unknown when no source says. */
export type MarketKind = 'spot' | 'perp' | 'unknown';

/** One bar. `time` is the bar's open time in ms since the epoch (UTC). */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-asset volume, absent when the source has none. */
  volume?: number;
}

export interface SeriesMeta {
  /** Market name, e.g. SOLUSDT (from a sidecar, the caller, or the file name). */
  market: string;
  kind: MarketKind;
  /** Bar length in ms (3_600_000 for 1h). */
  timeframeMs: number;
  /** Files the bars came from. */
  sources: string[];
}

export class CandleSeries {
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  /** null when the source had no volume column. */
  readonly volume: Float64Array | null;
  readonly meta: SeriesMeta;

  constructor(
    columns: { time: Float64Array; open: Float64Array; high: Float64Array; low: Float64Array; close: Float64Array; volume: Float64Array | null },
    meta: SeriesMeta,
  ) {
    const n = columns.time.length;
    for (const [name, col] of Object.entries(columns)) {
      if (col && col.length !== n) throw new SolrulesError('CANDLES_BAD_COLUMNS', `column ${name} has ${col.length} values, time has ${n}`, { field: name, value: col.length });
    }
    this.time = columns.time;
    this.open = columns.open;
    this.high = columns.high;
    this.low = columns.low;
    this.close = columns.close;
    this.volume = columns.volume;
    this.meta = meta;
  }

  get length(): number {
    return this.time.length;
  }

  get hasVolume(): boolean {
    return this.volume !== null;
  }

  /** Bar i as a new object. */
  bar(i: number): Candle {
    return this.barInto(i, { time: 0, open: 0, high: 0, low: 0, close: 0 });
  }

  /** Fills `out` with bar i and returns it (no allocation: reuse one object in hot loops). */
  barInto<T extends Candle>(i: number, out: T): T {
    out.time = this.time[i]!;
    out.open = this.open[i]!;
    out.high = this.high[i]!;
    out.low = this.low[i]!;
    out.close = this.close[i]!;
    if (this.volume) out.volume = this.volume[i]!;
    return out;
  }

  /** Every bar as objects (convenient, allocates: avoid on long series in hot paths). */
  toBars(): Candle[] {
    const out: Candle[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.bar(i);
    return out;
  }

  /** Index of the first bar with time >= t (binary search). */
  indexAt(t: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.time[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Bars with fromMs <= time < toMs, sharing memory with this series. */
  between(fromMs = -Infinity, toMs = Infinity): CandleSeries {
    const a = this.indexAt(fromMs);
    const b = this.indexAt(toMs);
    return new CandleSeries(
      {
        time: this.time.subarray(a, b),
        open: this.open.subarray(a, b),
        high: this.high.subarray(a, b),
        low: this.low.subarray(a, b),
        close: this.close.subarray(a, b),
        volume: this.volume ? this.volume.subarray(a, b) : null,
      },
      this.meta,
    );
  }

  /** A series from bar objects (all or none must carry volume). */
  static fromBars(bars: readonly Candle[], meta: SeriesMeta): CandleSeries {
    const n = bars.length;
    const hasVolume = n > 0 && bars[0]!.volume !== undefined;
    const cols = {
      time: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: hasVolume ? new Float64Array(n) : null,
    };
    for (let i = 0; i < n; i++) {
      const b = bars[i]!;
      cols.time[i] = b.time;
      cols.open[i] = b.open;
      cols.high[i] = b.high;
      cols.low[i] = b.low;
      cols.close[i] = b.close;
      if (cols.volume) {
        if (b.volume === undefined) throw new SolrulesError('CANDLES_MISSING_COLUMN', `bar ${i} has no volume while bar 0 has one`, { field: 'volume', index: i });
        cols.volume[i] = b.volume;
      }
    }
    return new CandleSeries(cols, meta);
  }
}

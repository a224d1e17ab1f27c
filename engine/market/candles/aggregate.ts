/**
 * Aggregation of bars to a coarser timeframe (1m → 5m, 15m, 1h, 4h, 1d, …). Buckets are aligned
 * to UTC: a bucket starts at a multiple of its length since the epoch (1970-01-01T00:00Z), so
 * hours start at :00, 4h buckets at 00/04/08/… UTC, days at 00:00 UTC; multi-day buckets count
 * whole days from the epoch. open = first bar's open, high = max, low = min, close = last bar's
 * close, volume = sum. Nothing is filled: a bucket is flagged
 * - PARTIAL when the data starts after its start or ends before its end (first / last bucket);
 * - INCOMPLETE when bars are missing inside the part of it the data covers (a gap).
 */
import { SolrulesError } from '../../errors/index.ts';
import { CandleSeries } from './series.ts';
import { DAY_MS, formatTimeframe, parseTimeframe } from './timeframe.ts';

export const BUCKET_PARTIAL = 1;
export const BUCKET_INCOMPLETE = 2;

export interface AggregatedBucket {
  time: number;
  /** Source bars in the bucket. */
  bars: number;
  /** Source bars a full bucket holds. */
  expected: number;
  partial: boolean;
  incomplete: boolean;
}

export interface AggregatedCandles {
  series: CandleSeries;
  /** Source bars per output bar. */
  counts: Int32Array;
  /** BUCKET_PARTIAL | BUCKET_INCOMPLETE bits per output bar. */
  flags: Uint8Array;
  expectedPerBucket: number;
  /** The flagged buckets, for reports. */
  flagged: AggregatedBucket[];
}

/** Aggregates `source` to `timeframe` ('1h', '4h', '1d' or ms), a whole multiple of the source's timeframe. */
export function aggregateCandles(source: CandleSeries, timeframe: string | number): AggregatedCandles {
  const step = source.meta.timeframeMs;
  const size = parseTimeframe(timeframe);
  if (!Number.isFinite(step) || size % step !== 0 || size < step) {
    throw new SolrulesError('CANDLES_BAD_TIMEFRAME', `cannot aggregate ${Number.isFinite(step) ? formatTimeframe(step) : 'unknown-timeframe'} bars to ${formatTimeframe(size)}: the target must be a whole multiple of the source`, {
      field: 'timeframe',
      value: formatTimeframe(size),
      expected: `a multiple of ${Number.isFinite(step) ? formatTimeframe(step) : 'the source timeframe'}`,
    });
  }
  if (size < DAY_MS ? DAY_MS % size !== 0 : size % DAY_MS !== 0) {
    throw new SolrulesError('CANDLES_BAD_TIMEFRAME', `timeframe ${formatTimeframe(size)} does not align to UTC days: use one that divides a day (5m, 15m, 1h, 4h, …) or whole days`, {
      field: 'timeframe',
      value: formatTimeframe(size),
    });
  }
  const n = source.length;
  const expected = size / step;
  const { time, open, high, low, close, volume } = source;
  // Upper bound on buckets: one per source bar.
  const cap = n;
  const out = {
    time: new Float64Array(cap),
    open: new Float64Array(cap),
    high: new Float64Array(cap),
    low: new Float64Array(cap),
    close: new Float64Array(cap),
    volume: volume ? new Float64Array(cap) : null,
  };
  const counts = new Int32Array(cap);
  const flags = new Uint8Array(cap);
  const flagged: AggregatedBucket[] = [];
  const firstTime = n ? time[0]! : 0;
  const endOfData = n ? time[n - 1]! + step : 0;
  let m = -1;
  let bucket = NaN;
  let volSum = 0;
  let volComp = 0;
  const closeBucket = () => {
    if (m < 0) return;
    if (out.volume) out.volume[m] = volSum + volComp;
    const start = bucket;
    const coveredFrom = Math.max(start, firstTime);
    const coveredTo = Math.min(start + size, endOfData);
    const coveredBars = Math.round((coveredTo - coveredFrom) / step);
    let f = 0;
    if (coveredBars < expected) f |= BUCKET_PARTIAL;
    if (counts[m]! < coveredBars) f |= BUCKET_INCOMPLETE;
    flags[m] = f;
    if (f) flagged.push({ time: start, bars: counts[m]!, expected, partial: (f & BUCKET_PARTIAL) !== 0, incomplete: (f & BUCKET_INCOMPLETE) !== 0 });
  };
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    const b = t - (((t % size) + size) % size);
    if (b !== bucket) {
      closeBucket();
      m++;
      bucket = b;
      out.time[m] = b;
      out.open[m] = open[i]!;
      out.high[m] = high[i]!;
      out.low[m] = low[i]!;
      volSum = 0;
      volComp = 0;
    } else {
      if (high[i]! > out.high[m]!) out.high[m] = high[i]!;
      if (low[i]! < out.low[m]!) out.low[m] = low[i]!;
    }
    out.close[m] = close[i]!;
    counts[m]!++;
    if (volume) {
      // Neumaier summation: the sum of 60 two-decimal volumes stays within an ulp of the exact sum.
      const v = volume[i]!;
      const s = volSum + v;
      volComp += Math.abs(volSum) >= Math.abs(v) ? volSum - s + v : v - s + volSum;
      volSum = s;
    }
  }
  closeBucket();
  const k = m + 1;
  return {
    series: new CandleSeries(
      {
        time: out.time.slice(0, k),
        open: out.open.slice(0, k),
        high: out.high.slice(0, k),
        low: out.low.slice(0, k),
        close: out.close.slice(0, k),
        volume: out.volume ? out.volume.slice(0, k) : null,
      },
      { ...source.meta, timeframeMs: size },
    ),
    counts: counts.slice(0, k),
    flags: flags.slice(0, k),
    expectedPerBucket: expected,
    flagged,
  };
}

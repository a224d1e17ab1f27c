/**
 * Aggregation proven on real data: every complete hour of the three 1m SOL/USDT windows equals
 * the bar of the 1h file for that hour (the README says each hour sums exactly), and the flags
 * for partial and incomplete buckets.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { aggregateCandles, BUCKET_INCOMPLETE, BUCKET_PARTIAL, CandleSeries, loadCandlesStrict, HOUR_MS, MINUTE_MS, DAY_MS, type Candle } from '../../../engine/market/candles/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const ONE_MINUTE = ['2021-10-27_2021-11-30', '2024-01-13_2024-02-16', '2024-10-01_2024-11-04'].map((w) => sharedFixture('candles', 'sol-usdt-1m-binance-spot', `SOLUSDT_1m_${w}.csv`));
const SOL_1H = sharedFixture('candles', 'sol-usdt-1h-binance-spot', 'SOLUSDT_1h.csv');

const meta = (timeframeMs: number) => ({ market: 'T', kind: 'spot' as const, timeframeMs, sources: [] });
const bar = (time: number, close: number, volume = 1): Candle => ({ time, open: close, high: close + 1, low: close - 1, close, volume });

describe('aggregation', () => {
  it('1m → 1h equals the 1h file on every complete hour of the three real windows', () => {
    const hourly = loadCandlesStrict(SOL_1H).series;
    let complete = 0;
    let worstVolume = 0;
    for (const file of ONE_MINUTE) {
      const agg = aggregateCandles(loadCandlesStrict(file).series, '1h');
      for (let i = 0; i < agg.series.length; i++) {
        if (agg.flags[i] !== 0) continue;
        assert.equal(agg.counts[i], 60);
        const t = agg.series.time[i]!;
        const j = hourly.indexAt(t);
        assert.equal(hourly.time[j], t, `hour ${new Date(t).toISOString()} in the 1h file`);
        for (const f of ['open', 'high', 'low', 'close'] as const) assert.equal(agg.series[f][i], hourly[f][j], `${f} at ${new Date(t).toISOString()}`);
        const dv = Math.abs(agg.series.volume![i]! - hourly.volume![j]!);
        worstVolume = Math.max(worstVolume, dv / hourly.volume![j]!);
        complete++;
      }
      // Each window ends at 20:19: its last hour holds 20 bars and is flagged partial.
      const last = agg.series.length - 1;
      assert.equal(agg.counts[last], 20);
      assert.equal(agg.flags[last]! & BUCKET_PARTIAL, BUCKET_PARTIAL);
    }
    console.log(`1m → 1h: ${complete} complete hours equal the 1h file (prices exactly; volume within ${worstVolume.toExponential(1)} relative, float sums of decimals)`);
    assert.equal(complete, 3 * 833);
    assert.ok(worstVolume < 1e-12);
  });

  it('1m → 5m → 15m → 1h → 4h → 1d composes: aggregating in steps equals aggregating at once', () => {
    const minutes = loadCandlesStrict(ONE_MINUTE[1]!).series;
    let stepwise = minutes;
    for (const tf of ['5m', '15m', '1h', '4h', '1d']) {
      stepwise = aggregateCandles(stepwise, tf).series;
      const direct = aggregateCandles(minutes, tf);
      assert.deepEqual([...stepwise.time], [...direct.series.time], tf);
      assert.deepEqual([...stepwise.close], [...direct.series.close], tf);
      assert.deepEqual([...stepwise.high], [...direct.series.high], tf);
      assert.deepEqual([...stepwise.low], [...direct.series.low], tf);
    }
    const days = aggregateCandles(minutes, '1d');
    for (let i = 0; i < days.series.length; i++) assert.equal(days.series.time[i]! % DAY_MS, 0, 'days start at 00:00 UTC');
    // The window starts at 03:00: the first day is partial, the full days in between are not.
    assert.equal(days.flags[0], BUCKET_PARTIAL);
    assert.equal(days.flags[1], 0);
    assert.equal(days.counts[1], 1440);
  });

  it('flags a bucket with missing inner bars as incomplete, never fills it', () => {
    const t0 = Date.UTC(2024, 0, 1);
    const bars = [0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11].map((k) => bar(t0 + k * 5 * MINUTE_MS, 100 + k));
    const s = CandleSeries.fromBars(bars, meta(5 * MINUTE_MS));
    const agg = aggregateCandles(s, '1h');
    assert.equal(agg.series.length, 1);
    assert.equal(agg.counts[0], 11);
    assert.equal(agg.flags[0], BUCKET_INCOMPLETE);
    assert.deepEqual(agg.flagged, [{ time: t0, bars: 11, expected: 12, partial: false, incomplete: true }]);
    assert.equal(agg.series.open[0], 100);
    assert.equal(agg.series.close[0], 111);
    assert.equal(agg.series.high[0], 112);
    assert.equal(agg.series.low[0], 99);
    assert.equal(agg.series.volume![0], 11);
  });

  it('rejects targets that are not a multiple of the source or do not align to UTC days', () => {
    const s = CandleSeries.fromBars([bar(0, 1), bar(HOUR_MS, 2)], meta(HOUR_MS));
    assert.throws(() => aggregateCandles(s, '90m'), (e) => isSolrulesError(e, 'CANDLES_BAD_TIMEFRAME') && e.context.value === '90m');
    assert.throws(() => aggregateCandles(s, '7h'), (e) => isSolrulesError(e, 'CANDLES_BAD_TIMEFRAME') && e.context.value === '7h');
    assert.throws(() => aggregateCandles(s, '30m'), (e) => isSolrulesError(e, 'CANDLES_BAD_TIMEFRAME'));
    assert.equal(aggregateCandles(s, '2d').series.length, 1);
  });
});

/**
 * The real candle files in ../shared/fixtures: counts, gaps and kinds as their READMEs state, the
 * daily Yahoo file, a 1m merge of three windows, and the refusal to splice perp into spot.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { loadCandles, loadCandlesStrict, kindFromReadme, HOUR_MS, DAY_MS } from '../../../engine/market/candles/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const SOL_1H = sharedFixture('candles', 'sol-usdt-1h-binance-spot', 'SOLUSDT_1h.csv');
const RAY_1H = sharedFixture('candles', 'ray-usdt-1h-binance-spot', 'RAYUSDT_1h.csv');
const PERP_SOL_1H = sharedFixture('candles', 'solana-tokens-15m-binance-usdm-perp', 'SOLUSDT_1h_3y.csv');
const PERP_JUP_15M = sharedFixture('candles', 'solana-tokens-15m-binance-usdm-perp', 'JUPUSDT_15m.csv');
const YAHOO = sharedFixture('prices', 'SOL-USD.daily.yahoo.2021-01-01_2023-08-29.csv');
const ONE_MINUTE = ['2021-10-27_2021-11-30', '2024-01-13_2024-02-16', '2024-10-01_2024-11-04'].map((w) => sharedFixture('candles', 'sol-usdt-1m-binance-spot', `SOLUSDT_1m_${w}.csv`));

const utc = (s: string) => Date.parse(`${s.replace(' ', 'T')}:00Z`);

describe('real candle files', () => {
  it('SOL/USDT 1h: 47,360 bars, spot (README), 1h, and exactly the README\'s 10 gaps / 20 missing bars', () => {
    const t0 = performance.now();
    const { series, report } = loadCandlesStrict(SOL_1H);
    console.log(`loaded ${series.length} bars in ${(performance.now() - t0).toFixed(0)} ms (first load, incl. JIT warm-up)`);
    assert.equal(series.length, 47_360);
    assert.equal(report.kind, 'spot');
    assert.equal(report.files[0]!.kindSource, 'readme');
    assert.equal(report.market, 'SOLUSDT');
    assert.equal(report.timeframeMs, HOUR_MS);
    assert.equal(report.files[0]!.timeFormat, 'iso');
    assert.equal(series.time[0], utc('2020-08-11 06:00'));
    assert.equal(series.time[series.length - 1], utc('2026-01-06 09:00'));
    assert.equal(report.missingBars, 20);
    // README: "Times are last bar before → first bar after".
    const readme = [
      ['2020-11-30 05:00', '2020-11-30 07:00', 1], ['2020-12-21 13:00', '2020-12-21 18:00', 4], ['2020-12-25 01:00', '2020-12-25 03:00', 1],
      ['2021-02-11 03:00', '2021-02-11 05:00', 1], ['2021-03-06 01:00', '2021-03-06 03:00', 1], ['2021-04-20 01:00', '2021-04-20 04:00', 2],
      ['2021-04-25 04:00', '2021-04-25 08:00', 3], ['2021-08-13 01:00', '2021-08-13 06:00', 4], ['2021-09-29 06:00', '2021-09-29 09:00', 2],
      ['2023-03-24 12:00', '2023-03-24 14:00', 1],
    ] as const;
    assert.deepEqual(report.gaps.map((g) => [g.after, g.before, g.missingBars]), readme.map(([a, b, n]) => [utc(a), utc(b), n]));
    assert.deepEqual(report.duplicates, []);
    // A price the README quotes: close 258.44 on 2021-11-06 (the day's last bar, 23:00).
    assert.equal(series.close[series.indexAt(utc('2021-11-06 23:00'))], 258.44);
  });

  it('RAY/USDT 1h: 20,936 bars with 7 missing in 3 gaps', () => {
    const { series, report } = loadCandlesStrict(RAY_1H);
    assert.equal(series.length, 20_936);
    assert.equal(report.kind, 'spot');
    assert.equal(report.gaps.length, 3);
    assert.equal(report.missingBars, 7);
    assert.equal(series.hasVolume, true);
  });

  it('the perp folder is perp (README Venue row), 15m, continuous', () => {
    const { series, report } = loadCandlesStrict(PERP_JUP_15M);
    assert.equal(report.kind, 'perp');
    assert.equal(report.timeframe, '15m');
    assert.equal(series.length, 35_040);
    assert.equal(report.gaps.length, 0);
  });

  it('the daily Yahoo CSV loads (Adj Close ignored, dates as UTC midnight)', () => {
    const { series, report } = loadCandlesStrict(YAHOO);
    assert.equal(series.length, 971);
    assert.equal(report.timeframeMs, DAY_MS);
    assert.equal(report.gaps.length, 0);
    assert.equal(report.kind, 'unknown', 'no README venue row: the caller may pass kind');
    assert.equal(series.time[0], Date.UTC(2021, 0, 1));
    assert.equal(series.close[0], 1.842084);
    assert.equal(series.volume![0], 25722549);
  });

  it('three 1m windows merge in time order whatever the argument order, with the two gaps between them reported', () => {
    const { series, report } = loadCandlesStrict([ONE_MINUTE[2]!, ONE_MINUTE[0]!, ONE_MINUTE[1]!]);
    assert.equal(series.length, 150_000);
    assert.equal(report.gaps.length, 2);
    for (let i = 1; i < series.length; i++) if (!(series.time[i]! > series.time[i - 1]!)) assert.fail(`not increasing at ${i}`);
    assert.equal(report.gaps[0]!.after, utc('2021-11-30 20:19'));
    assert.equal(report.gaps[0]!.before, utc('2024-01-13 03:00'));
  });

  it('refuses to splice perp prices into a spot series, keeping the spot bars', () => {
    const r = loadCandles([SOL_1H, PERP_SOL_1H]);
    assert.equal(r.errors.length, 1);
    const e = r.errors[0]!;
    assert.ok(isSolrulesError(e, 'CANDLES_KIND_MISMATCH'));
    assert.equal(e.context.file, PERP_SOL_1H);
    assert.equal(e.context.value, 'perp');
    assert.equal(e.context.expected, 'spot');
    assert.equal(r.series!.length, 47_360);
    assert.equal(r.report.files[1]!.accepted, false);
    assert.throws(() => loadCandlesStrict([SOL_1H, PERP_SOL_1H]), (err) => isSolrulesError(err, 'CANDLES_KIND_MISMATCH'));
  });

  it('reads the kind from a README Venue row (perp words win over a "NOT spot")', () => {
    assert.equal(kindFromReadme('| Venue | **Binance USDⓈ-M perpetual futures** (fapi), NOT spot. |'), 'perp');
    assert.equal(kindFromReadme('| Venue | Binance **spot** SOLUSDT |'), 'spot');
    assert.equal(kindFromReadme('no table here'), undefined);
  });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { candleTicks, loadCandles, parseCandles, sliceCandles } from '../../engine/market/replay/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { sharedFixture } from '../support/paths.ts';

test('the shared SOL-USD series loads: 971 consecutive days, four ticks a day in OHLC path order', () => {
  const candles = loadCandles(sharedFixture('prices/SOL-USD.daily.yahoo.2021-01-01_2023-08-29.csv'));
  assert.equal(candles.length, 971);
  assert.equal(candles[0]!.date, '2021-01-01');
  assert.equal(candles[0]!.close, 1.842084);
  const ticks = candleTicks(candles);
  assert.equal(ticks.length, 971 * 4);
  // 2021-01-01 closed up: open, low, high, close.
  assert.deepEqual(ticks.slice(0, 4).map((t) => [t.phase, t.priceUsd, t.time.toISOString()]), [
    ['open', 1.509775, '2021-01-01T00:00:00.000Z'],
    ['low', 1.502038, '2021-01-01T06:00:00.000Z'],
    ['high', 1.859656, '2021-01-01T12:00:00.000Z'],
    ['close', 1.842084, '2021-01-01T18:00:00.000Z'],
  ]);
  assert.equal(sliceCandles(candles, '2022-11-01', '2022-11-30').length, 30);
});

test('bad rows are errors naming file, line, column and value', () => {
  const header = 'Date,Open,High,Low,Close,Volume\n';
  const cases: Array<[string, string]> = [
    [`${header}2021-01-01,1,2,0.5,abc,1\n`, 'Close'],
    [`${header}2021-13-01,1,2,0.5,1.5,1\n`, 'Date'],
    [`${header}2021-01-02,1,2,0.5,1.5,1\n2021-01-01,1,2,0.5,1.5,1\n`, 'Date'],
    [`${header}2021-01-01,1,0.9,0.5,1.5,1\n`, 'High/Low'],
    ['Date,Open,High,Low\n', 'Close'],
  ];
  for (const [text, field] of cases) {
    assert.throws(() => parseCandles(text, 'prices.csv'), (err) => {
      assert.ok(isSolrulesError(err, 'REPLAY_BAD_CSV'));
      assert.equal(err.context.field, field);
      assert.equal(err.context.file, 'prices.csv');
      assert.match(err.message, /^prices\.csv:\d+: column/);
      return true;
    });
  }
});

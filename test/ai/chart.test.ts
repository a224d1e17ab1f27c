/** Chart rendering: a real PNG of the right size, byte-identical for the same input, clear errors for bad data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregateBars, chartSvg, readCandlesCsv, renderChart, rsi, sma, timeframeMs, DEFAULT_CHART_SIZE } from '../../engine/ai/index.ts';
import { chartInput, fixtureBars } from './charts.ts';

function pngSize(png: Buffer): { width: number; height: number } {
  assert.ok(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature');
  assert.equal(png.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

test('renders a 1024×768 PNG with candles, overlays, panes and trade markers', () => {
  const input = chartInput();
  const trades = [
    { time: input.bars[30]!.time, side: 'buy' as const, price: input.bars[30]!.low },
    { time: input.bars[90]!.time + 60_000, side: 'sell' as const, price: input.bars[90]!.close },
  ];
  const chart = renderChart({ ...input, trades });
  assert.deepEqual(pngSize(chart.png), { width: 1024, height: 768 });
  assert.equal(chart.svg.match(/<rect class="candle" [^>]+fill="#(089981|f23645)"\/>/g)?.length, 120, 'one body per candle');
  for (const label of ['SMA 20', 'SMA 50', 'BB upper', 'RSI 14', 'MACD 12/26', 'Signal 9', 'Volume', '>BUY<', '>SELL<']) assert.ok(chart.svg.includes(label), label);
  assert.ok(chart.png.length > 20_000 && chart.png.length < 400_000, `PNG ${chart.png.length} bytes`);
});

test('the same input gives the same bytes; a changed bar gives different ones', () => {
  const input = chartInput();
  const a = renderChart(input);
  const b = renderChart(structuredClone(input));
  assert.ok(a.png.equals(b.png));
  assert.equal(a.sha256, b.sha256);
  const bars = input.bars.map((x) => ({ ...x }));
  bars[bars.length - 1]!.close *= 1.01;
  bars[bars.length - 1]!.high = Math.max(bars[bars.length - 1]!.high, bars[bars.length - 1]!.close);
  assert.notEqual(renderChart({ ...input, bars }).sha256, a.sha256);
});

test('bad chart input is a typed error naming the bar', () => {
  const input = chartInput();
  const bars = input.bars.map((x) => ({ ...x }));
  bars[5]!.time = bars[4]!.time;
  assert.throws(() => chartSvg({ ...input, bars, indicators: [] }, DEFAULT_CHART_SIZE), { code: 'AI_CHART_INPUT', message: /bar 5: time .* not after the previous bar/ });
  assert.throws(() => chartSvg({ ...input, indicators: [{ name: 'x', pane: 'price', values: [1, 2] }] }, DEFAULT_CHART_SIZE), { code: 'AI_CHART_INPUT', message: /indicator x: 2 values for 120 bars/ });
  assert.throws(() => chartSvg({ ...input, bars: input.bars.slice(0, 1), indicators: [] }, DEFAULT_CHART_SIZE), { code: 'AI_CHART_INPUT' });
});

test('candles CSV: real fixture reads, bad cells name file, line and column', () => {
  const bars = fixtureBars();
  assert.ok(bars.length > 47_000);
  assert.equal(bars[0]!.time, Date.UTC(2020, 7, 11, 6));
  assert.equal(bars[0]!.close, 2.9515);
  const dir = mkdtempSync(join(tmpdir(), 'ai-candles-'));
  const file = join(dir, 'bad.csv');
  writeFileSync(file, 'timestamp,open,high,low,close,volume\n2024-01-01 00:00:00,1,2,0.5,1.5,10\n2024-01-01 01:00:00,1,abc,0.5,1.5,10\n');
  assert.throws(() => readCandlesCsv(file), { code: 'AI_CANDLES_FILE', message: new RegExp(`${file}:3:23: high 'abc' is not a number`) });
});

test('aggregation to 4h keeps open/close/extremes and sums volume', () => {
  const hourly = fixtureBars().slice(-48);
  const fourHourly = aggregateBars(hourly, timeframeMs('4h'));
  const first = fourHourly.find((b) => b.time % timeframeMs('4h') === 0 && hourly.filter((h) => h.time >= b.time && h.time < b.time + 4 * 3600_000).length === 4)!;
  const parts = hourly.filter((h) => h.time >= first.time && h.time < first.time + 4 * 3600_000);
  assert.equal(first.open, parts[0]!.open);
  assert.equal(first.close, parts[3]!.close);
  assert.equal(first.high, Math.max(...parts.map((p) => p.high)));
  assert.equal(first.low, Math.min(...parts.map((p) => p.low)));
  assert.ok(Math.abs(first.volume! - parts.reduce((s, p) => s + p.volume!, 0)) < 1e-6);
  assert.throws(() => timeframeMs('1y'), { code: 'AI_TIMEFRAME' });
});

test('studies: SMA and RSI on known values', () => {
  assert.deepEqual(sma([1, 2, 3, 4, 5], 3), [null, null, 2, 3, 4]);
  const up = rsi([1, 2, 3, 4, 5, 6], 3);
  assert.deepEqual(up.slice(0, 3), [null, null, null]);
  assert.equal(up[5], 100);
  const mixed = rsi([10, 11, 10, 11, 10, 11, 10], 2).filter((v): v is number => v !== null);
  for (const v of mixed) assert.ok(v > 0 && v < 100, String(v));
});

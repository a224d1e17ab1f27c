/**
 * Bad input, one case per test: each is an error with a stable code naming the file and line (CSV)
 * or element index (JSON), the field and the value. Good files loaded beside a bad one keep their bars.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isSolrulesError, type ErrorCode, type SolrulesError } from '../../../engine/errors/index.ts';
import { loadCandles, loadCandlesStrict, parseCandles } from '../../../engine/market/candles/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'solrules-candles-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = 'timestamp,open,high,low,close,volume';
const GOOD = [HEADER, '2024-01-01 00:00:00,10,11,9,10.5,100', '2024-01-01 01:00:00,10.5,12,10,11,200', '2024-01-01 02:00:00,11,11.5,10.8,11.2,150'];

function file(name: string, lines: string[] | string, meta?: object): string {
  const p = join(dir, name);
  writeFileSync(p, Array.isArray(lines) ? lines.join('\n') + '\n' : lines);
  if (meta) writeFileSync(`${p}.meta.json`, JSON.stringify(meta));
  return p;
}

/** The single error of loading `path`, checked for code, file, line/index and field. */
function onlyError(path: string, code: ErrorCode, where: { line?: number; index?: number }, field: string): SolrulesError {
  const r = loadCandles(path);
  assert.equal(r.errors.length >= 1, true, `expected ${code}`);
  const e = r.errors[0]!;
  assert.ok(isSolrulesError(e, code), `${e.code}: ${e.message}`);
  assert.equal(e.context.file, path);
  if (where.line !== undefined) assert.equal(e.context.line, where.line);
  if (where.index !== undefined) assert.equal(e.context.index, where.index);
  assert.equal(e.context.field, field);
  assert.equal(r.series, null, 'a bad file contributes no bars');
  assert.equal(r.report.files[0]!.accepted, false);
  assert.throws(() => loadCandlesStrict(path), (err) => isSolrulesError(err, code));
  return e;
}

describe('candle files: bad input', () => {
  it('a missing column (line 1, the field named)', () => {
    const e = onlyError(file('nohigh.csv', ['timestamp,open,low,close,volume', '2024-01-01 00:00:00,10,9,10.5,100']), 'CANDLES_MISSING_COLUMN', { line: 1 }, 'high');
    assert.match(e.message, /nohigh\.csv:1: high column is missing/);
  });

  it('a non-monotonic timestamp', () => {
    const e = onlyError(file('backwards.csv', [...GOOD, '2024-01-01 01:30:00,11,11.5,10.8,11.2,150']), 'CANDLES_NON_MONOTONIC', { line: 5 }, 'time');
    assert.equal(e.context.value, '2024-01-01 01:30:00');
  });

  it('a NaN price', () => {
    const e = onlyError(file('nan.csv', [HEADER, '2024-01-01 00:00:00,10,11,9,NaN,100']), 'CANDLES_NOT_A_NUMBER', { line: 2 }, 'close');
    assert.equal(e.context.value, 'NaN');
  });

  it('a non-numeric price', () => {
    const e = onlyError(file('text.csv', [HEADER, '2024-01-01 00:00:00,ten,11,9,10,100']), 'CANDLES_NOT_A_NUMBER', { line: 2 }, 'open');
    assert.equal(e.context.value, 'ten');
  });

  it('an empty price cell', () => {
    onlyError(file('empty.csv', [HEADER, '2024-01-01 00:00:00,10,,9,10,100']), 'CANDLES_NOT_A_NUMBER', { line: 2 }, 'high');
  });

  it('a negative price', () => {
    const e = onlyError(file('negative.csv', [HEADER, '2024-01-01 00:00:00,10,11,-9,10,100']), 'CANDLES_NEGATIVE_PRICE', { line: 2 }, 'low');
    assert.equal(e.context.value, '-9');
  });

  it('a negative volume', () => {
    onlyError(file('negvol.csv', [HEADER, '2024-01-01 00:00:00,10,11,9,10,-1']), 'CANDLES_NEGATIVE_VOLUME', { line: 2 }, 'volume');
  });

  it('high below low', () => {
    const e = onlyError(file('inverted.csv', [HEADER, '2024-01-01 00:00:00,10,9,11,10,100']), 'CANDLES_HIGH_BELOW_LOW', { line: 2 }, 'high');
    assert.equal(e.context.value, 9);
  });

  it('open or close outside [low, high]', () => {
    onlyError(file('outside.csv', [HEADER, '2024-01-01 00:00:00,10,11,9,12,100']), 'CANDLES_OHLC_INCONSISTENT', { line: 2 }, 'close');
  });

  it('a bad timestamp, and one in another format than the first row', () => {
    onlyError(file('badtime.csv', [HEADER, '2024-13-01 00:00:00,10,11,9,10,100']), 'CANDLES_BAD_TIMESTAMP', { line: 2 }, 'time');
    onlyError(file('mixedtime.csv', [HEADER, '2024-01-01 00:00:00,10,11,9,10,100', '1704070800000,10,11,9,10,100']), 'CANDLES_BAD_TIMESTAMP', { line: 3 }, 'time');
  });

  it('a row with too few cells', () => {
    onlyError(file('short.csv', [...GOOD, '2024-01-01 03:00:00,10,11']), 'CANDLES_BAD_ROW', { line: 5 }, 'row');
  });

  it('a conflicting duplicate is an error; an identical one is reported and dropped', () => {
    const e = onlyError(file('conflict.csv', [...GOOD, '2024-01-01 02:00:00,11,11.5,10.8,11.3,150']), 'CANDLES_CONFLICTING_DUPLICATE', { line: 5 }, 'time');
    assert.match(e.message, /line 4/);
    const r = loadCandles(file('dup.csv', [...GOOD, GOOD[3]!]));
    assert.deepEqual(r.errors, []);
    assert.equal(r.series!.length, 3);
    assert.equal(r.report.duplicates.length, 1);
    assert.equal(r.report.duplicates[0]!.at, 5);
    assert.equal(r.report.duplicates[0]!.firstAt, 4);
  });

  it('an empty file', () => {
    onlyError(file('blank.csv', ''), 'CANDLES_EMPTY_FILE', { line: 1 }, 'rows');
  });

  it('JSON: invalid text, a missing key, a bad element (index named)', () => {
    const bad = loadCandles(file('broken.json', '[[1704067200000, 1, 2'));
    assert.ok(isSolrulesError(bad.errors[0], 'CANDLES_BAD_JSON'));
    assert.equal(bad.errors[0]!.context.file, join(dir, 'broken.json'));
    onlyError(file('nokey.json', JSON.stringify([{ time: 1704067200, open: 1, high: 2, close: 1.5 }])), 'CANDLES_MISSING_COLUMN', { index: 0 }, 'low');
    const e = onlyError(
      file('nanrow.json', JSON.stringify([[1704067200000, 1, 2, 0.5, 1.5, 10], [1704070800000, 1, 'x', 0.5, 1.5, 10]])),
      'CANDLES_NOT_A_NUMBER',
      { index: 1 },
      'high',
    );
    assert.equal(e.context.value, 'x');
  });

  it('one bad file among good ones: the errors come back and the good files\' bars are kept', () => {
    const a = file('A_1.csv', GOOD);
    const b = file('A_2.csv', [HEADER, '2024-01-01 03:00:00,11,11.5,10.8,NaN,150']);
    const c = file('A_3.csv', [HEADER, '2024-01-01 04:00:00,11,11.5,10.8,11.1,150', '2024-01-01 05:00:00,11,11.5,10.8,11.1,150']);
    const r = loadCandles([a, b, c]);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0]!.context.file, b);
    assert.equal(r.series!.length, 5);
    assert.deepEqual(r.report.files.map((f) => f.accepted), [true, false, true]);
    // Nothing filled: the bar of the bad file is a reported gap.
    assert.deepEqual(r.report.gaps.map((g) => g.missingBars), [1]);
    assert.throws(() => loadCandlesStrict([a, b, c]), (err) => isSolrulesError(err, 'CANDLES_NOT_A_NUMBER') && err.context.file === b);
  });

  it('a conflicting duplicate across files rejects the later file and keeps the earlier', () => {
    const a = file('B_1.csv', GOOD);
    const b = file('B_2.csv', [HEADER, '2024-01-01 02:00:00,11,11.5,10.8,11.4,150', '2024-01-01 03:00:00,11,11.5,10.8,11.1,150']);
    const r = loadCandles([a, b]);
    assert.ok(isSolrulesError(r.errors[0], 'CANDLES_CONFLICTING_DUPLICATE'));
    assert.equal(r.errors[0]!.context.file, b);
    assert.equal(r.errors[0]!.context.line, 2);
    assert.equal(r.series!.length, 3);
    // Identical overlap instead: merged, the repeat reported.
    const c = file('B_3.csv', [HEADER, GOOD[3]!, '2024-01-01 03:00:00,11,11.5,10.8,11.1,150']);
    const ok = loadCandles([a, c]);
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.series!.length, 4);
    assert.equal(ok.report.duplicates.length, 1);
    assert.equal(ok.report.duplicates[0]!.file, c);
  });

  it('files of different kinds (sidecar), markets, timeframes or columns are never merged', () => {
    const spot = file('C_spot.csv', GOOD, { kind: 'spot', market: 'SOLUSDT' });
    const perp = file('C_perp.csv', [HEADER, '2024-01-01 03:00:00,11,11.5,10.8,11.1,150', '2024-01-01 04:00:00,11,11.5,10.8,11.1,150'], { kind: 'perp', market: 'SOLUSDT' });
    const kind = loadCandles([spot, perp]);
    assert.ok(isSolrulesError(kind.errors[0], 'CANDLES_KIND_MISMATCH'));
    assert.equal(kind.errors[0]!.context.file, perp);
    assert.equal(kind.series!.length, 3);
    const other = file('RAY_1h.csv', [HEADER, '2024-01-01 03:00:00,11,11.5,10.8,11.1,150']);
    assert.ok(isSolrulesError(loadCandles([file('SOL_1h.csv', GOOD), other]).errors[0], 'CANDLES_MARKET_MISMATCH'));
    const minutes = file('SOL_1m.csv', [HEADER, '2024-01-02 00:00:00,11,11.5,10.8,11.1,150', '2024-01-02 00:01:00,11,11.5,10.8,11.1,150']);
    assert.ok(isSolrulesError(loadCandles([file('SOL_x.csv', GOOD), minutes]).errors[0], 'CANDLES_TIMEFRAME_MISMATCH'));
    const imposed = loadCandles(file('SOL_z.csv', GOOD), { timeframe: '15m' });
    assert.ok(isSolrulesError(imposed.errors[0], 'CANDLES_TIMEFRAME_MISMATCH'));
    assert.equal(imposed.series, null);
    const noVolume = file('SOL_nv.csv', ['timestamp,open,high,low,close', '2024-01-01 05:00:00,11,11.5,10.8,11.1', '2024-01-01 06:00:00,11,11.5,10.8,11.1']);
    assert.ok(isSolrulesError(loadCandles([file('SOL_y.csv', GOOD), noVolume]).errors[0], 'CANDLES_COLUMNS_MISMATCH'));
  });
});

describe('candle files: formats and timestamp detection', () => {
  const t = Date.UTC(2024, 0, 1);
  const rows = (stamps: string[]) => ['Date,Open,High,Low,Close,Adj Close,Volume', ...stamps.map((s, i) => `${s},10,11,9,10,99,${i}`)].join('\n');

  it('ISO text (date, space or T, Z or offset), unix seconds, milliseconds and microseconds', () => {
    const cases: Array<[string[], string]> = [
      [['2024-01-01', '2024-01-02'], 'iso'],
      [['2024-01-01 00:00:00', '2024-01-01T01:00:00Z'], 'iso'],
      [['2024-01-01T01:00:00+01:00', '2024-01-01T02:00:00+01:00'], 'iso'],
      [[String(t / 1000), String(t / 1000 + 3600)], 'unix-s'],
      [[String(t), String(t + 3_600_000)], 'unix-ms'],
      [[String(t * 1000), String((t + 3_600_000) * 1000)], 'unix-us'],
    ];
    for (const [stamps, format] of cases) {
      const p = parseCandles(rows(stamps), 'x.csv');
      assert.deepEqual(p.errors, [], stamps.join());
      assert.equal(p.timeFormat, format, stamps.join());
      assert.equal(p.time[0], t, `${stamps[0]} is 2024-01-01T00:00Z`);
    }
  });

  it('headerless CSV in Binance kline order, semicolons, CRLF, quoted cells, case-insensitive aliases', () => {
    const kline = parseCandles(`${t},10,11,9,10.5,100,${t + 3_599_999},1000\n${t + 3_600_000},10.5,12,10,11,200,0,0\n`, 'k.csv');
    assert.deepEqual(kline.errors, []);
    assert.deepEqual([...kline.close], [10.5, 11]);
    assert.deepEqual([...kline.volume!], [100, 200]);
    const semi = parseCandles(`"Open_Time";"O";"H";"L";"C";"Vol"\r\n"2024-01-01 00:00:00";"10";"11";"9";"10.5";"100"\r\n`, 's.csv');
    assert.deepEqual(semi.errors, []);
    assert.equal(semi.close[0], 10.5);
    assert.equal(semi.time[0], t);
  });

  it('JSON arrays of arrays and of objects', () => {
    const arrays = parseCandles(JSON.stringify([[t, '10', '11', '9', '10.5', '100'], [t + 60_000, 10.5, 12, 10, 11, 200]]), 'a.json');
    assert.deepEqual(arrays.errors, []);
    assert.deepEqual([...arrays.high], [11, 12]);
    const objects = parseCandles(JSON.stringify([{ Timestamp: '2024-01-01T00:00:00Z', Open: 10, High: 11, Low: 9, Close: 10.5 }]), 'o.json');
    assert.deepEqual(objects.errors, []);
    assert.equal(objects.volume, null);
    assert.equal(objects.time[0], t);
  });
});

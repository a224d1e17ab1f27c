/**
 * Readers for OHLCV text: CSV (header detected, columns matched case-insensitively with common
 * aliases; no header = Binance kline order) and JSON (an array of arrays in kline order, or of
 * objects keyed like CSV headers).
 */
import { SolrulesError } from '../../errors/index.ts';
import { candleError, RowSink, type ParsedCandles } from './rows.ts';
import { detectTimeFormat } from './timeframe.ts';

type Field = 'time' | 'open' | 'high' | 'low' | 'close' | 'volume';

/** Header names (lower case, trimmed) accepted for each field. Anything else (adj close, ticker, quote volume, …) is ignored. */
export const COLUMN_ALIASES: Readonly<Record<Field, readonly string[]>> = {
  time: ['time', 'timestamp', 'date', 'datetime', 'date_time', 'open_time', 'opentime', 'open time', 'ts', 'unix', 't'],
  open: ['open', 'o', 'open_price'],
  high: ['high', 'h', 'high_price'],
  low: ['low', 'l', 'low_price'],
  close: ['close', 'c', 'close_price'],
  volume: ['volume', 'vol', 'v', 'base_volume', 'volume_base'],
};

/** Positions of the Binance kline layout: open time, open, high, low, close, volume, … */
const KLINE_ORDER: Record<Field, number> = { time: 0, open: 1, high: 2, low: 3, close: 4, volume: 5 };
const REQUIRED: Field[] = ['time', 'open', 'high', 'low', 'close'];

function fieldOf(name: string): Field | undefined {
  const key = name.trim().replace(/^"|"$/g, '').trim().toLowerCase();
  for (const f of Object.keys(COLUMN_ALIASES) as Field[]) if (COLUMN_ALIASES[f].includes(key)) return f;
  return undefined;
}

function splitQuoted(line: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === sep) out.push(cur), (cur = '');
    else cur += ch;
  }
  out.push(cur);
  return out;
}

const split = (line: string, sep: string): string[] => (line.includes('"') ? splitQuoted(line, sep) : line.split(sep));
const numeric = (s: string | undefined): boolean => s !== undefined && s.trim() !== '' && Number.isFinite(Number(s));

/** Parses OHLCV CSV text; problems come back in `errors`, never thrown. */
export function parseCandleCsv(text: string, file: string, maxErrors = 20): ParsedCandles {
  const lines = text.split('\n');
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  if (first === lines.length) return emptyFile(file, 'line');
  const head = lines[first]!.replace(/\r$/, '').replace(/^\uFEFF/, '');
  const sep = [',', ';', '\t'].reduce((best, s) => (head.split(s).length > head.split(best).length ? s : best), ',');
  const headCells = split(head, sep);
  const headerless = detectTimeFormat(headCells[0]!.trim()) !== undefined && [1, 2, 3, 4].every((k) => numeric(headCells[k]));
  const columns: Partial<Record<Field, number>> = {};
  if (headerless) Object.assign(columns, headCells.length >= 6 ? KLINE_ORDER : { ...KLINE_ORDER, volume: undefined });
  else headCells.forEach((name, idx) => {
    const f = fieldOf(name);
    if (f && columns[f] === undefined) columns[f] = idx;
  });
  const hasVolume = columns.volume !== undefined;
  const sink = new RowSink(file, 'line', lines.length, hasVolume, maxErrors);
  if (!headerless) {
    const missing = REQUIRED.filter((f) => columns[f] === undefined);
    for (const f of missing) {
      sink.fail('CANDLES_MISSING_COLUMN', first + 1, f, head, `column is missing from the header (accepted names: ${COLUMN_ALIASES[f].join(', ')})`);
    }
    if (missing.length > 0) return sink.finish();
  }
  const need = Math.max(...REQUIRED.map((f) => columns[f]!), hasVolume ? columns.volume! : 0) + 1;
  const ti = columns.time!;
  const pi = [columns.open!, columns.high!, columns.low!, columns.close!];
  const vi = columns.volume ?? -1;
  const cells4: string[] = ['', '', '', ''];
  for (let i = headerless ? first : first + 1; i < lines.length && sink.accepting; i++) {
    let line = lines[i]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') continue;
    const c = split(line, sep);
    if (c.length < need) {
      sink.out.rows++;
      sink.fail('CANDLES_BAD_ROW', i + 1, 'row', line, `has ${c.length} cells, the header needs at least ${need}`);
      continue;
    }
    for (let k = 0; k < 4; k++) cells4[k] = c[pi[k]!]!;
    sink.add(i + 1, c[ti]!.trim(), cells4, vi >= 0 ? c[vi] : undefined);
  }
  if (sink.out.rows === 0) return emptyFile(file, 'line');
  return sink.finish();
}

/** Parses a JSON array of kline arrays or of objects; problems come back in `errors`. */
export function parseCandleJson(text: string, file: string, maxErrors = 20): ParsedCandles {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    const out = emptyFile(file, 'index');
    out.errors = [new SolrulesError('CANDLES_BAD_JSON', `${file}: not valid JSON (${(err as Error).message})`, { file, field: 'json', value: (err as Error).message })];
    return out;
  }
  if (!Array.isArray(data)) {
    const out = emptyFile(file, 'index');
    out.errors = [candleError('CANDLES_BAD_JSON', file, 'index', 0, 'json', Array.isArray(data) ? 'array' : typeof data, 'must be an array of bars ([time, open, high, low, close, volume] or { time, open, … })')];
    return out;
  }
  if (data.length === 0) return emptyFile(file, 'index');
  const firstRow = data[0];
  let keys: Partial<Record<Field, string>> = {};
  if (firstRow && typeof firstRow === 'object' && !Array.isArray(firstRow)) {
    for (const k of Object.keys(firstRow)) {
      const f = fieldOf(k);
      if (f && keys[f] === undefined) keys[f] = k;
    }
  } else keys = {};
  const objects = firstRow !== null && typeof firstRow === 'object' && !Array.isArray(firstRow);
  const hasVolume = objects ? keys.volume !== undefined : Array.isArray(firstRow) && firstRow.length >= 6;
  const sink = new RowSink(file, 'index', data.length, hasVolume, maxErrors);
  if (objects) {
    const missing = REQUIRED.filter((f) => keys[f] === undefined);
    for (const f of missing) sink.fail('CANDLES_MISSING_COLUMN', 0, f, Object.keys(firstRow as object).join(','), `key is missing (accepted names: ${COLUMN_ALIASES[f].join(', ')})`);
    if (missing.length > 0) return sink.finish();
  }
  const cells4: unknown[] = [0, 0, 0, 0];
  for (let i = 0; i < data.length && sink.accepting; i++) {
    const row = data[i];
    if (objects) {
      if (!row || typeof row !== 'object' || Array.isArray(row)) {
        sink.out.rows++;
        sink.fail('CANDLES_BAD_ROW', i, 'row', JSON.stringify(row), 'must be an object like the first element');
        continue;
      }
      const r = row as Record<string, unknown>;
      cells4[0] = r[keys.open!];
      cells4[1] = r[keys.high!];
      cells4[2] = r[keys.low!];
      cells4[3] = r[keys.close!];
      sink.add(i, r[keys.time!], cells4, hasVolume ? r[keys.volume!] : undefined);
    } else {
      if (!Array.isArray(row) || row.length < (hasVolume ? 6 : 5)) {
        sink.out.rows++;
        sink.fail('CANDLES_BAD_ROW', i, 'row', JSON.stringify(row), `must be an array [time, open, high, low, close${hasVolume ? ', volume' : ''}, …]`);
        continue;
      }
      cells4[0] = row[1];
      cells4[1] = row[2];
      cells4[2] = row[3];
      cells4[3] = row[4];
      sink.add(i, row[0], cells4, hasVolume ? row[5] : undefined);
    }
  }
  return sink.finish();
}

function emptyFile(file: string, locator: 'line' | 'index'): ParsedCandles {
  const sink = new RowSink(file, locator, 0, false);
  sink.out.errors.push(new SolrulesError('CANDLES_EMPTY_FILE', `${file}: no bars`, { file, [locator]: locator === 'line' ? 1 : 0, field: 'rows', value: 0 }));
  return sink.finish();
}

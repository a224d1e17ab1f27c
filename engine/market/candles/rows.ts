/**
 * Row validation shared by the CSV and JSON readers: every raw row goes through `RowSink.add`,
 * which parses and checks it and keeps it, drops it as an identical duplicate (reported), or
 * records an error naming the file and the line (CSV) or element index (JSON), the field and value.
 */
import { SolrulesError } from '../../errors/index.ts';
import { detectTimeFormat, parseTime, type TimeFormat } from './timeframe.ts';

export type CandleErrorCode =
  | 'CANDLES_UNREADABLE'
  | 'CANDLES_EMPTY_FILE'
  | 'CANDLES_BAD_JSON'
  | 'CANDLES_MISSING_COLUMN'
  | 'CANDLES_BAD_ROW'
  | 'CANDLES_BAD_TIMESTAMP'
  | 'CANDLES_NOT_A_NUMBER'
  | 'CANDLES_NEGATIVE_PRICE'
  | 'CANDLES_NEGATIVE_VOLUME'
  | 'CANDLES_HIGH_BELOW_LOW'
  | 'CANDLES_OHLC_INCONSISTENT'
  | 'CANDLES_NON_MONOTONIC'
  | 'CANDLES_CONFLICTING_DUPLICATE'
  | 'CANDLES_KIND_MISMATCH'
  | 'CANDLES_MARKET_MISMATCH'
  | 'CANDLES_TIMEFRAME_MISMATCH'
  | 'CANDLES_COLUMNS_MISMATCH'
  | 'CANDLES_TOO_MANY_ERRORS';

/** A dropped bar whose time and values repeat an earlier bar exactly. */
export interface DuplicateBar {
  time: number;
  file: string;
  /** Line (CSV, 1-based) or element index (JSON) of the dropped copy. */
  at: number;
  firstFile: string;
  firstAt: number;
}

/** Where a row sits: CSV rows are named by 1-based line, JSON rows by 0-based element index. */
export type Locator = 'line' | 'index';

export interface ParsedCandles {
  file: string;
  locator: Locator;
  timeFormat: TimeFormat | undefined;
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array | null;
  /** Line or index of each kept bar. */
  at: Int32Array;
  /** Data rows read (kept + duplicates + bad). */
  rows: number;
  duplicates: DuplicateBar[];
  errors: SolrulesError[];
}

const PRICE_FIELDS = ['open', 'high', 'low', 'close'] as const;

/** The error for a problem at one place in a file. */
export function candleError(code: CandleErrorCode, file: string, locator: Locator, at: number, field: string, value: unknown, what: string): SolrulesError {
  const where = locator === 'line' ? `${file}:${at}` : `${file}[${at}]`;
  return new SolrulesError(code, `${where}: ${field} ${what}; found ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`, {
    file,
    [locator]: at,
    field,
    value,
  });
}

export class RowSink {
  readonly out: ParsedCandles;
  private n = 0;
  private lastTime = -Infinity;
  private readonly v4: [number, number, number, number] = [0, 0, 0, 0];
  private readonly maxErrors: number;

  constructor(file: string, locator: Locator, capacity: number, hasVolume: boolean, maxErrors = 20) {
    this.maxErrors = maxErrors;
    this.out = {
      file,
      locator,
      timeFormat: undefined,
      time: new Float64Array(capacity),
      open: new Float64Array(capacity),
      high: new Float64Array(capacity),
      low: new Float64Array(capacity),
      close: new Float64Array(capacity),
      volume: hasVolume ? new Float64Array(capacity) : null,
      at: new Int32Array(capacity),
      rows: 0,
      duplicates: [],
      errors: [],
    };
  }

  /** False once the error budget is spent (the reader stops early). */
  get accepting(): boolean {
    return this.out.errors.length < this.maxErrors;
  }

  fail(code: CandleErrorCode, at: number, field: string, value: unknown, what: string): void {
    const o = this.out;
    o.errors.push(candleError(code, o.file, o.locator, at, field, value, what));
    if (o.errors.length === this.maxErrors) {
      o.errors.push(new SolrulesError('CANDLES_TOO_MANY_ERRORS', `${o.file}: stopped after ${this.maxErrors} errors`, { file: o.file, [o.locator]: at }));
    }
  }

  /** Parses and checks one row; cells are strings (CSV) or numbers / strings (JSON). */
  add(at: number, timeCell: unknown, cells: readonly unknown[], volumeCell: unknown): void {
    const o = this.out;
    o.rows++;
    if (typeof timeCell !== 'string' && typeof timeCell !== 'number') return this.fail('CANDLES_BAD_TIMESTAMP', at, 'time', timeCell, 'must be ISO text or unix seconds / milliseconds');
    if (o.timeFormat === undefined) {
      o.timeFormat = detectTimeFormat(timeCell);
      if (o.timeFormat === undefined) return this.fail('CANDLES_BAD_TIMESTAMP', at, 'time', timeCell, 'must be ISO text (YYYY-MM-DD[ HH:MM:SS]) or unix seconds / milliseconds');
    }
    const t = parseTime(timeCell, o.timeFormat);
    if (!Number.isFinite(t)) return this.fail('CANDLES_BAD_TIMESTAMP', at, 'time', timeCell, `must be a timestamp in the file's format (${o.timeFormat}, decided by the first row)`);
    const v4 = this.v4;
    for (let k = 0; k < 4; k++) {
      const raw = cells[k];
      const x = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(x)) return this.fail('CANDLES_NOT_A_NUMBER', at, PRICE_FIELDS[k]!, raw, 'must be a number');
      if (x <= 0) return this.fail('CANDLES_NEGATIVE_PRICE', at, PRICE_FIELDS[k]!, raw, 'must be a price > 0');
      v4[k] = x;
    }
    const [open, high, low, close] = v4;
    if (high < low) return this.fail('CANDLES_HIGH_BELOW_LOW', at, 'high', high, `must be >= low (${low})`);
    if (open > high || open < low || close > high || close < low) {
      return this.fail('CANDLES_OHLC_INCONSISTENT', at, open > high || open < low ? 'open' : 'close', open > high || open < low ? open : close, `must lie within [low ${low}, high ${high}]`);
    }
    let vol = 0;
    if (o.volume) {
      vol = typeof volumeCell === 'number' ? volumeCell : typeof volumeCell === 'string' && volumeCell.trim() !== '' ? Number(volumeCell) : NaN;
      if (!Number.isFinite(vol)) return this.fail('CANDLES_NOT_A_NUMBER', at, 'volume', volumeCell, 'must be a number');
      if (vol < 0) return this.fail('CANDLES_NEGATIVE_VOLUME', at, 'volume', volumeCell, 'must be >= 0');
    }
    if (t < this.lastTime) {
      return this.fail('CANDLES_NON_MONOTONIC', at, 'time', timeCell, `must not go back in time (previous row is ${new Date(this.lastTime).toISOString()})`);
    }
    const i = this.n;
    if (t === this.lastTime) {
      const j = i - 1;
      const same = o.open[j] === open && o.high[j] === high && o.low[j] === low && o.close[j] === close && (!o.volume || o.volume[j] === vol);
      if (!same) return this.fail('CANDLES_CONFLICTING_DUPLICATE', at, 'time', timeCell, `repeats the bar at ${o.locator} ${o.at[j]} with different values`);
      o.duplicates.push({ time: t, file: o.file, at, firstFile: o.file, firstAt: o.at[j]! });
      return;
    }
    this.lastTime = t;
    o.time[i] = t;
    o.open[i] = open;
    o.high[i] = high;
    o.low[i] = low;
    o.close[i] = close;
    if (o.volume) o.volume[i] = vol;
    o.at[i] = at;
    this.n = i + 1;
  }

  /** The parsed file, arrays trimmed to the kept rows. */
  finish(): ParsedCandles {
    const o = this.out;
    const n = this.n;
    return {
      ...o,
      time: o.time.slice(0, n),
      open: o.open.slice(0, n),
      high: o.high.slice(0, n),
      low: o.low.slice(0, n),
      close: o.close.slice(0, n),
      volume: o.volume ? o.volume.slice(0, n) : null,
      at: o.at.slice(0, n),
    };
  }
}

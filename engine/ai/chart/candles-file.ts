/**
 * Reads OHLCV candles from a CSV file (timestamp,open,high,low,close[,volume]; timestamp as
 * `YYYY-MM-DD HH:MM:SS` UTC or epoch ms) and aggregates them to a coarser timeframe. A local
 * reader until engine/market/candles lands; errors name the file, line and column.
 */
import { readFileSync } from 'node:fs';
import { SolrulesError } from '../../errors/index.ts';
import type { Bar, IndicatorLine } from '../types.ts';

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a timeframe such as 15m, 1h, 4h, 1d. */
export function timeframeMs(timeframe: string): number {
  const m = /^(\d+)([mhdw])$/.exec(timeframe);
  if (!m || Number(m[1]) === 0) throw new SolrulesError('AI_TIMEFRAME', `timeframe must look like 15m, 1h, 4h or 1d; got '${timeframe}'`, { field: 'timeframe', value: timeframe });
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

function parseTime(text: string): number {
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? '' : 'Z'));
  return ms;
}

/** Parses candles from CSV text with a header row naming the columns. */
export function parseCandlesCsv(text: string, file: string): Bar[] {
  const rows = text.split(/\r?\n/);
  const header = (rows[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const col = (name: string, required: boolean) => {
    const i = header.findIndex((h) => h === name || (name === 'timestamp' && (h === 'time' || h === 'date')));
    if (i < 0 && required) throw new SolrulesError('AI_CANDLES_FILE', `${file}:1:1: header has no '${name}' column`, { file, line: 1, column: 1 });
    return i;
  };
  const cols = { time: col('timestamp', true), open: col('open', true), high: col('high', true), low: col('low', true), close: col('close', true), volume: col('volume', false) };
  const bars: Bar[] = [];
  for (let r = 1; r < rows.length; r++) {
    const line = rows[r]!;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const columnOf = (i: number) => cells.slice(0, i).reduce((s, c) => s + c.length + 1, 1);
    const num = (i: number, name: string) => {
      const v = Number(cells[i]);
      if (cells[i] === undefined || cells[i]!.trim() === '' || !Number.isFinite(v)) {
        throw new SolrulesError('AI_CANDLES_FILE', `${file}:${r + 1}:${columnOf(i)}: ${name} '${cells[i] ?? ''}' is not a number`, { file, line: r + 1, column: columnOf(i), field: name, value: cells[i] ?? '' });
      }
      return v;
    };
    const time = parseTime((cells[cols.time] ?? '').trim());
    if (!Number.isFinite(time)) {
      throw new SolrulesError('AI_CANDLES_FILE', `${file}:${r + 1}:${columnOf(cols.time)}: timestamp '${cells[cols.time] ?? ''}' is not a date`, { file, line: r + 1, column: columnOf(cols.time), field: 'timestamp', value: cells[cols.time] ?? '' });
    }
    const bar: Bar = { time, open: num(cols.open, 'open'), high: num(cols.high, 'high'), low: num(cols.low, 'low'), close: num(cols.close, 'close') };
    if (cols.volume >= 0) bar.volume = num(cols.volume, 'volume');
    if (bars.length && time <= bars[bars.length - 1]!.time) {
      throw new SolrulesError('AI_CANDLES_FILE', `${file}:${r + 1}:1: timestamp not after the previous row`, { file, line: r + 1, column: 1, field: 'timestamp', value: cells[cols.time] });
    }
    bars.push(bar);
  }
  return bars;
}

/** Reads a candles CSV file. */
export function readCandlesCsv(file: string): Bar[] {
  return parseCandlesCsv(readFileSync(file, 'utf8'), file);
}

/** Aggregates bars into UTC-aligned buckets of `ms` (open of the first, close of the last, extremes, summed volume). */
export function aggregateBars(bars: readonly Bar[], ms: number): Bar[] {
  const out: Bar[] = [];
  for (const b of bars) {
    const bucket = Math.floor(b.time / ms) * ms;
    const cur = out[out.length - 1];
    if (cur && cur.time === bucket) {
      cur.high = Math.max(cur.high, b.high);
      cur.low = Math.min(cur.low, b.low);
      cur.close = b.close;
      if (b.volume !== undefined) cur.volume = (cur.volume ?? 0) + b.volume;
    } else {
      out.push({ ...b, time: bucket });
    }
  }
  return out;
}

/** The last `count` bars with indicator lines computed over the full history (so warm-up is complete). */
export function lastWindow(bars: readonly Bar[], lines: readonly IndicatorLine[], count: number): { bars: Bar[]; indicators: IndicatorLine[] } {
  const from = Math.max(0, bars.length - count);
  return { bars: bars.slice(from), indicators: lines.map((l) => ({ ...l, values: l.values.slice(from) })) };
}

/** Timeframes ('1m', '15m', '1h', '4h', '1d') and timestamps (ISO text, unix seconds, ms or µs). */
import { SolrulesError } from '../../errors/index.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

const UNIT_MS: Record<string, number> = { s: 1000, m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

/** '15m' → 900000; a number is taken as ms. */
export function parseTimeframe(tf: string | number): number {
  if (typeof tf === 'number') {
    if (Number.isInteger(tf) && tf > 0) return tf;
  } else {
    const m = /^(\d+)([smhd])$/.exec(tf.trim());
    if (m && Number(m[1]) > 0) return Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  throw new SolrulesError('CANDLES_BAD_TIMEFRAME', `timeframe ${JSON.stringify(tf)} is not a positive duration like 1m, 15m, 1h, 4h, 1d`, { field: 'timeframe', value: tf });
}

/** 3600000 → '1h' (the largest unit that divides it). */
export function formatTimeframe(ms: number): string {
  for (const [unit, size] of [['d', DAY_MS], ['h', HOUR_MS], ['m', MINUTE_MS], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * How a file writes its timestamps, decided from its first row and then required of every row:
 * - iso: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` or with `T`, optional `Z` / `±HH:MM`; no zone = UTC;
 * - unix-s / unix-ms / unix-us: an integer below 1e11 is seconds (1e11 s is the year 5138), below
 *   1e14 milliseconds (1e11 ms is 1973-03-03), otherwise microseconds (Binance spot since 2025).
 */
export type TimeFormat = 'iso' | 'unix-s' | 'unix-ms' | 'unix-us';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const INTEGER = /^\d+(?:\.0*)?$/;

/** The format of one timestamp cell, or undefined when it is neither ISO text nor an integer. */
export function detectTimeFormat(cell: string | number): TimeFormat | undefined {
  const n = typeof cell === 'number' ? cell : INTEGER.test(cell.trim()) ? Number(cell) : NaN;
  if (Number.isFinite(n) && Number.isInteger(n) && n >= 0) return n < 1e11 ? 'unix-s' : n < 1e14 ? 'unix-ms' : 'unix-us';
  if (typeof cell === 'string' && ISO.test(cell.trim())) return 'iso';
  return undefined;
}

/** ms since the epoch for a cell in `format`, or NaN when the cell does not match it. */
export function parseTime(cell: string | number, format: TimeFormat): number {
  if (format !== 'iso') {
    const n = typeof cell === 'number' ? cell : INTEGER.test(cell.trim()) ? Number(cell) : NaN;
    if (!Number.isInteger(n) || n < 0) return NaN;
    if (format === 'unix-s') return n < 1e11 ? n * 1000 : NaN;
    if (format === 'unix-ms') return n >= 1e11 && n < 1e14 ? n : NaN;
    return n >= 1e14 ? Math.floor(n / 1000) : NaN;
  }
  if (typeof cell !== 'string') return NaN;
  const fast = fastIso(cell);
  if (fast === fast) return fast;
  const m = ISO.exec(cell.trim());
  if (!m) return NaN;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = h ? Number(h) : 0;
  const minute = mi ? Number(mi) : 0;
  const second = s ? Number(s) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  if (day > daysInMonth(Number(y), month)) return NaN; // 2021-02-30
  let t = Date.UTC(Number(y), month - 1, day, hour, minute, second, frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * MINUTE_MS;
  }
  return t;
}

function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Digits at [from, from + len) as a number, or -1 when one is not a digit. */
function digits(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/**
 * The two shapes almost every file uses, `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS` (UTC), parsed
 * without a regex or allocation (the loader's hot path); NaN for anything else (the regex path).
 */
function fastIso(s: string): number {
  const len = s.length;
  if ((len !== 10 && len !== 19) || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = digits(s, 0, 4);
  const mo = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return NaN;
  if (len === 10) return Date.UTC(y, mo - 1, d);
  const sep = s.charCodeAt(10);
  if ((sep !== 32 && sep !== 84) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const se = digits(s, 17, 2);
  if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59) return NaN;
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

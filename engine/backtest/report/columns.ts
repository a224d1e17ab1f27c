/**
 * Row or columnar input → validated Float64Array columns. Bad data is an error naming the field,
 * the index and the value: a report drawn from NaN prices or unordered times would mislead.
 */
import { SolrulesError } from '../../errors/index.ts';
import type { Bar, BarColumns, EquityCurve, NumberColumn } from './types.ts';

export const REPORT_INPUT_ERROR = 'BACKTEST_REPORT_INPUT';

/** Bars as columns (volume absent when the source has none). */
export interface BarTable {
  timeMs: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array | null;
}

/** An equity curve as columns. */
export interface EquityTable {
  timeMs: Float64Array;
  equityUsd: Float64Array;
  equityQuoteAtoms: readonly bigint[] | null;
}

/** Throws the report's input error for `field` holding `value`. */
export function badInput(field: string, value: unknown, why: string): never {
  const shown = typeof value === 'bigint' ? value.toString() : value;
  throw new SolrulesError(REPORT_INPUT_ERROR, `${field}: ${why} (got ${JSON.stringify(shown)})`, { field, value: shown });
}

function column(field: string, col: NumberColumn, length: number, allowNaN: boolean): Float64Array {
  if (col == null || typeof col.length !== 'number') badInput(field, col, 'expected an array of numbers');
  if (col.length !== length) badInput(`${field}.length`, col.length, `expected ${length} values, one per bar`);
  const out = col instanceof Float64Array ? col : Float64Array.from(col);
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (!Number.isFinite(v) && !(allowNaN && Number.isNaN(v))) badInput(`${field}[${i}]`, String(col[i]), 'not a finite number');
  }
  return out;
}

function checkTimes(field: string, t: Float64Array): void {
  for (let i = 1; i < t.length; i++) {
    if (!(t[i]! > t[i - 1]!)) badInput(`${field}[${i}]`, t[i], `times must increase strictly (previous ${t[i - 1]})`);
  }
}

/** Validates bars (row or columnar form) into columns; `field` names them in errors. */
export function barTable(field: string, bars: Bar[] | BarColumns): BarTable {
  let cols: BarColumns;
  if (Array.isArray(bars)) {
    const n = bars.length;
    const hasVolume = n > 0 && bars.every((b) => b.volume !== undefined);
    cols = {
      timeMs: bars.map((b) => b.timeMs),
      open: bars.map((b) => b.open),
      high: bars.map((b) => b.high),
      low: bars.map((b) => b.low),
      close: bars.map((b) => b.close),
      ...(hasVolume ? { volume: bars.map((b) => b.volume!) } : {}),
    };
  } else if (bars && typeof bars === 'object' && bars.timeMs) {
    cols = bars;
  } else {
    return badInput(field, typeof bars, 'expected an array of bars or { timeMs, open, high, low, close } columns');
  }
  const n = cols.timeMs.length;
  const table: BarTable = {
    timeMs: column(`${field}.timeMs`, cols.timeMs, n, false),
    open: column(`${field}.open`, cols.open, n, false),
    high: column(`${field}.high`, cols.high, n, false),
    low: column(`${field}.low`, cols.low, n, false),
    close: column(`${field}.close`, cols.close, n, false),
    volume: cols.volume ? column(`${field}.volume`, cols.volume, n, false) : null,
  };
  checkTimes(`${field}.timeMs`, table.timeMs);
  for (let i = 0; i < n; i++) {
    const h = table.high[i]!, l = table.low[i]!;
    if (h < l || h < table.open[i]! || h < table.close[i]! || l > table.open[i]! || l > table.close[i]!) {
      badInput(`${field}[${i}]`, { open: table.open[i], high: h, low: l, close: table.close[i] }, 'high/low do not contain open and close');
    }
  }
  return table;
}

/** Validates an indicator column against its market's bar count (NaN allowed: not ready). */
export function seriesColumn(field: string, col: NumberColumn, length: number): Float64Array {
  return column(field, col, length, true);
}

/** Validates an equity curve (row or columnar form) into columns. */
export function equityTable(field: string, curve: EquityCurve): EquityTable {
  let time: NumberColumn, usd: NumberColumn, atoms: readonly bigint[] | null = null;
  if (Array.isArray(curve)) {
    time = curve.map((p) => p.timeMs);
    usd = curve.map((p) => p.equityUsd);
    if (curve.length > 0 && curve.every((p) => typeof p.equityQuoteAtoms === 'bigint')) atoms = curve.map((p) => p.equityQuoteAtoms!);
  } else if (curve && typeof curve === 'object' && curve.timeMs) {
    time = curve.timeMs;
    usd = curve.equityUsd;
    atoms = curve.equityQuoteAtoms ?? null;
  } else {
    return badInput(field, typeof curve, 'expected equity points or { timeMs, equityUsd } columns');
  }
  const n = time.length;
  if (n === 0) badInput(`${field}.timeMs`, [], 'an equity curve needs at least one point');
  const t = column(`${field}.timeMs`, time, n, false);
  checkTimes(`${field}.timeMs`, t);
  const e = column(`${field}.equityUsd`, usd, n, false);
  if (atoms && atoms.length !== n) badInput(`${field}.equityQuoteAtoms.length`, atoms.length, `expected ${n} values`);
  return { timeMs: t, equityUsd: e, equityQuoteAtoms: atoms };
}

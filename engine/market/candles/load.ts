/**
 * Loading candle files into one series per market: each file is parsed and checked on its own,
 * then the accepted files are merged in time order. Gaps and identical duplicates are reported
 * (never filled, never silent); bad input is an error naming the file and line (or element index),
 * the field and value. A bad file never costs the bars of the good ones: `loadCandles` returns the
 * good files' series together with every error, `loadCandlesStrict` throws instead.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { SolrulesError } from '../../errors/index.ts';
import { parseCandleCsv, parseCandleJson } from './formats.ts';
import { fileMeta, type FileMeta } from './meta.ts';
import { candleError, type DuplicateBar, type ParsedCandles } from './rows.ts';
import { CandleSeries, type MarketKind } from './series.ts';
import { formatTimeframe, parseTimeframe, type TimeFormat } from './timeframe.ts';

export interface LoadOptions {
  /** Overrides the sidecar / README: the kind of every file given. */
  kind?: MarketKind;
  /** Overrides the market name derived from the file name. */
  market?: string;
  /** Bar length ('1h' or ms); by default the most common step of the first file. */
  timeframe?: string | number;
  /** Errors collected per file before it stops reading (default 20). */
  maxErrorsPerFile?: number;
}

export interface FileReport extends FileMeta {
  file: string;
  format: 'csv' | 'json';
  timeFormat: TimeFormat | undefined;
  /** Step detected in this file (ms), NaN with fewer than two bars. */
  timeframeMs: number;
  rows: number;
  bars: number;
  first: number;
  last: number;
  /** False when the file was rejected: its bars are not in the series. */
  accepted: boolean;
  errors: number;
}

/** Bars missing between two consecutive bars (times are bar open times, ms UTC). */
export interface Gap {
  after: number;
  before: number;
  missingBars: number;
  /** False when the step is not a whole number of bars (an off-grid timestamp). */
  aligned: boolean;
}

export interface CandleReport {
  market: string;
  kind: MarketKind;
  timeframeMs: number;
  timeframe: string;
  bars: number;
  first: number;
  last: number;
  files: FileReport[];
  gaps: Gap[];
  missingBars: number;
  /** Identical repeated bars that were dropped (within or across files). */
  duplicates: DuplicateBar[];
}

export interface CandleLoadResult {
  /** The merged bars of every accepted file; null when none was accepted. */
  series: CandleSeries | null;
  report: CandleReport;
  /** Every problem, per file, in file order. Empty when everything loaded. */
  errors: SolrulesError[];
}

/** Most common step between consecutive bars (NaN with fewer than two bars). */
export function detectStep(time: Float64Array): number {
  const counts = new Map<number, number>();
  const n = Math.min(time.length, 5001);
  for (let i = 1; i < n; i++) {
    const d = time[i]! - time[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = NaN;
  let bestCount = 0;
  for (const [d, c] of counts) if (c > bestCount || (c === bestCount && d < best)) (best = d), (bestCount = c);
  return best;
}

/** Parses candle text; `format` defaults from the file extension (.json → JSON, else CSV). */
export function parseCandles(text: string, file: string, format?: 'csv' | 'json', maxErrors = 20): ParsedCandles {
  const f = format ?? (extname(file).toLowerCase() === '.json' ? 'json' : 'csv');
  return f === 'json' ? parseCandleJson(text, file, maxErrors) : parseCandleCsv(text, file, maxErrors);
}

interface Loaded {
  parsed: ParsedCandles;
  meta: FileMeta;
  report: FileReport;
}

function readOne(file: string, options: LoadOptions): Loaded {
  const format = extname(file).toLowerCase() === '.json' ? 'json' : 'csv';
  let meta: FileMeta;
  let parsed: ParsedCandles;
  try {
    meta = fileMeta(file, options);
    parsed = parseCandles(readFileSync(file, 'utf8'), file, format, options.maxErrorsPerFile);
  } catch (err) {
    const e = err instanceof SolrulesError ? err : new SolrulesError('CANDLES_UNREADABLE', `${file}: cannot read (${(err as Error).message})`, { file, field: 'file', value: (err as NodeJS.ErrnoException).code ?? (err as Error).message });
    parsed = parseCandleCsv('', file);
    parsed.errors = [e];
    meta = { market: options.market ?? file, kind: options.kind ?? 'unknown', kindSource: options.kind ? 'option' : 'none' };
  }
  const n = parsed.time.length;
  return {
    parsed,
    meta,
    report: {
      file,
      format,
      ...meta,
      timeFormat: parsed.timeFormat,
      timeframeMs: detectStep(parsed.time),
      rows: parsed.rows,
      bars: n,
      first: n ? parsed.time[0]! : NaN,
      last: n ? parsed.time[n - 1]! : NaN,
      accepted: parsed.errors.length === 0,
      errors: parsed.errors.length,
    },
  };
}

/** Loads one or more files of one market; never throws for bad data (see `errors`). */
export function loadCandles(paths: string | readonly string[], options: LoadOptions = {}): CandleLoadResult {
  const files = (typeof paths === 'string' ? [paths] : paths).map((p) => readOne(p, options));
  return mergeLoaded(files, options);
}

/** Loads like `loadCandles` but throws the first error (context.errors lists them all). */
export function loadCandlesStrict(paths: string | readonly string[], options: LoadOptions = {}): { series: CandleSeries; report: CandleReport } {
  const result = loadCandles(paths, options);
  if (result.errors.length > 0 || !result.series) {
    const first = result.errors[0] ?? new SolrulesError('CANDLES_EMPTY_FILE', 'no bars loaded', { field: 'rows', value: 0 });
    throw new SolrulesError(first.code, first.message, {
      ...first.context,
      ...(result.errors.length > 1 ? { errors: result.errors.map((e) => ({ code: e.code, message: e.message })) } : {}),
    });
  }
  return { series: result.series, report: result.report };
}

/** Merges parsed in-memory files (same rules as `loadCandles`). */
export function mergeParsed(parsed: ReadonlyArray<{ parsed: ParsedCandles; meta: FileMeta }>, options: LoadOptions = {}): CandleLoadResult {
  return mergeLoaded(
    parsed.map(({ parsed: p, meta }) => {
      const n = p.time.length;
      return {
        parsed: p,
        meta,
        report: { file: p.file, format: p.locator === 'line' ? 'csv' : 'json', ...meta, timeFormat: p.timeFormat, timeframeMs: detectStep(p.time), rows: p.rows, bars: n, first: n ? p.time[0]! : NaN, last: n ? p.time[n - 1]! : NaN, accepted: p.errors.length === 0, errors: p.errors.length },
      } satisfies Loaded;
    }),
    options,
  );
}

function reject(l: Loaded, err: SolrulesError, errors: SolrulesError[]): void {
  l.report.accepted = false;
  l.report.errors++;
  errors.push(err);
}

function mergeLoaded(files: Loaded[], options: LoadOptions): CandleLoadResult {
  const errors: SolrulesError[] = [];
  for (const l of files) errors.push(...l.parsed.errors);
  let accepted = files.filter((l) => l.report.accepted && l.parsed.time.length > 0);
  if (options.timeframe !== undefined) {
    const imposed = parseTimeframe(options.timeframe);
    for (const l of accepted) {
      if (Number.isFinite(l.report.timeframeMs) && l.report.timeframeMs !== imposed) {
        reject(l, new SolrulesError('CANDLES_TIMEFRAME_MISMATCH', `${l.parsed.file} has ${formatTimeframe(l.report.timeframeMs)} bars, the requested timeframe is ${formatTimeframe(imposed)}`, { file: l.parsed.file, field: 'timeframe', value: formatTimeframe(l.report.timeframeMs), expected: formatTimeframe(imposed) }), errors);
      }
    }
    accepted = accepted.filter((l) => l.report.accepted);
  }
  const ref = accepted[0];
  const tf = options.timeframe !== undefined ? parseTimeframe(options.timeframe) : ref ? ref.report.timeframeMs : NaN;
  // Files that cannot share a series with the first accepted one are rejected with a reason.
  for (const l of accepted.slice(1)) {
    const at = { file: l.parsed.file, line: l.parsed.locator === 'line' ? l.parsed.at[0]! : undefined };
    if (l.meta.kind !== ref!.meta.kind) {
      reject(l, new SolrulesError('CANDLES_KIND_MISMATCH', `${l.parsed.file} holds ${l.meta.kind} prices (from ${l.meta.kindSource}) but ${ref!.parsed.file} holds ${ref!.meta.kind} prices; spot and perpetual-futures prices are never spliced into one series`, { ...at, field: 'kind', value: l.meta.kind, expected: ref!.meta.kind, other: ref!.parsed.file }), errors);
    } else if (l.meta.market !== ref!.meta.market) {
      reject(l, new SolrulesError('CANDLES_MARKET_MISMATCH', `${l.parsed.file} is market ${l.meta.market} but ${ref!.parsed.file} is ${ref!.meta.market}`, { ...at, field: 'market', value: l.meta.market, expected: ref!.meta.market, other: ref!.parsed.file }), errors);
    } else if ((l.parsed.volume === null) !== (ref!.parsed.volume === null)) {
      reject(l, new SolrulesError('CANDLES_COLUMNS_MISMATCH', `${l.parsed.file} ${l.parsed.volume ? 'has' : 'has no'} volume column but ${ref!.parsed.file} ${ref!.parsed.volume ? 'has one' : 'has none'}; files of one series need the same columns`, { ...at, field: 'volume', value: l.parsed.volume !== null, expected: ref!.parsed.volume !== null }), errors);
    } else if (Number.isFinite(l.report.timeframeMs) && Number.isFinite(tf) && l.report.timeframeMs !== tf) {
      reject(l, new SolrulesError('CANDLES_TIMEFRAME_MISMATCH', `${l.parsed.file} has ${formatTimeframe(l.report.timeframeMs)} bars, the series is ${formatTimeframe(tf)}`, { ...at, field: 'timeframe', value: formatTimeframe(l.report.timeframeMs), expected: formatTimeframe(tf) }), errors);
    }
  }
  accepted = accepted.filter((l) => l.report.accepted);
  // A conflicting duplicate across files rejects the later file (argument order) and merges again.
  for (;;) {
    const merged = mergeColumns(accepted);
    if ('conflict' in merged) {
      const { loser, winner, time, loserAt, winnerAt } = merged.conflict;
      const p = loser.parsed;
      reject(loser, candleError('CANDLES_CONFLICTING_DUPLICATE', p.file, p.locator, loserAt, 'time', new Date(time).toISOString(), `repeats the bar of ${winner.parsed.file} ${winner.parsed.locator} ${winnerAt} with different values`), errors);
      accepted = accepted.filter((l) => l !== loser);
      continue;
    }
    const kind = ref?.meta.kind ?? options.kind ?? 'unknown';
    const market = ref?.meta.market ?? options.market ?? '';
    const series = merged.columns.time.length > 0 ? new CandleSeries(merged.columns, { market, kind, timeframeMs: tf, sources: accepted.map((l) => l.parsed.file) }) : null;
    const duplicates = [...accepted.flatMap((l) => l.parsed.duplicates), ...merged.duplicates];
    const gaps = series ? findGaps(series.time, tf) : [];
    return {
      series,
      errors,
      report: {
        market,
        kind,
        timeframeMs: tf,
        timeframe: Number.isFinite(tf) ? formatTimeframe(tf) : 'unknown',
        bars: series?.length ?? 0,
        first: series ? series.time[0]! : NaN,
        last: series ? series.time[series.length - 1]! : NaN,
        files: files.map((l) => l.report),
        gaps,
        missingBars: gaps.reduce((s, g) => s + g.missingBars, 0),
        duplicates,
      },
    };
  }
}

/** Every place where consecutive bars are more than one step apart. */
export function findGaps(time: Float64Array, stepMs: number): Gap[] {
  const gaps: Gap[] = [];
  if (!Number.isFinite(stepMs)) return gaps;
  for (let i = 1; i < time.length; i++) {
    const d = time[i]! - time[i - 1]!;
    if (d > stepMs) gaps.push({ after: time[i - 1]!, before: time[i]!, missingBars: Math.round(d / stepMs) - 1, aligned: d % stepMs === 0 });
  }
  return gaps;
}

type Columns = ConstructorParameters<typeof CandleSeries>[0];
type MergeOutcome =
  | { columns: Columns; duplicates: DuplicateBar[] }
  | { conflict: { loser: Loaded; winner: Loaded; time: number; loserAt: number; winnerAt: number } };

function mergeColumns(files: Loaded[]): MergeOutcome {
  const hasVolume = files.length > 0 && files.every((l) => l.parsed.volume !== null);
  // Position of each bar as (file, row), ordered by time, then by file order for equal times.
  const refs: Array<[number, number]> = [];
  const order = files.map((_, k) => k).sort((a, b) => files[a]!.parsed.time[0]! - files[b]!.parsed.time[0]! || a - b);
  const disjoint = order.every((k, j) => j === 0 || files[order[j - 1]!]!.parsed.time.at(-1)! < files[k]!.parsed.time[0]!);
  for (const k of order) for (let r = 0; r < files[k]!.parsed.time.length; r++) refs.push([k, r]);
  if (!disjoint) refs.sort((a, b) => files[a[0]]!.parsed.time[a[1]]! - files[b[0]]!.parsed.time[b[1]]! || a[0] - b[0]);
  const n = refs.length;
  const cols: Columns = { time: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: hasVolume ? new Float64Array(n) : null };
  const duplicates: DuplicateBar[] = [];
  let m = 0;
  let prev: [number, number] | undefined;
  for (const ref of refs) {
    const p = files[ref[0]]!.parsed;
    const r = ref[1];
    const t = p.time[r]!;
    if (prev && m > 0 && cols.time[m - 1] === t) {
      const q = files[prev[0]]!.parsed;
      const s = prev[1];
      const same = q.open[s] === p.open[r] && q.high[s] === p.high[r] && q.low[s] === p.low[r] && q.close[s] === p.close[r] && (!hasVolume || q.volume![s] === p.volume![r]);
      if (!same) return { conflict: { loser: files[ref[0]]!, winner: files[prev[0]]!, time: t, loserAt: p.at[r]!, winnerAt: q.at[s]! } };
      duplicates.push({ time: t, file: p.file, at: p.at[r]!, firstFile: q.file, firstAt: q.at[s]! });
      continue;
    }
    cols.time[m] = t;
    cols.open[m] = p.open[r]!;
    cols.high[m] = p.high[r]!;
    cols.low[m] = p.low[r]!;
    cols.close[m] = p.close[r]!;
    if (cols.volume) cols.volume[m] = p.volume![r]!;
    m++;
    prev = ref;
  }
  const trim = (a: Float64Array) => (m === n ? a : a.slice(0, m));
  return { columns: { time: trim(cols.time), open: trim(cols.open), high: trim(cols.high), low: trim(cols.low), close: trim(cols.close), volume: cols.volume ? trim(cols.volume) : null }, duplicates };
}

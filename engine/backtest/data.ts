/**
 * Where a backtest's bars come from: `backtest.data` in strategies.yaml (files per market,
 * relative to it), `--data` files, or the SOL 1h spot series by default; loaded strictly (a bad
 * row stops the run naming file, line and column) and cut to the period.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { resolveSharedPath, type StrategiesConfig } from '../config/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { loadCandlesStrict, type CandleReport, type CandleSeries } from '../market/index.ts';

/** The default bars: Binance SOL/USDT 1h spot, 2020-08 … 2025 (47,360 bars). */
export const DEFAULT_BARS = '../shared/fixtures/candles/sol-usdt-1h-binance-spot/SOLUSDT_1h.csv';

/** Epoch ms of a `--from` / `--to` value (ISO date or date-time, UTC when no zone); a typed error otherwise. */
export function parseBound(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new SolrulesError('BACKTEST_BAD_PERIOD', `${field} must be an ISO date or date-time (UTC), e.g. 2024-01-01 or 2024-01-01T12:00; got '${value}'`, { field, value });
  return ms;
}

export interface BacktestData {
  series: CandleSeries;
  report: CandleReport;
  files: Array<{ path: string; sha256: string; rows: number }>;
  marketId: string;
}

/** Loads the bars of the configured market for [from, to). */
export function loadBacktestData(cfg: StrategiesConfig, strategiesFile: string, opts: { files?: readonly string[]; from?: string; to?: string } = {}): BacktestData {
  const marketId = `${cfg.market.base.symbol}/${cfg.market.quote.symbol}`;
  const dir = dirname(strategiesFile);
  const data = cfg.backtest?.data ?? {};
  for (const key of Object.keys(data)) {
    if (key !== marketId) {
      throw new SolrulesError('BACKTEST_UNKNOWN_MARKET', `backtest.data names market '${key}', but the engine trades the one market of strategies.yaml's market: section (${marketId})`, { field: `backtest.data.${key}`, value: key });
    }
  }
  let paths: string[];
  if (opts.files?.length) paths = opts.files.map((f) => resolve(f));
  else {
    const configured = data[marketId];
    const written = configured === undefined ? [DEFAULT_BARS] : typeof configured === 'string' ? [configured] : configured;
    paths = written.map((f) => resolveSharedPath(dir, f));
  }
  for (const p of paths) if (!existsSync(p)) throw new SolrulesError('BACKTEST_DATA_NOT_FOUND', `bar file not found: ${p}${/shared\/fixtures\//.test(p) ? ' (the shared fixtures are read from ../shared/fixtures beside the repository; from a checkout elsewhere set SOLRULES_SHARED_FIXTURES to that folder)' : ''}`, { field: opts.files?.length ? '--data' : `backtest.data.${marketId}`, value: p });
  const { series, report } = loadCandlesStrict(paths);
  const from = parseBound(opts.from ?? cfg.backtest?.from, opts.from !== undefined ? '--from' : 'backtest.from');
  const to = parseBound(opts.to ?? cfg.backtest?.to, opts.to !== undefined ? '--to' : 'backtest.to');
  const cut = series.between(from, to);
  if (cut.length === 0) throw new SolrulesError('BACKTEST_NO_BARS', `no bars in the selected period (${opts.from ?? cfg.backtest?.from ?? 'start'} .. ${opts.to ?? cfg.backtest?.to ?? 'end'}); the data covers ${new Date(series.time[0]!).toISOString()} .. ${new Date(series.time[series.length - 1]!).toISOString()}`, { field: 'period', value: { from: opts.from, to: opts.to } });
  const files = report.files.map((f) => ({ path: f.file, sha256: createHash('sha256').update(readFileSync(f.file)).digest('hex'), rows: f.rows }));
  return { series: cut, report, files, marketId };
}

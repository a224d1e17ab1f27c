/**
 * Where a backtest's bars come from: `backtest.data` in strategies.yaml (files per market,
 * relative to it), `--data` files, or the SOL 1h spot series by default for the top-level market;
 * loaded strictly (a bad row stops the run naming file, line and column) and cut to the period.
 * Which markets are loaded follows the strategies run: each one's traded market (its `market:`,
 * else the top-level one) and the markets its indicators read (`market: NAME`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { resolveSharedPath, type StrategiesConfig, type TokenConfig } from '../config/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { loadCandlesStrict, type CandleReport, type CandleSeries } from '../market/index.ts';
import { readSignalIndicators } from '../strategies/index.ts';

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

/** `<base>/<quote>` of a pair: the key of `backtest.data` and the report's market id. */
export const marketIdOf = (m: { base: TokenConfig; quote: TokenConfig }): string => `${m.base.symbol}/${m.quote.symbol}`;

/** The strategies a run backtests: `names`, else the enabled ones; typed errors for unknown names or none. */
export function chosenStrategies(cfg: StrategiesConfig, names: readonly string[] | undefined): string[] {
  const chosen = names?.length ? [...names] : Object.entries(cfg.strategies).filter(([, s]) => s.enabled).map(([n]) => n);
  for (const n of chosen) {
    if (!cfg.strategies[n]) throw new SolrulesError('BACKTEST_UNKNOWN_STRATEGY', `no strategy '${n}' in strategies.yaml (${Object.keys(cfg.strategies).join(', ')})`, { field: 'strategy', value: n });
  }
  if (!chosen.length) throw new SolrulesError('BACKTEST_NO_STRATEGY', 'no strategy to backtest: none is enabled in strategies.yaml; name one with --strategy', { field: 'strategies', value: [] });
  return chosen;
}

/** The bars of one market, cut to the period. */
export interface MarketBars {
  /** Market id: the `backtest.data` key (`RAY/USDC`). */
  id: string;
  series: CandleSeries;
  report: CandleReport;
  files: Array<{ path: string; sha256: string; rows: number }>;
}

/** Single-market view (the top-level market's bars): kept for callers that run one market. */
export interface BacktestData extends MarketBars {
  marketId: string;
}

/** What a multi-market run needs: every market's bars, which market each strategy trades and which it reads. */
export interface BacktestMarkets {
  /** Strategies run, in the order given (or strategies.yaml order). */
  strategies: string[];
  /** Every market loaded, by id: traded markets first (in order of first use), then those only read. */
  markets: Map<string, MarketBars>;
  /** Per strategy: the pair it trades and its market id. */
  traded: Record<string, { id: string; base: TokenConfig; quote: TokenConfig }>;
  /** Per strategy: market NAME of its indicators (`market: NAME`) → the id of the market loaded for it. */
  reads: Record<string, Record<string, string>>;
}

type DataEntry = string | string[] | { files: string | string[]; from?: string; to?: string };

/** Market NAMEs a strategy's indicators read (`market: NAME`), in declaration order. */
export function indicatorMarkets(indicators: unknown): string[] {
  return [...new Set(readSignalIndicators(indicators).declarations.map((d) => d.market).filter((m) => m !== ''))];
}

/** The `backtest.data` key an indicator's `market: NAME` means: NAME itself, else the one key whose base is NAME, else the top-level market when its base is NAME. */
function resolveReadMarket(cfg: StrategiesConfig, name: string, strategy: string): string {
  const keys = Object.keys(cfg.backtest?.data ?? {});
  if (keys.includes(name)) return name;
  const byBase = keys.filter((k) => k.split('/')[0] === name);
  if (byBase.length === 1) return byBase[0]!;
  if (byBase.length > 1) throw new SolrulesError('BACKTEST_UNKNOWN_MARKET', `strategy '${strategy}' reads market '${name}', which matches several backtest.data entries (${byBase.join(', ')}); name one exactly in the indicator's market:`, { field: `strategies.${strategy}.indicators`, value: name });
  if (cfg.market.base.symbol === name) return marketIdOf(cfg.market);
  throw new SolrulesError('BACKTEST_NO_MARKET_DATA', `strategy '${strategy}' reads market '${name}' (an indicator's market:), and backtest.data has no entry for it (keys: ${keys.join(', ') || 'none'}); add '${name}/<quote>: <bar files>'`, { field: 'backtest.data', value: name });
}

/**
 * Loads the bars of every market the strategies run need for [from, to): their traded markets
 * and the markets their indicators read. `files` (--data) replaces the files of the one market
 * loaded; with several markets it is refused (it could not say which market they are).
 */
export function loadBacktestMarkets(cfg: StrategiesConfig, strategiesFile: string, opts: { strategies?: readonly string[]; files?: readonly string[]; from?: string; to?: string } = {}): BacktestMarkets {
  const strategies = chosenStrategies(cfg, opts.strategies);
  const data = (cfg.backtest?.data ?? {}) as Record<string, DataEntry>;
  const topId = marketIdOf(cfg.market);
  const traded: BacktestMarkets['traded'] = {};
  const reads: BacktestMarkets['reads'] = {};
  const order: string[] = [];
  const use = (id: string) => {
    if (!order.includes(id)) order.push(id);
  };
  for (const name of strategies) {
    const s = cfg.strategies[name]!;
    const pair = s.market ?? cfg.market;
    traded[name] = { id: marketIdOf(pair), base: pair.base, quote: pair.quote };
    use(traded[name].id);
  }
  for (const name of strategies) {
    reads[name] = {};
    for (const m of indicatorMarkets(cfg.strategies[name]!.indicators)) {
      const id = resolveReadMarket(cfg, m, name);
      reads[name][m] = id;
      use(id);
    }
  }
  // A data key that nothing in strategies.yaml trades or reads is a mistake (a typo would be ignored otherwise).
  const known = new Set([topId]);
  for (const [name, s] of Object.entries(cfg.strategies)) {
    if (s.market) known.add(marketIdOf(s.market));
    for (const m of indicatorMarkets(s.indicators)) {
      try {
        known.add(resolveReadMarket(cfg, m, name));
      } catch {
        // reported when that strategy runs
      }
    }
  }
  for (const key of Object.keys(data)) {
    if (!known.has(key)) throw new SolrulesError('BACKTEST_UNKNOWN_MARKET', `backtest.data names market '${key}', which no strategy in strategies.yaml trades (market:) or reads (an indicator's market:); markets: ${[...known].join(', ')}`, { field: `backtest.data.${key}`, value: key });
  }
  if (opts.files?.length && order.length > 1) {
    throw new SolrulesError('BACKTEST_DATA_AMBIGUOUS', `--data gives bar files, but this run needs ${order.length} markets (${order.join(', ')}); set each market's files in strategies.yaml backtest.data instead`, { field: '--data', value: order });
  }
  const markets = new Map<string, MarketBars>();
  for (const id of order) {
    if (!opts.files?.length && data[id] === undefined && id !== topId) throw new SolrulesError('BACKTEST_NO_MARKET_DATA', `market ${id} is traded or read by ${strategies.filter((s) => traded[s]!.id === id || Object.values(reads[s]!).includes(id)).join(', ')}, and backtest.data has no '${id}' entry; add its bar files`, { field: 'backtest.data', value: id });
    markets.set(id, loadMarketBars(cfg, strategiesFile, id, opts));
  }
  return { strategies, markets, traded, reads };
}

/** Loads one market's bars (its backtest.data entry, the default series for the top-level market, or `files`) cut to the period. */
function loadMarketBars(cfg: StrategiesConfig, strategiesFile: string, id: string, opts: { files?: readonly string[]; from?: string; to?: string }): MarketBars {
  const entry = (cfg.backtest?.data as Record<string, DataEntry> | undefined)?.[id];
  const field = opts.files?.length ? '--data' : `backtest.data.${id}`;
  let paths: string[];
  let own: { from?: number | undefined; to?: number | undefined } = {};
  if (opts.files?.length) paths = opts.files.map((f) => resolve(f));
  else {
    const files = entry === undefined ? DEFAULT_BARS : typeof entry === 'string' || Array.isArray(entry) ? entry : entry.files;
    paths = (typeof files === 'string' ? [files] : files).map((f) => resolveSharedPath(dirname(strategiesFile), f));
    if (entry !== undefined && typeof entry === 'object' && !Array.isArray(entry)) own = { from: parseBound(entry.from, `${field}.from`), to: parseBound(entry.to, `${field}.to`) };
  }
  for (const p of paths) if (!existsSync(p)) throw new SolrulesError('BACKTEST_DATA_NOT_FOUND', `bar file not found: ${p}${/shared\/fixtures\//.test(p) ? ' (the shared fixtures are read from ../shared/fixtures beside the repository; from a checkout elsewhere set SOLRULES_SHARED_FIXTURES to that folder)' : ''}`, { field, value: p });
  const { series, report } = loadCandlesStrict(paths);
  const from = parseBound(opts.from ?? cfg.backtest?.from, opts.from !== undefined ? '--from' : 'backtest.from');
  const to = parseBound(opts.to ?? cfg.backtest?.to, opts.to !== undefined ? '--to' : 'backtest.to');
  // The market's own bounds (e.g. a partial last bar to drop) narrow the run's period for it.
  const lo = Math.max(from ?? -Infinity, own.from ?? -Infinity);
  const hi = Math.min(to ?? Infinity, own.to ?? Infinity);
  const cut = series.between(lo, hi);
  if (cut.length === 0) throw new SolrulesError('BACKTEST_NO_BARS', `no bars in the selected period for ${id} (${opts.from ?? cfg.backtest?.from ?? 'start'} .. ${opts.to ?? cfg.backtest?.to ?? 'end'}); the data covers ${new Date(series.time[0]!).toISOString()} .. ${new Date(series.time[series.length - 1]!).toISOString()}`, { field: 'period', value: { market: id, from: opts.from, to: opts.to } });
  const files = report.files.map((f) => ({ path: f.file, sha256: createHash('sha256').update(readFileSync(f.file)).digest('hex'), rows: f.rows }));
  return { id, series: cut, report, files };
}

/** Loads the bars of the top-level market for [from, to) (a run of strategies that trade it and read no other market). */
export function loadBacktestData(cfg: StrategiesConfig, strategiesFile: string, opts: { files?: readonly string[]; from?: string; to?: string } = {}): BacktestData {
  const marketId = marketIdOf(cfg.market);
  return { ...loadMarketBars(cfg, strategiesFile, marketId, opts), marketId };
}

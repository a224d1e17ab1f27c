/**
 * BacktestResult → the report model (validated columns + metrics) and its JSON form.
 * The model is what both the JSON file and the HTML page are written from.
 */
import { jsonSafe } from '../../errors/index.ts';
import { badInput, barTable, equityTable, seriesColumn, type BarTable, type EquityTable } from './columns.ts';
import { buyAndHoldPct, computeMetrics, drawdown, type Metrics, type MetricsInput } from './metrics.ts';
import type { BacktestResult, IndicatorSeries, MarketData, StrategyResult, Trade } from './types.ts';

/** A market with validated columns. */
export interface MarketModel {
  source: MarketData;
  bars: BarTable;
  indicators: IndicatorSeries[];
  buyAndHoldPct: number | null;
}

/** A strategy (or the portfolio) with validated equity, drawdown series and metrics. */
export interface CurveModel {
  id: string;
  equity: EquityTable;
  /** Drawdown per equity point, positive %. */
  drawdownPct: Float64Array;
  metrics: Metrics;
}

export interface ReportModel {
  result: BacktestResult;
  markets: MarketModel[];
  strategies: Array<CurveModel & { source: StrategyResult }>;
  portfolio: CurveModel;
}

function checkMetadata(result: BacktestResult): void {
  const md = result?.metadata;
  if (!md || typeof md !== 'object') badInput('metadata', md, 'missing');
  if (!(md.clockIntervalMs > 0)) badInput('metadata.clockIntervalMs', md.clockIntervalMs, 'must be a positive number of ms');
  if (!md.period || !(md.period.toMs > md.period.fromMs)) badInput('metadata.period', md.period, 'toMs must be after fromMs');
  if (!md.fillModel || typeof md.fillModel.description !== 'string') badInput('metadata.fillModel.description', md.fillModel, 'the fill model must be described');
  for (const k of ['feeBps', 'slippageBps'] as const) {
    if (!Number.isFinite(md.fillModel[k]) || md.fillModel[k] < 0) badInput(`metadata.fillModel.${k}`, md.fillModel[k], 'must be a number ≥ 0');
  }
}

function checkTrade(field: string, t: Trade, marketIds: Set<string>): void {
  if (!marketIds.has(t.marketId)) badInput(`${field}.marketId`, t.marketId, 'names no market of the result');
  for (const k of ['sizeAtoms', 'entryValueQuoteAtoms', 'pnlQuoteAtoms', 'feesQuoteAtoms'] as const) {
    if (typeof t[k] !== 'bigint') badInput(`${field}.${k}`, t[k], 'must be a bigint (atoms)');
  }
  if (!Number.isFinite(t.entryTimeMs) || !Number.isFinite(t.entryPrice)) badInput(`${field}.entryTimeMs`, t.entryTimeMs, 'entry time and price must be finite numbers');
  if ((t.exitTimeMs === null) !== (t.exitPrice === null)) badInput(`${field}.exitTimeMs`, t.exitTimeMs, 'exit time and exit price are both set or both null');
  if (t.exitTimeMs !== null && !(t.exitTimeMs >= t.entryTimeMs)) badInput(`${field}.exitTimeMs`, t.exitTimeMs, `exit before entry (${t.entryTimeMs})`);
}

/** Validates a BacktestResult and computes every metric. Throws BACKTEST_REPORT_INPUT on bad data. */
export function buildReportModel(result: BacktestResult): ReportModel {
  checkMetadata(result);
  const { fromMs, toMs } = result.metadata.period;
  const clock = result.metadata.clockIntervalMs;
  if (!Array.isArray(result.markets) || result.markets.length === 0) badInput('markets', result.markets, 'at least one market is needed');
  const markets: MarketModel[] = result.markets.map((m, i) => {
    const field = `markets[${i}]`;
    if (typeof m.id !== 'string' || !m.id) badInput(`${field}.id`, m.id, 'a market needs an id');
    const bars = barTable(`${field}.bars`, m.bars);
    const n = bars.timeMs.length;
    if (n === 0) badInput(`${field}.bars`, [], 'a market needs at least one bar');
    if (!(m.intervalMs > 0)) badInput(`${field}.intervalMs`, m.intervalMs, 'must be a positive number of ms');
    const indicators = (m.indicators ?? []).map((s, j): IndicatorSeries => {
      const f = `${field}.indicators[${j}]`;
      if (s.pane !== 'price' && s.pane !== 'oscillator') badInput(`${f}.pane`, s.pane, "expected 'price' or 'oscillator'");
      if (s.kind === 'line') return { ...s, values: seriesColumn(`${f}.values`, s.values, n) };
      if (s.kind === 'band') {
        return { ...s, upper: seriesColumn(`${f}.upper`, s.upper, n), middle: seriesColumn(`${f}.middle`, s.middle, n), lower: seriesColumn(`${f}.lower`, s.lower, n) };
      }
      return badInput(`${f}.kind`, (s as { kind: unknown }).kind, "expected 'line' or 'band'");
    });
    return { source: m, bars, indicators, buyAndHoldPct: buyAndHoldPct(bars.timeMs, bars.close, fromMs, toMs) };
  });
  const byId = new Map(markets.map((m) => [m.source.id, m]));
  const marketIds = new Set(byId.keys());
  const quoteOfMarket = (t: Trade) => byId.get(t.marketId)!.source.quote;

  const curve = (id: string, field: string, eq: EquityTable, initial: number, trades: Trade[], fills: StrategyResult['fills'], mkts: string[], quote: MetricsInput['quote']): CurveModel => {
    if (!(initial > 0)) badInput(`${field}.initialEquityUsd`, initial, 'must be > 0');
    const dd = drawdown(eq, initial, fromMs, clock);
    const metrics = computeMetrics({
      equity: eq, initialEquityUsd: initial, trades, fills, quoteOf: quoteOfMarket, fromMs, toMs, clockIntervalMs: clock,
      buyAndHoldPcts: mkts.map((id) => byId.get(id)?.buyAndHoldPct ?? null), quote,
    });
    return { id, equity: eq, drawdownPct: dd.series, metrics };
  };

  const strategies = result.strategies.map((s, i) => {
    const field = `strategies[${i}]`;
    if (typeof s.id !== 'string' || !s.id) badInput(`${field}.id`, s.id, 'a strategy needs an id');
    for (const id of s.marketIds) if (!marketIds.has(id)) badInput(`${field}.marketIds`, id, 'names no market of the result');
    s.trades.forEach((t, j) => checkTrade(`${field}.trades[${j}]`, t, marketIds));
    s.fills.forEach((f, j) => {
      if (!marketIds.has(f.marketId)) badInput(`${field}.fills[${j}].marketId`, f.marketId, 'names no market of the result');
      if (typeof f.sizeAtoms !== 'bigint' || typeof f.feeQuoteAtoms !== 'bigint') badInput(`${field}.fills[${j}].sizeAtoms`, f.sizeAtoms, 'size and fee must be bigint atoms');
    });
    const eq = equityTable(`${field}.equity`, s.equity);
    return { ...curve(s.id, field, eq, s.initialEquityUsd, s.trades, s.fills, s.marketIds, s.quote), source: s };
  });
  const allTrades = result.strategies.flatMap((s) => s.trades);
  const allFills = result.strategies.flatMap((s) => s.fills);
  const traded = [...new Set(result.strategies.flatMap((s) => s.marketIds))];
  const quotes = new Set(result.strategies.map((s) => `${s.quote.symbol}/${s.quote.decimals}`));
  const portfolioQuote = quotes.size === 1 ? result.strategies[0]!.quote : null;
  const portfolio = curve('portfolio', 'portfolio', equityTable('portfolio.equity', result.portfolio.equity), result.portfolio.initialEquityUsd, allTrades, allFills, traded, portfolioQuote);
  return { result, markets, strategies, portfolio };
}

function curveJson(c: EquityTable): Record<string, unknown> {
  return {
    timeMs: Array.from(c.timeMs),
    equityUsd: Array.from(c.equityUsd),
    ...(c.equityQuoteAtoms ? { equityQuoteAtoms: c.equityQuoteAtoms.map(String) } : {}),
  };
}

/** The JSON report: metadata, metrics, trades, fills and equity curves (bigints as decimal strings). */
export function reportJson(model: ReportModel): Record<string, unknown> {
  const md = model.result.metadata;
  return jsonSafe({
    format: 'solrules.backtest-report/1',
    simulated: true,
    metadata: md,
    markets: model.markets.map((m) => ({
      id: m.source.id, base: m.source.base, quote: m.source.quote, intervalMs: m.source.intervalMs,
      bars: m.bars.timeMs.length, firstBarMs: m.bars.timeMs[0] ?? null, lastBarMs: m.bars.timeMs[m.bars.timeMs.length - 1] ?? null,
      buyAndHoldPct: m.buyAndHoldPct, indicators: m.indicators.map((s) => ({ name: s.name, kind: s.kind, pane: s.pane })),
    })),
    strategies: model.strategies.map((s) => ({
      id: s.id, kind: s.source.kind, marketIds: s.source.marketIds, description: s.source.description ?? null,
      quote: s.source.quote, metrics: s.metrics, trades: s.source.trades, fills: s.source.fills, equity: curveJson(s.equity),
    })),
    portfolio: { metrics: model.portfolio.metrics, equity: curveJson(model.portfolio.equity) },
    ...(model.result.ai ? { ai: model.result.ai } : {}),
  }) as Record<string, unknown>;
}

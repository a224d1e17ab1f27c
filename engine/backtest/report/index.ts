/**
 * The backtest report: a runner's `BacktestResult` → metrics, a JSON file and one self-contained
 * HTML page (no network: every script, style and datum inline). Conventions: docs/backtest.md.
 */
export type * from './types.ts';
export { REPORT_INPUT_ERROR, type BarTable, type EquityTable } from './columns.ts';
export {
  DAY_MS, YEAR_MS, periodReturns, sampleStdev, sharpeRatio, sortinoRatio, annualVolatilityPct, drawdown, cagrPct,
  exposurePct, buyAndHoldPct, tradeStats, tradeReturnPct, atomTotals, computeMetrics, formatAtoms,
  type Metrics, type MetricsInput, type PeriodReturns, type Drawdown, type TradeStats, type AtomAmount,
} from './metrics.ts';
export { buildReportModel, reportJson, type ReportModel, type MarketModel, type CurveModel } from './report.ts';
export { reportHtml, chartPayload, pack, utc, duration, price, type PackedColumn } from './html.ts';
export { writeReport, type WrittenReport } from './write.ts';

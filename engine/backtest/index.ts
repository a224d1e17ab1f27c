/**
 * Backtests: bars through the engine's own path (runner), the fill model, the per-strategy books
 * (ledger) and the data they read. The report (HTML + JSON) is in ./report. See docs/backtest.md.
 */
export { runBacktest, IsoTimes, type BacktestOptions, type BacktestRun, type OrderOutcome } from './runner.ts';
export { fillModel, describeFillModel, fillReference, FILL_AT, type FillAt, type FillModelConfig } from './fill-model.ts';
export { StrategyLedger, baseToQuoteAtoms } from './ledger.ts';
export { loadBacktestData, loadBacktestMarkets, chosenStrategies, marketIdOf, parseBound, DEFAULT_BARS, type BacktestData, type BacktestMarkets, type MarketBars } from './data.ts';
export { mergeClock, misalignments, describeMisalignment, type MergedClock, type Misalignment } from './clock.ts';
export { formatBacktestSummary } from './summary.ts';
export { writeReport, buildReportModel, type BacktestResult, type WrittenReport } from './report/index.ts';
export { diffOrders, orderKey, metricValues, formatDiff, DIFF_METRICS, type OrderDiff, type OrderChange } from './diff.ts';
export { parseFailIf, evaluateFailIf, type FailIf, type Comparison } from './fail-if.ts';

/** Runtime: the trading engine wiring (planners → rules → orders → coordinator → executors) and run summaries. */
export { TradingEngine, type EngineOptions, type EngineStats, type PriceEvent } from './engine.ts';
export { buildSummary, formatSummary, type RunSummary } from './summary.ts';

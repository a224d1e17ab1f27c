/** Runtime: the trading engine wiring (planners → rules → orders → coordinator → executors) and run summaries. */
export { TradingEngine, EngineClock, type EngineParts, type EngineStats, type PriceEvent } from './engine.ts';
export { composeEngine, buildPlanners, DailyLoss, type EngineOptions } from './compose.ts';
export { buildSummary, formatSummary, type RunSummary } from './summary.ts';
export { generatedSchemas, strategiesJsonSchema } from './schemas.ts';

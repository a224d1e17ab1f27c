/** Planners: turn market state into the facts strategies' rules read, and keep strategy state. */
export type { Planner, TickContext, StrategyPnl } from './planner.ts';
export { usdToAtoms, feeUsd, splitExact } from './planner.ts';
export { GridPlanner, levelPrices, levelIndex, waterfall, type GridState, type GridLevelState } from './grid/index.ts';
export { DcaPlanner, type DcaState } from './dca/index.ts';
export { ArbitragePlanner, ArbitragePaperExecutor, withRoundTrips, type ArbitrageParams, type ArbitrageFact, type ArbitrageRoute } from './arbitrage/index.ts';

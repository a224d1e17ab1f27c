/**
 * Strategies: one folder per strategy kind (grid, dca, arbitrage), each exporting a descriptor
 * (`StrategyKind`: params schema, facts, planner factory); `registry.ts` lists them and the fact
 * catalog is assembled from them. Planners turn market state into the facts a strategy's rules
 * read and keep its state as orders fill.
 */
export type { Planner, PlannerCounters, PriceBar, TickContext, StrategyPnl, PlotValue, KnownRoute } from './planner.ts';
export { usdToAtoms, feeUsd, splitExact } from './planner.ts';
export type { StrategyKind, StrategyEntry, PlannerContext, ParamsFinding, JsonSchema } from './kind.ts';
export { STRATEGY_KINDS, strategyKind } from './registry.ts';
export { FACT_CATALOG, FACT_PRODUCERS, producerText, registerStrategyKind } from './catalog.ts';
export { GridPlanner, levelPrices, levelIndex, waterfall, type GridParams, type GridState, type GridLevelState } from './grid/index.ts';
export { DcaPlanner, type DcaParams, type DcaState } from './dca/index.ts';
export { ArbitragePlanner, ArbitragePaperExecutor, paperRoundTripNet, withRoundTrips, StoredRouteTemplates, routeHash, type ArbitrageParams, type ArbitrageFact, type ArbitrageRoute, type RouteTemplate, type RouteTemplateStore } from './arbitrage/index.ts';
export { SignalPlanner, SignalIndicators, readSignalIndicators, signalIndicatorFields, entrySize, type SignalParams, type SignalState, type SignalTrade, type Sizing } from './signal/index.ts';

/** Runtime: the trading engine wiring (planners → rules → orders → coordinator → executors) and run summaries. */
export { TradingEngine, EngineClock, tickId, type EngineParts, type EngineCheckpoint, type EngineStats, type PriceEvent } from './engine.ts';
export { composeEngine, buildPlanners, DailyLoss, type EngineOptions } from './compose.ts';
export { buildSummary, formatSummary, type RunSummary } from './summary.ts';
export { generatedSchemas, strategiesJsonSchema } from './schemas.ts';
export { compose, type App, type ComposeOptions, type FactSource } from './app.ts';
export { ReplaySource, type ReplayOptions } from './replay-source.ts';
export { FactWatch, factReads, unproducedReads, type UnproducedRead } from './facts-watch.ts';
export { ChainSource, type ChainSourceOptions } from './chain-source.ts';
export { buildLiveContext, flashLoansFromReserves, maxQuoteShortfallBps, type LiveContextOptions, type EngineLiveContext } from './live-context.ts';
export { settingsNeedingRestart } from './restart.ts';
export { preflightServices, registerServiceChecks, serviceConfigs, serviceWarnings, type ServiceConfigs } from './services.ts';
export { analyzeOnDemand, buildEngineAi, aiSchedulesOf, DEFAULT_AI_RECORDINGS, type AiEngineOptions, type EngineAi } from './ai.ts';
export { WalletWatch, openRunWallets, holdsOf, walletRulesOf, type WalletWatchOptions } from './wallet-watch.ts';
export { BusMarketSource, type BusMarketSourceOptions } from './bus-market-source.ts';
export { startScannerRole, type ScannerRole, type ScannerRoleOptions } from './scanner-role.ts';
export { localMarketBus, isLocalMarketFact } from './split-bus.ts';
export type { EngineRole } from './engine.ts';
export type { SplitRole } from './app.ts';

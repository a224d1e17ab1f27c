/**
 * Execution: the Executor interface and the executor kinds' registry, the executor worker (alone,
 * or one of a queue group sharing orders through claims in the cache), the paper executor, and
 * what composing live executors needs — the factory, the readiness gate, the RPC pool,
 * confirmation, lookup tables, journals, quote accuracy, route sources and flash-loan providers
 * (Kamino: the provider, its fee and the reserve decoder). The builders, submitters and transports
 * behind them are internal (tests import their files).
 */
export { isResumable, type Executor, type ExecutorCapabilities, type ResumableExecutor, type ResumeOutcome, type ExecutionContext } from './executor.ts';
export type { ExecutorKind, ExecutorConfig, ExecutorFactoryContext } from './kind.ts';
export { EXECUTOR_KINDS, executorKind } from './registry.ts';
export { ExecutorWorker, DEFAULT_RETRY_POLICY, type ExecutorWorkerDeps, type GroupOptions, type RetryPolicy, type WorkerStats } from './worker.ts';
export { PaperExecutor, PoolStateQuoter, Portfolio, type PaperConfig, type MarketView, type PoolQuoter } from './paper/index.ts';
export { MemorySubmissionJournal, StoreSubmissionJournal, type SubmissionJournal } from './journal.ts';
export { RpcPool, RpcError, type RpcPoolOptions } from './rpc/pool.ts';
export { LookupTableManager } from './tx/lookup-tables.ts';
export { BlockhashCache, type BlockhashCacheOptions, type BlockhashCacheStats } from './tx/blockhash.ts';
export { ConfirmationMonitor } from './confirm/monitor.ts';
export { QuoteAccuracy, type QuoteAccuracyFact } from './confirm/accuracy.ts';
export type { LiveReport, Reconciliation, ExecutionWallets } from './live/executor.ts';
export type { SwapPlan, RouteSource } from './live/plan.ts';
export { createLiveExecutor, concurrencyOf, type LiveContext } from './live-factory.ts';
export { SandboxExchange } from './sources/sandbox-exchange.ts';
export { JupiterSource, type JupiterRouteClient } from './sources/jupiter.ts';
export { VenueSource, type PoolStateProvider } from './sources/venues.ts';
export { liveReadiness, type LiveReadiness } from './live/gate.ts';
export { SendGuard, type GuardStats, type SendGuardOptions } from './live/guard.ts';
export { RoundTripSource, OrderRouteSource } from './sources/round-trip.ts';
export { KaminoFlashLoan, decodeKaminoReserve, kaminoFlashLoanFee, feeSfFromBps, lendingMarketAuthority, KLEND_PROGRAM_ID, RESERVE_ACCOUNT_LEN, type KaminoReserve, type KaminoReserveKeys } from './flash/kamino.ts';
export type { FlashLoanProvider, FlashLoanRequest } from './flash/provider.ts';
export { parseTipFloor, tipFloorFromFile, HttpTipFloor, StaticTipFloor, TipAdvisor, percentileFor, type TipFloor, type TipFloorSource, type TipFact } from './tips/index.ts';

/**
 * Execution: the Executor interface, the coordinator (risk → routing → queue → executor), the
 * executor worker (alone, or one of a queue group sharing orders through claims in the cache), the
 * paper executor, and the live parts — transaction builder, lookup tables, RPC and Jito
 * executors, confirmation monitor, reconciliation, quote accuracy, swap instruction sources and
 * flash loans.
 */
export { isResumable, type Executor, type ExecutorCapabilities, type ResumableExecutor, type ResumeOutcome, type ExecutionContext, type Route, type RoutedOrder } from './executor.ts';
export type { ExecutorKind, ExecutorConfig, ExecutorFactoryContext } from './kind.ts';
export { EXECUTOR_KINDS, executorKind } from './registry.ts';
export { ExecutorWorker, jobBefore, DEFAULT_RETRY_POLICY, type ExecutorWorkerDeps, type GroupOptions, type RetryPolicy, type WorkerStats } from './worker.ts';
export { routedToJson, routedFromJson, reportToJson, reportFromJson, type RoutedOrderJson, type ExecutionReportJson } from './codec.ts';
export { PaperExecutor, PoolStateQuoter, Portfolio, feeAtoms, type PaperConfig, type MarketView, type PoolQuoter, type PaperSimulation, type PaperReport } from './paper/index.ts';
export { MemorySubmissionJournal, StoreSubmissionJournal, type SubmissionJournal, type SubmissionEntry, type JournalStore } from './journal.ts';
export { RpcPool, RpcError, type RpcEndpoint, type RpcPoolOptions, type SignatureStatus, type TransactionWithMeta } from './rpc/pool.ts';
export { RpcSubmitter, msUntilLeaderChange, type RpcSubmitterOptions } from './rpc/submitter.ts';
export { JitoSubmitter, type JitoSubmitterOptions } from './jito/submitter.ts';
export { GrpcJitoTransport, JsonRpcJitoTransport, JitoError, bundleKey, MAX_BUNDLE_TRANSACTIONS, type JitoTransport, type BundleState } from './jito/transport.ts';
export { TransactionBuilder, DEFAULT_BUILDER_POLICY, MAX_COMPUTE_UNITS, type BuilderPolicy, type BuildRequest, type BuiltTransaction, type TxSigner, type BuilderChain } from './tx/builder.ts';
export { LookupTableManager, EXTEND_BATCH, TABLE_CAPACITY, type LookupTableChain } from './tx/lookup-tables.ts';
export { computeUnitPrice, percentileFee, priorityFeeLamports, DEFAULT_PRIORITY_FEE_POLICY, type PriorityFeePolicy } from './tx/fees.ts';
export { transactionSize, PACKET_DATA_SIZE } from './tx/size.ts';
export { ConfirmationMonitor, MAX_STATUS_BATCH, type ConfirmOutcome, type MonitorOptions, type MonitorChain } from './confirm/monitor.ts';
export { walletDelta, realize, type WalletDelta, type Expected, type Realized } from './confirm/reconcile.ts';
export { QuoteAccuracy, shortfallBps, type QuoteAccuracyFact, type AccuracyStats } from './confirm/accuracy.ts';
export { LiveExecutor, DEFAULT_LIVE_POLICY, type LiveReport, type Reconciliation, type Submitter, type Prepared, type AttemptOutcome, type LiveExecutorPolicy, type LiveSubmissionEntry } from './live/executor.ts';
export { tipLamports, tipPolicyOf, DEFAULT_TIP_POLICY, MIN_JITO_TIP_LAMPORTS, type TipPolicy, type SwapPlan, type RouteSource } from './live/plan.ts';
export { createLiveExecutor, concurrencyOf, type LiveContext } from './live/factory.ts';
export { SandboxExchange, type SandboxExchangeOptions } from './sources/sandbox-exchange.ts';
export type { FlashLoanProvider, FlashLoanRequest } from './flash/provider.ts';
export { KaminoFlashLoan, KLEND_PROGRAM_ID, FLASH_BORROW_DISCRIMINATOR, FLASH_REPAY_DISCRIMINATOR, lendingMarketAuthority, type KaminoReserveKeys } from './flash/kamino.ts';
export { JupiterSource, planFromJupiter, instructionFromJupiter, type JupiterClient, type JupiterQuote, type JupiterSwapInstructions } from './sources/jupiter.ts';
export { VenueSource, type PoolStateProvider } from './sources/venues.ts';
export { liveReadiness, type LiveReadiness } from './live/gate.ts';
export { SendGuard, type GuardStats, type SendGuardOptions } from './live/guard.ts';
export { RoundTripSource, OrderRouteSource } from './sources/round-trip.ts';

/** Execution: the Executor interface, the paper executor and the coordinator (risk → routing → executor). */
export type { Executor, Route, RoutedOrder } from './executor.ts';
export { Coordinator, ExecutorWorker, orderFact, SUBJECTS, type CoordinatorDeps, type ExecutorWorkerDeps, type Decision, type ControlFact } from './coordinator.ts';
export { routedToJson, routedFromJson, reportToJson, reportFromJson, type RoutedOrderJson, type ExecutionReportJson } from './codec.ts';
export { PaperExecutor, Portfolio, feeAtoms, type PaperConfig, type MarketView } from './paper/index.ts';

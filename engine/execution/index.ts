/** Execution: the Executor interface, the paper executor and the coordinator (risk → routing → executor). */
export type { Executor, Route, RoutedOrder } from './executor.ts';

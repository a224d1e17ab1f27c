/** Coordinator: records decided orders once, applies risk and routing rules, and hands routed orders to the executors. */
export { Coordinator, orderFact, type CoordinatorDeps, type Decision } from './coordinator.ts';

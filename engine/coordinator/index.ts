/** The coordinator: decided orders in, risk rules then routing rules, routed orders out to the executors (or refused, with the reason). */
export { Coordinator, orderFact, type CoordinatorDeps, type Decision } from './coordinator.ts';

/** The coordinator: decided orders in, risk rules then routing rules, routed orders out to the executors (or refused, with the reason). */
export { Coordinator, orderFact, SUBJECTS, type CoordinatorDeps, type Decision, type ControlFact } from './coordinator.ts';

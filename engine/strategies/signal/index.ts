/** The signal strategy kind: rules decide entries and exits on declared indicators, the planner keeps the position. */
export { signalKind } from './kind.ts';
export { SignalPlanner, EXIT_REASONS, type SignalParams, type SignalState, type SignalTrade, type StopDistance, type ExitReason } from './signal.ts';
export { SignalIndicators, readSignalIndicators, signalIndicatorFields, OWN_MARKET } from './indicators.ts';
export { entrySize, type Sizing, type SizingType, type SizingInput } from './sizing.ts';

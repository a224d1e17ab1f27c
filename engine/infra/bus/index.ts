/** Event bus: the `Bus` interface, the in-process implementation (the embedded default), and `openBus()` which picks NATS JetStream when configured. */
export * from './bus.ts';
export { MemoryBus, type MemoryBusOptions } from './memory.ts';
export { openBus, resolveBusConfig, type BusConfig, type OpenBusOptions } from './open.ts';
export { withTraceHeaders, runInTraceContext } from './trace.ts';
export { checkBus } from './check.ts';
export { instrumentBus, subjectFamily } from './instrument.ts';

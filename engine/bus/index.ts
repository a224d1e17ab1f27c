/** Event bus: the `Bus` interface and its in-process implementation (the embedded default). */
export * from './bus.ts';
export { MemoryBus, type MemoryBusOptions } from './memory.ts';

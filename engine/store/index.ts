/** Store: the `Store` interface (orders, executions, strategy state, rule-set versions) and its in-memory implementation. */
export * from './store.ts';
export { MemoryStore } from './memory.ts';

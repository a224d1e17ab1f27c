/** Cache: the `Cache` interface and its in-memory implementation. */
export * from './cache.ts';
export { MemoryCache } from './memory.ts';

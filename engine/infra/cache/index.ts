/** Cache: the `Cache` interface, the in-memory implementation (the embedded default), and `openCache()` which picks Redis when configured. */
export * from './cache.ts';
export { MemoryCache } from './memory.ts';
export { openCache, resolveCacheConfig, type CacheConfig, type OpenCacheOptions } from './open.ts';
export { checkCache } from './check.ts';

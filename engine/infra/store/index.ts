/**
 * Store: the `Store` interface and its implementations — in-memory, PGlite (the embedded
 * default) and PostgreSQL, the last two on the same SQL and migrations — chosen by `openStore()`.
 */
export * from './store.ts';
export { MemoryStore, type MemoryStoreOptions } from './memory.ts';
export { openStore, resolveStoreConfig, type OpenStoreOptions, type StoreConfig } from './open.ts';
export { loadHistory, loadRecent, historyBoundsFromEnv, DEFAULT_HISTORY_BOUNDS, type RecoveredState, type RecentState, type HistoryBounds } from './recovery.ts';
export { checkStore } from './check.ts';
export { openStoreSchema, type StoreSchema } from './schema.ts';

/** The store on SQL (PostgreSQL and PGlite run the same statements) and the versioned migrations. */
export type { SqlDb, Query, Tx } from './db.ts';
export { SqlStore, RECENT_HISTORY_SQL } from './store.ts';
export { migrate, migrationStatus, loadMigrations, MIGRATIONS_DIR, type Migration, type MigrationStatus } from './migrate.ts';

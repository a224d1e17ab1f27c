/** Schema work on a SQL store (`solrules migrate`): the database behind a store config, its drivers loaded only when needed. */
import type { StoreConfig } from './open.ts';
import type { Migration, MigrationStatus } from './sql/index.ts';

export interface StoreSchema {
  /** Applies pending migrations, each once; returns those applied. */
  migrate(): Promise<Migration[]>;
  status(): Promise<MigrationStatus[]>;
  close(): Promise<void>;
}

/** Opens the SQL database of a PGlite or PostgreSQL store config for migrations. */
export async function openStoreSchema(cfg: Exclude<StoreConfig, { kind: 'memory' }>): Promise<StoreSchema> {
  const { migrate, migrationStatus } = await import('./sql/index.ts');
  const db =
    cfg.kind === 'pglite'
      ? await (await import('./pglite/index.ts')).PgliteDb.open(cfg.dir)
      : new (await import('./postgres/index.ts')).PostgresDb(cfg.url, { retryForMs: 5_000, max: 1 });
  return { migrate: () => migrate(db), status: () => migrationStatus(db), close: () => db.close() };
}

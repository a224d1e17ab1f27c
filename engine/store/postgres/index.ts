/** The PostgreSQL store: the SQL store over a `pg` pool that reconnects and re-runs dropped statements. */
import { SqlStore, migrate } from '../sql/index.ts';
import { PostgresDb, type PostgresDbOptions } from './db.ts';

export { PostgresDb, isRetryable, redactUrl, type PostgresDbOptions } from './db.ts';

/** Opens the PostgreSQL store at `url`, applying pending migrations unless `migrate: false`. */
export async function openPostgresStore(url: string, opts: PostgresDbOptions & { migrate?: boolean } = {}): Promise<SqlStore> {
  const db = new PostgresDb(url, opts);
  try {
    if (opts.migrate !== false) await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new SqlStore(db);
}

/** The PostgreSQL store: the SQL store over a `pg` pool that reconnects and re-runs dropped statements. */
import { SqlStore } from '../sql/index.ts';
import { PostgresDb, type PostgresDbOptions } from './db.ts';

export { PostgresDb, isRetryable, type PostgresDbOptions } from './db.ts';

/** Opens the PostgreSQL store at `url`, applying pending migrations unless `migrate: false`. */
export async function openPostgresStore(url: string, opts: PostgresDbOptions & { migrate?: boolean } = {}): Promise<SqlStore> {
  return SqlStore.open(new PostgresDb(url, opts), opts);
}

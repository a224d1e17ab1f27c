/** The embedded store: the SQL store on PGlite (in-process PostgreSQL), persisted under `.solrules/store`. */
import { SqlStore, migrate } from '../sql/index.ts';
import { PgliteDb } from './db.ts';

export { PgliteDb, defaultPgliteDir } from './db.ts';

/** Opens the PGlite store in `dir` (in memory when undefined) and applies pending migrations. */
export async function openPgliteStore(dir?: string, opts: { migrate?: boolean } = {}): Promise<SqlStore> {
  const db = await PgliteDb.open(dir);
  try {
    if (opts.migrate !== false) await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return new SqlStore(db);
}

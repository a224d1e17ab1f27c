/** The embedded store: the SQL store on PGlite (in-process PostgreSQL), persisted under `.solrules/store`. */
import { SqlStore } from '../sql/index.ts';
import { PgliteDb } from './db.ts';

export { PgliteDb, lockHolder } from './db.ts';
export { templatesDir, templateKey } from './template.ts';

/**
 * Opens the PGlite store in `dir` (in memory when undefined) and applies pending migrations; a new
 * store that is to be migrated starts from the migrated template (`template.ts`).
 */
export async function openPgliteStore(dir?: string, opts: { migrate?: boolean } = {}): Promise<SqlStore> {
  return SqlStore.open(await PgliteDb.open(dir, { fromTemplate: opts.migrate !== false }), opts);
}

/** `solrules migrate [--status]`: applies the store's pending schema migrations (PostgreSQL or the embedded PGlite). */
import { openStoreSchema, resolveStoreConfig } from '../infra/store/index.ts';
import { parseCommandArgs, withUsage } from './args.ts';

export const summary = 'apply pending store migrations (or --status to list them)';

const USAGE = `usage: solrules migrate [--status] [--store URL]

Applies the versioned migrations in engine/infra/store/migrations/ to the configured store
(SOLRULES_STORE: postgres://…, pglite:<dir>, or the embedded PGlite under .solrules/store),
each once, in one transaction. --status lists applied and pending ones without changing
anything. Exit 0 on success, 1 on failure, 2 on usage errors.`;

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { status: { type: 'boolean' }, store: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const cfg = resolveStoreConfig(values.store !== undefined ? { url: values.store } : {});
    if (cfg.kind === 'memory') {
      console.log('store: in-memory — no schema to migrate');
      return 0;
    }
    const db = await openStoreSchema(cfg);
    try {
      console.log(`store: ${cfg.display}`);
      if (values.status) {
        for (const s of await db.status()) console.log(`  ${String(s.version).padStart(4, '0')}_${s.name}  ${s.state}${s.appliedAt ? ` ${s.appliedAt}` : ''}`);
        return 0;
      }
      const applied = await db.migrate();
      if (!applied.length) console.log('  up to date: nothing to apply');
      for (const m of applied) console.log(`  applied ${String(m.version).padStart(4, '0')}_${m.name}`);
      return 0;
    } catch (err) {
      console.error(`error: ${(err as Error).message}`);
      return 1;
    } finally {
      await db.close();
    }
  });
}

/**
 * Store selection: `SOLRULES_STORE` (or an explicit setting) picks the implementation.
 *
 *   unset / `pglite`          PGlite under `<project>/.solrules/store` (the embedded default)
 *   `pglite:<dir>`            PGlite in `<dir>`
 *   `memory`                  in-memory, nothing persisted
 *   `postgres://…`            PostgreSQL (also `postgresql://…`)
 */
import { isAbsolute, resolve } from 'node:path';
import { SolrulesError } from '../../errors/index.ts';
import { redactUrl } from '../health/index.ts';
import type { Store } from './store.ts';

export type StoreConfig =
  | { kind: 'memory'; display: string }
  | { kind: 'pglite'; dir: string; display: string }
  | { kind: 'postgres'; url: string; display: string };

export interface OpenStoreOptions {
  /** Overrides SOLRULES_STORE. */
  url?: string;
  /** Project root the embedded store lives in (default: the working directory). */
  projectDir?: string;
  /** Apply pending migrations on open (default true). */
  migrate?: boolean;
}

/** Which store the options and environment select, without opening it. */
export function resolveStoreConfig(opts: OpenStoreOptions = {}): StoreConfig {
  const raw = (opts.url ?? process.env.SOLRULES_STORE ?? '').trim();
  const projectDir = opts.projectDir ?? process.cwd();
  if (raw === '' || raw === 'pglite') {
    const dir = resolve(projectDir, '.solrules', 'store');
    return { kind: 'pglite', dir, display: `PGlite (embedded) at ${dir}` };
  }
  if (raw.startsWith('pglite:')) {
    const path = raw.slice('pglite:'.length);
    const dir = isAbsolute(path) ? path : resolve(projectDir, path);
    return { kind: 'pglite', dir, display: `PGlite (embedded) at ${dir}` };
  }
  if (raw === 'memory') return { kind: 'memory', display: 'in-memory (nothing persisted)' };
  if (/^postgres(ql)?:\/\//.test(raw)) return { kind: 'postgres', url: raw, display: `PostgreSQL at ${redactUrl(raw)}` };
  throw new SolrulesError(
    'STORE_CONFIG',
    `SOLRULES_STORE must be 'pglite', 'pglite:<dir>', 'memory' or a postgres:// URL; got '${redactUrl(raw)}'`,
    { field: 'SOLRULES_STORE', value: redactUrl(raw) },
  );
}

/** Opens the selected store (PGlite in the project by default), migrated and ready. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const cfg = resolveStoreConfig(opts);
  const migrate = opts.migrate ?? true;
  switch (cfg.kind) {
    case 'memory': {
      const { MemoryStore } = await import('./memory.ts');
      return new MemoryStore();
    }
    case 'pglite': {
      const { openPgliteStore } = await import('./pglite/index.ts');
      return openPgliteStore(cfg.dir, { migrate });
    }
    case 'postgres': {
      const { openPostgresStore } = await import('./postgres/index.ts');
      return openPostgresStore(cfg.url, { migrate });
    }
  }
}

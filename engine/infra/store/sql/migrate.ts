/**
 * Versioned migrations: `engine/infra/store/migrations/NNNN_name.sql`, applied in order, each once,
 * recorded with a checksum in `solrules_migrations`. PostgreSQL and PGlite run the same files.
 * All pending migrations apply in one transaction under an advisory lock, so two engines
 * starting at once neither race nor leave a half-migrated schema.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { SolrulesError } from '../../../errors/index.ts';
import type { SqlDb } from './db.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  state: 'applied' | 'pending' | 'changed';
  appliedAt?: string;
}

/** Folder of the shipped migrations. */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));

/** An advisory-lock key of our own (any constant works; this one reads "solrules"). */
const LOCK_KEY = 0x736f6c72;

/** Reads the migration files of `dir`, ordered by version. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const out: Migration[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.sql')) continue;
    const m = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new SolrulesError('STORE_MIGRATION_NAME', `migration file '${file}' must be named NNNN_name.sql`, { file: join(dir, file) });
    const sql = readFileSync(join(dir, file), 'utf8');
    const version = Number(m[1]);
    if (out.some((x) => x.version === version)) throw new SolrulesError('STORE_MIGRATION_NAME', `two migrations have version ${version}`, { file: join(dir, file) });
    out.push({ version, name: m[2]!, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS solrules_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: Date;
}

async function applied(query: SqlDb['query']): Promise<AppliedRow[]> {
  const exists = await query<{ t: string | null }>(`SELECT to_regclass('solrules_migrations')::text AS t`);
  if (!exists[0]?.t) return [];
  return query<AppliedRow>('SELECT version, name, checksum, applied_at FROM solrules_migrations ORDER BY version');
}

/** What is applied, pending, or changed since it was applied (a file edited after the fact). */
export async function migrationStatus(db: SqlDb, migrations = loadMigrations()): Promise<MigrationStatus[]> {
  const rows = new Map((await applied(db.query)).map((r) => [Number(r.version), r]));
  const out: MigrationStatus[] = migrations.map((m) => {
    const row = rows.get(m.version);
    if (!row) return { version: m.version, name: m.name, state: 'pending' };
    return { version: m.version, name: m.name, state: row.checksum === m.checksum ? 'applied' : 'changed', appliedAt: new Date(row.applied_at).toISOString() };
  });
  const known = new Set(migrations.map((m) => m.version));
  for (const [version, row] of rows) {
    if (!known.has(version)) {
      throw new SolrulesError(
        'STORE_SCHEMA_NEWER',
        `the database at ${db.location} has migration ${version} (${row.name}) that this version of solrules does not know; upgrade solrules`,
        { location: db.location, version },
      );
    }
  }
  return out;
}

/** Applies every pending migration; returns the ones applied. Refuses when an applied file changed. */
export async function migrate(db: SqlDb, migrations = loadMigrations()): Promise<Migration[]> {
  return db.transaction(async ({ query, exec }) => {
    await query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    await query(CREATE_TABLE);
    const status = await migrationStatus({ ...db, query }, migrations);
    const changed = status.find((s) => s.state === 'changed');
    if (changed) {
      throw new SolrulesError(
        'STORE_MIGRATION_CHANGED',
        `migration ${changed.version} (${changed.name}) was edited after it was applied to ${db.location}; add a new migration instead`,
        { location: db.location, version: changed.version },
      );
    }
    const pending = migrations.filter((m) => status.find((s) => s.version === m.version)?.state === 'pending');
    for (const m of pending) {
      try {
        await exec(m.sql);
      } catch (err) {
        throw new SolrulesError('STORE_MIGRATION_FAILED', `migration ${m.version} (${m.name}) failed on ${db.location}: ${(err as Error).message}`, { location: db.location, version: m.version }, { cause: err });
      }
      await query('INSERT INTO solrules_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
    }
    return pending;
  });
}

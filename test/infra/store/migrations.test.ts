/** Versioned migrations: ordered, applied once, edits and unknown versions refused, concurrent migrators serialized. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgliteDb } from '../../../engine/infra/store/pglite/index.ts';
import { PostgresDb } from '../../../engine/infra/store/postgres/index.ts';
import { loadMigrations, migrate, migrationStatus, MIGRATIONS_DIR } from '../../../engine/infra/store/sql/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { requireService } from '../../support/services.ts';
import { createTestDatabase } from './pgtest.ts';

test('shipped migrations are numbered in order and named NNNN_name.sql', () => {
  const ms = loadMigrations();
  assert.ok(ms.length >= 2);
  assert.deepEqual(ms.map((m) => m.version), ms.map((_, i) => i + 1));
  const dir = mkdtempSync(join(tmpdir(), 'solrules-mig-'));
  try {
    writeFileSync(join(dir, '1_bad.sql'), 'SELECT 1');
    assert.throws(() => loadMigrations(dir), (e: unknown) => isSolrulesError(e, 'STORE_MIGRATION_NAME'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PGlite: applied once; an edited migration and a newer database are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-mig-'));
  const db = await PgliteDb.open();
  try {
    const first = await migrate(db);
    assert.deepEqual(first.map((m) => m.version), loadMigrations().map((m) => m.version));
    assert.deepEqual(await migrate(db), [], 'nothing the second time');
    assert.ok((await migrationStatus(db)).every((s) => s.state === 'applied'));

    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    appendFileSync(join(dir, '0001_core.sql'), '\n-- edited after release\n');
    await assert.rejects(migrate(db, loadMigrations(dir)), (e: unknown) => isSolrulesError(e, 'STORE_MIGRATION_CHANGED') && /migration 1 \(core\) was edited/.test((e as Error).message));

    await db.query(`INSERT INTO solrules_migrations (version, name, checksum) VALUES (9999, 'from_the_future', 'x')`);
    await assert.rejects(migrationStatus(db), (e: unknown) => isSolrulesError(e, 'STORE_SCHEMA_NEWER') && /migration 9999 \(from_the_future\)/.test((e as Error).message));
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PostgreSQL: four engines migrating at once apply each migration exactly once', async (t) => {
  if (!(await requireService(t, 'postgres'))) return;
  const tdb = await createTestDatabase('mig');
  const dbs = Array.from({ length: 4 }, () => new PostgresDb(tdb.url, { max: 1 }));
  try {
    const applied = await Promise.all(dbs.map((d) => migrate(d)));
    const total = applied.reduce((a, x) => a + x.length, 0);
    assert.equal(total, loadMigrations().length, 'each migration applied by exactly one of them');
    const rows = await dbs[0]!.query<{ n: number }>('SELECT count(*)::int AS n FROM solrules_migrations');
    assert.equal(rows[0]!.n, loadMigrations().length);
  } finally {
    for (const d of dbs) await d.close();
    await tdb.drop();
  }
});

/**
 * A new embedded store starts as a copy of a migrated template (engine/infra/store/pglite/template.ts):
 * the copy is a full, independent store; the template is keyed by the migrations, so a changed
 * migration never reuses an old one, and a template lacking a migration is completed by the
 * migrations on open; two stores making the template at once both end good, with one template.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteStore, PgliteDb, templateKey, templatesDir } from '../../../engine/infra/store/pglite/index.ts';
import { loadMigrations, migrate, migrationStatus } from '../../../engine/infra/store/sql/index.ts';
import { makeOrder } from './orders.ts';

/** Runs `fn` with SOLRULES_PGLITE_TEMPLATES pointing at a fresh folder. */
async function withTemplates(fn: (root: string, tmp: string) => Promise<void>): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'solrules-template-'));
  const saved = process.env.SOLRULES_PGLITE_TEMPLATES;
  const root = join(tmp, 'templates');
  process.env.SOLRULES_PGLITE_TEMPLATES = root;
  try {
    await fn(root, tmp);
  } finally {
    if (saved === undefined) delete process.env.SOLRULES_PGLITE_TEMPLATES;
    else process.env.SOLRULES_PGLITE_TEMPLATES = saved;
    rmSync(tmp, { recursive: true, force: true });
  }
}

test('templates live under SOLRULES_PGLITE_TEMPLATES, the user cache by default, and are off with `off`', () => {
  assert.equal(templatesDir({ SOLRULES_PGLITE_TEMPLATES: 'off' }), undefined);
  assert.equal(templatesDir({ SOLRULES_PGLITE_TEMPLATES: '/x/t' }), '/x/t');
  assert.equal(templatesDir({ XDG_CACHE_HOME: '/c' }), '/c/solrules/pglite-templates');
});

test('the template key changes with any migration: an edited or an added one', () => {
  const ms = loadMigrations();
  const base = templateKey(ms);
  assert.equal(templateKey(loadMigrations()), base, 'the same migrations, the same key');
  const edited = ms.map((m, i) => (i === 0 ? { ...m, checksum: `${m.checksum}0` } : m));
  assert.notEqual(templateKey(edited), base);
  assert.notEqual(templateKey([...ms, { version: 9999, name: 'later', sql: 'SELECT 1', checksum: 'abc' }]), base);
});

test('new stores: two made at once with no template both build it, one stays; later ones, on disk or in memory, are copies, fully migrated, dated now, independent', async () => {
  await withTemplates(async (root, tmp) => {
    const migrated = loadMigrations().map(() => 'applied');
    const [a, b] = await Promise.all([openPgliteStore(join(tmp, 'a')), openPgliteStore(join(tmp, 'b'))]);
    try {
      assert.deepEqual(readdirSync(root).sort(), [templateKey(), `${templateKey()}.tar`], 'one template (and its tarball), no scratch left');
      for (const s of [a, b]) assert.deepEqual((await migrationStatus(s.db)).map((x) => x.state), migrated);
    } finally {
      await b.close();
    }
    const order = makeOrder(1, 'dca');
    await a.insertOrder(order);
    await a.close();

    const before = Date.now();
    const c = await openPgliteStore(join(tmp, 'c'));
    try {
      const status = await migrationStatus(c.db);
      assert.deepEqual(status.map((x) => x.state), migrated);
      for (const s of status) assert.ok(Date.parse(s.appliedAt!) >= before - 1_000, `migration ${s.version} is dated when this store was made`);
      assert.equal(await c.getOrder(order.id), undefined, 'c holds nothing of a: each store is its own copy');
      assert.equal((await c.listOrders()).length, 0);
    } finally {
      await c.close();
    }
    const memory = await openPgliteStore(); // in memory: loaded from the template's tarball
    try {
      const status = await migrationStatus(memory.db);
      assert.deepEqual(status.map((x) => x.state), migrated);
      for (const s of status) assert.ok(Date.parse(s.appliedAt!) >= before - 1_000, `in memory: migration ${s.version} is dated when this store was made`);
      assert.equal(await memory.getOrder(order.id), undefined);
      await memory.insertOrder(order);
      assert.equal((await memory.getOrder(order.id))?.order.id, order.id);
    } finally {
      await memory.close();
    }
    const again = await openPgliteStore(join(tmp, 'a'));
    assert.equal((await again.getOrder(order.id))?.order.id, order.id, 'an existing store is opened, not replaced');
    await again.close();
    assert.ok(!readdirSync(tmp).some((f) => f.includes('.tmp-')), 'no copy left half-made');
    assert.deepEqual(readdirSync(root).sort(), [templateKey(), `${templateKey()}.tar`], 'the template is still the only one');
  });
});

test('a template missing the latest migration (made before it was added) gets it on open', async () => {
  await withTemplates(async (root, tmp) => {
    const all = loadMigrations();
    // plant, under the current key, a template migrated without the last migration
    const db = await PgliteDb.open(join(root, templateKey(all)));
    await migrate(db, all.slice(0, -1));
    await db.close();

    const store = await openPgliteStore(join(tmp, 's'));
    try {
      const status = await migrationStatus(store.db);
      assert.deepEqual(status.map((s) => s.state), all.map(() => 'applied'), 'the last migration was applied on open');
    } finally {
      await store.close();
    }
  });
});

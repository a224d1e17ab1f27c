/** Store selection: SOLRULES_STORE (or an explicit URL) picks PGlite in the project by default, memory, or PostgreSQL. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore, openStore, resolveStoreConfig } from '../../../engine/infra/store/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { requireService } from '../../support/services.ts';
import { createTestDatabase } from './pgtest.ts';
import { makeOrder } from './orders.ts';

test('selection: the embedded default lives in <project>/.solrules/store; other values are parsed or refused', () => {
  const saved = process.env.SOLRULES_STORE;
  delete process.env.SOLRULES_STORE;
  try {
    assert.deepEqual(resolveStoreConfig({ projectDir: '/p' }), { kind: 'pglite', dir: '/p/.solrules/store', display: 'PGlite (embedded) at /p/.solrules/store' });
    assert.equal(resolveStoreConfig({ url: 'pglite:data/s', projectDir: '/p' }).kind, 'pglite');
    assert.equal((resolveStoreConfig({ url: 'pglite:data/s', projectDir: '/p' }) as { dir: string }).dir, '/p/data/s');
    assert.equal(resolveStoreConfig({ url: 'memory' }).kind, 'memory');
    const pg = resolveStoreConfig({ url: 'postgres://u:secret@db:5432/x' });
    assert.equal(pg.kind, 'postgres');
    assert.ok(!pg.display.includes('secret'), 'no password in what is shown');
    process.env.SOLRULES_STORE = 'postgresql://db/x';
    assert.equal(resolveStoreConfig().kind, 'postgres');
    assert.throws(() => resolveStoreConfig({ url: 'mysql://u:pw@h/x' }), (e: unknown) => isSolrulesError(e, 'STORE_CONFIG') && !(e as Error).message.includes('pw@'));
  } finally {
    if (saved === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = saved;
  }
});

test('openStore opens each kind migrated and ready', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-open-'));
  try {
    assert.ok((await openStore({ url: 'memory' })) instanceof MemoryStore);
    const embedded = await openStore({ url: 'pglite', projectDir: dir });
    assert.equal(await embedded.insertOrder(makeOrder(1)), true);
    await embedded.close();
    assert.ok(existsSync(join(dir, '.solrules', 'store')));
    if (!(await requireService(t, 'postgres'))) return;
    const db = await createTestDatabase('open');
    try {
      const server = await openStore({ url: db.url });
      assert.equal(await server.insertOrder(makeOrder(1)), true);
      await server.close();
    } finally {
      await db.drop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPgliteStore } from '../../../engine/infra/store/pglite/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { storeContract } from './contract.ts';
import { assertGroupWriteAtomic, assertStateAndOutboxAtomic } from './outbox-atomic.ts';
import { makeOrder, paperReport } from './orders.ts';

storeContract('PGlite (in memory)', async () => ({ store: await openPgliteStore(), cleanup: async () => {} }));

test('PGlite on disk: data survives a reopen; a second open of the same directory is refused while the first is live', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-pglite-'));
  try {
    const data = join(dir, 'store');
    const a = await openPgliteStore(data);
    const o = makeOrder(1, 'dca');
    await a.insertOrder(o, 'submitted');
    await a.recordExecution(paperReport(o));
    await a.saveStrategyState('dca', { positionAtoms: '123456789012345678901234567890', buys: 4 });
    assert.ok(existsSync(`${data}.lock`));
    await assert.rejects(openPgliteStore(data), (e: unknown) => isSolrulesError(e, 'STORE_LOCKED'));
    await a.close();
    assert.ok(!existsSync(`${data}.lock`), 'close releases the lock');

    const b = await openPgliteStore(data);
    assert.deepEqual(await b.loadStrategyState('dca'), { positionAtoms: '123456789012345678901234567890', buys: 4 });
    assert.equal((await b.getOrder(o.id))?.status, 'filled');
    assert.equal((await b.listExecutions(o.id))[0]?.amountIn, o.amountIn);
    await b.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PGlite on disk: a store whose applied migration was edited is refused, and the failed open releases its lock', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-pglite-'));
  try {
    const data = join(dir, 'store');
    const a = await openPgliteStore(data);
    await a.db.query(`UPDATE solrules_migrations SET checksum = 'edited' WHERE version = 1`);
    await a.close();
    await assert.rejects(openPgliteStore(data), (e: unknown) => isSolrulesError(e, 'STORE_MIGRATION_CHANGED'));
    assert.ok(!existsSync(`${data}.lock`), 'the failed open closed the database and released the lock');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PGlite: a strategy state and its outbox commit together (one strategy, or a group write of several with removals): an outbox row that cannot be written leaves everything as it was', async () => {
  const store = await openPgliteStore();
  try {
    await assertStateAndOutboxAtomic(store);
    await assertGroupWriteAtomic(store);
  } finally {
    await store.close();
  }
});

/**
 * A commit whose acknowledgement is lost (the connection drops after COMMIT reached the
 * server) makes the driver re-run the transaction. The store's nonces make the re-run report
 * the truth: the first try's write is recognized as its own, not as someone else's duplicate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgliteDb } from '../../../../engine/infra/store/pglite/index.ts';
import { SqlStore, migrate, type SqlDb, type Tx } from '../../../../engine/infra/store/sql/index.ts';
import { makeOrder, paperReport } from '../orders.ts';

/** Commits each transaction, then once per call behaves as if the ack was lost: runs it again. */
function lostCommitAck(db: SqlDb): SqlDb & { reruns: number } {
  const wrapped = {
    kind: db.kind,
    location: db.location,
    reruns: 0,
    query: db.query,
    exec: (sql: string) => db.exec(sql),
    close: () => db.close(),
    async transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      await db.transaction(fn); // committed; the caller never hears back
      wrapped.reruns++;
      return db.transaction(fn);
    },
  };
  return wrapped;
}

test('a transaction re-run after a lost commit ack reports its own write, not a duplicate', async () => {
  const db = await PgliteDb.open();
  await migrate(db);
  const flaky = lostCommitAck(db);
  const store = new SqlStore(flaky);
  const o = makeOrder(1);
  assert.equal(await store.insertOrder(o), true, 'insertOrder after a lost ack');
  assert.equal(await store.recordExecution(paperReport(o)), true, 'recordExecution after a lost ack');
  assert.equal(await store.recordSubmission({ orderId: o.id, attempt: 1, executor: 'rpc', at: '2024-01-01T00:00:00Z' }), true);
  assert.equal(flaky.reruns, 3);
  // A genuinely second call is still a duplicate.
  assert.equal(await store.insertOrder(o), false);
  assert.equal(await store.recordExecution(paperReport(o)), false);
  assert.equal((await store.listExecutions()).length, 1);
  await store.close();
});

/** The outbox write on a SQL store: the strategy states and the outbox rows commit together or not at all. */
import assert from 'node:assert/strict';
import type { SqlStore } from '../../../engine/infra/store/sql/index.ts';
import { makeOrder } from './orders.ts';

/** Makes every new outbox row fail its check (a write cut off half-way) and asserts the state was rolled back with them. */
export async function assertStateAndOutboxAtomic(store: SqlStore): Promise<void> {
  const [a, b] = [makeOrder(1, 'grid'), makeOrder(2, 'grid')];
  await store.writeOutbox([{ strategy: 'grid', state: { allocations: {} }, orders: [] }]);
  await store.db.query('ALTER TABLE order_outbox ADD CONSTRAINT refuse_rows CHECK (false) NOT VALID');
  await assert.rejects(store.writeOutbox([{ strategy: 'grid', state: { allocations: { [a.id]: 1, [b.id]: 1 } }, orders: [a, b] }]));
  assert.deepEqual(await store.loadStrategyState('grid'), { allocations: {} }, 'the state that counts the orders as sent was rolled back with them');
  assert.deepEqual(await store.listOutbox('grid'), []);
  await store.db.query('ALTER TABLE order_outbox DROP CONSTRAINT refuse_rows');
  await store.writeOutbox([{ strategy: 'grid', state: { allocations: { [a.id]: 1, [b.id]: 1 } }, orders: [a, b] }]);
  assert.deepEqual((await store.listOutbox('grid')).map((o) => o.id), [a.id, b.id]);
}

/**
 * The group write (several strategies, and the removal of published rows) is one transaction too:
 * one outbox row refused leaves every state, every other row and the rows to remove as they were.
 */
export async function assertGroupWriteAtomic(store: SqlStore): Promise<void> {
  const [a, b, c] = [makeOrder(11, 'group-grid'), makeOrder(12, 'group-dca'), makeOrder(13, 'group-grid')];
  await store.writeOutbox([{ strategy: 'group-grid', state: { n: 1 }, orders: [a] }, { strategy: 'group-dca', state: { n: 1 }, orders: [] }]);
  // Refuses only c's row: the write's other parts (dca's state and row b, grid's state, a's removal) must roll back with it.
  await store.db.query(`ALTER TABLE order_outbox ADD CONSTRAINT refuse_c CHECK (order_id <> '${c.id}') NOT VALID`);
  await assert.rejects(store.writeOutbox([{ strategy: 'group-dca', state: { n: 2 }, orders: [b] }, { strategy: 'group-grid', state: { n: 2 }, orders: [c] }], [a.id]));
  assert.deepEqual(await store.loadStrategyState('group-dca'), { n: 1 }, 'another strategy\'s state in the same write rolled back');
  assert.deepEqual(await store.loadStrategyState('group-grid'), { n: 1 });
  assert.deepEqual(await store.listOutbox('group-dca'), [], 'and its row');
  assert.deepEqual((await store.listOutbox('group-grid')).map((o) => o.id), [a.id], 'and the removal of a published row');
  await store.db.query('ALTER TABLE order_outbox DROP CONSTRAINT refuse_c');
  await store.writeOutbox([{ strategy: 'group-dca', state: { n: 2 }, orders: [b] }, { strategy: 'group-grid', state: { n: 2 }, orders: [c] }], [a.id]);
  assert.deepEqual((await store.listOutbox('group-grid')).map((o) => o.id), [c.id]);
  assert.deepEqual((await store.listOutbox('group-dca')).map((o) => o.id), [b.id]);
}

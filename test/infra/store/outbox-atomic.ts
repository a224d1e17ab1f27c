/** The outbox write on a SQL store: the strategy state and the outbox rows commit together or not at all. */
import assert from 'node:assert/strict';
import type { SqlStore } from '../../../engine/infra/store/sql/index.ts';
import { makeOrder } from './orders.ts';

/** Makes every new outbox row fail its check (a write cut off half-way) and asserts the state was rolled back with them. */
export async function assertStateAndOutboxAtomic(store: SqlStore): Promise<void> {
  const [a, b] = [makeOrder(1, 'grid'), makeOrder(2, 'grid')];
  await store.saveStateAndOutbox('grid', { allocations: {} }, []);
  await store.db.query('ALTER TABLE order_outbox ADD CONSTRAINT refuse_rows CHECK (false) NOT VALID');
  await assert.rejects(store.saveStateAndOutbox('grid', { allocations: { [a.id]: 1, [b.id]: 1 } }, [a, b]));
  assert.deepEqual(await store.loadStrategyState('grid'), { allocations: {} }, 'the state that counts the orders as sent was rolled back with them');
  assert.deepEqual(await store.listOutbox('grid'), []);
  await store.db.query('ALTER TABLE order_outbox DROP CONSTRAINT refuse_rows');
  await store.saveStateAndOutbox('grid', { allocations: { [a.id]: 1, [b.id]: 1 } }, [a, b]);
  assert.deepEqual((await store.listOutbox('grid')).map((o) => o.id), [a.id, b.id]);
}

/**
 * The historical loader reads what is unfinished, not all history: with 500 finished orders (each
 * with its submission and execution) and 2 pending ones, start-up reads the executions and
 * submissions of the 2 pending orders only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, loadHistory, type Store } from '../../../engine/infra/store/index.ts';
import { makeOrder, paperReport } from './orders.ts';

test('loadHistory reads executions and submissions of pending orders only', async () => {
  const store = new MemoryStore();
  for (let i = 0; i < 500; i++) {
    const o = makeOrder(i);
    await store.insertOrder(o, 'submitted');
    await store.recordSubmission({ orderId: o.id, attempt: 1, executor: 'paper', wallet: 'w', signature: `sig-${i}`, at: o.createdAt });
    await store.recordExecution(paperReport(o));
  }
  const unsent = makeOrder(1000);
  const sent = makeOrder(1001);
  await store.insertOrder(unsent, 'decided');
  await store.insertOrder(sent, 'submitted');
  await store.recordSubmission({ orderId: sent.id, attempt: 1, executor: 'paper', wallet: 'w', signature: 'sig-pending', at: sent.createdAt });

  let rows = 0;
  const unbounded: string[] = [];
  const counting = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        if ((prop === 'listExecutions' || prop === 'listSubmissions') && args[0] === undefined) unbounded.push(String(prop));
        const out = await v.apply(target, args);
        if (Array.isArray(out) && (prop === 'listExecutions' || prop === 'listSubmissions')) rows += out.length;
        return out;
      };
    },
  }) as Store;
  const h = await loadHistory(counting, []);
  assert.deepEqual(h.unsent.map((o) => o.order.id), [unsent.id]);
  assert.deepEqual(h.inFlight.map((x) => [x.order.order.id, x.submissions.map((s) => s.signature)]), [[sent.id, ['sig-pending']]]);
  assert.deepEqual(unbounded, [], 'no query over all executions or submissions');
  assert.equal(rows, 1, 'one submission row read, of 501 stored');
});

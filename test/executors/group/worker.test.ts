/** Executor workers in a queue group, in one process: three members, redeliveries, a dead worker's claim. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../../engine/infra/cache/index.ts';
import { ExecutorWorker, type Executor, type GroupOptions } from '../../../engine/executors/index.ts';
import { MemoryStore } from '../../../engine/infra/store/index.ts';
import { createLogger } from '../../../engine/infra/telemetry/index.ts';
import { CountingExecutor, routedOrder } from './support.ts';
import { routedToJson } from '../../../engine/messages/index.ts';

const log = createLogger({ level: 'warn' });
const groupWorker = (bus: MemoryBus, store: MemoryStore, exec: Executor, group: GroupOptions) => new ExecutorWorker({ bus, store, executorFor: () => exec, now: () => new Date(), log, group });

test('three workers in one queue group: 600 orders, each executed once, a redelivered order skipped', async () => {
  const bus = new MemoryBus();
  const store = new MemoryStore();
  const cache = new MemoryCache();
  const exec = new CountingExecutor();
  const workers = [1, 2, 3].map((i) => groupWorker(bus, store, exec, { cache, workerId: `w${i}` }));
  for (const w of workers) await w.start();
  for (let i = 0; i < 600; i++) await bus.publish('execution.orders', routedToJson(routedOrder(i)), { msgId: `route:${i}` });
  await bus.settle();
  // A redelivery (e.g. an ack lost with the connection) of an order already done:
  await bus.publish('execution.orders', routedToJson(routedOrder(7)));
  await bus.settle();
  const executed = workers.map((w) => w.stats.executed);
  assert.equal(executed.reduce((a, b) => a + b, 0), 600);
  assert.ok(executed.every((n) => n > 0), `all three worked: ${executed.join('/')}`);
  assert.equal(exec.invocations.size, 600);
  assert.ok([...exec.invocations.values()].every((n) => n === 1));
  assert.equal((await store.listExecutions()).length, 600);
  assert.equal(workers.reduce((a, w) => a + w.stats.alreadyDone, 0), 1);
  assert.equal((await store.listOrders({ status: ['filled'] })).length, 600);
});

test('an order submitted by a worker that died is reconciled before anything is sent again', async () => {
  const bus = new MemoryBus();
  const store = new MemoryStore();
  const cache = new MemoryCache();
  const exec = new CountingExecutor();
  const r = routedOrder(1);
  // What a dead worker left: the submission, no report, and its lock (expired by now).
  await store.insertOrder(r.order, 'submitted');
  await store.recordSubmission({ orderId: r.order.id, attempt: 1, executor: 'rpc', workerId: 'dead', signature: 'sigDead', at: new Date().toISOString() });
  const checked: string[] = [];
  const landed = { ...(await exec.execute(r)), signature: 'sigDead' };
  exec.invocations.clear();
  const w = groupWorker(bus, store, exec, {
    cache, workerId: 'w2',
    reconcile: async (_r, subs) => {
      checked.push(subs.map((s) => s.signature).join(','));
      return landed; // it did land on chain
    },
  });
  await w.start();
  await bus.publish('execution.orders', routedToJson(r));
  await bus.settle();
  assert.deepEqual(checked, ['sigDead']);
  assert.equal(exec.invocations.size, 0, 'nothing executed again');
  assert.equal((await store.listExecutions(r.order.id))[0]?.signature, 'sigDead');
  assert.equal(w.stats.reconciled, 1);
});

test('a worker whose lease ran out cannot record: the fenced write is refused', async () => {
  const store = new MemoryStore();
  const cache = new MemoryCache();
  const bus = new MemoryBus();
  const r = routedOrder(2);
  let release!: () => void;
  const slow = new CountingExecutor();
  const slowExec = { ...slow, name: 'paper', kind: 'paper', close: async () => {}, execute: async (x: typeof r) => {
    await new Promise<void>((res) => (release = res));
    return slow.execute(x);
  } };
  // a stays alive but stuck: renewals stop at maxHoldMs, as they would for a dead worker.
  const a = groupWorker(bus, store, slowExec, { cache, workerId: 'a', lockTtlMs: 50, maxHoldMs: 50 });
  const fast = new CountingExecutor();
  const b = groupWorker(bus, store, fast, { cache, workerId: 'b', lockTtlMs: 5_000 });
  const msg = (n: number) => ({ subject: 'execution.orders', data: routedToJson(r), headers: {}, msgId: undefined, deliveryCount: n, ack() {}, nak() {}, term() {}, respond() {}, inProgress() {} });
  const first = a.handle(msg(1)); // takes the lock, then stalls past its 50 ms lease
  await new Promise((res) => setTimeout(res, 120));
  await b.handle(msg(2)); // the redelivery: lease expired, b takes over with a newer token and finishes
  release();
  await first;
  assert.equal(b.stats.executed, 1);
  assert.equal(a.stats.fenced, 1, 'a was refused by the store');
  assert.equal((await store.listExecutions()).length, 1);
  assert.deepEqual((await store.listSubmissions(r.order.id)).map((s) => s.workerId), ['a', 'b']);
});

test('a long execution renews its lease: a redelivery meanwhile waits and finds it done, nothing fenced or run twice', async () => {
  const store = new MemoryStore();
  const cache = new MemoryCache();
  const bus = new MemoryBus();
  const r = routedOrder(3);
  let release!: () => void;
  const slow = new CountingExecutor();
  const slowExec = { ...slow, name: 'paper', kind: 'paper', close: async () => {}, execute: async (x: typeof r) => {
    await new Promise<void>((res) => (release = res));
    return slow.execute(x);
  } };
  // The lease is long enough that a loaded machine's event-loop stalls (up to a second) do not lapse it.
  const a = groupWorker(bus, store, slowExec, { cache, workerId: 'a', lockTtlMs: 1_000, retryMs: 10 });
  const fast = new CountingExecutor();
  const b = groupWorker(bus, store, fast, { cache, workerId: 'b', lockTtlMs: 5_000, retryMs: 10 });
  const msg = (n: number) => ({ subject: 'execution.orders', data: routedToJson(r), headers: {}, msgId: undefined, deliveryCount: n, ack() {}, nak() {}, term() {}, respond() {}, inProgress() {} });
  const first = a.handle(msg(1));
  await new Promise((res) => setTimeout(res, 3_200)); // over three lease lengths
  const second = b.handle(msg(2)); // waits on a's renewed claim
  await new Promise((res) => setTimeout(res, 100));
  release();
  await first;
  await second;
  assert.ok(a.stats.leaseRenewals >= 3, `a renewed its lease (${a.stats.leaseRenewals} renewals)`);
  assert.equal(a.stats.leasesLost, 0);
  assert.equal(a.stats.fenced, 0, 'a kept its claim to the end');
  assert.deepEqual([a.stats.executed, b.stats.executed], [1, 0]);
  assert.ok(b.stats.lockWaits > 0, "b waited on a's claim");
  assert.equal(fast.invocations.size, 0, 'b ran nothing');
  assert.equal((await store.listExecutions()).length, 1);
});

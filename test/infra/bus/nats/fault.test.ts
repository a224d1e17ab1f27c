/**
 * Fault test on our own nats-server (another loopback port, its own store dir): 10,000 orders
 * published while the server is SIGKILLed and restarted mid-stream. Publishers retry with the
 * same Nats-Msg-Id, the consumer reconnects and resumes; every order executed exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstreamManager } from '@nats-io/jetstream';
import { MemoryCache } from '../../../../engine/infra/cache/index.ts';
import { ExecutorWorker } from '../../../../engine/executors/index.ts';
import { MemoryStore } from '../../../../engine/infra/store/index.ts';
import { createLogger, setLogger } from '../../../../engine/infra/telemetry/index.ts';
import { requireBinary, startOwnServer } from '../../../support/servers.ts';
import { CountingExecutor, routedOrder } from '../../../executors/group/support.ts';
import { openTestBus } from './support.ts';
import { routedToJson } from '../../../../engine/messages/index.ts';

setLogger(createLogger({ level: 'error' }));
const ORDERS = 10_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`nats-server killed and restarted mid-stream: ${ORDERS} orders, each executed exactly once`, { timeout: 180_000 }, async (t) => {
  if (!requireBinary(t, 'nats-server')) return;
  const server = await startOwnServer('nats');
  const ns = 'fault';
  const publisher = await openTestBus(server.url, ns, { publishRetryMs: 60_000 });
  const workerBus = await openTestBus(server.url, ns, { ackWaitMs: 3_000, maxInflight: 64 });
  const store = new MemoryStore();
  let deliveries = 0;
  const exec = new CountingExecutor();
  const worker = new ExecutorWorker({ bus: workerBus, store, executorFor: () => exec, now: () => new Date(), group: { cache: new MemoryCache(), workerId: 'w1' } });
  const handle = worker.handle.bind(worker);
  worker.handle = async (msg) => {
    deliveries++;
    return handle(msg);
  };
  try {
    await worker.start();
    let published = 0;
    let killedAt = -1;
    let downMs = 0;
    const killer = (async () => {
      while (published < ORDERS * 0.4) await sleep(5);
      killedAt = published;
      const t0 = Date.now();
      await server.kill('SIGKILL');
      await sleep(1_000);
      await server.start();
      downMs = Date.now() - t0;
    })();
    const window = 64;
    for (let i = 0; i < ORDERS; i += window) {
      await Promise.all(
        Array.from({ length: Math.min(window, ORDERS - i) }, async (_, k) => {
          const r = routedOrder(i + k);
          await publisher.publish('execution.orders', routedToJson(r), { msgId: `route:${r.order.id}` });
          published++;
        }),
      );
    }
    await killer;
    const deadline = Date.now() + 120_000;
    while ((await store.listExecutions()).length < ORDERS && Date.now() < deadline) await sleep(100);
    await workerBus.settle();

    const jsm = await jetstreamManager(publisher.nc);
    const info = await jsm.streams.info('FAULT_EXECUTION', { subjects_filter: 'fault.execution.orders' });
    const stored = info.state.subjects?.['fault.execution.orders'] ?? 0;
    const executions = await store.listExecutions();
    const twice = [...exec.invocations.values()].filter((n) => n > 1).length;
    console.log(
      `nats fault test: ${ORDERS} orders published; server SIGKILLed after ${killedAt} and back after ${downMs} ms;` +
        ` ${publisher.publishRetries} publish retries (same msg id); stream holds ${stored} order messages;` +
        ` ${deliveries} deliveries to the worker, ${worker.stats.alreadyDone} redeliveries of done orders skipped;` +
        ` executed ${executions.length} (${new Set(executions.map((e) => e.orderId)).size} distinct), executed twice ${twice}, lost ${ORDERS - executions.length}`,
    );
    assert.ok(killedAt > 0 && killedAt < ORDERS, 'the server was killed mid-stream');
    assert.equal(stored, ORDERS, 'each order stored once despite retried publishes');
    assert.equal(executions.length, ORDERS, 'none lost');
    assert.equal(new Set(executions.map((e) => e.orderId)).size, ORDERS);
    assert.equal(exec.invocations.size, ORDERS);
    assert.equal(twice, 0, 'none executed twice');
  } finally {
    await worker.stop().catch(() => undefined);
    await workerBus.close().catch(() => undefined);
    await publisher.close().catch(() => undefined);
    await server.dispose();
  }
});

/** JetStream specifics on the machine's NATS: stream limits, dedup, durable resume, crash redelivery, poison dead-lettering. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { nanos } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, DUPLICATE_WINDOW_MS } from '../../../../engine/infra/bus/nats/index.ts';
import { requireService, SERVICES } from '../../../support/services.ts';
import { deleteNamespace, openTestBus, testNamespace, TEST_STREAM_LIMITS } from './support.ts';
import { waitUntil } from '../../../support/wait.ts';

const url = SERVICES.nats.url;
const ns = testNamespace('js');
after(() => deleteNamespace(url, ns).catch(() => undefined));

const until = (cond: () => boolean, ms = 10_000) => waitUntil(cond, { timeoutMs: ms, intervalMs: 5 });

test('streams: file storage, bounded by age and size, 2-minute duplicate window, namespaced subjects', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const bus = await openTestBus(url, ns);
  try {
    const jsm = await jetstreamManager(bus.nc);
    for (const [key, spec] of Object.entries(STREAMS)) {
      const info = await jsm.streams.info(`${ns.toUpperCase()}_${spec.name}`);
      assert.deepEqual(info.config.subjects, [`${ns}.${spec.subject}`]);
      assert.equal(info.config.storage, 'file');
      assert.equal(info.config.max_age, nanos(spec.maxAgeMs));
      assert.equal(info.config.max_bytes, TEST_STREAM_LIMITS![key as keyof typeof STREAMS]!.maxBytes);
      assert.equal(info.config.duplicate_window, nanos(DUPLICATE_WINDOW_MS));
    }
    assert.equal(STREAMS.market.maxAgeMs, 3_600_000);
    assert.ok(STREAMS.execution.maxAgeMs > STREAMS.market.maxAgeMs && STREAMS.opportunities.maxAgeMs > STREAMS.market.maxAgeMs);
  } finally {
    await bus.close();
  }
});

test('Nats-Msg-Id: an order republished with its id is stored once', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const bus = await openTestBus(url, ns);
  try {
    const jsm = await jetstreamManager(bus.nc);
    const stream = `${ns.toUpperCase()}_OPPORTUNITIES`;
    const before = (await jsm.streams.info(stream)).state.messages;
    for (let i = 0; i < 3; i++) await bus.publish('trade.opportunities.grid', { id: 'ord_x' }, { msgId: 'ord_x' });
    await bus.publish('trade.opportunities.grid', { id: 'ord_y' }, { msgId: 'ord_y' });
    assert.equal((await jsm.streams.info(stream)).state.messages - before, 2);
  } finally {
    await bus.close();
  }
});

test('a durable consumer resumes where it stopped: messages published while it was away are delivered once', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const first: number[] = [];
  const b1 = await openTestBus(url, ns);
  await b1.subscribe<number>('execution.resume', (m) => void first.push(m.data), { durable: 'resume' });
  for (let i = 0; i < 5; i++) await b1.publish('execution.resume', i);
  await until(() => first.length === 5);
  await b1.close();
  const b2 = await openTestBus(url, ns);
  for (let i = 5; i < 10; i++) await b2.publish('execution.resume', i);
  const second: number[] = [];
  await b2.subscribe<number>('execution.resume', (m) => void second.push(m.data), { durable: 'resume' });
  await until(() => second.length === 5);
  await b2.settle();
  await b2.close();
  assert.deepEqual(first, [0, 1, 2, 3, 4]);
  assert.deepEqual(second.sort((a, b) => a - b), [5, 6, 7, 8, 9]);
});

test('a worker that dies before acking: the message goes to another member after the ack wait', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const a = await openTestBus(url, ns, { ackWaitMs: 400 });
  const b = await openTestBus(url, ns, { ackWaitMs: 400 });
  const got: string[] = [];
  await a.subscribe<string>('execution.crash', async (m) => {
    got.push(`a:${m.data}:${m.deliveryCount}`);
    await new Promise(() => {}); // never finishes: the process "dies" below
  }, { queue: 'crash' });
  await a.publish('execution.crash', 'o1');
  await until(() => got.length === 1);
  await a.nc.close(); // the process is gone: no ack, no nak
  await b.subscribe<string>('execution.crash', (m) => void got.push(`b:${m.data}:${m.deliveryCount}`), { queue: 'crash' });
  await until(() => got.length === 2, 5_000);
  assert.deepEqual(got, ['a:o1:1', 'b:o1:2']);
  await b.close();
});

test('a poison message that keeps killing its worker is dead-lettered, not redelivered forever', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const calls: number[] = [];
  const dead: string[] = [];
  const watcher = await openTestBus(url, ns);
  await watcher.subscribe('dlq.execution.poison', (m) => void dead.push(`${m.headers['solrules-dlq-deliveries']}:${m.headers['solrules-dlq-reason']}`), { durable: 'poison-dlq' });
  await watcher.publish('execution.poison', { bad: true });
  for (let worker = 1; worker <= 3; worker++) {
    const w = await openTestBus(url, ns, { ackWaitMs: 300 });
    await w.subscribe('execution.poison', async (m) => {
      calls.push(m.deliveryCount);
      await new Promise(() => {}); // the handler hangs; the worker is then killed
    }, { queue: 'poison', maxDeliver: 2 });
    await until(() => calls.length === worker || dead.length === 1, 5_000);
    await w.nc.close();
  }
  await until(() => dead.length === 1, 5_000);
  assert.deepEqual(calls, [1, 2], 'the handler ran on deliveries 1 and 2 only');
  assert.match(dead[0]!, /^3:max deliveries \(2\) reached/);
  await watcher.close();
});

test('inProgress() keeps a slow handler from being redelivered', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const bus = await openTestBus(url, ns, { ackWaitMs: 300 });
  const deliveries: number[] = [];
  await bus.subscribe('execution.slow', async (m) => {
    deliveries.push(m.deliveryCount);
    for (let i = 0; i < 9; i++) {
      await new Promise((r) => setTimeout(r, 100));
      m.inProgress();
    }
  }, { durable: 'slow' });
  await bus.publish('execution.slow', 1);
  await until(() => deliveries.length === 1);
  await new Promise((r) => setTimeout(r, 1_300));
  await bus.settle();
  assert.deepEqual(deliveries, [1]);
  await bus.close();
});

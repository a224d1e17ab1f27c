import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, subjectMatches, type BusMessage } from '../../engine/bus/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';

test('subject wildcards follow NATS: * is one token, > the rest', () => {
  assert.ok(subjectMatches('market.prices.*', 'market.prices.SOL'));
  assert.ok(!subjectMatches('market.prices.*', 'market.prices.SOL.x'));
  assert.ok(subjectMatches('trade.opportunities.>', 'trade.opportunities.grid'));
  assert.ok(!subjectMatches('trade.opportunities.>', 'trade.opportunities'));
  assert.ok(subjectMatches('execution.confirmed', 'execution.confirmed'));
  assert.ok(!subjectMatches('execution.confirmed', 'execution.failed'));
});

test('a queue group delivers each message to one member; plain subscribers get all', async () => {
  const bus = new MemoryBus();
  const a: number[] = [];
  const b: number[] = [];
  const all: number[] = [];
  await bus.subscribe<number>('work', (m) => void a.push(m.data), { queue: 'workers' });
  await bus.subscribe<number>('work', (m) => void b.push(m.data), { queue: 'workers' });
  await bus.subscribe<number>('work', (m) => void all.push(m.data));
  for (let i = 0; i < 100; i++) await bus.publish('work', i);
  await bus.settle();
  assert.equal(a.length + b.length, 100);
  assert.ok(a.length > 0 && b.length > 0);
  assert.deepEqual([...a, ...b].sort((x, y) => x - y), all);
  await bus.close();
});

test('a failing handler is redelivered with backoff, then dead-lettered with the reason', async () => {
  const bus = new MemoryBus();
  const deliveries: number[] = [];
  const dead: BusMessage[] = [];
  await bus.subscribe('orders', (m) => {
    deliveries.push(m.deliveryCount);
    throw new Error('executor down');
  }, { maxDeliver: 3, backoffMs: () => 1 });
  await bus.subscribe('dlq.orders', (m) => void dead.push(m));
  await bus.publish('orders', { id: 1 });
  await bus.settle();
  assert.deepEqual(deliveries, [1, 2, 3]);
  assert.equal(dead.length, 1);
  assert.match(dead[0]!.headers['solrules-dlq-reason']!, /max deliveries \(3\).*executor down/);
  assert.deepEqual(dead[0]!.data, { id: 1 });
});

test('nak redelivers; term dead-letters at once; ack stops', async () => {
  const bus = new MemoryBus();
  const seen: string[] = [];
  await bus.subscribe<string>('x', (m) => {
    seen.push(`${m.data}:${m.deliveryCount}`);
    if (m.data === 'nak' && m.deliveryCount < 2) m.nak(1);
    else if (m.data === 'term') m.term('poison');
    else m.ack();
  });
  const dead: string[] = [];
  await bus.subscribe<string>('dlq.x', (m) => void dead.push(`${m.data}:${m.headers['solrules-dlq-reason']}`));
  await bus.publish('x', 'nak');
  await bus.publish('x', 'term');
  await bus.publish('x', 'ok');
  await bus.settle();
  assert.deepEqual(seen.sort(), ['nak:1', 'nak:2', 'ok:1', 'term:1']);
  assert.deepEqual(dead, ['term:poison']);
});

test('a message id is delivered once within the dedup window', async () => {
  const bus = new MemoryBus();
  const got: unknown[] = [];
  await bus.subscribe('trade.opportunities.grid', (m) => void got.push(m.msgId));
  await bus.publish('trade.opportunities.grid', { a: 1 }, { msgId: 'ord_1' });
  await bus.publish('trade.opportunities.grid', { a: 1 }, { msgId: 'ord_1' });
  await bus.publish('trade.opportunities.grid', { a: 2 }, { msgId: 'ord_2' });
  await bus.settle();
  assert.deepEqual(got, ['ord_1', 'ord_2']);
});

test('payloads are copied JSON: handlers cannot mutate each other, bigints are refused with a typed error', async () => {
  const bus = new MemoryBus();
  const seen: unknown[] = [];
  await bus.subscribe<{ n: number }>('s', (m) => {
    m.data.n += 1;
  });
  await bus.subscribe<{ n: number }>('s', (m) => void seen.push(m.data.n));
  await bus.publish('s', { n: 1 });
  await bus.settle();
  assert.deepEqual(seen, [1]);
  await assert.rejects(bus.publish('s', { amount: 1n }), (err) => isSolrulesError(err, 'BUS_ENCODE'));
});

test('request-reply answers, and times out with BUS_TIMEOUT', async () => {
  const bus = new MemoryBus();
  await bus.subscribe<{ q: string }>('control.status', (m) => m.respond({ paused: false, q: m.data.q }));
  assert.deepEqual(await bus.request('control.status', { q: 'x' }), { paused: false, q: 'x' });
  await assert.rejects(bus.request('control.nobody', {}, { timeoutMs: 20 }), (err) => isSolrulesError(err, 'BUS_TIMEOUT'));
  await bus.close();
  await assert.rejects(bus.publish('x', 1), (err) => isSolrulesError(err, 'BUS_CLOSED'));
});

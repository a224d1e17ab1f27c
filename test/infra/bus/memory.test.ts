/** In-process specifics; the behaviour both buses share is tested by the contract suite (memory-contract.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, subjectMatches } from '../../../engine/infra/bus/index.ts';

test('subject wildcards follow NATS: * is one token, > the rest', () => {
  assert.ok(subjectMatches('market.prices.*', 'market.prices.SOL'));
  assert.ok(!subjectMatches('market.prices.*', 'market.prices.SOL.x'));
  assert.ok(subjectMatches('trade.opportunities.>', 'trade.opportunities.grid'));
  assert.ok(!subjectMatches('trade.opportunities.>', 'trade.opportunities'));
  assert.ok(subjectMatches('execution.confirmed', 'execution.confirmed'));
  assert.ok(!subjectMatches('execution.confirmed', 'execution.failed'));
});

test('a queue group shares the messages; a plain subscriber gets all of them in publish order', async () => {
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

test('sharePayloads: handlers get the published object itself, in order, with dedup, queue groups and redelivery kept', async () => {
  const bus = new MemoryBus({ sharePayloads: true });
  const sent = { n: 1, nested: { k: 'v' } };
  const seen: unknown[] = [];
  const group: string[] = [];
  await bus.subscribe('execution.shared', (m) => void seen.push(m.data));
  await bus.subscribe('execution.shared', () => void group.push('a'), { queue: 'q' });
  await bus.subscribe('execution.shared', () => void group.push('b'), { queue: 'q' });
  await bus.publish('execution.shared', sent, { msgId: 'm1' });
  await bus.publish('execution.shared', sent, { msgId: 'm1' }); // a duplicate id is dropped, as on the copying bus
  await bus.publish('execution.shared', { n: 2 });
  await bus.settle();
  assert.equal(seen.length, 2);
  assert.equal(seen[0], sent, 'the handler gets the publisher\'s object, not a copy');
  assert.deepEqual(seen[1], { n: 2 });
  assert.deepEqual(group.sort(), ['a', 'b'], 'each message to one member of the group');
  // A failing handler is still redelivered, then dead-lettered with the same object.
  let tries = 0;
  const dead: unknown[] = [];
  await bus.subscribe('execution.flaky', () => {
    tries += 1;
    throw new Error('boom');
  }, { maxDeliver: 2, backoffMs: () => 1 });
  await bus.subscribe('dlq.execution.flaky', (m) => void dead.push(m.data));
  await bus.publish('execution.flaky', sent);
  await bus.settle();
  assert.equal(tries, 2);
  assert.equal(dead[0], sent);
  await bus.close();
});

test('immediate: a handler starts within the publish (the default starts it a microtask later), in order, with dedup, nak redelivery and dead letters kept', async () => {
  for (const immediate of [false, true]) {
    const bus = new MemoryBus({ sharePayloads: true, immediate });
    const started: string[] = [];
    await bus.subscribe<string>('work', async (m) => {
      started.push(m.data);
      await Promise.resolve();
      started.push(`${m.data} done`);
    });
    const pending = bus.publish('work', 'a');
    assert.deepEqual(started, immediate ? ['a'] : [], 'started up to its first await before publish returned, only when immediate');
    await pending;
    await bus.publish('work', 'b', { msgId: 'b' });
    await bus.publish('work', 'b', { msgId: 'b' }); // dropped by id either way
    await bus.settle();
    assert.deepEqual(started.filter((s) => !s.endsWith('done')), ['a', 'b']);
    assert.equal(started.length, 4);
    // A handler that throws is redelivered, then dead-lettered, as on the default bus.
    let tries = 0;
    const dead: unknown[] = [];
    await bus.subscribe('flaky', () => {
      tries += 1;
      throw new Error('boom');
    }, { maxDeliver: 2, backoffMs: () => 1 });
    await bus.subscribe('dlq.flaky', (m) => void dead.push(m.data));
    await bus.publish('flaky', 'x');
    await bus.settle();
    assert.equal(tries, 2);
    assert.deepEqual(dead, ['x']);
    await bus.close();
  }
});

test('sharePayloads: without tracing no trace context is added; headers given travel as they are', async () => {
  const bus = new MemoryBus({ sharePayloads: true });
  const headers: Array<Readonly<Record<string, string>>> = [];
  await bus.subscribe('execution.h', (m) => void headers.push(m.headers));
  await bus.publish('execution.h', {}, { headers: { 'x-a': '1' } });
  await bus.publish('execution.h', {});
  await bus.settle();
  assert.deepEqual(headers, [{ 'x-a': '1' }, {}]);
  await bus.close();
});

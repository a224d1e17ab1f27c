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

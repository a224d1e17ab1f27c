/** The reference evaluator (json-rules-engine) stays correct under overlapping runs and after a failed run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceEvaluator, type RuleFile } from '../../engine/rules/index.ts';

const file: RuleFile = {
  id: 'f',
  kind: 'strategy',
  strategy: 'f',
  file: 'f.yaml',
  hash: 'x',
  rules: [
    { id: 'high', priority: 10, conditions: { all: [{ fact: 'price', path: 'usd', operator: 'greaterThan', value: 1 }] }, event: { type: 'signal' } },
    { id: 'low', priority: 1, conditions: { all: [{ fact: 'price', path: 'usd', operator: 'greaterThan', value: 1 }] }, event: { type: 'signal' } },
  ],
} as unknown as RuleFile;

test('overlapping runs on one evaluator each see every priority group', async () => {
  const ev = referenceEvaluator.create(file, {});
  const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => ev.evaluate({ price: { usd: 2 + i } })));
  for (const events of runs) assert.deepEqual(events.map((e) => e.ruleId), ['high', 'low']);
});

test('a failed run does not make the next one skip lower-priority rules', async () => {
  const highIn = { id: 'high', priority: 10, conditions: { all: [{ fact: 'price', path: 'usd', operator: 'in', value: { fact: 'levels', path: 'list' } }] }, event: { type: 'signal' } };
  const ev = referenceEvaluator.create({ ...file, rules: [highIn, file.rules[1]!] } as unknown as RuleFile, {});
  // A number where a list belongs makes json-rules-engine's 'in' throw.
  await assert.rejects(Promise.resolve(ev.evaluate({ price: { usd: 2 }, levels: { list: 5 } })));
  const events = await ev.evaluate({ price: { usd: 2 }, levels: { list: [2, 3] } });
  assert.deepEqual(events.map((e) => e.ruleId), ['high', 'low']);
});

/**
 * An unready indicator is null: a rule comparing with it must not fire, from either side, in
 * either evaluator (json-rules-engine alone would compare `5 > null` as `5 > 0`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiledEvaluator, referenceEvaluator, type RuleFile } from '../../engine/rules/index.ts';

const OPS = ['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive'] as const;

function file(conditions: Array<Record<string, unknown>>): RuleFile {
  return {
    id: 'nulls',
    kind: 'strategy',
    strategy: 'x',
    file: 'nulls.yaml',
    hash: 'nulls',
    rules: conditions.map((c, i) => ({ id: `r${i}`, conditions: { all: [c] }, event: { type: 'signal' } })),
  } as unknown as RuleFile;
}

test('a comparison with null on the value side (a fact reference or a literal) is false in both evaluators; a number still compares', async () => {
  const conditions = OPS.flatMap((operator) => [
    { fact: 'bar', path: 'close', operator, value: { fact: 'indicator', path: 'trend.value' } }, // null reference
    { fact: 'bar', path: 'close', operator, value: null }, // null literal
    { fact: 'indicator', path: 'trend.value', operator, value: 5 }, // null fact side
    { fact: 'bar', path: 'close', operator, value: { fact: 'indicator', path: 'fast.value' } }, // a number: 5 vs 4
  ]);
  const facts = { bar: { close: 5 }, indicator: { trend: { value: null }, fast: { value: 4 } } };
  // 5 vs 4: greaterThan and greaterThanInclusive hold; the null rows never do
  const expected = ['r15', 'r11'].sort();
  const compiled = (compiledEvaluator.create(file(conditions), {}).evaluate(facts) as Array<{ ruleId: string }>).map((e) => e.ruleId).sort();
  assert.deepEqual(compiled, expected);
  const reference = (await referenceEvaluator.create(file(conditions), {}).evaluate(facts)).map((e) => e.ruleId).sort();
  assert.deepEqual(reference, expected);
});

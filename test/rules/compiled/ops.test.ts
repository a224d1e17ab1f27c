/** Operators of the compiled evaluator against the shared definitions and json-rules-engine's operator map. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from 'json-rules-engine';
import { CUSTOM_OPERATORS } from '../../../engine/rules/index.ts';
import { BASE_OPERATORS, SERIES_OPERATORS, operatorFunction, resolveOperator } from '../../../engine/rules/compiled/ops.ts';

const sparse = [1, , 3];
const VALUES: unknown[] = [
  undefined, null, 0, -0, 1, 2, 3, -1, 1.5, NaN, Infinity, -Infinity, '1', 'abc', true, {}, 5n,
  [], [0], [1], [1, 2], [2, 1], [0, 5], [1, 2, 3], [3, 2, 1], [5, NaN], [1, Infinity], [1, '2'], [-2, 2], [2, -2],
  sparse, [, 2], Object.freeze([1, 5]), Object.freeze([4, 1]), [1, 2, 3, 4, 5, 10], [10, 5, 0],
];

test('the allocation-free series operators give what operators.ts gives, for every pair of values', () => {
  assert.deepEqual(Object.keys(SERIES_OPERATORS).sort(), ['crossesAbove', 'crossesBelow', 'percentChangeAbove', 'percentChangeBelow']);
  let compared = 0;
  for (const [name, fast] of Object.entries(SERIES_OPERATORS)) {
    const shared = CUSTOM_OPERATORS[name]!;
    for (const f of VALUES) {
      for (const j of VALUES) {
        assert.equal(fast(f, j), shared(f, j), `${name}(${String(f)}, ${String(j)})`);
        compared++;
      }
    }
  }
  assert.ok(compared > 4000);
});

test('every operator operators.ts defines is one the compiled evaluator knows', () => {
  for (const name of Object.keys(CUSTOM_OPERATORS)) assert.ok(BASE_OPERATORS.has(name), name);
});

test('operator names resolve as json-rules-engine resolves them (unknown names resolve to nothing)', () => {
  const engine = new Engine([]);
  for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) engine.addOperator(name, fn);
  const operatorMap = (engine as unknown as { operators: { get(name: string): unknown } }).operators;
  const names = [
    'equal', 'not:equal', 'someFact:not:equal', 'not:someFact:greaterThan', 'swap:in', 'everyValue:everyFact:between',
    'not:', ':equal', 'bogus', 'wat:equal', 'not:bogus', 'equal:not', 'someFact:', 'not:not:not:crossesAbove',
  ];
  for (const name of names) {
    const jre = operatorMap.get(name) as { evaluate(a: unknown, b: unknown): boolean } | null;
    const ours = resolveOperator(name);
    assert.equal(ours === null, jre === null, name);
    if (!ours || !jre) continue;
    const fn = operatorFunction(ours);
    for (const a of VALUES.slice(0, 20)) for (const b of [[1, 2], [[1], [2]], 1, [0, 5]]) {
      let expected: unknown;
      let actual: unknown;
      try {
        expected = jre.evaluate(a, b);
      } catch {
        expected = 'throws';
      }
      try {
        actual = fn(a, b);
      } catch {
        actual = 'throws';
      }
      assert.equal(actual, expected, `${name}(${String(a)}, ${JSON.stringify(b)})`);
    }
  }
});

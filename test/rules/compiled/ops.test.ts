/** Operators of the compiled evaluator against the shared definitions and json-rules-engine's operator map. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from 'json-rules-engine';
import { CUSTOM_OPERATORS } from '../../../engine/rules/index.ts';
import { BASE_OPERATORS, operatorFunction, resolveOperator } from '../../../engine/rules/compiled/ops.ts';

const sparse = [1, , 3];
const VALUES: unknown[] = [
  undefined, null, 0, -0, 1, 2, 3, -1, 1.5, NaN, Infinity, -Infinity, '1', 'abc', true, {}, 5n,
  [], [0], [1], [1, 2], [2, 1], [0, 5], [1, 2, 3], [3, 2, 1], [5, NaN], [1, Infinity], [1, '2'], [-2, 2], [2, -2],
  sparse, [, 2], Object.freeze([1, 5]), Object.freeze([4, 1]), [1, 2, 3, 4, 5, 10], [10, 5, 0],
];

/** The series operators written the obvious way (Array methods, a helper returning a double): the oracle. */
function isSeriesPlain(v: unknown): v is number[] {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x));
}
function percentChangePlain(series: readonly number[]): number {
  const first = series[0]!;
  const last = series[series.length - 1]!;
  return first === 0 ? Number.NaN : ((last - first) / Math.abs(first)) * 100;
}
const PLAIN: Record<string, (f: unknown, j: unknown) => boolean> = {
  percentChangeAbove: (f, j) => isSeriesPlain(f) && typeof j === 'number' && percentChangePlain(f) > j,
  percentChangeBelow: (f, j) => isSeriesPlain(f) && typeof j === 'number' && percentChangePlain(f) < j,
  // against a level: prev < level ≤ last; against another series: prev ≤ other prev ∧ last > other last
  crossesAbove: (f, j) =>
    isSeriesPlain(f) && f.length >= 2 &&
    (typeof j === 'number' ? f.at(-2)! < j && f.at(-1)! >= j : isSeriesPlain(j) && j.length >= 2 && f.at(-2)! <= j.at(-2)! && f.at(-1)! > j.at(-1)!),
  crossesBelow: (f, j) =>
    isSeriesPlain(f) && f.length >= 2 &&
    (typeof j === 'number' ? f.at(-2)! > j && f.at(-1)! <= j : isSeriesPlain(j) && j.length >= 2 && f.at(-2)! >= j.at(-2)! && f.at(-1)! < j.at(-1)!),
};

test('the allocation-free series operators give what the obvious definitions give, for every pair of values', () => {
  let compared = 0;
  for (const [name, plain] of Object.entries(PLAIN)) {
    const shared = CUSTOM_OPERATORS[name]!;
    for (const f of VALUES) {
      for (const j of VALUES) {
        assert.equal(shared(f, j), plain(f, j), `${name}(${String(f)}, ${String(j)})`);
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

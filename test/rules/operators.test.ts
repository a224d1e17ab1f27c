/**
 * The custom operators (engine/rules/operators.ts) against values computed by hand, not against
 * another run of the same code: the differential test registers these very functions in
 * json-rules-engine, so there they are compared with themselves. Each table holds the bound
 * itself, just inside and just outside; the series tables a series that crosses, touches and
 * stays. Every case runs on the function, on the compiled evaluator's operator map, and through
 * a rule in both evaluators.
 *
 * Mutations checked (applied to engine/rules/operators.ts one at a time, this file run, reverted;
 * 2026-12-07): each is caught by the case named.
 *   between: `factValue <= high` → `<`              caught: between 20 in [10, 20] → expected true
 *   between: `factValue >= low` → `>`               caught: between 10 in [10, 20] → expected true
 *   percentChangeAbove: `change > t` → `>=`         caught: [100, 110] above 10 → expected false
 *   percentChangeBelow: `change < t` → `<=`         caught: [200, 150] below -25 → expected false
 *   percentChange: `/ Math.abs(first)` → `/ first`  caught: [-100, -90] above 9.99 → expected true
 *   crossesAbove: `prev < level` → `<=`             caught: [100, 101] → expected false
 *   crossesAbove: `last >= level` → `>`             caught: [99, 100] → expected true
 *   crossesBelow: `prev > level` → `>=`             caught: [100, 99] → expected false
 *   crossesBelow: `last <= level` → `<`             caught: [101, 100] → expected true
 *   crossesAbove/Below: prev = series[0] (not the one before last)  caught: [99, 101, 102] → expected false
 *   crossesAbove vs a series: `prev <= otherPrev` → `<`   caught: [10, 11] vs [10, 10] → expected true
 *   crossesAbove vs a series: `last > otherLast` → `>=`   caught: [9, 10] vs [10, 10] → expected false
 *   crossesBelow vs a series: `prev >= otherPrev` → `>`   caught: [10, 9] vs [10, 10] → expected true
 *   crossesBelow vs a series: `last < otherLast` → `<=`   caught: [11, 10] vs [10, 10] → expected false
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiledEvaluator, CUSTOM_OPERATORS, referenceEvaluator, type RuleFile } from '../../engine/rules/index.ts';
import { operatorFunction, resolveOperator } from '../../engine/rules/compiled/ops.ts';

type Case = [fact: unknown, value: unknown, expected: boolean, why: string];

const TABLES: Record<string, Case[]> = {
  between: [
    [9.999, [10, 20], false, 'just below the low bound'],
    [10, [10, 20], true, 'equal to the low bound (inclusive)'],
    [10.001, [10, 20], true, 'just above the low bound'],
    [15, [10, 20], true, 'inside'],
    [19.999, [10, 20], true, 'just below the high bound'],
    [20, [10, 20], true, 'equal to the high bound (inclusive)'],
    [20.001, [10, 20], false, 'just above the high bound'],
    [-0, [0, 1], true, '-0 is the low bound 0'],
    [5, [5, 5], true, 'a one-point range'],
    [15, [20, 10], false, 'a reversed range holds nothing'],
    ['15', [10, 20], false, 'a string is not a number'],
    [15, [10, 20, 30], false, 'a range has two bounds'],
  ],
  // change = (last − first) / |first| × 100, first and last only
  percentChangeAbove: [
    [[100, 110], 10, false, 'exactly +10 % is not above 10'],
    [[100, 110.5], 10, true, '+10.5 %'],
    [[100, 109.5], 10, false, '+9.5 %'],
    [[100, 50, 111], 10, true, 'the middle is ignored: +11 %'],
    [[-100, -90], 9.99, true, 'from -100 to -90 is +10 % (divided by |first|)'],
    [[-100, -90], 10, false, 'exactly +10 % from a negative first'],
    [[0, 5], -1000, false, 'from 0 the change is undefined'],
    [[100], -1, true, 'one value: a change of 0'],
    [[100], 0, false, 'one value: 0 is not above 0'],
    [[], -1, false, 'an empty series'],
    [[100, Number.NaN], -1, false, 'a series holds finite numbers'],
  ],
  percentChangeBelow: [
    [[200, 150], -25, false, 'exactly -25 % is not below -25'],
    [[200, 150], -24.9, true, '-25 % is below -24.9'],
    [[200, 151], -25, false, '-24.5 %'],
    [[100, 109.5], 10, true, '+9.5 % is below 10'],
    [[100, 110], 10, false, 'exactly +10 %'],
    [[-100, -110], -9.99, true, 'from -100 to -110 is -10 %'],
    [[0, -5], 1000, false, 'from 0 the change is undefined'],
  ],
  // the last two values against the level: before < level ≤ last
  crossesAbove: [
    [[99, 101], 100, true, 'crosses'],
    [[99, 100], 100, true, 'touches the level from below'],
    [[100, 101], 100, false, 'was already at the level'],
    [[101, 102], 100, false, 'stays above'],
    [[98, 99], 100, false, 'stays below'],
    [[101, 99], 100, false, 'crosses down'],
    [[50, 99, 100], 100, true, 'the last two decide'],
    [[99, 101, 102], 100, false, 'crossed one step earlier'],
    [[99], 100, false, 'one value crosses nothing'],
    // against another series (two facts): prev ≤ other prev and last > other last
    [[9, 11], [10, 10], true, 'line crosses a flat line'],
    [[9, 12], [10, 11], true, 'line crosses a rising line'],
    [[10, 11], [10, 10], true, 'equal, then above'],
    [[9, 10], [10, 10], false, 'below, then touching: not above yet'],
    [[10, 10], [10, 10], false, 'equal, then equal'],
    [[11, 12], [10, 10], false, 'stays above'],
    [[8, 9], [10, 10], false, 'stays below'],
    [[11, 9], [10, 10], false, 'crosses down'],
    [[9, 11], [12, 10.5], true, 'both move: below then above'],
    [[9, 11], [12, 11], false, 'ends equal to the other line'],
    [[1, 9, 11], [5, 10, 10], true, 'the last two of each decide'],
    [[9, 11], [10], false, 'the other series needs two values'],
    [[9, 11], [], false, 'an unready indicator series is empty'],
  ],
  crossesBelow: [
    [[101, 99], 100, true, 'crosses'],
    [[101, 100], 100, true, 'touches the level from above'],
    [[100, 99], 100, false, 'was already at the level'],
    [[99, 98], 100, false, 'stays below'],
    [[101, 102], 100, false, 'stays above'],
    [[99, 101], 100, false, 'crosses up'],
    [[150, 101, 100], 100, true, 'the last two decide'],
    [[101, 99, 98], 100, false, 'crossed one step earlier'],
    // against another series: prev ≥ other prev and last < other last
    [[11, 9], [10, 10], true, 'line crosses a flat line'],
    [[10, 9], [10, 10], true, 'equal, then below'],
    [[11, 10], [10, 10], false, 'above, then touching: not below yet'],
    [[10, 10], [10, 10], false, 'equal, then equal'],
    [[8, 9], [10, 10], false, 'stays below'],
    [[9, 11], [10, 10], false, 'crosses up'],
    [[11, 9], [], false, 'an unready indicator series is empty'],
  ],
};

test('every custom operator has a hand-computed table', () => {
  assert.deepEqual(Object.keys(TABLES).sort(), Object.keys(CUSTOM_OPERATORS).sort());
});

for (const [name, cases] of Object.entries(TABLES)) {
  test(`${name}: hand-computed bounds on the shared function and the compiled operator map`, () => {
    const compiled = operatorFunction(resolveOperator(name)!);
    const negated = operatorFunction(resolveOperator(`not:${name}`)!);
    for (const [fact, value, expected, why] of cases) {
      const label = `${name}(${JSON.stringify(fact)}, ${JSON.stringify(value)}): ${why}`;
      assert.equal(CUSTOM_OPERATORS[name]!(fact, value), expected, label);
      assert.equal(compiled(fact, value), expected, `compiled ${label}`);
      assert.equal(negated(fact, value), !expected, `not:${label}`);
    }
  });

  test(`${name}: the same table through a rule, in the compiled and the reference evaluator`, async () => {
    const file = {
      id: `op-${name}`,
      kind: 'strategy',
      strategy: 'grid',
      file: `op-${name}.yaml`,
      hash: name,
      rules: cases.map((_, i) => ({ id: `c${i}`, conditions: { all: [{ fact: 'probe', path: `c${i}`, operator: name, value: cases[i]![1] }] }, event: { type: 'signal' } })),
    } as unknown as RuleFile;
    const facts = { probe: Object.fromEntries(cases.map((c, i) => [`c${i}`, c[0]])) };
    const expected = cases.flatMap((c, i) => (c[2] ? [`c${i}`] : []));
    const compiled = compiledEvaluator.create(file, {}).evaluate(facts) as Array<{ ruleId: string }>;
    assert.deepEqual(compiled.map((e) => e.ruleId).sort(), expected.sort());
    const reference = await referenceEvaluator.create(file, {}).evaluate(facts);
    assert.deepEqual(reference.map((e) => e.ruleId).sort(), expected.sort());
  });
}

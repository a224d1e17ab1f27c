/**
 * json-rules-engine behaviours that surprise, each pinned down: asserted on json-rules-engine
 * (the reference evaluator) with a concrete expected value, and matched by the compiled one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compiledEvaluator, isSolrulesErrorLike, referenceEvaluator } from './semantics-support.ts';
import { both, bothThrow, ids, rule, ruleFile } from './support.ts';

const leaf = (fact: string, operator: string, value: unknown, extra: Record<string, unknown> = {}) => ({ fact, operator, value, ...extra });

test('within a priority, events come out in the order rules settle, not file order', async () => {
  // json-rules-engine runs a priority group's rules concurrently and records each when its
  // promise settles: deeper trees and path reads take more microtask rounds.
  const file = ruleFile([
    rule('deep', { all: [{ all: [leaf('a', 'equal', 1), leaf('a', 'equal', 1)] }, leaf('a', 'equal', 1)] }),
    rule('shallow', { all: [leaf('a', 'equal', 1)] }),
    rule('empty', { any: [] }),
    rule('negated', { not: leaf('a', 'equal', 2) }),
    rule('high', { all: [{ all: [{ all: [leaf('a', 'equal', 1)] }] }] }, { priority: 5 }),
  ]);
  const { events } = await both(file, { a: 1 });
  assert.deepEqual(ids(events), ['high', 'empty', 'shallow', 'negated', 'deep']);
});

test('a fact present with the value undefined settles later than an absent one (path read), and can reorder events', async () => {
  const file = ruleFile([
    rule('reads-x', { all: [leaf('x', 'notEqual', 1, { path: 'p' })] }),
    rule('reads-y', { all: [leaf('y', 'notEqual', 1, { path: 'p' })] }),
  ]);
  assert.deepEqual(ids((await both(file, {})).events), ['reads-x', 'reads-y']);
  // x exists (undefined): reading x.p takes one more round, so reads-y settles first.
  assert.deepEqual(ids((await both(file, { x: undefined })).events), ['reads-y', 'reads-x']);
});

test('empty all and empty any are both true; not of an empty all is false', async () => {
  const file = ruleFile([rule('all', { all: [] }), rule('any', { any: [] }), rule('not', { not: { all: [] } })]);
  assert.deepEqual(ids((await both(file, {})).events).sort(), ['all', 'any']);
});

test('in / notIn with a string value test for a substring; the fact is converted to a string', async () => {
  const file = ruleFile([
    rule('sub', { all: [leaf('s', 'in', 'abc')] }),
    rule('num', { all: [leaf('n', 'in', 'a1')] }),
    rule('not', { all: [leaf('s', 'notIn', 'xyz')] }),
  ]);
  assert.deepEqual(ids((await both(file, { s: 'b', n: 1 })).events).sort(), ['not', 'num', 'sub']);
});

test('in with a value that is neither a list nor a string fails the evaluation; the compiled error names the rule', async () => {
  const err = await bothThrow(ruleFile([rule('bad-in', { all: [leaf('s', 'in', 5)] })]), { s: 'b' });
  assert.ok(isSolrulesErrorLike(err, 'RULES_EVALUATION_FAILED'));
  assert.match((err as Error).message, /rule 'bad-in'/);
});

test('a path into a fact that is not an object returns the fact itself', async () => {
  const file = ruleFile([rule('five', { all: [leaf('price', 'equal', 5, { path: 'usd' })] })]);
  const { events, outcomes } = await both(file, { price: 5 });
  assert.deepEqual(ids(events), ['five']);
  assert.equal(outcomes[0]!.conditions.children![0]!.factValue, 5);
});

test('numeric operators take anything parseFloat reads, then compare with JavaScript coercion', async () => {
  const file = ruleFile([
    rule('string-number', { all: [leaf('v', 'greaterThan', 1, { path: 'a' })] }), // '5' > 1
    rule('number-prefix', { all: [leaf('v', 'greaterThan', 1, { path: 'b' })] }), // '2abc' passes the validator, '2abc' > 1 is false
    rule('nan', { all: [leaf('v', 'lessThan', 1, { path: 'c' })] }), // NaN fails the validator
    rule('null', { all: [leaf('v', 'lessThan', 1, { path: 'd' })] }), // parseFloat(null) is NaN, though null < 1
    rule('infinity', { all: [leaf('v', 'greaterThan', 1e308, { path: 'e' })] }),
    rule('bigint', { all: [leaf('v', 'greaterThanInclusive', 10, { path: 'f' })] }),
  ]);
  const { events } = await both(file, { v: { a: '5', b: '2abc', c: NaN, d: null, e: Infinity, f: 10n } });
  assert.deepEqual(ids(events).sort(), ['bigint', 'infinity', 'string-number']);
});

test('equal is ===: -0 equals 0, NaN never equals NaN, "1" is not 1', async () => {
  const file = ruleFile([
    rule('zero', { all: [leaf('v', 'equal', 0, { path: 'z' })] }),
    rule('nan', { all: [leaf('v', 'equal', NaN, { path: 'n' })] }),
    rule('one', { all: [leaf('v', 'equal', 1, { path: 's' })] }),
  ]);
  assert.deepEqual(ids((await both(file, { v: { z: -0, n: NaN, s: '1' } })).events), ['zero']);
});

test('a decisive higher-priority condition skips lower priorities, even ones that would fail to evaluate', async () => {
  const throwing = leaf('s', 'in', 5); // priority 1 (default)
  const file = ruleFile([rule('guarded', { all: [leaf('a', 'equal', 1, { priority: 2 }), throwing] })]);
  const { events, outcomes } = await both(file, { a: 2, s: 'x' });
  assert.deepEqual(events, []);
  assert.equal(outcomes[0]!.conditions.children![1]!.result, null, 'not evaluated');
  // Same priority: json-rules-engine evaluates every member of the set, so the error surfaces
  // even though the other member is already false.
  await bothThrow(ruleFile([rule('unguarded', { all: [leaf('a', 'equal', 1), throwing] })]), { a: 2, s: 'x' });
  // And the skipped set is traced as not evaluated, the evaluated ones with their values.
  const f2 = ruleFile([rule('any', { any: [leaf('a', 'equal', 2, { priority: 3 }), leaf('a', 'equal', 1), leaf('b', 'equal', 1)] })]);
  const { outcomes: o2 } = await both(f2, { a: 2 });
  assert.deepEqual(o2[0]!.conditions.children!.map((c) => c.result), [true, null, null]);
});

test('a condition priority of 0 counts as 1; named conditions keep the priority of the reference', async () => {
  const throwing = leaf('s', 'in', 5);
  const f = ruleFile([rule('zero', { all: [leaf('a', 'equal', 1, { priority: 0 }), throwing] })]);
  await bothThrow(f, { a: 2, s: 'x' });
  // The reference is grouped by its own priority (1), not the named condition's (9): the
  // false leaf of priority 2 decides first and the throwing named condition is never reached.
  const g = ruleFile([rule('ref', { all: [leaf('a', 'equal', 1, { priority: 2 }), { condition: 'boom', priority: 1 }] })], { boom: { all: [throwing], priority: 9 } });
  assert.deepEqual((await both(g, { a: 2, s: 'x' })).events, []);
  // With the named condition's priority it would have been evaluated first, and thrown.
  const h = ruleFile([rule('ref', { all: [leaf('a', 'equal', 1, { priority: 2 }), { all: [throwing], priority: 9 }] })]);
  await bothThrow(h, { a: 2, s: 'x' });
});

test('someFact / everyFact need an array fact (else false); everyFact of [] is true; someValue on a non-array throws', async () => {
  const file = ruleFile([
    rule('some', { all: [leaf('v', 'someFact:greaterThan', 2, { path: 'list' })] }),
    rule('every-empty', { all: [leaf('v', 'everyFact:greaterThan', 2, { path: 'empty' })] }),
    rule('every-scalar', { all: [leaf('v', 'everyFact:greaterThan', 2, { path: 'scalar' })] }),
    rule('swap', { all: [leaf('v', 'swap:contains', ['a', 'b'], { path: 'word' })] }),
    rule('not-some-value', { all: [leaf('v', 'not:someValue:equal', [1, 2], { path: 'scalar' })] }),
  ]);
  const { events } = await both(file, { v: { list: [1, 3], empty: [], scalar: 5, word: 'b' } });
  assert.deepEqual(ids(events).sort(), ['every-empty', 'not-some-value', 'some', 'swap']);
  await bothThrow(ruleFile([rule('some-value', { all: [leaf('v', 'someValue:equal', 'abc')] })]), { v: 1 });
});

test('missing facts are undefined: notEqual passes, doesNotContain fails (its validator wants an array)', async () => {
  const file = ruleFile([
    rule('not-equal', { all: [leaf('gone', 'notEqual', 1, { path: 'x' })] }),
    rule('does-not-contain', { all: [leaf('gone', 'doesNotContain', 1)] }),
    rule('fact-to-fact', { all: [leaf('a', 'equal', { fact: 'gone', path: 'x' })] }),
  ]);
  const { events } = await both(file, { a: undefined });
  assert.deepEqual(ids(events).sort(), ['fact-to-fact', 'not-equal']);
});

test('fact-to-fact comparisons and the params fact; explanations show the value read and where from', async () => {
  const file = ruleFile([
    rule('arb', {
      all: [
        leaf('arbitrage', 'greaterThanInclusive', { fact: 'params', path: 'arbitrage.minProfitBps' }, { path: 'netProfitBps' }),
        leaf('wallet', 'greaterThanInclusive', { fact: 'arbitrage', path: 'costUsd' }, { path: 'usd' }),
      ],
    }),
  ]);
  const facts = { arbitrage: { netProfitBps: 30, costUsd: 10 }, wallet: { usd: 12 }, params: { ignored: true } };
  const { events, outcomes } = await both(file, facts, { arbitrage: { minProfitBps: 25 } });
  assert.deepEqual(ids(events), ['arb']);
  const first = outcomes[0]!.conditions.children![0]!;
  assert.equal(first.value, 25);
  assert.equal(first.valueFact, 'params.arbitrage.minProfitBps');
  assert.equal(first.factValue, 30);
});

test('event params: top-level { fact, path } values are replaced when the rule fires; nested ones are left as written', async () => {
  const params = { side: 'buy', amountIn: { fact: 'arb', path: 'amountIn' }, pool: { fact: 'pool' }, gone: { fact: 'missing', path: 'x' }, nested: { inner: { fact: 'arb' } } };
  const file = ruleFile([{ id: 'r', conditions: { all: [] }, event: { type: 'order', params } }]);
  const pool = { address: 'P' };
  const { events } = await both(file, { arb: { amountIn: '25' }, pool });
  assert.deepEqual(events[0]!.params, { side: 'buy', amountIn: '25', pool: { address: 'P' }, gone: undefined, nested: { inner: { fact: 'arb' } } });
  assert.equal(events[0]!.params.pool, pool, 'a fact value is passed as it is, not copied');
});

test('event params that are not an object: falsy ones are dropped, others passed as they are', async () => {
  const file = ruleFile([
    { id: 'zero', conditions: { all: [] }, event: { type: 'a', params: 0 } },
    { id: 'text', conditions: { all: [] }, event: { type: 'b', params: 'abc' } },
  ]);
  const { events } = await both(file, {});
  assert.deepEqual(events.map((e) => e.params), [{}, 'abc']);
});

test('named conditions are expanded in place: explained under their name; a reference not reached stays a reference', async () => {
  const file = ruleFile(
    [rule('r', { any: [leaf('a', 'equal', 1, { priority: 2 }), { condition: 'canBuy' }] })],
    { canBuy: { all: [leaf('w', 'greaterThan', 5)] } },
  );
  const reached = (await both(file, { a: 0, w: 6 })).outcomes[0]!.conditions.children![1]!;
  assert.equal(reached.kind, 'all');
  assert.equal(reached.name, 'canBuy');
  assert.equal(reached.children![0]!.result, true);
  const skipped = (await both(file, { a: 1, w: 6 })).outcomes[0]!.conditions.children![1]!;
  assert.deepEqual(skipped, { kind: 'ref', result: null, name: 'canBuy', children: [] });
});

test('explanations carry results on leaves and the root only (json-rules-engine does not record them on all / any / not)', async () => {
  const file = ruleFile([rule('r', { all: [{ any: [leaf('a', 'equal', 1)] }, { not: leaf('a', 'equal', 2) }] })]);
  const root = (await both(file, { a: 1 })).outcomes[0]!.conditions;
  assert.equal(root.result, true);
  assert.deepEqual(root.children!.map((c) => c.result), [null, null]);
  assert.equal(root.children![0]!.children![0]!.result, true);
});

test('a reference to an undefined condition fails only when it is evaluated', async () => {
  const file = ruleFile([rule('r', { any: [leaf('a', 'equal', 1, { priority: 2 }), { condition: 'nowhere' }] })]);
  assert.deepEqual(ids((await both(file, { a: 1 })).events), ['r']);
  await bothThrow(file, { a: 0 });
});

test('json-rules-engine keeps engine state across runs; neither of our evaluators lets a failed run drop the next run\'s lower priorities', async () => {
  // In json-rules-engine a failed run leaves its later priority groups running; when they
  // finish they mark the engine finished, and the next run on the same engine skips its
  // remaining groups. The reference evaluator rebuilds its engine after a failure; the
  // compiled evaluator has no state between evaluations: both give what a fresh engine gives.
  const file = ruleFile([
    rule('boom', { all: [leaf('a', 'in', { fact: 'list' })] }, { priority: 2 }),
    rule('high', { all: [] }, { priority: 2 }),
    rule('low', { all: [] }, { priority: 1 }),
  ]);
  const good = { list: [1] };
  const ref = referenceEvaluator.create(file, {});
  const cmp = compiledEvaluator.create(file, {});
  await assert.rejects(async () => ref.evaluate({}));
  assert.throws(() => cmp.evaluate({}));
  assert.deepEqual(ids(await ref.evaluate(good)), ['high', 'low'], 'the reference evaluator after a failed run');
  assert.deepEqual(ids(await referenceEvaluator.create(file, {}).evaluate(good)), ['high', 'low'], 'a fresh json-rules-engine');
  assert.deepEqual(ids(cmp.evaluate(good)), ['high', 'low']);
});

test('named conditions that refer to each other: json-rules-engine never finishes, the compiled evaluator fails with RULES_CONDITION_CYCLE', () => {
  const file = ruleFile([rule('r', { condition: 'a' })], { a: { all: [{ condition: 'b' }] }, b: { any: [{ condition: 'a' }] } });
  const ev = compiledEvaluator.create(file, {});
  assert.throws(
    () => ev.evaluate({}),
    (err: unknown) => isSolrulesErrorLike(err, 'RULES_EVALUATION_FAILED') && isSolrulesErrorLike((err as Error).cause, 'RULES_CONDITION_CYCLE'),
  );
  // Unreferenced, a cycle is harmless (json-rules-engine never evaluates it either).
  const idle = ruleFile([rule('r', { all: [] })], { a: { all: [{ condition: 'b' }] }, b: { any: [{ condition: 'a' }] } });
  assert.deepEqual(ids(compiledEvaluator.create(idle, {}).evaluate({})), ['r']);
});

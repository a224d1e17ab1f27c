/** The compiler as a component: selection, purity, safety of the generated code, errors, allocation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerformanceObserver } from 'node:perf_hooks';
import {
  buildRuleSet,
  compiledEvaluator,
  compileRuleFile,
  evaluatorFactory,
  referenceEvaluator,
  type EvaluatorKind,
} from '../../../engine/rules/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { benchParams, benchRuleFile, benchSnapshots } from '../../../bench/ruleset.ts';
import { both, ids, rule, ruleFile } from './support.ts';

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object') {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

test('evaluatorFactory: compiled by default, reference on request, a clear error otherwise', () => {
  assert.equal(evaluatorFactory(), compiledEvaluator);
  assert.equal(evaluatorFactory('compiled').kind, 'compiled');
  assert.equal(evaluatorFactory('reference'), referenceEvaluator);
  assert.throws(() => evaluatorFactory('fast' as EvaluatorKind), (err: unknown) => isSolrulesError(err, 'RULES_UNKNOWN_EVALUATOR'));
});

test('compiling is pure: frozen inputs, same source twice, facts untouched, rule sets build with it', () => {
  const file = deepFreeze(benchRuleFile(50));
  const params = deepFreeze(benchParams());
  const a = compileRuleFile(file, params);
  const b = compileRuleFile(file, params);
  assert.equal(a.source, b.source);
  const facts = deepFreeze(benchSnapshots(1)[0]!);
  const ev = compiledEvaluator.create(file, params);
  assert.ok(ev.evaluate(facts).length > 0);
  ev.explain(facts);
  const set = buildRuleSet([file], params, compiledEvaluator);
  assert.equal(set.evaluatorKind, 'compiled');
  assert.equal(set.evaluators.get(file.id)!.kind, 'compiled');
});

test('names, paths and values from a rule file cannot inject code', async () => {
  const evil = '"); globalThis.pwned = 1; ("';
  const segment = '"]) || (globalThis["pwned"] = 1) || (["'; // no dot: one path segment
  const file = ruleFile([
    rule('r1', { all: [{ fact: evil, path: `a.${segment}.b`, operator: 'equal', value: evil }] }),
    rule('r2', { all: [{ fact: 'x', path: '__proto__.constructor', operator: 'notEqual', value: `*/ ${evil} //` }] }),
    rule('r3', { all: [{ fact: 'constructor', operator: 'equal', value: 'ctor' }, { fact: 'x', path: 'y', operator: 'in', value: [evil, '\u2028', 'ok'] }] }),
    { id: 'r4', conditions: { all: [] }, event: { type: evil, params: { [evil]: { fact: evil, path: evil }, __proto__x: 1 } } },
  ]);
  const facts = { [evil]: { a: { [segment]: { b: evil } } }, x: { y: 'ok' }, constructor: 'ctor' };
  const { events } = await both(file, facts);
  assert.deepEqual(ids(events).sort(), ['r1', 'r2', 'r3', 'r4']);
  assert.equal((globalThis as Record<string, unknown>).pwned, undefined);
});

test('each fired event gets its own params: changing one does not change the next', () => {
  const file = ruleFile([{ id: 'r', conditions: { all: [] }, event: { type: 'order', params: { meta: { tags: ['a'] } } } }]);
  const ev = compiledEvaluator.create(file, {});
  const first = ev.evaluate({});
  ((first[0]!.params.meta as { tags: string[] }).tags).push('mutated');
  assert.deepEqual(ev.evaluate({})[0]!.params, { meta: { tags: ['a'] } });
});

test('shapes json-rules-engine refuses are refused at compile time, naming the file and where', () => {
  const cases: unknown[] = [
    rule('r', { not: [{ fact: 'a', operator: 'equal', value: 1 }] }),
    rule('r', { all: { fact: 'a', operator: 'equal', value: 1 } }),
    rule('r', { all: [{ fact: 'a', operator: 'equal' }] }),
    rule('r', { fact: 'a', operator: 'equal', value: 1 }),
    rule('r', { all: [] }, { priority: -2 }),
  ];
  for (const r of cases) {
    const file = ruleFile([r]);
    assert.throws(() => referenceEvaluator.create(file, {}), Error, JSON.stringify(r));
    assert.throws(
      () => compiledEvaluator.create(file, {}),
      (err: unknown) => isSolrulesError(err, 'RULES_COMPILE_INVALID') && err.context.file === file.file && /rules\[0\]/.test(String(err.context.at)),
      JSON.stringify(r),
    );
  }
});

test('an evaluation error names the file and the rule, and keeps the cause', () => {
  const file = ruleFile([rule('fine', { all: [] }), rule('broken', { all: [{ fact: 'a', operator: 'in', value: { fact: 'list' } }] })]);
  assert.throws(
    () => compiledEvaluator.create(file, {}).evaluate({ a: 1 }),
    (err: unknown) =>
      isSolrulesError(err, 'RULES_EVALUATION_FAILED') && err.context.rule === 'broken' && err.context.file === file.file && err.cause instanceof TypeError,
  );
});

test('the hot path does not allocate: 200,000 runs of a 200-rule file trigger no garbage collection', async () => {
  const compiled = compileRuleFile(benchRuleFile(200), benchParams());
  const snapshots = benchSnapshots(16);
  const fired = new Int32Array(200);
  let sink = 0;
  // Warm up until the JIT has optimized the generated code (its compiler allocates too).
  const warm = performance.now() + 1500;
  while (performance.now() < warm) for (let i = 0; i < 1000; i++) sink += compiled.run(snapshots[i & 15]!, fired);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const starts: number[] = [];
  const observer = new PerformanceObserver((list) => starts.push(...list.getEntries().map((e) => e.startTime)));
  observer.observe({ entryTypes: ['gc'] });
  const from = performance.now();
  for (let i = 0; i < 200_000; i++) sink += compiled.run(snapshots[i & 15]!, fired);
  const to = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  assert.ok(sink > 0);
  assert.deepEqual(starts.filter((t) => t >= from && t <= to), [], 'garbage collections during the runs');
});

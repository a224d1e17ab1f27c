/**
 * Differential test: randomized rule files × fact snapshots, each evaluated and explained by
 * json-rules-engine (the reference evaluator) and by the compiled evaluator. Events (order,
 * params) and explanations must be identical; where json-rules-engine throws, the compiled
 * evaluator must throw too.
 *
 * Default: 10,000 pairs (random rule files, 25 snapshots each). SOLRULES_FULL=1: 100,000.
 * SOLRULES_DIFF_SEED picks another seed; SOLRULES_DIFF_PAIRS overrides the count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  compiledEvaluator,
  referenceEvaluator,
  type ConditionTrace,
  type Evaluator,
  type FactSnapshot,
  type RuleFile,
} from '../../../engine/rules/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { BASE_OPERATORS, DECORATORS, randomCases } from './random.ts';
import { both, ruleFile } from './support.ts';

const FULL = process.env.SOLRULES_FULL === '1';
const PAIRS = Number(process.env.SOLRULES_DIFF_PAIRS ?? (FULL ? 100_000 : 10_000));
const SNAPSHOTS = 25;
const SEED = Number(process.env.SOLRULES_DIFF_SEED ?? 7);

type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function attempt<T>(fn: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

function show(v: unknown): string {
  return inspect(v, { depth: 12, breakLength: 160 });
}

function mismatch(what: string, file: RuleFile, facts: unknown, params: unknown, ref: Outcome<unknown>, cmp: Outcome<unknown>): never {
  assert.fail(
    `${what} differs (seed ${SEED}, file ${file.id})\nrule file: ${show(file)}\nfacts: ${show(facts)}\nparams: ${show(params)}\n` +
      `reference: ${show(ref.ok ? ref.value : ref.error)}\ncompiled: ${show(cmp.ok ? cmp.value : cmp.error)}`,
  );
}

function same(ref: Outcome<unknown>, cmp: Outcome<unknown>): boolean {
  if (ref.ok !== cmp.ok) return false;
  if (!ref.ok) return true;
  try {
    assert.deepStrictEqual((cmp as { value: unknown }).value, ref.value);
    return true;
  } catch {
    return false;
  }
}

test(`compiled evaluator matches json-rules-engine on ${PAIRS} random rule file × fact snapshot pairs`, async (t) => {
  const random = randomCases(SEED);
  const stats = {
    pairs: 0,
    files: 0,
    createErrors: 0,
    evalErrors: 0,
    events: 0,
    reordered: 0,
    evaluatedLeaves: 0,
    operators: new Map<string, number>(),
    decorators: new Map<string, number>(),
  };
  const countLeaves = (tr: ConditionTrace) => {
    if (tr.kind === 'leaf' && tr.result !== null) {
      stats.evaluatedLeaves++;
      const parts = tr.operator!.split(':');
      const base = parts.pop()!;
      stats.operators.set(base, (stats.operators.get(base) ?? 0) + 1);
      for (const d of parts) stats.decorators.set(d, (stats.decorators.get(d) ?? 0) + 1);
    }
    for (const c of tr.children ?? []) countLeaves(c);
  };

  for (let f = 0; stats.pairs < PAIRS; f++) {
    stats.files++;
    const file = random.ruleFile(f);
    const params = random.params();
    const refCreate = await attempt(() => referenceEvaluator.create(file, params));
    const cmpCreate = await attempt(() => compiledEvaluator.create(file, params));
    if (refCreate.ok !== cmpCreate.ok) mismatch('create', file, {}, params, refCreate, cmpCreate);
    if (!refCreate.ok || !cmpCreate.ok) {
      stats.createErrors++;
      continue;
    }
    // A json-rules-engine engine is unusable after a failed run (work left in flight marks it
    // finished and the next run drops priority groups; see semantics.test.ts): start clean.
    let ref: Evaluator = refCreate.value;
    const cmp: Evaluator = cmpCreate.value;
    for (let s = 0; s < SNAPSHOTS && stats.pairs < PAIRS; s++) {
      const facts = random.snapshot() as FactSnapshot;
      stats.pairs++;
      const refEvents = await attempt(() => ref.evaluate(facts));
      if (!refEvents.ok) ref = referenceEvaluator.create(file, params);
      const cmpEvents = await attempt(() => cmp.evaluate(facts));
      if (!same(refEvents, cmpEvents)) mismatch('events', file, facts, params, refEvents, cmpEvents);
      const refExplain = await attempt(() => ref.explain(facts));
      const cmpExplain = await attempt(() => cmp.explain(facts));
      if (!same(refExplain, cmpExplain)) mismatch('explanation', file, facts, params, refExplain, cmpExplain);
      if (refExplain.ok) {
        for (const o of refExplain.value) {
          const alone = await attempt(() => (cmp as ReturnType<typeof compiledEvaluator.create>).explainRule(facts, o.ruleId));
          if (!same({ ok: true, value: o }, alone)) mismatch(`explanation of rule ${o.ruleId} alone`, file, facts, params, { ok: true, value: o }, alone);
        }
      }
      if (!refEvents.ok || !refExplain.ok) ref = referenceEvaluator.create(file, params);
      if (!refEvents.ok) {
        stats.evalErrors++;
        continue;
      }
      const events = refEvents.value;
      stats.events += events.length;
      const fileOrder = file.rules.map((r) => r.id);
      for (let i = 1; i < events.length; i++) {
        const a = events[i - 1]!;
        const b = events[i]!;
        if (a.priority === b.priority && fileOrder.indexOf(a.ruleId) > fileOrder.indexOf(b.ruleId)) {
          stats.reordered++;
          break;
        }
      }
      if (refExplain.ok) for (const o of refExplain.value) countLeaves(o.conditions);
    }
  }

  // Let json-rules-engine's work left in flight after failed runs finish inside the test.
  await new Promise((resolve) => setTimeout(resolve, 20));
  t.diagnostic(
    `seed ${SEED}: ${stats.pairs} pairs over ${stats.files} rule files (${stats.createErrors} refused at create by both), ` +
      `${stats.events} events, ${stats.reordered} snapshots with events out of file order within a priority, ` +
      `${stats.evalErrors} snapshots where both threw, ${stats.evaluatedLeaves} leaf evaluations`,
  );
  t.diagnostic(`operators evaluated: ${[...stats.operators].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  t.diagnostic(`decorators evaluated: ${[...stats.decorators].map(([k, v]) => `${k} ${v}`).join(', ')}`);

  // The generator must actually reach what it claims to cover.
  for (const op of BASE_OPERATORS) assert.ok((stats.operators.get(op) ?? 0) > 50, `operator ${op} evaluated too rarely`);
  for (const d of DECORATORS) assert.ok((stats.decorators.get(d) ?? 0) > 50, `decorator ${d} evaluated too rarely`);
  assert.ok(stats.reordered > 20, 'settle order (events out of file order) exercised');
  assert.ok(stats.evalErrors > 0 && stats.evalErrors < stats.pairs / 3, 'both error and non-error evaluations exercised');
  assert.ok(stats.events > stats.pairs / 2, 'rules fire often enough to compare events');
  assert.ok(stats.createErrors > 0, 'shapes json-rules-engine refuses exercised');
  assert.equal(stats.pairs, PAIRS);
});

// ---------- the two parity cases found by porting json-rules-engine's own test suite ----------

test('an event without a type: json-rules-engine refuses the rule when it is added, the compiled evaluator refuses it with RULES_COMPILE_INVALID', async () => {
  const file = ruleFile([{ id: 'untyped', conditions: { all: [{ fact: 'price', operator: 'greaterThan', value: 1 }] }, event: { params: { a: 1 } } }]);
  assert.throws(() => referenceEvaluator.create(file, {}), /requires event object with "type" property/);
  assert.throws(
    () => compiledEvaluator.create(file, {}),
    (e) => isSolrulesError(e, 'RULES_COMPILE_INVALID') && e.context.at === 'rules[0].event' && /"type"/.test(e.message),
  );
  // an explicit empty type is a type: both accept it and fire `''`
  const typed = ruleFile([{ id: 'empty', conditions: { all: [{ fact: 'price', operator: 'greaterThan', value: 1 }] }, event: { type: '' } }]);
  const { events } = await both(typed, { price: 2 });
  assert.deepEqual(events.map((e) => e.type), ['']);
});

test('event params given as a list holding a fact reference are resolved as json-rules-engine resolves them', async () => {
  const file = ruleFile([
    {
      id: 'listed',
      conditions: { all: [{ fact: 'price', operator: 'greaterThan', value: 1 }] },
      event: { type: 'signal', params: [1, { fact: 'price' }, { fact: 'pool', path: 'depth' }, { nested: { fact: 'price' } }] },
    },
  ]);
  const { events } = await both(file, { price: 2.5, pool: { depth: 40 } });
  assert.deepEqual(events[0]!.params, [1, 2.5, 40, { nested: { fact: 'price' } }], 'top-level entries resolved, nested ones left as written');
  // a second run reads the new facts (the resolved values are not kept in the compiled file)
  const again = await both(file, { price: 3, pool: { depth: 7 } });
  assert.deepEqual(again.events[0]!.params, [1, 3, 7, { nested: { fact: 'price' } }]);
});

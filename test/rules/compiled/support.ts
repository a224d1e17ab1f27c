/** Helpers for the compiled evaluator tests: small rule files, and running both evaluators. */
import assert from 'node:assert/strict';
import {
  compiledEvaluator,
  referenceEvaluator,
  type FactSnapshot,
  type FiredEvent,
  type RuleFile,
  type RuleOutcome,
} from '../../../engine/rules/index.ts';

let n = 0;

/** A rule file from rules (and named conditions) written inline. */
export function ruleFile(rules: unknown[], conditions?: Record<string, unknown>): RuleFile {
  n++;
  return {
    id: `t${n}`,
    kind: 'strategy',
    strategy: `t${n}`,
    file: `t${n}.yaml`,
    hash: String(n),
    ...(conditions ? { conditions } : {}),
    rules,
  } as unknown as RuleFile;
}

/** A rule with an `all` root unless `conditions` is given whole. */
export function rule(id: string, conditions: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, conditions, event: { type: 'signal' }, ...extra };
}

export interface Both {
  events: FiredEvent[];
  outcomes: RuleOutcome[];
}

/** Evaluates and explains with both evaluators, asserts they agree, returns the result. */
export async function both(file: RuleFile, facts: FactSnapshot, params: Record<string, unknown> = {}): Promise<Both> {
  const ref = referenceEvaluator.create(file, params);
  const cmp = compiledEvaluator.create(file, params);
  const events = await ref.evaluate(facts);
  const compiled = cmp.evaluate(facts);
  assert.ok(Array.isArray(compiled), 'the compiled evaluator answers synchronously');
  assert.deepStrictEqual(compiled, events);
  const outcomes = await referenceEvaluator.create(file, params).explain(facts);
  assert.deepStrictEqual(await cmp.explain(facts), outcomes);
  return { events, outcomes };
}

/** Asserts both evaluators fail to evaluate; returns the compiled evaluator's error. */
export async function bothThrow(file: RuleFile, facts: FactSnapshot, params: Record<string, unknown> = {}): Promise<unknown> {
  await assert.rejects(async () => referenceEvaluator.create(file, params).evaluate(facts));
  await assert.rejects(async () => referenceEvaluator.create(file, params).explain(facts));
  const cmp = compiledEvaluator.create(file, params);
  assert.throws(() => cmp.explain(facts));
  try {
    cmp.evaluate(facts);
  } catch (err) {
    return err;
  }
  assert.fail('the compiled evaluator did not throw');
}

export const ids = (events: FiredEvent[]) => events.map((e) => e.ruleId);

/**
 * The compiled evaluator: a rule file compiled once (with its params) into synchronous
 * JavaScript, giving exactly the events json-rules-engine gives, in the same order, and the
 * same explanations on demand.
 */
import { SolrulesError } from '../../errors/index.ts';
import type { Evaluator, EvaluatorFactory, FactSnapshot, FiredEvent, RuleOutcome } from '../evaluator.ts';
import type { RuleFile } from '../model.ts';
import { buildEvent, generate, type Generated, type RunFn } from './codegen.ts';
import { buildFile, type CompiledFile, type CompiledRule } from './ir.ts';
import { eventParams, evalRule, explainFile, explainOneRule, newEnv, paramRounds } from './interpret.ts';

/** One rule file compiled with the params in force: pure data plus generated functions, safe to build off the hot path. */
export interface CompiledRuleFile {
  readonly file: RuleFile;
  readonly params: Record<string, unknown>;
  readonly tree: CompiledFile;
  /** Rules in evaluation order (priority groups, highest first; file order within a group). */
  readonly order: readonly CompiledRule[];
  /** Priority group of each position in `order`. */
  readonly groupOf: Int32Array;
  readonly run: RunFn;
  /** The rest of the generated code: settle rounds and event building (see codegen.ts). */
  readonly generated: Generated;
  /** The generated JavaScript (for debugging and `--show-source` style tooling). */
  readonly source: string;
}

/**
 * Compiles a rule file for the given params. Pure and synchronous: a reloader can build the
 * next rule set with it while the current one keeps serving, then swap.
 */
export function compileRuleFile(file: RuleFile, params: Record<string, unknown>): CompiledRuleFile {
  const tree = buildFile(file);
  const order = tree.groups.flat();
  const groupOf = new Int32Array(order.length);
  let pos = 0;
  tree.groups.forEach((group, g) => group.forEach(() => (groupOf[pos++] = g)));
  const paramsCheck = (ruleIndex: number, facts: object) => {
    eventParams(tree.rules[ruleIndex]!, newEnv(facts as FactSnapshot, params, false));
  };
  const generated = generate(tree, params, paramsCheck);
  return { file, params, tree, order, groupOf, run: generated.run, generated, source: generated.source };
}

/** An evaluator that answers synchronously (the compiled one). */
export interface SyncEvaluator extends Evaluator {
  evaluate(facts: FactSnapshot): FiredEvent[];
  explain(facts: FactSnapshot): RuleOutcome[];
  /** One rule's outcome and condition tree (what `explain` gives for it), e.g. for the order a fired rule became. */
  explainRule(facts: FactSnapshot, ruleId: string): RuleOutcome | undefined;
}

class CompiledEvaluator implements SyncEvaluator {
  readonly kind = 'compiled';
  readonly file: RuleFile;
  private readonly fired: Int32Array;
  private readonly keys: Float64Array;

  constructor(readonly compiled: CompiledRuleFile) {
    this.file = compiled.file;
    this.fired = new Int32Array(compiled.order.length);
    this.keys = new Float64Array(compiled.order.length);
  }

  evaluate(facts: FactSnapshot): FiredEvent[] {
    const c = this.compiled;
    const fired = this.fired;
    let n: number;
    try {
      n = c.run(facts, fired);
    } catch (err) {
      throw this.failure(err, facts);
    }
    if (n === 0) return [];
    if (n > 1) this.settleOrder(n, facts);
    const out: FiredEvent[] = new Array(n);
    const { plans, getters } = c.generated;
    for (let i = 0; i < n; i++) out[i] = buildEvent(plans[fired[i]!]!, getters, facts);
    return out;
  }

  /**
   * Within a priority group json-rules-engine reports rules in the order their promises
   * settle; reorder each group where more than one rule fired (stable: ties keep file order).
   */
  private settleOrder(n: number, facts: FactSnapshot): void {
    const { fired, keys } = this;
    const { groupOf } = this.compiled;
    const { settle, settleClass } = this.compiled.generated;
    let start = 0;
    while (start < n) {
      const g = groupOf[fired[start]!];
      const cls = settleClass[fired[start]!];
      let mixed = false;
      let end = start + 1;
      for (; end < n && groupOf[fired[end]!] === g; end++) if (settleClass[fired[end]!] !== cls) mixed = true;
      if (mixed) {
        for (let i = start; i < end; i++) {
          const c = settleClass[fired[i]!]!;
          keys[i] = settle[c >= 0 ? c : -1 - c]!(facts);
        }
        // Insertion sort: groups are small and it is stable.
        for (let i = start + 1; i < end; i++) {
          const k = keys[i]!;
          const p = fired[i]!;
          let j = i - 1;
          while (j >= start && keys[j]! > k) {
            keys[j + 1] = keys[j]!;
            fired[j + 1] = fired[j]!;
            j--;
          }
          keys[j + 1] = k;
          fired[j + 1] = p;
        }
      }
      start = end;
    }
  }

  explain(facts: FactSnapshot): RuleOutcome[] {
    try {
      return explainFile(this.compiled.tree, facts, this.compiled.params);
    } catch (err) {
      throw this.failure(err, facts);
    }
  }

  explainRule(facts: FactSnapshot, ruleId: string): RuleOutcome | undefined {
    try {
      return explainOneRule(this.compiled.tree, ruleId, facts, this.compiled.params);
    } catch (err) {
      throw this.failure(err, facts);
    }
  }

  /** The error of a failed evaluation, naming the rule (found again on the slow path). */
  private failure(err: unknown, facts: FactSnapshot): Error {
    const { tree, params, file } = this.compiled;
    const env = newEnv(facts, params, false);
    let rule: CompiledRule | undefined;
    search: for (const group of tree.groups) {
      for (const r of group) {
        try {
          evalRule(r, env);
          paramRounds(r, env);
        } catch {
          rule = r;
          break search;
        }
      }
    }
    const message = err instanceof Error ? err.message : String(err);
    const where = rule ? `rule '${String(rule.name)}'` : 'a rule';
    return new SolrulesError('RULES_EVALUATION_FAILED', `${file.file}: ${where} failed to evaluate: ${message}`, { file: file.file, fileId: file.id, rule: rule?.name }, { cause: err });
  }
}

/** Factory for the compiled evaluator (`--evaluator compiled`, the default). */
export interface CompiledEvaluatorFactory extends EvaluatorFactory {
  create(file: RuleFile, params: Record<string, unknown>): SyncEvaluator;
}

export const compiledEvaluator: CompiledEvaluatorFactory = {
  kind: 'compiled',
  create: (file, params) => new CompiledEvaluator(compileRuleFile(file, params)),
};

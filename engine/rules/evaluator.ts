/**
 * The Evaluator interface: one rule file's rules, compiled with the params in force, run
 * against a snapshot of facts computed beforehand (nothing is fetched during evaluation, so
 * an implementation may be fully synchronous).
 */
import type { RuleFile } from './model.ts';

/** Facts by name, as the catalog declares them. `params` is supplied by the evaluator. */
export type FactSnapshot = Readonly<Record<string, unknown>>;

/** An event of a rule that fired, with `{ fact, path }` params replaced by their values. */
export interface FiredEvent {
  ruleId: string;
  fileId: string;
  priority: number;
  type: string;
  params: Record<string, unknown>;
}

/** One node of a rule's condition tree with what it evaluated to. */
export interface ConditionTrace {
  kind: 'all' | 'any' | 'not' | 'ref' | 'leaf';
  /** null when the condition was not evaluated (short-circuited). */
  result: boolean | null;
  children?: ConditionTrace[];
  /** Named condition (for `ref`), or a condition's `name`. */
  name?: string;
  fact?: string;
  path?: string;
  operator?: string;
  /** The fact side's value at evaluation. */
  factValue?: unknown;
  /** The value side as evaluated (the constant, or the referenced fact's value). */
  value?: unknown;
  /** When the value side is a fact reference: `fact.path`. */
  valueFact?: string;
}

export interface RuleOutcome {
  ruleId: string;
  fileId: string;
  priority: number;
  fired: boolean;
  eventType: string;
  conditions: ConditionTrace;
}

export interface Evaluator {
  /** Implementation name, e.g. `reference` (json-rules-engine) or `compiled`. */
  readonly kind: string;
  readonly file: RuleFile;
  /** Events of the rules that fire, in json-rules-engine's order (priority, then file order). */
  evaluate(facts: FactSnapshot): FiredEvent[] | Promise<FiredEvent[]>;
  /** Every rule's outcome with its condition tree and values (slower; for explain and coverage). */
  explain(facts: FactSnapshot): RuleOutcome[] | Promise<RuleOutcome[]>;
  /** One rule's outcome (what `explain` gives for it): the explanation an order carries. */
  explainRule(facts: FactSnapshot, ruleId: string): RuleOutcome | undefined | Promise<RuleOutcome | undefined>;
}

export interface EvaluatorFactory {
  readonly kind: string;
  /** Builds an evaluator for one rule file with the `params` fact fixed. */
  create(file: RuleFile, params: Record<string, unknown>): Evaluator;
}

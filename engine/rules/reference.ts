/**
 * The reference evaluator: json-rules-engine, configured to our semantics (dot paths,
 * undefined facts allowed, fact references in event params replaced, our operators).
 */
import { Engine, Operator, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { ConditionTrace, Evaluator, EvaluatorFactory, FactSnapshot, FiredEvent, RuleOutcome } from './evaluator.ts';
import type { RuleFile } from './model.ts';
import { CUSTOM_OPERATORS, NULL_SAFE_COMPARISONS, readPath } from './operators.ts';

/** json-rules-engine's numberValidator on the fact side. */
const numberValidator = (x: unknown): boolean => Number.parseFloat(x as string).toString() !== 'NaN';

interface JreCondition {
  all?: JreCondition[];
  any?: JreCondition[];
  not?: JreCondition;
  condition?: string;
  fact?: string;
  path?: string;
  operator?: string;
  value?: unknown;
  name?: string;
  result?: boolean;
  factResult?: unknown;
  valueResult?: unknown;
}

function toTrace(c: JreCondition, refName?: string): ConditionTrace {
  const result = c.result === undefined ? null : c.result;
  const named = refName ?? c.name;
  const base = named ? { name: named } : {};
  if (c.all) return { kind: 'all', result, ...base, children: c.all.map((x) => toTrace(x)) };
  if (c.any) return { kind: 'any', result, ...base, children: c.any.map((x) => toTrace(x)) };
  if (c.not) return { kind: 'not', result, ...base, children: [toTrace(c.not)] };
  if (c.condition) return { kind: 'ref', result, name: c.condition, children: [] };
  const v = c.value as { fact?: string; path?: string } | undefined;
  const isRef = !!v && typeof v === 'object' && !Array.isArray(v) && typeof v.fact === 'string';
  const trace: ConditionTrace = {
    kind: 'leaf',
    result,
    ...base,
    fact: c.fact!,
    operator: c.operator!,
    factValue: c.factResult,
    value: isRef ? c.valueResult : c.value,
  };
  if (c.path !== undefined) trace.path = c.path;
  if (isRef) trace.valueFact = v!.path ? `${v!.fact}.${v!.path}` : v!.fact!;
  return trace;
}

class ReferenceEvaluator implements Evaluator {
  readonly kind = 'reference';
  private engine: Engine;
  /** Runs in flight, chained: json-rules-engine keeps run status on the engine itself. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly file: RuleFile,
    private readonly params: Record<string, unknown>,
  ) {
    this.engine = this.build();
  }

  private build(): Engine {
    const engine = new Engine([], {
      allowUndefinedFacts: true,
      allowUndefinedConditions: false,
      replaceFactsInEventParams: true,
      pathResolver: (value: object, path: string) => readPath(value, path),
    });
    for (const [name, fn] of Object.entries(CUSTOM_OPERATORS)) engine.addOperator(name, fn);
    for (const [name, fn] of Object.entries(NULL_SAFE_COMPARISONS)) engine.addOperator(new Operator(name, fn, numberValidator));
    for (const [name, condition] of Object.entries(this.file.conditions ?? {})) {
      // json-rules-engine expands a reference in place; the name keeps it visible in explanations.
      engine.setCondition(name, { name, ...structuredClone(condition) } as TopLevelCondition);
    }
    for (const rule of this.file.rules) {
      const props: RuleProperties = {
        name: rule.id,
        priority: rule.priority ?? 1,
        conditions: structuredClone(rule.conditions) as TopLevelCondition,
        // the event as written: json-rules-engine refuses one without an own `type`
        event: {
          ...(Object.hasOwn(rule.event, 'type') ? { type: rule.event.type } : {}),
          params: structuredClone(rule.event.params ?? {}),
        } as RuleProperties['event'],
      };
      engine.addRule(props);
    }
    return engine;
  }

  /**
   * One run at a time per engine: json-rules-engine's engine-wide run status makes a run that
   * overlaps another (or follows a failed one) skip lower-priority rules. A failed run gets a
   * fresh engine.
   */
  private run(facts: FactSnapshot): ReturnType<Engine['run']> {
    const runtime: Record<string, unknown> = { ...facts, params: this.params };
    const next = this.queue.then(() =>
      this.engine.run(runtime).catch((err: unknown) => {
        this.engine = this.build();
        throw err;
      }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  async evaluate(facts: FactSnapshot): Promise<FiredEvent[]> {
    const { results } = await this.run(facts);
    return results.map((r) => ({
      ruleId: String(r.name),
      fileId: this.file.id,
      priority: r.priority ?? 1,
      type: r.event?.type ?? '',
      params: (r.event?.params ?? {}) as Record<string, unknown>,
    }));
  }

  async explainRule(facts: FactSnapshot, ruleId: string): Promise<RuleOutcome | undefined> {
    return (await this.explain(facts)).find((o) => o.ruleId === ruleId);
  }

  async explain(facts: FactSnapshot): Promise<RuleOutcome[]> {
    const { results, failureResults } = await this.run(facts);
    const byName = new Map<string, RuleOutcome>();
    for (const r of [...results, ...failureResults]) {
      const json = r.toJSON(false) as unknown as { conditions: JreCondition };
      byName.set(String(r.name), {
        ruleId: String(r.name),
        fileId: this.file.id,
        priority: r.priority ?? 1,
        fired: r.result === true,
        eventType: r.event?.type ?? '',
        // json-rules-engine leaves the root's own result unset; it is the rule's result.
        conditions: { ...toTrace(json.conditions), result: r.result === true },
      });
    }
    // Report rules in file order, so explain output reads like the file.
    return this.file.rules.map((rule) => byName.get(rule.id)!).filter(Boolean);
  }
}

/** Factory for the json-rules-engine evaluator (`--evaluator reference`). */
export const referenceEvaluator: EvaluatorFactory = {
  kind: 'reference',
  create: (file, params) => new ReferenceEvaluator(file, params),
};

/**
 * Where the AI signal changed a decision. At every bar a strategy with an `ai` fact is evaluated,
 * its rules are evaluated a second time WITHOUT their ai conditions, on the same facts (same
 * position, same wallet, same indicators). A bar where the two disagree on an order is one where
 * the AI decided: an order the rest of the rule wanted and the AI vetoed, or one the AI's answer
 * made happen. Consecutive bars of the same disagreement form one episode.
 *
 * The counterfactual never trades: after a first disagreement the real position and the one the
 * rule without AI would hold differ, and each bar is still compared on the real one. It answers
 * "at this close, did the AI decide?", not "what would a strategy without AI have earned".
 *
 * "Without the ai conditions": a condition reading the `ai` fact is removed from its parent (in
 * an `all` it no longer restricts, in an `any` it no longer allows); a group or named condition
 * that reads only `ai` is removed as a whole; a rule whose conditions all read `ai` has no
 * counterpart and never fires without the AI.
 */
import type { FactSnapshot, FiredEvent, RuleFile } from '../rules/index.ts';
import { isAll, isAny, isFactReference, isLeaf, isNot, type Condition, type EvaluatorFactory, type Evaluator, type RuleDef, type TopCondition } from '../rules/index.ts';

/** How the report describes the comparison (docs/ai.md says the same). */
export const AI_DECISION_METHOD =
  'each bar the strategy is also evaluated without its ai conditions, on the same facts and position; a bar where the two disagree on an order is one where the AI decided (the counterfactual does not trade)';

/** One run of consecutive bars where the AI changed the same decision. */
export interface AiDecisionEpisode {
  strategy: string;
  rule: string;
  side: string;
  /** vetoed: the rule without ai conditions fires, with them not; enabled: the opposite. */
  effect: 'vetoed' | 'enabled';
  /** Decision times (bar closes), epoch ms. */
  firstMs: number;
  lastMs: number;
  bars: number;
  /** The ai fact at the first bar of the episode. */
  ai: { status: string; recommendation: string; confidence: number; ageSeconds: number };
}

/** The rule file with every condition on `fact` removed (see the module comment). */
export function withoutFact(rf: RuleFile, fact: string): RuleFile {
  const named = rf.conditions ?? {};
  const strippedNamed = new Map<string, Condition | null>();
  const strip = (c: Condition): Condition | null => {
    if (isLeaf(c)) return c.fact === fact || (isFactReference(c.value) && c.value.fact === fact) ? null : c;
    if (isAll(c)) {
      const kept = c.all.map(strip).filter((x): x is Condition => x !== null);
      return kept.length ? { ...c, all: kept } : null;
    }
    if (isAny(c)) {
      const kept = c.any.map(strip).filter((x): x is Condition => x !== null);
      return kept.length ? { ...c, any: kept } : null;
    }
    if (isNot(c)) {
      const inner = strip(c.not);
      return inner ? { ...c, not: inner } : null;
    }
    const name = c.condition;
    if (!strippedNamed.has(name)) strippedNamed.set(name, named[name] ? strip(named[name]!) : c);
    return strippedNamed.get(name) ? c : null;
  };
  const rules: RuleDef[] = [];
  for (const r of rf.rules) {
    const top = strip(r.conditions as Condition);
    if (top) rules.push({ ...r, conditions: top as TopCondition });
  }
  for (const name of Object.keys(named)) if (!strippedNamed.has(name)) strippedNamed.set(name, strip(named[name]!));
  const conditions = Object.fromEntries([...strippedNamed].filter(([, c]) => c !== null)) as Record<string, Condition>;
  return { ...rf, rules, conditions, hash: `${rf.hash}:without-${fact}` };
}

const orderRules = (events: readonly FiredEvent[]) =>
  new Map(events.filter((e) => e.type === 'order' && String(e.params.amountIn ?? '0') !== '0').map((e) => [e.ruleId, String(e.params.side ?? '')]));

/** Compares each evaluation of a strategy with the same evaluation without its ai conditions. */
export class AiDecisionProbe {
  private readonly withoutAi = new Map<string, Evaluator>();
  private readonly open = new Map<string, AiDecisionEpisode>();
  readonly episodes: AiDecisionEpisode[] = [];
  /** Bars compared, per strategy. */
  readonly bars = new Map<string, number>();

  constructor(
    private readonly factory: EvaluatorFactory,
    private readonly params: Record<string, unknown>,
  ) {}

  /** The engine's hook (observeAiDecision): one evaluation of `strategy` at `timeMs` with its fired events. */
  async observe(strategy: string, file: RuleFile, facts: FactSnapshot, events: readonly FiredEvent[], timeMs: number): Promise<void> {
    let evaluator = this.withoutAi.get(file.hash);
    if (!evaluator) this.withoutAi.set(file.hash, (evaluator = this.factory.create(withoutFact(file, 'ai'), this.params)));
    const real = orderRules(events);
    const counter = orderRules(await evaluator.evaluate(facts));
    this.bars.set(strategy, (this.bars.get(strategy) ?? 0) + 1);
    const seen = new Set<string>();
    const ai = facts.ai as AiDecisionEpisode['ai'];
    const note = (rule: string, side: string, effect: AiDecisionEpisode['effect']) => {
      const key = `${strategy}/${rule}/${effect}`;
      seen.add(key);
      const ep = this.open.get(key);
      if (ep) {
        ep.lastMs = timeMs;
        ep.bars += 1;
        return;
      }
      const fresh: AiDecisionEpisode = { strategy, rule, side, effect, firstMs: timeMs, lastMs: timeMs, bars: 1, ai: { status: ai.status, recommendation: ai.recommendation, confidence: ai.confidence, ageSeconds: ai.ageSeconds } };
      this.open.set(key, fresh);
      this.episodes.push(fresh);
    };
    for (const [rule, side] of counter) if (!real.has(rule)) note(rule, side, 'vetoed');
    for (const [rule, side] of real) if (!counter.has(rule)) note(rule, side, 'enabled');
    // An episode ends at the first bar of this strategy where its disagreement is gone.
    for (const key of [...this.open.keys()]) if (key.startsWith(`${strategy}/`) && !seen.has(key)) this.open.delete(key);
  }
}

/**
 * One-call reporting for the pipeline's steps that need more than one metric: a rule-file
 * evaluation (stage or span, latency, hits, errors), the rule set in force, and a strategy's
 * P&L, fees, rebalances and completions (reported as deltas of the planner's own counters).
 */
import { metrics } from './metrics.ts';
import { stage } from './tracing.ts';

/**
 * Evaluates one rule file with its telemetry: a `rules.evaluate` stage of the trace, the
 * evaluation latency and count, a hit per fired rule, and the error count when it throws.
 */
export async function observeEvaluation<E extends { ruleId: string }>(file: string, evaluator: string, evaluate: () => E[] | Promise<E[]>): Promise<E[]> {
  const labels = { file, evaluator };
  return stage('rules.evaluate', { 'solrules.rule_file': file, 'solrules.evaluator': evaluator }, async () => {
    const t0 = performance.now();
    let fired: E[];
    try {
      fired = await evaluate();
    } catch (err) {
      metrics.rules.evaluationErrors.inc({ file });
      throw err;
    } finally {
      metrics.rules.evaluationDuration.observe(labels, (performance.now() - t0) / 1000);
      metrics.rules.evaluations.inc(labels);
    }
    for (const e of fired) metrics.rules.hits.inc({ rule_id: e.ruleId, file });
    return fired;
  });
}

/** Publishes the rule set in force: its hash (one series), when it was applied, rules per file. */
export function reportRuleSet(ruleSet: { hash: string; files: ReadonlyArray<{ id: string; rules: ReadonlyArray<unknown> }> }, appliedAt: Date = new Date()): void {
  metrics.rules.active.set({ hash: ruleSet.hash.slice(0, 16) }, 1);
  metrics.rules.appliedAt.set(appliedAt.getTime() / 1000);
  metrics.rules.count.reset();
  for (const f of ruleSet.files) metrics.rules.count.set({ file: f.id }, f.rules.length);
}

export type CompletionReason = 'take-profit' | 'stop-loss' | 'position-limit' | 'replay-end' | 'stopped';

export interface StrategySnapshot {
  realizedUsd: number;
  unrealizedUsd: number;
  /** Cumulative fees paid (USD). */
  feesUsd: number;
  /** Cumulative rebalances (grid). */
  rebalances?: number;
  /** Cumulative completions by reason (DCA exits). */
  completions?: Partial<Record<CompletionReason, number>>;
}

/** Turns planners' cumulative counters into metric increments (each instance reports its own). */
export class StrategyReporter {
  private readonly last = new Map<string, StrategySnapshot>();

  /** Sets the P&L gauges and adds what grew since the last report to the counters. */
  report(strategy: string, s: StrategySnapshot): void {
    const prev = this.last.get(strategy);
    metrics.strategy.realizedPnl.set({ strategy }, s.realizedUsd);
    metrics.strategy.unrealizedPnl.set({ strategy }, s.unrealizedUsd);
    const feeDelta = s.feesUsd - (prev?.feesUsd ?? 0);
    if (feeDelta > 0) metrics.strategy.fees.inc({ strategy }, feeDelta);
    else if (!prev) metrics.strategy.fees.inc({ strategy }, 0);
    if (s.rebalances !== undefined) {
      const d = s.rebalances - (prev?.rebalances ?? 0);
      metrics.strategy.rebalances.inc({ strategy }, Math.max(0, d));
    }
    for (const [reason, count] of Object.entries(s.completions ?? {}) as Array<[CompletionReason, number]>) {
      const d = count - (prev?.completions?.[reason] ?? 0);
      metrics.strategy.completions.inc({ strategy, reason }, Math.max(0, d));
    }
    this.last.set(strategy, { ...s, completions: { ...s.completions } });
  }
}

/**
 * One-call reporting for the pipeline's steps that need more than one metric: a rule-file
 * evaluation (stage or span, latency, hits, errors), the rule set in force, and a strategy's
 * P&L, fees, rebalances and completions (reported as deltas of the planner's own counters).
 */
import { HistogramBatch, metrics } from './metrics.ts';
import { stage, tracingEnabled } from './tracing.ts';

/** Evaluations a batched EvaluationTelemetry sums before adding them to the metrics. */
export const EVALUATION_BATCH = 1024;

/**
 * The telemetry of one rule file's evaluations (a `rules.evaluate` stage of the trace, the
 * evaluation latency and count, a hit per fired rule, the error count when it throws), with its labels
 * and span attributes built once: synchronous when the evaluator answers synchronously (the
 * compiled one), so a tick that decides nothing makes no promise.
 *
 * `batched` (a backtest, which evaluates once per bar as fast as it can): latency, count and hits
 * are summed here and added to the metrics every EVALUATION_BATCH evaluations and at `flush()`
 * (the engine flushes at stop and when the rule set changes): the same totals, buckets included,
 * one metric update per batch instead of three per evaluation. An evaluation that throws is
 * counted at once.
 */
export class EvaluationTelemetry {
  private readonly labels: { file: string; evaluator: string };
  private readonly attributes: Record<string, string>;
  private readonly batch: { duration: HistogramBatch; hits: Map<string, number> } | undefined;

  constructor(private readonly file: string, evaluator: string, opts: { batched?: boolean } = {}) {
    this.labels = { file, evaluator };
    this.attributes = { 'solrules.rule_file': file, 'solrules.evaluator': evaluator };
    if (opts.batched) this.batch = { duration: new HistogramBatch(metrics.rules.evaluationDuration, this.labels), hits: new Map() };
  }

  /** `evaluate(facts)` with the stage, latency, count, hits and errors of one evaluation. */
  evaluate<F, E extends { ruleId: string }>(evaluate: (facts: F) => E[] | Promise<E[]>, self: unknown, facts: F): E[] | Promise<E[]> {
    // Without tracing a stage is the call itself: skip the closure.
    if (!tracingEnabled()) return this.measured(evaluate, self, facts);
    return stage('rules.evaluate', this.attributes, () => this.measured(evaluate, self, facts));
  }

  /** Adds what a batched telemetry summed to the metrics (nothing to do unbatched). */
  flush(): void {
    const b = this.batch;
    if (!b || b.duration.pending === 0) return;
    metrics.rules.evaluations.inc(this.labels, b.duration.pending);
    b.duration.flush();
    for (const [rule_id, n] of b.hits) metrics.rules.hits.inc({ rule_id, file: this.file }, n);
    b.hits.clear();
  }

  private measured<F, E extends { ruleId: string }>(evaluate: (facts: F) => E[] | Promise<E[]>, self: unknown, facts: F): E[] | Promise<E[]> {
    const t0 = performance.now();
    let out: E[] | Promise<E[]>;
    try {
      out = evaluate.call(self, facts);
    } catch (err) {
      this.failed(t0);
      throw err;
    }
    if (isPromise(out)) {
      return out.then(
        (fired) => this.done(t0, fired),
        (err: unknown) => {
          this.failed(t0);
          throw err;
        },
      );
    }
    return this.done(t0, out);
  }

  private done<E extends { ruleId: string }>(t0: number, fired: E[]): E[] {
    const b = this.batch;
    if (b) {
      b.duration.observe((performance.now() - t0) / 1000);
      for (let i = 0; i < fired.length; i++) b.hits.set(fired[i]!.ruleId, (b.hits.get(fired[i]!.ruleId) ?? 0) + 1);
      if (b.duration.pending >= EVALUATION_BATCH) this.flush();
      return fired;
    }
    metrics.rules.evaluationDuration.observe(this.labels, (performance.now() - t0) / 1000);
    metrics.rules.evaluations.inc(this.labels);
    for (let i = 0; i < fired.length; i++) metrics.rules.hits.inc({ rule_id: fired[i]!.ruleId, file: this.file });
    return fired;
  }

  private failed(t0: number): void {
    this.flush();
    metrics.rules.evaluationErrors.inc({ file: this.file });
    metrics.rules.evaluationDuration.observe(this.labels, (performance.now() - t0) / 1000);
    metrics.rules.evaluations.inc(this.labels);
  }
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

/** Publishes the rule set in force: its hash (one series), when it was applied, rules per file. */
export function reportRuleSet(ruleSet: { hash: string; files: ReadonlyArray<{ id: string; rules: ReadonlyArray<unknown> }> }, appliedAt: Date = new Date()): void {
  metrics.rules.active.set({ hash: ruleSet.hash.slice(0, 16) }, 1);
  metrics.rules.appliedAt.set(appliedAt.getTime() / 1000);
  metrics.rules.count.reset();
  for (const f of ruleSet.files) metrics.rules.count.set({ file: f.id }, f.rules.length);
}

/** A completion's reason: the planners' own, or an exit reason a strategy's rule file declares. */
export type CompletionReason = string;

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

/**
 * The reason label of solrules_strategy_completions_total is bounded by what the loaded config
 * declares: the planners' own reasons (the catalog) plus the exit reasons each strategy's rule file
 * names (a signal rule's `exit: cross-down`). Declared at start and again on each applied reload,
 * so a reason a rule file names is counted under its name and only an undeclared one falls to
 * `other` (warned once).
 */
import type { ActiveConfig } from '../config/index.ts';
import { declareLabelValues, type Logger } from '../infra/telemetry/index.ts';
import { strategyKind } from '../strategies/index.ts';

/** The completion reasons the strategies' rule files of `active` declare. */
export function declaredCompletionReasons(active: ActiveConfig): string[] {
  const reasons = new Set<string>();
  for (const [name, entry] of Object.entries(active.strategies.strategies)) {
    const kind = strategyKind(entry.kind);
    const rules = active.ruleSet.files.find((f) => f.kind === 'strategy' && f.strategy === name);
    if (kind?.completionReasons && rules) for (const r of kind.completionReasons(rules)) reasons.add(r);
  }
  return [...reasons].sort();
}

/** Bounds the completions' reason label by what `active` declares; warns about reasons that cannot be label values. */
export function declareCompletionReasons(active: ActiveConfig, log: Logger): void {
  const refused = declareLabelValues('solrules_strategy_completions_total', 'reason', declaredCompletionReasons(active));
  for (const r of refused) log.warn({ reason: r.value, problem: r.problem }, `exit reason '${r.value}' is not counted under its own name in solrules_strategy_completions_total (${r.problem}): its completions count as 'other'`);
}

/**
 * No silent no-ops at run time: which facts each rule file reads, which of them this run's mode
 * does not produce (said once at start), and a watch that warns — and counts a metric — when a
 * fact a file reads has been absent from its evaluations for too long.
 */
import { strategyOptionsOf, type ActiveConfig } from '../config/index.ts';
import { whyUnproduced, type RunMode } from '../facts/index.ts';
import { isAll, isAny, isFactReference, isLeaf, isNot, type Condition, type RuleFile } from '../rules/index.ts';
import { FACT_PRODUCERS } from '../strategies/index.ts';
import { metrics, type Logger } from '../infra/telemetry/index.ts';

/** One fact read by a rule that nothing produces in this run. */
export interface UnproducedRead {
  file: string;
  rule: string;
  fact: string;
  path?: string;
  why: string;
}

/** Every (rule, fact, path) a rule file reads, conditions and fact-valued operands alike. */
export function factReads(rf: RuleFile): Array<{ rule: string; fact: string; path?: string }> {
  const out: Array<{ rule: string; fact: string; path?: string }> = [];
  const named = (rf as { conditions?: Record<string, Condition> }).conditions ?? {};
  const walk = (c: Condition, rule: string, seen: Set<string>) => {
    if (isLeaf(c)) {
      out.push({ rule, fact: c.fact, ...(c.path !== undefined ? { path: c.path } : {}) });
      if (isFactReference(c.value)) out.push({ rule, fact: c.value.fact, ...(c.value.path !== undefined ? { path: c.value.path } : {}) });
    } else if (isAll(c)) c.all.forEach((x) => walk(x, rule, seen));
    else if (isAny(c)) c.any.forEach((x) => walk(x, rule, seen));
    else if (isNot(c)) walk(c.not, rule, seen);
    else if ('condition' in c && !seen.has(c.condition) && named[c.condition]) walk(named[c.condition]!, rule, new Set([...seen, c.condition]));
  };
  for (const r of rf.rules) walk(r.conditions as Condition, r.id, new Set());
  return out;
}

/** Rules of the active set reading facts that this run's mode does not produce for them. */
export function unproducedReads(active: ActiveConfig, mode: RunMode): UnproducedRead[] {
  const out: UnproducedRead[] = [];
  const cfg = active.strategies;
  for (const rf of active.ruleSet.files) {
    const strategy = rf.kind === 'strategy' ? cfg.strategies[rf.strategy] : undefined;
    if (rf.kind === 'strategy' && !strategy?.enabled) continue;
    const query = { scope: rf.kind === 'strategy' ? ('strategy' as const) : rf.kind === 'wallets' ? ('wallets' as const) : ('order' as const), mode, ...(strategy ? { strategyKind: strategy.kind, strategyOptions: strategyOptionsOf(strategy) } : {}) };
    const seen = new Set<string>();
    for (const read of factReads(rf)) {
      const key = `${read.rule}/${read.fact}.${read.path?.split('.')[0] ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const why = whyUnproduced(FACT_PRODUCERS, read.fact, read.path, query);
      if (why) out.push({ file: rf.id, ...read, why });
    }
  }
  return out;
}

/**
 * Counts, per rule file and fact, evaluations in a row where a fact the file reads was absent;
 * at `threshold` it warns once and counts solrules_rule_facts_missing_total. Facts known at
 * start not to be produced in this mode were already said, so they are not warned again.
 */
export class FactWatch {
  /** Per rule-file content hash: the facts its rules read, with their streak keys (built once, not per evaluation). */
  private readonly reads = new Map<string, Array<{ fact: string; key: string }>>();
  private readonly absent = new Map<string, number>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly log: Logger,
    private readonly known: ReadonlySet<string> = new Set(),
    private readonly threshold = 100,
  ) {}

  /** Notes which facts of `facts` the file's rules read are missing in this evaluation. */
  observe(rf: RuleFile, facts: Readonly<Record<string, unknown>>): void {
    let reads = this.reads.get(rf.hash);
    if (!reads) {
      reads = [...new Set(factReads(rf).map((r) => r.fact))].filter((f) => f !== 'params').map((fact) => ({ fact, key: `${rf.id}:${fact}` }));
      this.reads.set(rf.hash, reads);
    }
    for (const { fact, key } of reads) {
      if (facts[fact] !== undefined) {
        if (this.absent.size) this.absent.delete(key);
        continue;
      }
      const n = (this.absent.get(key) ?? 0) + 1;
      this.absent.set(key, n);
      if (n === this.threshold && !this.warned.has(key) && !this.known.has(key)) {
        this.warned.add(key);
        metrics.rules.factsMissing.inc({ file: rf.id, fact });
        this.log.warn({ file: rf.id, fact, evaluations: n }, `rules in '${rf.id}' read fact '${fact}', which has not been produced for ${n} evaluations in a row: conditions on it cannot hold`);
      }
    }
  }
}

/** Readable rendering of rule outcomes: why each rule fired or did not, condition by condition, with values. */
import type { ConditionTrace, RuleOutcome } from './evaluator.ts';
import { canonicalJson } from './ruleset.ts';

function value(v: unknown): string {
  return v === undefined ? 'undefined' : canonicalJson(v);
}

function mark(result: boolean | null): string {
  return result === true ? '✓' : result === false ? '✗' : '·';
}

/** Renders a condition tree, one line a node, indented. */
export function formatTrace(t: ConditionTrace, indent = '  '): string[] {
  const lines: string[] = [];
  const walk = (n: ConditionTrace, depth: number) => {
    const pad = indent.repeat(depth);
    const named = n.name ? ` (${n.name})` : '';
    if (n.kind === 'leaf') {
      const left = `${n.fact}${n.path ? '.' + n.path : ''}`;
      const right = n.valueFact ? `${n.valueFact} = ${value(n.value)}` : value(n.value);
      const skipped = n.result === null ? '  [not evaluated]' : '';
      lines.push(`${pad}${mark(n.result)} ${left} ${n.operator} ${right}   (${left} = ${value(n.factValue)})${named}${skipped}`);
      return;
    }
    lines.push(`${pad}${mark(n.result)} ${n.kind}${named}`);
    for (const c of n.children ?? []) walk(c, depth + 1);
  };
  walk(t, 0);
  return lines;
}

/** Renders one rule's outcome: header line and its condition tree. */
export function formatOutcome(o: RuleOutcome): string {
  const head = `${o.fired ? 'FIRED' : 'not fired'}  ${o.fileId}/${o.ruleId}  (priority ${o.priority}, event ${o.eventType})`;
  return [head, ...formatTrace(o.conditions).map((l) => `  ${l}`)].join('\n');
}

/**
 * Rules that can never fire: leaf conditions under one `all` (through nested `all`s and named
 * condition references) that no value can satisfy together — `price.usd > 200` and
 * `price.usd < 100`, or equal to two different constants. Only constant comparisons on the same
 * fact and path are reasoned about; `any` and `not` branches are left alone.
 */
import type { Finding, PathSegment } from './check.ts';
import type { Condition, RuleFile } from './model.ts';

interface Leaf {
  label: string;
  at: PathSegment[];
  operator: string;
  value: unknown;
}

const RANGE_OPS = new Set(['greaterThan', 'greaterThanInclusive', 'lessThan', 'lessThanInclusive']);

function isConstant(v: unknown): v is number | string | boolean {
  return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

/** Leaves that must all hold for `c` to hold, by fact.path. */
function mustHold(rf: RuleFile, c: Condition | undefined, at: PathSegment[], out: Map<string, Leaf[]>, depth = 0): void {
  if (!c || typeof c !== 'object' || depth > 50) return;
  const node = c as unknown as Record<string, unknown>;
  if (Array.isArray(node.all)) node.all.forEach((x, i) => mustHold(rf, x as Condition, [...at, 'all', i], out, depth + 1));
  else if (typeof node.condition === 'string') mustHold(rf, rf.conditions?.[node.condition], ['conditions', node.condition], out, depth + 1);
  else if (typeof node.fact === 'string' && typeof node.operator === 'string' && isConstant(node.value)) {
    const key = `${node.fact}${typeof node.path === 'string' ? '.' + node.path : ''}`;
    out.set(key, [...(out.get(key) ?? []), { label: key, at, operator: node.operator, value: node.value }]);
  }
}

const SYMBOL: Record<string, string> = { greaterThan: '>', greaterThanInclusive: '>=', lessThan: '<', lessThanInclusive: '<=', equal: '==', notEqual: '!=' };
const show = (l: Leaf) => `${l.label} ${SYMBOL[l.operator] ?? l.operator} ${JSON.stringify(l.value)}`;

/** The pair of leaves that cannot both hold, if any. */
function conflict(leaves: Leaf[]): [Leaf, Leaf] | undefined {
  let lo: Leaf | undefined; // the tightest lower bound
  let hi: Leaf | undefined;
  let eq: Leaf | undefined;
  const ne: Leaf[] = [];
  const num = (l: Leaf) => l.value as number;
  for (const l of leaves) {
    if (l.operator === 'equal') {
      if (eq && eq.value !== l.value) return [eq, l];
      eq = l;
    } else if (l.operator === 'notEqual') ne.push(l);
    else if (RANGE_OPS.has(l.operator) && typeof l.value === 'number') {
      if (l.operator.startsWith('greater')) {
        if (!lo || num(l) > num(lo) || (num(l) === num(lo) && l.operator === 'greaterThan')) lo = l;
      } else if (!hi || num(l) < num(hi) || (num(l) === num(hi) && l.operator === 'lessThan')) hi = l;
    }
  }
  if (lo && hi && (num(lo) > num(hi) || (num(lo) === num(hi) && (lo.operator === 'greaterThan' || hi.operator === 'lessThan')))) return [lo, hi];
  if (eq) {
    const n = ne.find((l) => l.value === eq!.value);
    if (n) return [eq, n];
    if (typeof eq.value === 'number') {
      const v = eq.value;
      if (lo && (v < num(lo) || (v === num(lo) && lo.operator === 'greaterThan'))) return [lo, eq];
      if (hi && (v > num(hi) || (v === num(hi) && hi.operator === 'lessThan'))) return [eq, hi];
    }
  }
  return undefined;
}

/** A RULES_CONTRADICTION finding for every rule whose conditions can never all hold. */
export function checkContradictions(rf: RuleFile): Finding[] {
  const out: Finding[] = [];
  if (!Array.isArray(rf.rules)) return out;
  rf.rules.forEach((rule, i) => {
    if (!rule || typeof rule !== 'object') return;
    const groups = new Map<string, Leaf[]>();
    mustHold(rf, rule.conditions, ['rules', i, 'conditions'], groups);
    for (const leaves of groups.values()) {
      const pair = conflict(leaves);
      if (!pair) continue;
      out.push({
        at: pair[1].at,
        code: 'RULES_CONTRADICTION',
        message: `rule '${rule.id}' can never fire: ${show(pair[0])} and ${show(pair[1])} cannot both hold`,
        expected: 'conditions some value can satisfy together',
        found: `${show(pair[0])} and ${show(pair[1])}`,
      });
      break;
    }
  });
  return out;
}

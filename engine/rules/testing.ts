/**
 * Runs `*.test.yaml` cases against their rule file: given facts (and param overrides), the
 * events that must fire — or none — with a readable diff for each failure and condition
 * coverage (every leaf condition seen both true and false).
 */
import type { ConditionTrace, EvaluatorFactory, FiredEvent, RuleOutcome } from './evaluator.ts';
import type { RuleFile } from './model.ts';
import type { ExpectedEvent, RuleTestCase, RuleTestDoc } from './test-model.ts';
import { canonicalJson } from './ruleset.ts';

export interface CaseResult {
  name: string;
  passed: boolean;
  /** Human-readable differences (empty when passed). */
  diff: string[];
  events: FiredEvent[];
}

export interface TestFileResult {
  file: string;
  ruleFile: string;
  cases: CaseResult[];
}

/** Coverage of one leaf condition: where it is and which outcomes were seen. */
export interface LeafCoverage {
  fileId: string;
  ruleId: string;
  /** Position in the rule's condition tree, e.g. `all[1].any[0]`. */
  position: string;
  label: string;
  seenTrue: boolean;
  seenFalse: boolean;
}

/** Whether a rule was seen firing in some case and not firing in another. */
export interface RuleCoverage {
  fileId: string;
  ruleId: string;
  seenFired: boolean;
  seenNotFired: boolean;
}

export class CoverageTracker {
  readonly leaves = new Map<string, LeafCoverage>();
  readonly rules = new Map<string, RuleCoverage>();

  /**
   * Registers every leaf of a file (so untested rules count as uncovered). A named-condition
   * reference is transparent: its leaves sit at the reference's position, as in the
   * evaluators' traces, where the reference is expanded in place.
   */
  register(file: RuleFile): void {
    for (const rule of file.rules) {
      this.rules.set(`${file.id}/${rule.id}`, { fileId: file.id, ruleId: rule.id, seenFired: false, seenNotFired: false });
      const walk = (c: unknown, pos: string, depth: number) => {
        const node = c as Record<string, unknown>;
        if (depth > 50) return; // a reference cycle; validation reports it
        if (Array.isArray(node.all)) node.all.forEach((x, i) => walk(x, `${pos}all[${i}].`, depth + 1));
        else if (Array.isArray(node.any)) node.any.forEach((x, i) => walk(x, `${pos}any[${i}].`, depth + 1));
        else if (node.not) walk(node.not, `${pos}not.`, depth + 1);
        else if (typeof node.condition === 'string') walk(file.conditions?.[node.condition] ?? {}, pos, depth + 1);
        else if (typeof node.fact === 'string') {
          const position = pos.replace(/\.$/, '');
          const label = `${node.fact}${node.path ? '.' + node.path : ''} ${node.operator} ${canonicalJson(node.value)}`;
          this.leaves.set(`${file.id}/${rule.id}/${position}`, { fileId: file.id, ruleId: rule.id, position, label, seenTrue: false, seenFalse: false });
        }
      };
      walk(rule.conditions, '', 0);
    }
  }

  /** Records the leaf outcomes of one evaluation. */
  record(outcomes: readonly RuleOutcome[]): void {
    for (const o of outcomes) {
      const rule = this.rules.get(`${o.fileId}/${o.ruleId}`);
      if (rule && o.fired) rule.seenFired = true;
      if (rule && !o.fired) rule.seenNotFired = true;
      const walk = (t: ConditionTrace, pos: string) => {
        if (t.kind === 'leaf') {
          const leaf = this.leaves.get(`${o.fileId}/${o.ruleId}/${pos.replace(/\.$/, '')}`);
          if (leaf && t.result === true) leaf.seenTrue = true;
          if (leaf && t.result === false) leaf.seenFalse = true;
        } else if (t.kind === 'all' || t.kind === 'any') t.children?.forEach((c, i) => walk(c, `${pos}${t.kind}[${i}].`));
        else if (t.kind === 'not' && t.children?.[0]) walk(t.children[0], `${pos}not.`);
      };
      walk(o.conditions, '');
    }
  }

  /** Percent of leaf outcomes (true and false for each leaf) seen. */
  percent(): number {
    if (this.leaves.size === 0) return 100;
    let seen = 0;
    for (const l of this.leaves.values()) seen += Number(l.seenTrue) + Number(l.seenFalse);
    return (seen / (this.leaves.size * 2)) * 100;
  }

  /** Rules no case saw fire, or no case saw not fire: a test that cannot tell the rule from a constant. */
  rulesNotExercised(): RuleCoverage[] {
    return [...this.rules.values()].filter((r) => !r.seenFired || !r.seenNotFired);
  }

  uncovered(): LeafCoverage[] {
    return [...this.leaves.values()].filter((l) => !l.seenTrue || !l.seenFalse);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Deep merge of plain objects (`over` wins); arrays and scalars are replaced. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out as T;
}

function show(v: unknown): string {
  return canonicalJson(v);
}

function matchEvent(expected: ExpectedEvent, actual: FiredEvent, wantType: string | undefined): string[] {
  const problems: string[] = [];
  if (expected.rule !== actual.ruleId) problems.push(`rule: expected '${expected.rule}', got '${actual.ruleId}'`);
  const type = expected.type ?? wantType;
  if (type !== undefined && type !== actual.type) problems.push(`type: expected '${type}', got '${actual.type}'`);
  for (const [k, v] of Object.entries(expected.params ?? {})) {
    if (show(v) !== show(actual.params[k])) problems.push(`params.${k}: expected ${show(v)}, got ${show(actual.params[k])}`);
  }
  return problems;
}

function compareList(expected: ExpectedEvent[], actual: FiredEvent[], label: string, wantType?: string): string[] {
  const diff: string[] = [];
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i];
    const a = actual[i];
    if (e && !a) diff.push(`- ${label}[${i}] expected ${e.rule}${e.params ? ' ' + show(e.params) : ''}, but nothing fired`);
    else if (!e && a) diff.push(`+ ${label}[${i}] unexpected ${a.ruleId} ${a.type} ${show(a.params)}`);
    else if (e && a) for (const p of matchEvent(e, a, wantType)) diff.push(`~ ${label}[${i}] ${p}`);
  }
  return diff;
}

/** Checks one case's events against its expectations; returns the differences. */
export function checkCase(c: RuleTestCase, events: FiredEvent[]): string[] {
  const diff: string[] = [];
  const x = c.expect;
  if (x.orders) diff.push(...compareList(x.orders, events.filter((e) => e.type === 'order'), 'orders', 'order'));
  if (x.events) diff.push(...compareList(x.events, events, 'events'));
  const fired = new Set(events.map((e) => e.ruleId));
  for (const id of x.fired ?? []) if (!fired.has(id)) diff.push(`- expected rule '${id}' to fire; it did not`);
  for (const id of x.notFired ?? []) if (fired.has(id)) diff.push(`+ expected rule '${id}' not to fire; it did`);
  return diff;
}

/** Runs every case of one test file. */
export async function runTestFile(
  doc: RuleTestDoc,
  testFile: string,
  ruleFile: RuleFile,
  baseParams: Record<string, unknown>,
  factory: EvaluatorFactory,
  coverage?: CoverageTracker,
): Promise<TestFileResult> {
  const fileParams = deepMerge(baseParams, doc.params);
  const cases: CaseResult[] = [];
  // Most cases share the file's params: build one evaluator per distinct params.
  const evaluators = new Map<string, ReturnType<EvaluatorFactory['create']>>();
  for (const c of doc.cases) {
    const params = deepMerge(fileParams, c.params);
    const key = canonicalJson(params);
    let evaluator = evaluators.get(key);
    if (!evaluator) {
      evaluator = factory.create(ruleFile, params);
      evaluators.set(key, evaluator);
    }
    const facts = deepMerge(doc.facts ?? {}, c.facts ?? {});
    const events = await evaluator.evaluate(facts);
    if (coverage) coverage.record(await evaluator.explain(facts));
    const diff = checkCase(c, events);
    cases.push({ name: c.name, passed: diff.length === 0, diff, events });
  }
  return { file: testFile, ruleFile: ruleFile.file, cases };
}

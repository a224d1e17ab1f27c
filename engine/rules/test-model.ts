/**
 * `*.test.yaml`: test cases for one rule file — given facts, the events (orders) that must
 * fire, or none — and their static checks (unknown rule, fact, or field).
 */
import type { FactCatalog, FieldSpec } from '../facts/index.ts';
import { closest, type Finding, type PathSegment } from './check.ts';
import type { RuleFile } from './model.ts';

export interface ExpectedEvent {
  rule: string;
  type?: string;
  params?: Record<string, unknown>;
}

export interface RuleTestCase {
  name: string;
  facts?: Record<string, unknown>;
  params?: Record<string, unknown>;
  expect: { orders?: ExpectedEvent[]; events?: ExpectedEvent[]; fired?: string[]; notFired?: string[] };
}

export interface RuleTestDoc {
  rules: string;
  description?: string;
  params?: Record<string, unknown>;
  facts?: Record<string, unknown>;
  cases: RuleTestCase[];
}

function finding(at: PathSegment[], code: string, message: string, extra: { expected?: string; found?: string; key?: boolean }): Finding {
  return { at, code, message, ...extra };
}

function hint(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c ? ` (did you mean '${c}'?)` : '';
}

function checkFieldValue(spec: FieldSpec, value: unknown, at: PathSegment[], name: string, out: Finding[]): void {
  if (value === null || value === undefined) return; // a missing value is a legitimate test input
  const bad = (expected: string) =>
    out.push(finding(at, 'TEST_FACT_TYPE', `fact field '${name}' must be ${expected}`, { expected, found: JSON.stringify(value) }));
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number') bad('a number');
      break;
    case 'integer':
      if (!Number.isInteger(value)) bad('an integer');
      break;
    case 'string':
      if (typeof value !== 'string') bad('a string');
      else if (spec.enum && !spec.enum.includes(value)) bad(`one of ${spec.enum.join(', ')}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') bad('true or false');
      break;
    case 'atoms':
      if (!(typeof value === 'string' && /^\d+$/.test(value)) && !(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
        bad('atoms as a decimal string');
      }
      break;
    case 'series':
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'number')) bad('a list of numbers');
      break;
    case 'string[]':
      if (!Array.isArray(value) || !value.every((x) => typeof x === 'string')) bad('a list of strings');
      break;
    case 'object':
      if (typeof value !== 'object' || Array.isArray(value)) bad('an object');
      else checkFields(spec.fields ?? {}, value as Record<string, unknown>, at, name, out);
      break;
    default:
      break;
  }
}

function checkFields(fields: Record<string, FieldSpec>, value: Record<string, unknown>, at: PathSegment[], prefix: string, out: Finding[]): void {
  for (const [key, v] of Object.entries(value)) {
    const spec = fields[key];
    if (!spec) {
      out.push(finding([...at, key], 'TEST_UNKNOWN_FIELD', `fact '${prefix}' has no field '${key}'${hint(key, Object.keys(fields))}`, { expected: `one of ${Object.keys(fields).join(', ')}`, found: `'${key}'`, key: true }));
      continue;
    }
    checkFieldValue(spec, v, [...at, key], `${prefix}.${key}`, out);
  }
}

function checkFacts(facts: Record<string, unknown> | undefined, at: PathSegment[], out: Finding[], catalog: FactCatalog): void {
  for (const [name, value] of Object.entries(facts ?? {})) {
    const spec = catalog[name];
    if (!spec) {
      out.push(finding([...at, name], 'TEST_UNKNOWN_FACT', `unknown fact '${name}'${hint(name, Object.keys(catalog))}`, { expected: `one of ${Object.keys(catalog).join(', ')}`, found: `'${name}'`, key: true }));
      continue;
    }
    if (spec.dynamic) {
      out.push(finding([...at, name], 'TEST_PARAMS_AS_FACT', "set thresholds with 'params:' (merged onto strategies.yaml), not as a fact", { expected: 'params: at the file or case level', found: 'facts.params', key: true }));
      continue;
    }
    if (value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) {
      out.push(finding([...at, name], 'TEST_FACT_TYPE', `fact '${name}' must be an object of fields`, { expected: 'an object', found: JSON.stringify(value) }));
      continue;
    }
    if (spec.entries) {
      // a fact keyed by declared names (indicator.<name>): each entry has the entry spec
      for (const [key, v] of Object.entries(value)) checkFieldValue(spec.entries, v, [...at, name, key], `${name}.${key}`, out);
      continue;
    }
    checkFields(spec.fields, value as Record<string, unknown>, [...at, name], name, out);
  }
}

/** Static checks of a schema-valid test file against the rule file it tests (undefined when that failed to load). */
export function checkRuleTests(doc: RuleTestDoc, ruleFile: RuleFile | undefined, ruleFileExists: boolean, catalog: FactCatalog): Finding[] {
  const out: Finding[] = [];
  if (!ruleFileExists) {
    out.push(finding(['rules'], 'TEST_RULES_NOT_FOUND', `rule file '${doc.rules}' does not exist`, { expected: 'a rule file relative to this test file', found: doc.rules }));
  }
  if (doc.facts && typeof doc.facts === 'object') checkFacts(doc.facts, ['facts'], out, catalog);
  if (!Array.isArray(doc.cases)) return out;
  const ruleIds = new Set(ruleFile?.rules.map((r) => r.id) ?? []);
  const checkRule = (id: string, at: PathSegment[]) => {
    if (ruleFile && !ruleIds.has(id)) {
      out.push(finding(at, 'TEST_UNKNOWN_RULE', `rule file '${ruleFile.id}' has no rule '${id}'${hint(id, ruleIds)}`, { expected: `one of ${[...ruleIds].join(', ')}`, found: `'${id}'` }));
    }
  };
  doc.cases.forEach((c, i) => {
    if (!c || typeof c !== 'object') return;
    const at: PathSegment[] = ['cases', i];
    if (c.facts && typeof c.facts === 'object') checkFacts(c.facts, [...at, 'facts'], out, catalog);
    if (!c.expect || typeof c.expect !== 'object') return;
    for (const key of ['orders', 'events'] as const) {
      const list = c.expect[key];
      if (Array.isArray(list)) list.forEach((e, j) => typeof e?.rule === 'string' && checkRule(e.rule, [...at, 'expect', key, j, 'rule']));
    }
    for (const key of ['fired', 'notFired'] as const) {
      const list = c.expect[key];
      if (Array.isArray(list)) list.forEach((id, j) => typeof id === 'string' && checkRule(id, [...at, 'expect', key, j]));
    }
    if (c.expect.orders && c.expect.events) {
      out.push(finding([...at, 'expect', 'events'], 'TEST_EXPECT_BOTH', "give either 'orders' or 'events', not both", { expected: 'one of orders / events', found: 'both' }));
    }
  });
  return out;
}

/**
 * The slow path: evaluates the compiled tree step by step as json-rules-engine does, for
 * explanations (the condition tree with values) and for the order of events.
 *
 * Event order. json-rules-engine evaluates the rules of one priority group concurrently and
 * records each result when its promise settles, so within a group events come out in order
 * of settling, not file order. Settling is deterministic: the microtask queue runs in rounds,
 * a job queued in round n runs in round n+1, and the rules of a group only queue their own
 * jobs, so ties keep file order. This module counts the rounds each rule takes (`env.t`),
 * derived from json-rules-engine's code:
 * - a leaf: 3 rounds, 4 when a side reads a path of a fact that exists (one more `then`);
 * - all / any with several children: per priority set evaluated, the slowest member + 4;
 *   per set skipped, 1; one child: that child; none: 0; as a nested condition, + 1;
 * - not: the child + 1 at the root, + 2 nested; a named condition: what it expands to;
 * - the rule's event params: + 0 without params, else + 2, + 3 if one reads a fact path.
 */
import { SolrulesError } from '../../errors/index.ts';
import type { ConditionTrace, FactSnapshot, RuleOutcome } from '../evaluator.ts';
import { readPath } from '../operators.ts';
import type { CompiledFile, CompiledRule, FactRead, GroupNode, LeafNode, Node } from './ir.ts';

const isEnumerableOwn = Object.prototype.propertyIsEnumerable;

/** Evaluation state: the facts, the params fact, and the rounds the last evaluation took. */
export interface Env {
  facts: FactSnapshot;
  params: unknown;
  /** Rounds of the last read or evaluation. */
  t: number;
  /** When set, evaluations leave their condition trace in `tr`. */
  tracing: boolean;
  tr: ConditionTrace | undefined;
}

export function newEnv(facts: FactSnapshot, params: unknown, tracing: boolean): Env {
  return { facts, params, t: 0, tracing, tr: undefined };
}

/** Whether json-rules-engine's almanac knows the fact: every own enumerable key of the snapshot, and params. */
export function factPresent(facts: FactSnapshot, fact: unknown): boolean {
  return fact === 'params' || (typeof fact === 'string' && isEnumerableOwn.call(facts, fact));
}

/**
 * The almanac's factValue: undefined for an unknown fact; a path is resolved only in an
 * object-like value (any other value is returned as it is).
 */
export function readFact(env: Env, read: FactRead): unknown {
  const { fact, path } = read;
  let v: unknown;
  if (fact === 'params') v = env.params;
  else if (typeof fact === 'string' && isEnumerableOwn.call(env.facts, fact)) v = (env.facts as Record<string, unknown>)[fact];
  else {
    env.t = 0;
    return undefined;
  }
  if (!path) {
    env.t = 0;
    return v;
  }
  env.t = 1;
  if (v === null || typeof v !== 'object') return v;
  const segs = read.segs;
  if (!segs) return readPath(v, path as string); // not a string: throws as json-rules-engine's resolver does
  // readPath, with the path split at compile time.
  let cur: unknown = v;
  for (let i = 0; i < segs.length; i++) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[segs[i]!];
  }
  return cur;
}

/** The reference evaluator's test for showing a value as a fact reference in traces. */
export function traceRef(v: unknown): v is { fact: string; path?: unknown } {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { fact?: unknown }).fact === 'string';
}

function named(name: unknown): { name?: string } {
  return name ? { name: name as string } : {};
}

/** The trace of a condition that was not evaluated. */
export function unevaluatedTrace(n: Node): ConditionTrace {
  switch (n.type) {
    case 'leaf':
      return leafTrace(n, null, undefined, undefined);
    case 'all':
    case 'any':
      return { kind: n.type, result: null, ...named(n.name), children: n.children.map(unevaluatedTrace) };
    case 'not':
      return { kind: 'not', result: null, ...named(n.name), children: [unevaluatedTrace(n.child)] };
    case 'ref':
      return { kind: 'ref', result: null, name: n.condition as string, children: [] };
  }
}

function leafTrace(n: LeafNode, result: boolean | null, factValue: unknown, valueResult: unknown): ConditionTrace {
  const v = n.value;
  const isRef = traceRef(v);
  const trace: ConditionTrace = {
    kind: 'leaf',
    result,
    ...named(n.name),
    fact: n.fact as string,
    operator: n.operator,
    factValue,
    value: isRef ? valueResult : v,
  };
  if (n.path) trace.path = n.path as string;
  if (isRef) trace.valueFact = v.path ? `${v.fact}.${v.path as string}` : v.fact;
  return trace;
}

function evalLeaf(n: LeafNode, env: Env): boolean {
  if (!n.fn) throw new Error(`Unknown operator: ${n.operator}`);
  let jsonValue = n.value;
  let tv = 0;
  if (n.valueRef) {
    jsonValue = readFact(env, n.valueRef);
    tv = env.t;
  }
  const factValue = readFact(env, n);
  const tf = env.t;
  const result = n.fn(factValue, jsonValue);
  env.t = (tv > tf ? tv : tf) + 3;
  if (env.tracing) env.tr = leafTrace(n, result, factValue, jsonValue);
  return result;
}

/** json-rules-engine's prioritizeAndRun: priority sets in turn, every member of a set evaluated. */
function runGroup(n: GroupNode, env: Env): boolean {
  const { children } = n;
  const isAll = n.type === 'all';
  if (children.length === 0) {
    env.t = 0;
    if (env.tracing) env.tr = { kind: n.type, result: null, ...named(n.name), children: [] };
    return true;
  }
  if (children.length === 1) {
    const r = evalNode(children[0]!, env);
    if (env.tracing) env.tr = { kind: n.type, result: null, ...named(n.name), children: [env.tr!] };
    return r;
  }
  const traces: ConditionTrace[] | undefined = env.tracing ? new Array(children.length) : undefined;
  let acc = isAll;
  let t = 0;
  for (const set of n.groups!) {
    if (isAll ? !acc : acc) {
      t += 1;
      continue;
    }
    let slowest = 0;
    let every = true;
    let some = false;
    for (const i of set) {
      const r = evalNode(children[i]!, env);
      if (traces) traces[i] = env.tr!;
      if (env.t > slowest) slowest = env.t;
      if (r === true) some = true;
      else every = false;
    }
    acc = isAll ? every : some;
    t += slowest + 4;
  }
  env.t = t;
  if (traces) {
    for (let i = 0; i < children.length; i++) if (!traces[i]) traces[i] = unevaluatedTrace(children[i]!);
    env.tr = { kind: n.type, result: null, ...named(n.name), children: traces };
  }
  return acc;
}

/** json-rules-engine's evaluateCondition (a condition below the root). */
export function evalNode(n: Node, env: Env): boolean {
  switch (n.type) {
    case 'leaf':
      return evalLeaf(n, env);
    case 'all':
    case 'any': {
      const r = runGroup(n, env) === true;
      env.t += 1;
      return r;
    }
    case 'not': {
      const r = !evalNode(n.child, env);
      env.t += 2;
      if (env.tracing) env.tr = { kind: 'not', result: null, ...named(n.name), children: [env.tr!] };
      return r;
    }
    case 'ref':
      if (n.target === null) throw new Error(`No condition ${String(n.condition)} exists`);
      if (n.target === 'cycle') {
        throw new SolrulesError('RULES_CONDITION_CYCLE', `named condition '${String(n.condition)}' refers to itself`, { condition: n.condition });
      }
      return evalNode(n.target, env);
  }
}

/** A rule's result, as Rule.evaluate dispatches its root; `env.t` = rounds until it settles. */
export function evalRule(rule: CompiledRule, env: Env): boolean {
  const root = rule.root;
  if (root.type === 'all' || root.type === 'any') return runGroup(root, env);
  if (root.type === 'not') {
    const r = !evalNode(root.child, env);
    env.t += 1;
    if (env.tracing) env.tr = { kind: 'not', result: null, ...named(root.name), children: [env.tr!] };
    return r;
  }
  return evalNode(root, env);
}

/** Rounds resolving the event params take (json-rules-engine resolves them for every rule). */
export function paramRounds(rule: CompiledRule, env: Env): number {
  const params = rule.params;
  if (params === null || typeof params !== 'object') return 0;
  let n = 0;
  let slowest = 0;
  for (const key in params) if (Object.prototype.hasOwnProperty.call(params, key)) n++;
  for (const ref of rule.paramRefs) {
    readFact(env, ref.read);
    if (env.t > slowest) slowest = env.t;
  }
  return n === 0 ? 0 : slowest + 2;
}

/** Deep copy of plain data (arrays, plain objects), as json-rules-engine clones an event per run. */
export function cloneData(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out: unknown[] = new Array(v.length);
    for (const k in v) out[k as unknown as number] = cloneData(v[k as unknown as number]);
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return v;
  const out: Record<string, unknown> = Object.create(proto);
  for (const k in v) out[k] = cloneData((v as Record<string, unknown>)[k]);
  return out;
}

/** The event params of a fired rule: a fresh copy with top-level `{ fact, path }` values replaced. */
export function eventParams(rule: CompiledRule, env: Env): Record<string, unknown> {
  const out = cloneData(rule.params) as Record<string, unknown>;
  for (const ref of rule.paramRefs) out[ref.key] = readFact(env, ref.read);
  return out;
}

function outcomeOf(cf: CompiledFile, rule: CompiledRule, env: Env): RuleOutcome {
  const fired = evalRule(rule, env) === true;
  return {
    ruleId: String(rule.name),
    fileId: cf.file.id,
    priority: rule.priority ?? 1,
    fired,
    eventType: (rule.eventType ?? '') as string,
    conditions: { ...env.tr!, result: fired },
  };
}

/** One rule's outcome with its condition tree (the entry `explainFile` gives for it); undefined for an unknown id. */
export function explainOneRule(cf: CompiledFile, ruleId: string, facts: FactSnapshot, params: unknown): RuleOutcome | undefined {
  const rule = cf.rules.find((r) => r.name === ruleId);
  return rule ? outcomeOf(cf, rule, newEnv(facts, params, true)) : undefined;
}

/** Every rule's outcome with its condition tree, exactly as the reference evaluator reports it. */
export function explainFile(cf: CompiledFile, facts: FactSnapshot, params: unknown): RuleOutcome[] {
  const env = newEnv(facts, params, true);
  const results: RuleOutcome[] = [];
  const failures: RuleOutcome[] = [];
  for (const group of cf.groups) {
    const settled: Array<{ outcome: RuleOutcome; rounds: number }> = [];
    for (const rule of group) {
      const outcome = outcomeOf(cf, rule, env);
      const rounds = env.t;
      settled.push({ outcome, rounds: rounds + paramRounds(rule, env) });
    }
    settled.sort((a, b) => a.rounds - b.rounds);
    for (const s of settled) (s.outcome.fired ? results : failures).push(s.outcome);
  }
  // As the reference does: by rule name, in file order.
  const byName = new Map<string, RuleOutcome>();
  for (const o of [...results, ...failures]) byName.set(o.ruleId, o);
  return cf.file.rules.map((rule) => byName.get(rule.id)!).filter(Boolean);
}

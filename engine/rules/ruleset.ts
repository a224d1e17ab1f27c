/**
 * A rule set: every rule file in force plus the params they read, identified by one hash.
 * A running engine swaps whole rule sets atomically; the diff says what a reload changed.
 */
import * as crypto from 'node:crypto';
import type { RuleFile, RuleDef } from './model.ts';
import type { Evaluator, EvaluatorFactory } from './evaluator.ts';

export interface RuleSet {
  /** sha256 over every file's content hash and the canonical params. */
  hash: string;
  files: readonly RuleFile[];
  params: Readonly<Record<string, unknown>>;
  /** Evaluator per rule file id. */
  evaluators: ReadonlyMap<string, Evaluator>;
  evaluatorKind: string;
}

/** Object keys as JSON text with the colon, computed once each (bounded: keys past it are quoted afresh). */
const QUOTED_KEYS = new Map<string, string>();
/** Printable ASCII without `"` and backslash: JSON.stringify leaves such a string as it is, in quotes. */
const PLAIN_STRING = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** JSON with sorted keys and bigints as strings: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  // Hand-rolled: it runs on every order's fact snapshot, on the decision path (the order id hashes it).
  if (value === undefined || value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return PLAIN_STRING.test(value) ? `"${value}"` : JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'object':
      break;
    default:
      return 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i) out += ',';
      const v = value[i];
      out += v === undefined || typeof v === 'function' ? 'null' : canonicalJson(v);
    }
    return out + ']';
  }
  const obj = value as Record<string, unknown>;
  const order = sortedKeys(obj);
  const keys = order.sorted;
  const quotedKeys = order.quoted;
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const v = obj[keys[i]!];
    if (v === undefined || typeof v === 'function') continue;
    if (!first) out += ',';
    first = false;
    out += quotedKeys[i]! + canonicalJson(v);
  }
  return out + '}';
}

/** An object's keys in sorted order with their JSON text (`"key":`), and the keys in own order they were sorted from. */
interface KeyOrder {
  own: string[];
  sorted: string[];
  quoted: string[];
}

/**
 * The sorted keys of objects serialized again and again (a planner's fact objects are updated in
 * place, bar after bar): remembered per object and reused while its own keys are the same, in the
 * same order (checked each time: one comparison per key instead of a sort).
 */
const KEY_ORDERS = new WeakMap<object, KeyOrder>();

/**
 * The key orders of recent object shapes, by key count: an order's fact snapshot and the price,
 * wallet and time facts are new objects each time, with the same keys in the same order as the
 * last ones; their sorted keys are found here (compared key by key) instead of sorted again.
 */
const SHAPES = new Map<number, KeyOrder[]>();
/** Shapes remembered per key count (the newest first). */
const SHAPES_PER_COUNT = 8;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sortedKeys(obj: Record<string, unknown>): KeyOrder {
  const own = Object.keys(obj);
  const known = KEY_ORDERS.get(obj);
  if (known && sameKeys(known.own, own)) return known;
  let shapes = SHAPES.get(own.length);
  if (shapes) {
    for (let i = 0; i < shapes.length; i++) {
      const shape = shapes[i]!;
      if (!sameKeys(shape.own, own)) continue;
      KEY_ORDERS.set(obj, shape);
      return shape;
    }
  } else if (SHAPES.size < 256) SHAPES.set(own.length, (shapes = []));
  const sorted = [...own].sort();
  const quoted: string[] = new Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const k = sorted[i]!;
    let q = QUOTED_KEYS.get(k);
    if (q === undefined) {
      q = JSON.stringify(k) + ':';
      if (QUOTED_KEYS.size < 4096) QUOTED_KEYS.set(k, q);
    }
    quoted[i] = q;
  }
  const order = { own, sorted, quoted };
  KEY_ORDERS.set(obj, order);
  if (shapes) {
    shapes.unshift(order);
    if (shapes.length > SHAPES_PER_COUNT) shapes.pop();
  }
  return order;
}

/** The one-shot `crypto.hash` (Node ≥ 20.12): no Hash object per call, which runs once per order. */
const oneShotHash = typeof crypto.hash === 'function' ? crypto.hash : undefined;

/** SHA-256 of the text (UTF-8) in hex. */
export function sha256Hex(text: string): string {
  return oneShotHash ? oneShotHash('sha256', text, 'hex') : crypto.createHash('sha256').update(text).digest('hex');
}

/** Hash identifying rule files + params. */
export function ruleSetHash(files: readonly RuleFile[], params: Readonly<Record<string, unknown>>): string {
  const parts = [...files].sort((a, b) => a.id.localeCompare(b.id)).map((f) => `${f.id}:${f.hash}`);
  return sha256Hex(`${parts.join('\n')}\n${canonicalJson(params)}`);
}

/** Builds a rule set, creating one evaluator per file. */
export function buildRuleSet(files: readonly RuleFile[], params: Record<string, unknown>, factory: EvaluatorFactory): RuleSet {
  const evaluators = new Map<string, Evaluator>();
  for (const file of files) evaluators.set(file.id, factory.create(file, params));
  return { hash: ruleSetHash(files, params), files, params, evaluators, evaluatorKind: factory.kind };
}

export interface RuleSetDiff {
  added: string[];
  removed: string[];
  changed: string[];
  /** Param paths whose value changed, with before and after. */
  thresholds: Array<{ path: string; before: unknown; after: unknown }>;
}

function flatten(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, value);
  return out;
}

/** What changed from one rule set to the next: rules (by file/rule id) and thresholds. */
export function diffRuleSets(before: RuleSet | undefined, after: RuleSet): RuleSetDiff {
  const rulesOf = (rs: RuleSet | undefined) => {
    const m = new Map<string, RuleDef>();
    for (const f of rs?.files ?? []) for (const r of f.rules) m.set(`${f.id}/${r.id}`, r);
    return m;
  };
  const a = rulesOf(before);
  const b = rulesOf(after);
  const diff: RuleSetDiff = { added: [], removed: [], changed: [], thresholds: [] };
  for (const [id, rule] of b) {
    const prev = a.get(id);
    if (!prev) diff.added.push(id);
    else if (canonicalJson(prev) !== canonicalJson(rule)) diff.changed.push(id);
  }
  for (const id of a.keys()) if (!b.has(id)) diff.removed.push(id);
  const pa = flatten(before?.params ?? {}, '', new Map());
  const pb = flatten(after.params, '', new Map());
  for (const key of new Set([...pa.keys(), ...pb.keys()])) {
    if (canonicalJson(pa.get(key)) !== canonicalJson(pb.get(key))) diff.thresholds.push({ path: key, before: pa.get(key), after: pb.get(key) });
  }
  diff.thresholds.sort((x, y) => x.path.localeCompare(y.path));
  return diff;
}

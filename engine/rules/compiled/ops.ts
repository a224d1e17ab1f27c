/**
 * Operators and decorators exactly as json-rules-engine 7.3 evaluates them: every operator is
 * `validator(factValue) && callback(factValue, jsonValue)`, decorators wrap the next operator
 * outermost first, and unknown names resolve to nothing (the condition throws when evaluated).
 * The closures here never allocate; array decorators loop with `k in array`, as
 * Array.prototype.some / every do (holes are skipped).
 */
import { CUSTOM_OPERATORS, NULL_SAFE_COMPARISONS } from '../operators.ts';

export type OpFn = (factValue: unknown, jsonValue: unknown) => boolean;

/** json-rules-engine's numberValidator: anything `parseFloat` reads a number from. */
export function numberValid(x: unknown): boolean {
  return Number.parseFloat(x as string).toString() !== 'NaN';
}

interface BaseOp {
  cb: OpFn;
  validator?: (x: unknown) => boolean;
}

const indexOf = (list: unknown, x: unknown): number => (list as { indexOf(x: unknown): number }).indexOf(x);

/** Built-in operators of json-rules-engine, then ours (registered without a validator). */
export const BASE_OPERATORS: ReadonlyMap<string, BaseOp> = new Map<string, BaseOp>([
  ['equal', { cb: (a, b) => a === b }],
  ['notEqual', { cb: (a, b) => a !== b }],
  ['in', { cb: (a, b) => indexOf(b, a) > -1 }],
  ['notIn', { cb: (a, b) => indexOf(b, a) === -1 }],
  ['contains', { cb: (a, b) => indexOf(a, b) > -1, validator: Array.isArray }],
  ['doesNotContain', { cb: (a, b) => indexOf(a, b) === -1, validator: Array.isArray }],
  ['lessThan', { cb: NULL_SAFE_COMPARISONS.lessThan!, validator: numberValid }],
  ['lessThanInclusive', { cb: NULL_SAFE_COMPARISONS.lessThanInclusive!, validator: numberValid }],
  ['greaterThan', { cb: NULL_SAFE_COMPARISONS.greaterThan!, validator: numberValid }],
  ['greaterThanInclusive', { cb: NULL_SAFE_COMPARISONS.greaterThanInclusive!, validator: numberValid }],
  ...Object.entries(CUSTOM_OPERATORS).map(([name, cb]): [string, BaseOp] => [name, { cb }]),
]);

export const DECORATOR_NAMES: ReadonlySet<string> = new Set(['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not']);

/** An operator name resolved as json-rules-engine's OperatorMap.get does: decorators outermost first. */
export interface ResolvedOperator {
  decorators: string[];
  base: string;
}

/** Resolves `not:someFact:greaterThan`; null when json-rules-engine would find no operator. */
export function resolveOperator(name: string): ResolvedOperator | null {
  if (typeof name !== 'string') return null;
  const decorators: string[] = [];
  let opName = name;
  while (!BASE_OPERATORS.has(opName)) {
    const i = opName.indexOf(':');
    if (i <= 0) return null;
    const d = opName.slice(0, i);
    if (!DECORATOR_NAMES.has(d)) return null;
    decorators.push(d);
    opName = opName.slice(i + 1);
  }
  return { decorators, base: opName };
}

type Some = { some(cb: (x: unknown) => unknown): boolean; every(cb: (x: unknown) => unknown): boolean };

function decorate(decorator: string, next: OpFn): OpFn {
  switch (decorator) {
    case 'someFact':
      return (a, b) => {
        if (!Array.isArray(a)) return false;
        const n = a.length;
        for (let k = 0; k < n; k++) if (k in a && next(a[k], b)) return true;
        return false;
      };
    case 'everyFact':
      return (a, b) => {
        if (!Array.isArray(a)) return false;
        const n = a.length;
        for (let k = 0; k < n; k++) if (k in a && !next(a[k], b)) return false;
        return true;
      };
    case 'someValue':
      return (a, b) => {
        // Not an array: call its `some` as json-rules-engine does (throws for strings, numbers, undefined).
        if (!Array.isArray(b)) return (b as Some).some((x) => next(a, x));
        const n = b.length;
        for (let k = 0; k < n; k++) if (k in b && next(a, b[k])) return true;
        return false;
      };
    case 'everyValue':
      return (a, b) => {
        if (!Array.isArray(b)) return (b as Some).every((x) => next(a, x));
        const n = b.length;
        for (let k = 0; k < n; k++) if (k in b && !next(a, b[k])) return false;
        return true;
      };
    case 'swap':
      return (a, b) => next(b, a);
    case 'not':
      return (a, b) => !next(a, b);
  }
  throw new Error(`unknown decorator ${decorator}`);
}

const resolved = new Map<string, { op: ResolvedOperator; fn: OpFn } | null>();

/** `resolveOperator` and `operatorFunction` of a name, computed once per name (they depend on nothing else). */
export function compiledOperator(name: string): { op: ResolvedOperator; fn: OpFn } | null {
  let r = resolved.get(name);
  if (r === undefined) {
    const op = resolveOperator(name);
    r = op ? { op, fn: operatorFunction(op) } : null;
    if (typeof name === 'string') resolved.set(name, r);
  }
  return r;
}

/** The evaluation function of a resolved operator (base validator and callback, then decorators). */
export function operatorFunction(op: ResolvedOperator): OpFn {
  const base = BASE_OPERATORS.get(op.base)!;
  const { cb, validator } = base;
  let fn: OpFn = validator ? (a, b) => validator(a) && cb(a, b) : cb;
  for (let i = op.decorators.length - 1; i >= 0; i--) fn = decorate(op.decorators[i]!, fn);
  return fn;
}

/** What is known statically about one side of an operator: a finite set of constants, or nothing. */
type Abstract = { consts: readonly unknown[] } | 'unknown';

const MAX_CONSTS = 1000;

function elementsOf(side: Abstract, onlyArrays: boolean): Abstract | 'fails' | 'never' {
  if (side === 'unknown') return 'unknown';
  const out: unknown[] = [];
  for (const c of side.consts) {
    if (!Array.isArray(c)) {
      if (onlyArrays) return 'fails';
      continue;
    }
    for (let k = 0; k < c.length; k++) if (k in c) out.push(c[k]);
    if (out.length > MAX_CONSTS) return 'unknown';
  }
  return out.length ? { consts: out } : 'never';
}

/**
 * Whether evaluating the operator can throw for some fact value (json-rules-engine calls
 * `b.indexOf` for in/notIn and `b.some` / `b.every` for the value decorators without checking
 * b). Facts are data: values whose string conversion throws (symbols, null-prototype objects)
 * are outside the model. `value` is the constant, or undefined with `valueIsFact`.
 */
export function operatorMayThrow(op: ResolvedOperator, value: unknown, valueIsFact: boolean): boolean {
  let fact: Abstract = 'unknown';
  let json: Abstract = valueIsFact ? 'unknown' : { consts: [value] };
  for (const d of op.decorators) {
    if (d === 'someFact' || d === 'everyFact') {
      if (fact !== 'unknown') {
        const el = elementsOf(fact, false);
        if (el === 'never') return false;
        fact = el === 'fails' ? 'unknown' : el;
      }
    } else if (d === 'someValue' || d === 'everyValue') {
      const el = elementsOf(json, true);
      if (el === 'fails' || el === 'unknown') return true;
      if (el === 'never') return false;
      json = el;
    } else if (d === 'swap') {
      [fact, json] = [json, fact];
    }
  }
  if (op.base === 'in' || op.base === 'notIn') {
    if (json === 'unknown') return true;
    return !json.consts.every((c) => Array.isArray(c) || typeof c === 'string');
  }
  return false;
}

/**
 * Seeded random rule files and fact snapshots for the differential test: every operator and
 * decorator (chained), all / any / not / named conditions nested, condition and rule
 * priorities, fact-to-fact comparisons, the params fact, missing facts and paths, and edge
 * values (NaN, -0, ±Infinity, numeric strings, null, undefined, bigint, empty and nested arrays).
 */
import type { RuleFile } from '../../../engine/rules/index.ts';
import { mulberry32 } from '../../support/random.ts';

/** Uniform floats in [0, 1) from a seed. */
export const rng = mulberry32;

export const BASE_OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'between',
  'percentChangeAbove',
  'percentChangeBelow',
  'crossesAbove',
  'crossesBelow',
] as const;
export const DECORATORS = ['not', 'someFact', 'everyFact', 'someValue', 'everyValue', 'swap'] as const;

const FACT_NAMES = ['price', 'pool', 'wallet', 'grid', 'spread', 'absent', 'params'];
const FIELDS = ['x', 'y', 'n', 's', 'arr', 'series', 'obj'];
const PATHS = [undefined, undefined, 'x', 'y', 'n', 's', 'arr', 'series', 'obj.x', 'obj.arr', 'arr.0', 'arr.length', 'nope', 'obj.nope.deep', 'x.y', 's.length', ''];
const PARAM_PATHS = [undefined, 'x.y', 'x.z', 'k', 'arr', 'series', 'nope', 'x.nope.deep', 'x'];

class Random {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }

  scalar(): unknown {
    return this.pick([
      0, -0, 1, -1, 1.5, 2, 3, 5, 10, 100, 0.1, NaN, Infinity, -Infinity, 1e21, Number.MAX_SAFE_INTEGER,
      '1', '1.5', '2abc', '', 'abc', 'NaN', 'Infinity', ' 2', 'x', 'a', 'b', 'buy',
      true, false, null, undefined,
    ]);
  }

  /** A value anywhere: scalars, arrays (empty, numeric, mixed, nested), small objects. */
  value(depth = 0): unknown {
    const k = this.int(10);
    if (k < 5 || depth > 1) return this.scalar();
    if (k < 8) return this.array(depth);
    if (k < 9) return this.pick([5n, 0n, -3n]);
    return this.object(depth + 1);
  }

  array(depth = 0): unknown[] {
    switch (this.int(7)) {
      case 0:
        return [];
      case 1:
        return Array.from({ length: 1 + this.int(4) }, () => this.pick([1, 2, 3, 5, 10, -1, 0, 1.5]));
      case 2:
        return Array.from({ length: 1 + this.int(3) }, () => this.pick(['a', 'b', 'x', '1', 'buy']));
      case 3:
        return [this.pick([1, 2]), this.pick([2, 3])];
      case 4:
        return Array.from({ length: 1 + this.int(3) }, () => (depth < 1 ? this.array(depth + 1) : this.scalar()));
      default:
        return Array.from({ length: this.int(4) }, () => this.scalar());
    }
  }

  object(depth: number): Record<string, unknown> {
    const o: Record<string, unknown> = {};
    for (const f of FIELDS) {
      if (!this.chance(0.7)) continue;
      if (f === 'obj') o[f] = depth < 2 ? this.object(depth + 1) : this.scalar();
      else if (f === 'arr') o[f] = this.array(depth);
      else if (f === 'series') o[f] = Array.from({ length: this.int(5) }, () => this.pick([1, 2, 3, 4, 5, 10, 0, -2]));
      else o[f] = this.value(depth + 1);
    }
    return o;
  }

  /** A fact's value: mostly an object with fields, sometimes a bare value. */
  factValue(): unknown {
    return this.chance(0.8) ? this.object(0) : this.value(1);
  }

  params(): Record<string, unknown> {
    return {
      x: { y: this.pick([1, 2, 3, 'a', null, 1.5]), z: this.value(1) },
      k: this.scalar(),
      arr: this.array(),
      series: [1, 2, 3, 5],
    };
  }

  snapshot(): Record<string, unknown> {
    const facts: Record<string, unknown> = {};
    for (const name of FACT_NAMES) {
      if (name === 'absent') continue;
      if (this.chance(0.85)) facts[name] = this.factValue();
      else if (this.chance(0.3)) facts[name] = undefined; // present, undefined
    }
    if (this.chance(0.1)) facts.params = { ignored: true }; // the evaluator's params win
    return facts;
  }

  operator(): string {
    if (this.chance(0.003)) return this.pick(['bogus', 'not:bogus', 'wat:equal', ':equal', 'not:']);
    for (;;) {
      const base = this.pick(BASE_OPERATORS);
      const decorators: string[] = [];
      if (this.chance(0.35)) decorators.push(this.pick(DECORATORS));
      if (this.chance(0.12)) decorators.push(this.pick(DECORATORS));
      const op = [...decorators, base].join(':');
      // A swapped fact reaching in / someValue mostly throws; keep some, not most.
      const throwsOften = /swap/.test(op) && /(in|notIn)$|Value/.test(op);
      const valueThenSome = /Value:.*(some|every)Value/.test(op);
      if ((!throwsOften && !valueThenSome) || this.chance(0.1)) return op;
    }
  }

  constantFor(operator: string): unknown {
    const base = operator.split(':').pop()!;
    const valueDecorated = /(some|every)Value/.test(operator);
    let v: unknown;
    if ((base === 'in' || base === 'notIn') && this.chance(0.95)) v = this.chance(0.85) ? this.array() : this.pick(['abc', 'a', '']);
    else if (base === 'between' && this.chance(0.8)) v = [this.pick([0, 1, 2]), this.pick([2, 3, 5, 10])];
    else if (/^(less|greater|percent|crosses)/.test(base) && this.chance(0.7)) v = this.pick([0, 1, 2, 3, 5, -1, 1.5, '2', NaN, Infinity]);
    else v = this.value(1);
    if (valueDecorated && this.chance(0.95)) v = Array.from({ length: this.int(4) }, () => (base === 'in' || base === 'notIn' || base === 'between' ? this.array() : this.scalar()));
    return v;
  }

  leaf(): Record<string, unknown> {
    const fact = this.pick(FACT_NAMES);
    const path = fact === 'params' ? this.pick(PARAM_PATHS) : this.pick(PATHS);
    const operator = this.operator();
    const leaf: Record<string, unknown> = { fact, operator };
    if (path !== undefined) leaf.path = path;
    const throwsOnFacts = /(in|notIn)$|Value:/.test(operator);
    if (this.chance(throwsOnFacts ? 0.04 : 0.2)) {
      const vf = this.pick(FACT_NAMES);
      const vp = vf === 'params' ? this.pick(PARAM_PATHS) : this.pick(PATHS);
      leaf.value = vp === undefined ? { fact: vf } : { fact: vf, path: vp };
    } else leaf.value = this.constantFor(operator);
    this.decorate(leaf);
    return leaf;
  }

  decorate(c: Record<string, unknown>): void {
    if (this.chance(0.3)) c.priority = this.pick([1, 2, 3, 10]);
    if (this.chance(0.1)) c.name = this.pick(['n1', 'n2', 'tag']);
  }

  condition(depth: number, named: string[]): Record<string, unknown> {
    const k = this.r();
    if (depth >= 3 || k < 0.55) return this.leaf();
    if (k < 0.9) {
      const kind = this.chance(0.5) ? 'all' : 'any';
      const n = this.chance(0.06) ? 0 : 1 + this.int(4);
      const c: Record<string, unknown> = { [kind]: Array.from({ length: n }, () => this.condition(depth + 1, named)) };
      this.decorate(c);
      return c;
    }
    if (k < 0.95 || named.length === 0) {
      const c: Record<string, unknown> = { not: this.condition(depth + 1, named) };
      this.decorate(c);
      return c;
    }
    // No references to undefined conditions here: json-rules-engine throws those inside a
    // `map`, leaving sibling promises rejected and unhandled (semantics.test.ts covers them).
    const c: Record<string, unknown> = { condition: this.pick(named) };
    this.decorate(c);
    return c;
  }

  top(named: string[]): Record<string, unknown> {
    const k = this.r();
    let c: Record<string, unknown>;
    if (k < 0.45) c = { all: Array.from({ length: this.int(5) }, () => this.condition(1, named)) };
    else if (k < 0.85) c = { any: Array.from({ length: this.int(5) }, () => this.condition(1, named)) };
    else if (k < 0.93 || named.length === 0) c = { not: this.condition(1, named) };
    else c = { condition: this.pick(named) };
    if (this.chance(0.15)) c.name = 'root';
    return c;
  }

  eventParams(): Record<string, unknown> | unknown[] | undefined {
    if (this.chance(0.3)) return undefined;
    if (this.chance(0.05)) {
      // params as a list: json-rules-engine replaces its own `{ fact }` entries too
      const fact = this.pick(FACT_NAMES);
      const path = fact === 'params' ? this.pick(PARAM_PATHS) : this.pick(PATHS);
      return [this.value(1), path === undefined ? { fact } : { fact, path }, { nested: { fact: 'price' } }];
    }
    const p: Record<string, unknown> = {};
    const n = this.int(4);
    for (let i = 0; i < n; i++) {
      const key = this.pick(['side', 'amountIn', 'profit', 'meta', 'tag']);
      switch (this.int(4)) {
        case 0: {
          const fact = this.pick(FACT_NAMES);
          const path = fact === 'params' ? this.pick(PARAM_PATHS) : this.pick(PATHS);
          p[key] = path === undefined ? { fact } : { fact, path };
          break;
        }
        case 1:
          p[key] = { inner: { fact: 'price', path: 'x' }, list: [1, { fact: 'pool' }] }; // nested: not replaced
          break;
        default:
          p[key] = this.value(1);
      }
    }
    return p;
  }

  /** Shapes json-rules-engine refuses when rules are added (both evaluators must refuse them at create). */
  breakShape(rules: Array<Record<string, unknown>>, conditions: Record<string, unknown>): void {
    const rule = rules[0]!;
    switch (this.int(7)) {
      case 0:
        rule.conditions = { not: [this.leaf()] };
        break;
      case 1:
        rule.conditions = { all: this.leaf() };
        break;
      case 2:
        rule.conditions = { all: [{ fact: 'price', operator: 'equal' }] };
        break;
      case 3:
        rule.priority = -1;
        break;
      case 4:
        conditions.broken = this.leaf();
        break;
      case 5:
        delete (rule.event as Record<string, unknown>).type; // json-rules-engine: setEvent() requires a "type"
        break;
      default:
        rule.conditions = { fact: 'price', operator: 'equal', value: 1 };
    }
  }

  /** A rule file of 1-6 rules with 0-3 named conditions (each may use the ones before it). */
  ruleFile(id: number): RuleFile {
    const named: string[] = [];
    const conditions: Record<string, unknown> = {};
    const nNamed = this.int(4);
    for (let i = 0; i < nNamed; i++) {
      const name = `cond${i}`;
      conditions[name] = this.top(named);
      named.push(name);
    }
    const rules = Array.from({ length: 1 + this.int(6) }, (_, i) => {
      const rule: Record<string, unknown> = { id: `r${i}`, conditions: this.top(named), event: { type: this.pick(['order', 'route', 'signal']) } };
      const params = this.eventParams();
      if (params) (rule.event as Record<string, unknown>).params = params;
      if (this.chance(0.5)) rule.priority = this.pick([1, 2, 3]);
      return rule;
    });
    if (this.chance(0.02)) this.breakShape(rules, conditions);
    return {
      id: `random-${id}`,
      kind: 'strategy',
      strategy: `random-${id}`,
      file: `random-${id}.yaml`,
      hash: String(id),
      ...(nNamed ? { conditions } : {}),
      rules,
    } as unknown as RuleFile;
  }
}

export function randomCases(seed: number): Random {
  return new Random(rng(seed));
}

/**
 * The fast path: one rule file compiled to JavaScript source, then to functions with
 * `new Function`. Each rule becomes one boolean expression over the facts; paths are unrolled
 * into property reads, constants are inlined or passed in an array, reads of the `params` fact
 * are resolved at compile time (params are fixed per evaluator) and the common operators are
 * inlined. Nothing from a rule file reaches the source except through JSON.stringify'd
 * literals or indexes into the constants array, so a rule file cannot inject code.
 *
 * Semantics are json-rules-engine's, with one freedom it leaves: within a priority set
 * json-rules-engine evaluates every member, but a member that cannot throw and whose result
 * no longer matters is skipped here (nothing observable changes); members that may throw are
 * always evaluated, so errors surface exactly where json-rules-engine's do.
 */
import { readPath } from '../operators.ts';
import type { CompiledFile, CompiledRule, FactRead, GroupNode, LeafNode, Node } from './ir.ts';
import { cloneData, factPresent, newEnv, readFact } from './interpret.ts';
import type { FactSnapshot, FiredEvent } from '../evaluator.ts';
import { numberValid, type OpFn } from './ops.ts';
import { SolrulesError } from '../../errors/index.ts';

/** Runs the rules in evaluation order; writes the positions of those that fired into `fired`; returns how many. */
export type RunFn = (facts: object, fired: Int32Array) => number;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
// Names in generated code: K FN NV AND OR OWN PRES CLONE RP THROW_OP THROW_REF PT (inputs),
// U TT S G (module), M<i> memo slots, RD<i> reads, N<i> / TN<i> named conditions, C<i> chunks,
// and inside functions a b t (temporaries), A<i> T<i> Q<i> (settle rounds).
const CHUNK_RULES = 32;
const CHUNK_CHARS = 24_000;
const INLINE_IN_MAX = 16;

function prop(name: string): string {
  return IDENT.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

class Gen {
  readonly consts: unknown[] = [];
  readonly fns: OpFn[] = [];
  readonly namedFns = new Map<Node, string>();
  readonly namedSrc: string[] = [];
  private readonly env;

  constructor(
    private readonly cf: CompiledFile,
    params: unknown,
  ) {
    this.env = newEnv({}, params, false);
  }

  constant(v: unknown): string {
    this.consts.push(v);
    return `K[${this.consts.length - 1}]`;
  }

  literal(v: unknown): string {
    switch (typeof v) {
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? `(${String(v)})` : this.constant(v);
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return String(v);
      case 'undefined':
        return 'undefined';
      default:
        return v === null ? 'null' : this.constant(v);
    }
  }

  fn(f: OpFn): string {
    this.fns.push(f);
    return `FN[${this.fns.length - 1}]`;
  }

  /** A fact read whose value is known at compile time (params, or a fact name that can never exist). */
  staticRead(read: FactRead): { value: unknown } | null {
    if (read.fact === 'params' || typeof read.fact !== 'string') {
      if (read.path && typeof read.path !== 'string') return null;
      return { value: readFact(this.env, read) };
    }
    return null;
  }

  private readonly memo = new Map<string, number>();
  private readonly memoSrc: string[] = [];

  /** Source reading `{ fact, path }` from `facts`, as the almanac does (uses the temporary `t`). */
  private readInline(read: FactRead): string {
    const fact = read.fact as string;
    const base = fact in Object.prototype ? `OWN(facts, ${JSON.stringify(fact)})` : `facts${prop(fact)}`;
    const path = read.path;
    if (!path) return base;
    if (typeof path !== 'string') return `((t = ${base}) !== null && typeof t === 'object' ? RP(t, ${this.constant(path)}) : t)`;
    const segs = path.split('.');
    let walk = `t${prop(segs[segs.length - 1]!)}`;
    for (let i = segs.length - 2; i >= 0; i--) {
      walk = `((t = t${prop(segs[i]!)}) !== null && typeof t === 'object' ? ${walk} : undefined)`;
    }
    return `((t = ${base}) !== null && typeof t === 'object' ? ${walk} : t)`;
  }

  /** Memo slots used by the function being generated (declared as its locals: no boxing). */
  private scope: Set<number> | null = null;

  /** Generates a function body with its own memo slots; returns the `let` declaring them and the body. */
  private scoped<T>(body: () => T): { decl: string; value: T } {
    const outer = this.scope;
    this.scope = new Set();
    const value = body();
    const used = [...this.scope];
    this.scope = outer;
    return { decl: used.length ? `let ${used.map((i) => `M${i} = U`).join(', ')};` : '', value };
  }

  /**
   * Source of the value of `{ fact, path }`: a constant when known at compile time, else a call
   * of one small read function per distinct fact path, memoized in a local of the function.
   */
  read(read: FactRead): string {
    const s = this.staticRead(read);
    if (s) return this.literal(s.value);
    if (read.path && typeof read.path !== 'string') return this.readInline(read);
    const key = `${read.fact as string}\u0000${(read.path as string) || ''}`;
    let i = this.memo.get(key);
    if (i === undefined) {
      i = this.memo.size;
      this.memo.set(key, i);
      this.memoSrc.push(`function RD${i}(facts) { let t; return ${this.readInline(read)}; }`);
    }
    if (!this.scope) return `RD${i}(facts)`;
    this.scope.add(i);
    return `(M${i} !== U ? M${i} : (M${i} = RD${i}(facts)))`;
  }

  leaf(n: LeafNode): string {
    if (!n.fn || !n.op) return `THROW_OP(${this.constant(n.operator)})`;
    const factStatic = this.staticRead(n);
    const valueStatic = n.valueRef ? this.staticRead(n.valueRef) : { value: n.value };
    if (factStatic && valueStatic) {
      try {
        return n.fn(factStatic.value, valueStatic.value) ? 'true' : 'false';
      } catch {
        // Throws on every evaluation: keep it, so it throws where json-rules-engine does.
      }
    }
    const B = valueStatic ? this.literal(valueStatic.value) : null;
    const bExpr = B ?? 'b';
    const prefix = B ? '' : `b = ${this.read(n.valueRef!)}, `;
    if (factStatic) return `(${prefix}${this.fn(n.fn)}(${this.literal(factStatic.value)}, ${bExpr}))`;
    const a = `a = ${this.read(n)}`;
    const op = n.op.decorators.length ? null : n.op.base;
    let body: string;
    switch (op) {
      case 'equal':
        body = `a === ${bExpr}`;
        break;
      case 'notEqual':
        body = `a !== ${bExpr}`;
        break;
      case 'lessThan':
      case 'lessThanInclusive':
      case 'greaterThan':
      case 'greaterThanInclusive': {
        const cmp = { lessThan: '<', lessThanInclusive: '<=', greaterThan: '>', greaterThanInclusive: '>=' }[op];
        // A null value side is false (NULL_SAFE_COMPARISONS): an unready indicator never compares as 0.
        const nullGuard = B === null ? 'b !== null && ' : '';
        body = valueStatic && valueStatic.value === null ? 'false' : `(${nullGuard}(typeof a === 'number' ? a ${cmp} ${bExpr} : NV(a) && a ${cmp} ${bExpr}))`;
        break;
      }
      case 'in':
      case 'notIn': {
        const v = valueStatic?.value;
        const isIn = op === 'in';
        if (Array.isArray(v) && v.length <= INLINE_IN_MAX && Object.keys(v).length === v.length) {
          if (v.length === 0) body = isIn ? 'false' : 'true';
          else body = `(${v.map((x) => `a ${isIn ? '===' : '!=='} ${this.literal(x)}`).join(isIn ? ' || ' : ' && ')})`;
        } else {
          body = `${B ?? 'b'}.indexOf(a) ${isIn ? '> -1' : '=== -1'}`;
        }
        break;
      }
      case 'contains':
        body = `(Array.isArray(a) && a.indexOf(${bExpr}) > -1)`;
        break;
      case 'doesNotContain':
        body = `(Array.isArray(a) && a.indexOf(${bExpr}) === -1)`;
        break;
      default:
        body = `${this.fn(n.fn)}(a, ${bExpr})`;
    }
    return `(${prefix}${a}, ${body})`;
  }

  group(n: GroupNode): string {
    const { children } = n;
    if (children.length === 0) return 'true';
    if (children.length === 1) return this.node(children[0]!);
    const isAll = n.type === 'all';
    const join = isAll ? ' && ' : ' || ';
    const sets = n.groups!.map((set) => {
      const members = set.map((i) => children[i]!);
      const unsafe = members.filter((m) => m.mayThrow).map((m) => this.node(m));
      const safe = members.filter((m) => !m.mayThrow).map((m) => this.node(m));
      // Every member that may throw is evaluated, whatever the others give.
      let forced = unsafe[unsafe.length - 1];
      for (let i = unsafe.length - 2; i >= 0; i--) forced = `${isAll ? 'AND' : 'OR'}(${unsafe[i]}, ${forced})`;
      return `(${[...(forced ? [forced] : []), ...safe].join(join)})`;
    });
    return `(${sets.join(join)})`;
  }

  node(n: Node): string {
    switch (n.type) {
      case 'leaf':
        return this.leaf(n);
      case 'all':
      case 'any':
        return this.group(n);
      case 'not':
        return `!${this.node(n.child)}`;
      case 'ref': {
        if (n.target === null || n.target === 'cycle') return `THROW_REF(${this.constant(n.condition)}, ${n.target === 'cycle'})`;
        let name = this.namedFns.get(n.target);
        if (!name) {
          name = `N${this.namedFns.size}`;
          this.namedFns.set(n.target, name);
          const target = n.target;
          const { decl, value } = this.scoped(() => this.node(target));
          this.namedSrc.push(`function ${name}(facts) { let a, b, t; ${decl} return ${value}; }`);
        }
        return `${name}(facts)`;
      }
    }
  }

  private uid = 0;
  settleClasses: number[] = [];
  plans: EventPlan[] = [];
  private readonly timedFns = new Map<Node, string>();
  private readonly timedSrc: string[] = [];

  /** 1 when reading this takes a round more (a path of a fact that exists), as source. */
  private pathRound(read: FactRead): string {
    if (!read.path || (typeof read.fact !== 'string')) return '0';
    if (read.fact === 'params') return '1';
    return `PRES(facts, ${JSON.stringify(read.fact)})`;
  }

  /**
   * Statements evaluating `n` as json-rules-engine does (every member of a priority set),
   * giving its result and the rounds it takes to settle (see interpret.ts).
   */
  private timed(n: Node, out: string[], nested: boolean): { r: string; t: string } {
    const id = this.uid++;
    switch (n.type) {
      case 'leaf': {
        out.push(`const Q${id} = ${this.leaf(n)};`);
        const bits = [this.pathRound(n), n.valueRef ? this.pathRound(n.valueRef) : '0'].filter((b) => b !== '0');
        const extra = bits.includes('1') ? '1' : bits.length ? `((${bits.join(' || ')}) ? 1 : 0)` : '0';
        return { r: `Q${id}`, t: extra === '0' ? '3' : `(3 + ${extra})` };
      }
      case 'all':
      case 'any': {
        const plus = nested ? ' + 1' : '';
        const { children } = n;
        if (children.length === 0) return { r: 'true', t: nested ? '1' : '0' };
        if (children.length === 1) {
          const c = this.timed(children[0]!, out, true);
          return { r: `(${c.r} === true)`, t: `(${c.t}${plus})` };
        }
        const isAll = n.type === 'all';
        out.push(`let A${id} = ${isAll}, T${id} = 0;`);
        for (const set of n.groups!) {
          const inner: string[] = [];
          const members = set.map((i) => this.timed(children[i]!, inner, true));
          const results = members.map((m) => `${m.r} === true`).join(isAll ? ' && ' : ' || ');
          const slowest = members.length === 1 ? members[0]!.t : `Math.max(${members.map((m) => m.t).join(', ')})`;
          out.push(`if (${isAll ? '' : '!'}A${id}) {`, ...inner, `A${id} = ${results}; T${id} += ${slowest} + 4;`, `} else T${id} += 1;`);
        }
        return { r: `A${id}`, t: `(T${id}${plus})` };
      }
      case 'not': {
        const c = this.timed(n.child, out, true);
        return { r: `!${c.r}`, t: `(${c.t} + ${nested ? 2 : 1})` };
      }
      case 'ref': {
        if (n.target === null || n.target === 'cycle') {
          out.push(`THROW_REF(${this.constant(n.condition)}, ${n.target === 'cycle'});`);
          return { r: 'false', t: '0' };
        }
        let name = this.timedFns.get(n.target);
        if (!name) {
          name = `TN${this.timedFns.size}`;
          this.timedFns.set(n.target, name);
          const body: string[] = [];
          const target = n.target;
          const { decl, value: c } = this.scoped(() => this.timed(target, body, true));
          this.timedSrc.push(`function ${name}(facts) {\n  let a, b, t; ${decl}\n  ${body.join('\n  ')}\n  TT = ${c.t};\n  return ${c.r};\n}`);
        }
        out.push(`const Q${id} = ${name}(facts), T${id} = TT;`);
        return { r: `Q${id}`, t: `T${id}` };
      }
    }
  }

  /**
   * When the rounds a condition takes depend only on which facts exist (given its known
   * result): source of that number, else null. A fired `all` evaluated every priority set, a
   * false `any` too; otherwise which sets ran depends on results and the full path is needed.
   */
  private pureRounds(n: Node, known: boolean | null, nested: boolean): string | null {
    switch (n.type) {
      case 'leaf': {
        const bits = [this.pathRound(n), n.valueRef ? this.pathRound(n.valueRef) : '0'].filter((b) => b !== '0');
        return bits.includes('1') ? '4' : bits.length ? `(3 + ((${bits.join(' || ')}) ? 1 : 0))` : '3';
      }
      case 'all':
      case 'any': {
        const plus = nested ? ' + 1' : '';
        const { children } = n;
        if (children.length === 0) return nested ? '1' : '0';
        if (children.length === 1) {
          const c = this.pureRounds(children[0]!, known, true);
          return c === null ? null : `(${c}${plus})`;
        }
        const groups = n.groups!;
        const everySet = groups.length === 1 || (n.type === 'all' && known === true) || (n.type === 'any' && known === false);
        if (!everySet) return null;
        const memberKnown = (n.type === 'all' && known === true) || (n.type === 'any' && known === false) ? known : null;
        const sets: string[] = [];
        for (const set of groups) {
          const members = set.map((i) => this.pureRounds(children[i]!, memberKnown, true));
          if (members.some((m) => m === null)) return null;
          let distinct = [...new Set(members as string[])];
          // A leaf takes 3 or 4 rounds: beside a leaf known to take 4, other leaves do not matter.
          const leaves = set.every((i) => children[i]!.type === 'leaf');
          if (leaves && distinct.includes('4')) distinct = ['4'];
          sets.push(distinct.length === 1 ? `${distinct[0]} + 4` : `Math.max(${distinct.join(', ')}) + 4`);
        }
        return `(${sets.join(' + ')}${plus})`;
      }
      case 'not': {
        const c = this.pureRounds(n.child, known === null ? null : !known, true);
        return c === null ? null : `(${c} + ${nested ? 2 : 1})`;
      }
      case 'ref':
        return n.target === null || n.target === 'cycle' ? null : this.pureRounds(n.target, known, true);
    }
  }

  /** Source of the rounds a fired rule takes to settle (event params included), and whether it reads only fact presence. */
  private settle(rule: CompiledRule): { src: string; pure: boolean } {
    const params = rule.params;
    let keys = 0;
    if (params !== null && typeof params === 'object') for (const k in params) if (Object.prototype.hasOwnProperty.call(params, k)) keys++;
    let paramRounds = '0';
    if (keys > 0) {
      const bits = rule.paramRefs.map((r) => this.pathRound(r.read)).filter((b) => b !== '0');
      paramRounds = bits.includes('1') ? '3' : bits.length ? `(2 + ((${bits.join(' || ')}) ? 1 : 0))` : '2';
    }
    const pure = this.pureRounds(rule.root, true, false);
    if (pure !== null) return { src: `${pure} + ${paramRounds}`, pure: true };
    const body: string[] = [];
    const { decl, value: root } = this.scoped(() => this.timed(rule.root, body, false));
    return { src: `function (facts) {\n  let a, b, t; ${decl}\n  ${body.join('\n  ')}\n  return ${root.t} + ${paramRounds};\n}`, pure: false };
  }

  /**
   * Settle functions by position, and a class per position: positions of one class settle
   * in the same number of rounds for any facts (equal rounds keep file order, so a group
   * whose fired rules share a class needs no reordering).
   */
  private settleTable(order: CompiledRule[]): { fns: string[]; classes: number[] } {
    const byExpr = new Map<string, number>();
    const fns: string[] = [];
    const classes: number[] = [];
    for (const rule of order) {
      const { src, pure } = this.settle(rule);
      let c = pure ? byExpr.get(src) : undefined;
      if (c === undefined) {
        c = fns.length;
        fns.push(pure ? `function (facts) { return ${src}; }` : src);
        if (pure) byExpr.set(src, c);
      }
      classes.push(pure ? c : -1 - c);
    }
    return { fns, classes };
  }

  /** Functions reading a fact reference (memoized for the run) by source, for event params. */
  private readonly getters = new Map<string, number>();
  private readonly getterSrc: string[] = [];

  private getter(read: FactRead): number {
    const src = this.read(read);
    let i = this.getters.get(src);
    if (i === undefined) {
      i = this.getterSrc.length;
      this.getters.set(src, i);
      this.getterSrc.push(`function (facts) { let t; return ${src}; }`);
    }
    return i;
  }

  /** How to build a rule's event: its fixed fields and, per param, a constant or a getter. */
  private eventPlan(rule: CompiledRule): EventPlan {
    const params = rule.params;
    const plan: EventPlan = {
      ruleId: String(rule.name),
      fileId: this.cf.file.id,
      priority: rule.priority ?? 1,
      type: (rule.eventType ?? '') as string,
      whole: undefined,
      keys: [],
      kinds: [],
      values: [],
    };
    // json-rules-engine keeps event params only when truthy (`if (event.params)`): else `{}`.
    if (!params) return plan;
    if (typeof params !== 'object' || Array.isArray(params) || Object.getPrototypeOf(params) !== Object.prototype) {
      plan.whole = params;
      // json-rules-engine resolves own `{ fact }` entries of any params object, arrays included (`[1, { fact: a }]`)
      for (const ref of rule.paramRefs) {
        plan.keys.push(ref.key);
        plan.kinds.push(PARAM_READ);
        plan.values.push(this.getter(ref.read));
      }
      return plan;
    }
    const refs = new Map(rule.paramRefs.map((r) => [r.key, r.read]));
    for (const k in params) {
      const read = refs.get(k);
      const v = params[k];
      plan.keys.push(k);
      if (read) {
        plan.kinds.push(PARAM_READ);
        plan.values.push(this.getter(read));
      } else {
        plan.kinds.push(v !== null && typeof v === 'object' ? PARAM_CLONE : PARAM_CONSTANT);
        plan.values.push(v);
      }
    }
    return plan;
  }

  /** Source of the whole file: chunk functions over the rules in evaluation order, and `run`. */
  source(): string {
    const chunks: string[] = [];
    let body: string[] = [];
    let size = 0;
    this.scope = new Set();
    const flush = () => {
      if (!body.length) return;
      const used = [...this.scope!];
      const decl = used.length ? `\n  let ${used.map((i) => `M${i} = U`).join(', ')};` : '';
      chunks.push(`function C${chunks.length}(facts, F, n) {\n  let a, b, t;${decl}\n${body.join('\n')}\n  return n;\n}`);
      body = [];
      size = 0;
      this.scope = new Set();
    };
    let position = 0;
    for (const group of this.cf.groups) {
      for (const rule of group) {
        const expr = this.node(rule.root);
        const paramsCheck = rule.paramsMayThrow ? ` PT(${rule.index}, facts);` : '';
        const line = `  if (${expr}) F[n++] = ${position};${paramsCheck}`;
        body.push(line);
        size += line.length;
        position++;
        if (body.length >= CHUNK_RULES || size >= CHUNK_CHARS) flush();
      }
    }
    flush();
    this.scope = null;
    const calls = chunks.map((_, i) => `  n = C${i}(facts, F, n);`).join('\n');
    const order = this.cf.groups.flat();
    const { fns: settle, classes } = this.settleTable(order);
    this.settleClasses = classes;
    this.plans = order.map((r) => this.eventPlan(r));
    return [
      '"use strict";',
      'let TT = 0;',
      "const U = Symbol('unread');",
      ...this.memoSrc,
      ...this.namedSrc,
      ...this.timedSrc,
      ...chunks,
      `const S = [\n${settle.join(',\n')}\n];`,
      `const G = [\n${this.getterSrc.join(',\n')}\n];`,
      `return { settle: S, getters: G, run: function run(facts, F) {\n  let n = 0;\n${calls}\n  return n;\n} };`,
    ].join('\n');
  }
}

const AND = (x: boolean, y: boolean): boolean => x && y;
const OR = (x: boolean, y: boolean): boolean => x || y;
const isEnumerableOwn = Object.prototype.propertyIsEnumerable;
const OWN = (facts: Record<string, unknown>, name: string): unknown => (isEnumerableOwn.call(facts, name) ? facts[name] : undefined);
const THROW_OP = (operator: string): never => {
  throw new Error(`Unknown operator: ${operator}`);
};
const THROW_REF = (condition: unknown, cycle: boolean): never => {
  if (cycle) throw new SolrulesError('RULES_CONDITION_CYCLE', `named condition '${String(condition)}' refers to itself`, { condition });
  throw new Error(`No condition ${String(condition)} exists`);
};

export const PARAM_CONSTANT = 0;
export const PARAM_CLONE = 1;
export const PARAM_READ = 2;

/** A rule's event: fixed fields, and its params in order (constants, data to copy, or getter indexes). */
export interface EventPlan {
  ruleId: string;
  fileId: string;
  priority: number;
  type: string;
  /** Params that are not a plain object: copied whole (then `keys` name its fact references, read into the copy). */
  whole: unknown;
  keys: string[];
  kinds: number[];
  values: unknown[];
}

export interface Generated {
  run: RunFn;
  /**
   * Settle functions: for position p, `settle[c](facts)` with c = settleClass[p] (>= 0), or
   * c = -1 - settleClass[p] for a rule whose rounds depend on condition results. Positions
   * of one class (>= 0) settle in the same number of rounds for any facts.
   */
  settle: Array<(facts: FactSnapshot) => number>;
  settleClass: Int32Array;
  /** Fact reads of event params (memoized for the run just made). */
  getters: Array<(facts: FactSnapshot) => unknown>;
  /** By position in evaluation order: how to build the event of a fired rule. */
  plans: EventPlan[];
  source: string;
}

/** The event of a fired rule, right after `run` on the same facts (params copied, fact references read). */
export function buildEvent(plan: EventPlan, getters: Generated['getters'], facts: FactSnapshot): FiredEvent {
  let params: Record<string, unknown>;
  if (plan.whole !== undefined) {
    params = cloneData(plan.whole) as Record<string, unknown>;
    // the whole-copied params' fact references (all of kind PARAM_READ)
    for (let i = 0; i < plan.keys.length; i++) params[plan.keys[i]!] = getters[plan.values[i] as number]!(facts);
  } else {
    params = {};
    const { keys, kinds, values } = plan;
    for (let i = 0; i < keys.length; i++) {
      const kind = kinds[i];
      const v = kind === PARAM_CONSTANT ? values[i] : kind === PARAM_CLONE ? cloneData(values[i]) : getters[values[i] as number]!(facts);
      const key = keys[i]!;
      if (key === '__proto__') Object.defineProperty(params, key, { value: v, enumerable: true, writable: true, configurable: true });
      else params[key] = v;
    }
  }
  return { ruleId: plan.ruleId, fileId: plan.fileId, priority: plan.priority, type: plan.type, params };
}

/**
 * Generates the fast evaluation function of a compiled file. `paramsCheck(ruleIndex, facts)`
 * resolves the event params of a rule whose params may throw (json-rules-engine resolves
 * them for every rule, fired or not).
 */
export function generate(cf: CompiledFile, params: unknown, paramsCheck: (ruleIndex: number, facts: object) => void): Generated {
  const gen = new Gen(cf, params);
  const source = gen.source();
  const factory = new Function('K', 'FN', 'NV', 'AND', 'OR', 'OWN', 'PRES', 'CLONE', 'RP', 'THROW_OP', 'THROW_REF', 'PT', source) as (
    ...args: unknown[]
  ) => Pick<Generated, 'run' | 'settle' | 'getters'>;
  const built = factory(gen.consts, gen.fns, numberValid, AND, OR, OWN, factPresent, cloneData, readPath, THROW_OP, THROW_REF, paramsCheck);
  return { ...built, settleClass: Int32Array.from(gen.settleClasses), plans: gen.plans, source };
}

/**
 * Semantic checks of rule files beyond their JSON Schema: facts, paths and params exist;
 * operators exist and fit the types they compare; rule ids are unique; named conditions
 * exist and do not reference each other in a cycle; events are well formed and routes go
 * to registered executors. Every finding is a diagnostic at the offending node.
 */
import { OPERATORS, DECORATORS } from './catalog.ts';
import { pathsOf, type FactCatalog } from '../facts/index.ts';
import { readPath } from './operators.ts';
import {
  isAll,
  isAny,
  isNot,
  isReference,
  isLeaf,
  isFactReference,
  splitOperator,
  type Condition,
  type RuleFile,
} from './model.ts';
import { checkContradictions } from './contradictions.ts';
import { referenceType, valueType, typeName, sameKind, isNumeric, type OperandType } from './types.ts';

/** A path into a YAML document: map keys and sequence indexes. */
export type PathSegment = string | number;

/**
 * One problem found in a user's file, located by its path in the document; the config layer
 * turns it into a diagnostic with file, line and column.
 */
export interface Finding {
  at: PathSegment[];
  code: string;
  message: string;
  expected?: string;
  found?: string;
  /** Point at the map key rather than its value. */
  key?: boolean;
  /** 'warning' is reported but refuses nothing; absent means 'error'. */
  severity?: 'error' | 'warning';
}

export interface RuleCheckContext {
  /** The `params` fact built from strategies.yaml; undefined when none was found. */
  params: unknown;
  /** Executor names registered in strategies.yaml; undefined when none was found. */
  executors: readonly string[] | undefined;
  /** The facts rules may read (base facts and every registered strategy kind's). */
  facts: FactCatalog;
  /**
   * Why nothing in this configuration supplies `fact.path` to this file's rules (undefined when
   * something does): reported as RULES_FACT_NOT_PRODUCED, since such a condition never holds.
   */
  unproduced?: (fact: string, path: string | undefined) => string | undefined;
  /**
   * strategies.yaml exists but is invalid (its own errors are reported once, there): params and
   * executors are what parsed, and a reference is checked only where its section parsed.
   */
  partial?: boolean;
  /**
   * The indicators the file's strategy declares (name → fields rules may read): a read of
   * `indicator.<name>` with another name is RULES_UNKNOWN_INDICATOR. Undefined: not checked.
   */
  indicators?: Readonly<Record<string, readonly string[]>>;
}

/** Closest candidate by edit distance, for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

function hint(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c ? ` (did you mean '${c}'?)` : '';
}

/** Whether the section a params path starts in (`grid` of `grid.levels`) parsed as a map. */
function sectionParsed(params: unknown, path: string | undefined): boolean {
  const section = readPath(params, (path ?? '').split('.')[0]);
  return section !== null && typeof section === 'object';
}

/** `$.a`, `a[*]`, `a[0]`, `a..b`: JSONPath syntax, which json-rules-engine users may bring along. */
export function looksLikeJsonPath(path: string): boolean {
  return path.startsWith('$') || path.includes('[') || path.includes('..');
}

/** The dot path a JSONPath means, when there is one (wildcards and filters have none). */
function dotPathAdvice(path: string): string {
  if (/\[\s*\*\s*\]|\.\.|\[\s*\?/.test(path)) return ' (wildcards and recursive descent have none: compare list elements with the someFact: / everyFact: decorators)';
  const dot = path
    .replace(/^\$\.?/, '')
    .replace(/\[\s*(\d+)\s*\]/g, '.$1')
    .replace(/\[\s*['"]([^'"]+)['"]\s*\]/g, '.$1')
    .replace(/^\./, '');
  return dot && !dot.includes('[') ? `: write '${dot}'` : '';
}

/** The params beside a missing one (same parent), as full dot paths, for hints. */
function paramKeys(params: unknown, path: string | undefined): string[] {
  const prefix = path?.includes('.') ? path.slice(0, path.lastIndexOf('.')) : '';
  const parent = readPath(params, prefix || undefined);
  if (!parent || typeof parent !== 'object') return [];
  return Object.keys(parent).map((k) => (prefix ? `${prefix}.${k}` : k));
}

class RuleFileChecker {
  readonly findings: Finding[] = [];
  constructor(
    private readonly rf: RuleFile,
    private readonly ctx: RuleCheckContext,
  ) {}

  /** The rule (or named condition) a document path lies in, for messages. */
  private ruleIdAt(at: PathSegment[]): string {
    if (at[0] === 'rules' && typeof at[1] === 'number') return this.rf.rules[at[1]]?.id ?? `#${at[1]}`;
    if (at[0] === 'conditions') return `condition ${String(at[1])}`;
    return String(at[0]);
  }

  private report(path: PathSegment[], code: string, message: string, expected?: string, found?: string, key = false): void {
    this.findings.push({ at: path, code, message, ...(expected ? { expected } : {}), ...(found ? { found } : {}), key });
  }

  /** Type of a fact reference, reporting unknown facts / paths / params at `at`. */
  private resolve(fact: string, path: string | undefined, at: PathSegment[]): OperandType | undefined {
    if (typeof path === 'string' && looksLikeJsonPath(path)) {
      this.report([...at, 'path'], 'RULES_JSONPATH', `'${path}' looks like JSONPath; solrules uses dot paths into the fact${dotPathAdvice(path)}`, "a dot path, e.g. 'usd' or 'reserves.0.amount'", `'${path}'`);
      return undefined;
    }
    const r = referenceType(fact, path, this.ctx.params, this.ctx.facts);
    if ('type' in r && this.ctx.facts[fact]?.entries && fact === 'indicator' && this.ctx.indicators && path) {
      const [name, field] = path.split('.');
      const declared = this.ctx.indicators;
      if (!Object.hasOwn(declared, name!)) {
        this.report([...at, 'path'], 'RULES_UNKNOWN_INDICATOR', `rule '${this.ruleIdAt(at)}' reads indicator '${name}', which its strategy does not declare in strategies.yaml${hint(name!, Object.keys(declared))}`, Object.keys(declared).length ? `one of ${Object.keys(declared).join(', ')} (or declare '${name}' under the strategy's indicators:)` : `an indicator declared under the strategy's indicators:`, `'${name}'`);
        return undefined;
      }
      if (field !== undefined && !declared[name!]!.includes(field)) {
        this.report([...at, 'path'], 'RULES_UNKNOWN_PATH', `indicator '${name}' has no field '${field}'${hint(field, declared[name!]!)}`, `one of ${declared[name!]!.join(', ')}`, `'${field}'`);
        return undefined;
      }
    }
    if ('type' in r) {
      const why = this.ctx.unproduced?.(fact, path);
      if (why) this.report([...at, 'fact'], 'RULES_FACT_NOT_PRODUCED', `rule '${this.ruleIdAt(at)}' reads '${fact}${path ? '.' + path : ''}', which nothing in this configuration produces for this file's rules: ${why}`, 'a fact a producer enabled in strategies.yaml supplies', `'${fact}${path ? '.' + path : ''}'`);
      return r.type;
    }
    switch (r.error) {
      case 'unknown-fact':
        this.report([...at, 'fact'], 'RULES_UNKNOWN_FACT', `unknown fact '${fact}'${hint(fact, Object.keys(this.ctx.facts))}`, `one of ${Object.keys(this.ctx.facts).join(', ')}`, `'${fact}'`);
        return undefined;
      case 'unknown-path': {
        const candidates = pathsOf(this.ctx.facts[fact]!);
        this.report([...at, 'path'], 'RULES_UNKNOWN_PATH', `fact '${fact}' has no field '${path}'${hint(path ?? '', candidates)}`, `a path of '${fact}': ${candidates.join(', ')}`, `'${path}'`);
        return undefined;
      }
      case 'unknown-param': {
        if (this.ctx.partial && !sectionParsed(this.ctx.params, path)) return undefined;
        const keys = paramKeys(this.ctx.params, path);
        this.report([...at, 'path'], 'RULES_UNKNOWN_PARAM', `strategies.yaml defines no param '${path}'${hint(path ?? '', keys)}`, keys.length ? `one of ${keys.join(', ')}` : 'a param defined in strategies.yaml', `'${path}'`);
        return undefined;
      }
      case 'no-params':
        if (this.ctx.partial) return undefined;
        this.report([...at, 'fact'], 'RULES_NO_STRATEGIES', `fact 'params' used but no strategies.yaml was found to check '${path}' against`, 'a strategies.yaml beside or above the rule file (or --strategies)', 'none');
        return undefined;
    }
  }

  checkLeaf(c: { fact: string; path?: string; operator: string; value: unknown }, at: PathSegment[]): void {
    const spec = this.ctx.facts[c.fact];
    let left = this.resolve(c.fact, c.path, at);
    if (left === 'object' && spec && !spec.dynamic) {
      this.report(c.path === undefined ? [...at, 'fact'] : [...at, 'path'], 'RULES_PATH_NOT_SCALAR', `'${c.fact}${c.path ? '.' + c.path : ''}' is an object; compare one of its fields`, `a field of ${c.fact}: ${pathsOf(spec).join(', ')}`, c.path ? `'${c.path}'` : 'no path');
      left = undefined;
    }
    let right: OperandType | undefined;
    if (isFactReference(c.value)) {
      right = this.resolve(c.value.fact, c.value.path, [...at, 'value']);
    } else {
      right = valueType(c.value);
    }

    const { decorators, base } = splitOperator(c.operator);
    const op = OPERATORS[base];
    for (const d of decorators) {
      if (!DECORATORS[d]) {
        this.report([...at, 'operator'], 'RULES_UNKNOWN_DECORATOR', `unknown operator decorator '${d}'${hint(d, Object.keys(DECORATORS))}`, `one of ${Object.keys(DECORATORS).join(', ')}`, `'${d}'`);
        return;
      }
    }
    if (!op) {
      this.report([...at, 'operator'], 'RULES_UNKNOWN_OPERATOR', `unknown operator '${base}'${hint(base, Object.keys(OPERATORS))}`, `one of ${Object.keys(OPERATORS).join(', ')}`, `'${base}'`);
      return;
    }
    if (left === undefined || right === undefined) return;

    // Apply decorators outermost first, as json-rules-engine does.
    for (const d of decorators) {
      if (d === 'someFact' || d === 'everyFact') {
        if (typeof left !== 'object' && left !== 'any') {
          this.report([...at, 'operator'], 'RULES_OPERATOR_TYPE_MISMATCH', `decorator '${d}' needs a list fact; '${c.fact}.${c.path ?? ''}' is ${typeName(left)}`, 'a list (series or string[])', typeName(left));
          return;
        }
        left = typeof left === 'object' ? left.array : 'any';
      } else if (d === 'someValue' || d === 'everyValue') {
        if (typeof right !== 'object' && right !== 'any') {
          this.report([...at, 'value'], 'RULES_VALUE_TYPE_MISMATCH', `decorator '${d}' needs a list value`, 'a list', typeName(right));
          return;
        }
        right = typeof right === 'object' ? right.array : 'any';
      } else if (d === 'swap') {
        [left, right] = [right, left];
      }
    }

    const leftOk = left === 'any' || op.left.some((t) => {
      if (t === 'series') return typeof left === 'object' && isNumeric(left.array);
      if (t === 'string[]') return typeof left === 'object' && left.array === 'string';
      if (t === 'number' || t === 'integer') return left === 'number' || left === 'integer';
      return t === left;
    });
    if (!leftOk) {
      const crossing = base.startsWith('crosses') && c.fact === 'indicator' && typeof c.path === 'string' && c.path.split('.').length === 2;
      const advice = left === 'atoms'
        ? ' (atoms are exact amounts for orders; compare the human-unit field beside it)'
        : crossing
          ? ` (a crossing reads the [previous, current] series: path '${c.path!.split('.')[0]}.series.${c.path!.split('.')[1]}', and the same form on the value side)`
          : '';
      this.report([...at, 'operator'], 'RULES_OPERATOR_TYPE_MISMATCH', `operator '${base}' does not fit ${typeName(left)} '${c.fact}${c.path ? '.' + c.path : ''}'${advice}`, `a fact of type ${op.left.join(' | ')}`, typeName(left));
      return;
    }
    let rightOk = true;
    let expected = '';
    switch (op.right) {
      case 'same':
        rightOk = sameKind(left, right);
        expected = typeName(left);
        break;
      case 'number':
        rightOk = isNumeric(right);
        expected = 'number';
        break;
      case 'number-or-series':
        rightOk = isNumeric(right) || (typeof right === 'object' && isNumeric(right.array));
        expected = 'a number (a level) or a series (another line)';
        break;
      case 'array-of-left':
        rightOk = right === 'any' || (typeof right === 'object' && sameKind(left, right.array));
        expected = `a list of ${typeName(left)}`;
        break;
      case 'element-of-left':
        rightOk = typeof left === 'object' ? sameKind(left.array, right) : true;
        expected = typeof left === 'object' ? typeName(left.array) : 'an element';
        break;
      case 'range':
        rightOk = right === 'any' || (typeof right === 'object' && isNumeric(right.array) && Array.isArray(c.value) && c.value.length === 2);
        expected = '[low, high]';
        break;
    }
    // a missing value is the schema's error (required 'value'), not a type mismatch
    if (!rightOk && Object.prototype.hasOwnProperty.call(c, 'value')) {
      this.report([...at, 'value'], 'RULES_VALUE_TYPE_MISMATCH', `operator '${base}' on ${typeName(left)} needs ${expected} as value`, expected, typeName(right));
    }
  }

  checkCondition(c: Condition, at: PathSegment[]): void {
    if (!c || typeof c !== 'object') return; // the schema check reports malformed nodes
    if (isAll(c)) c.all.forEach((child, i) => this.checkCondition(child, [...at, 'all', i]));
    else if (isAny(c)) c.any.forEach((child, i) => this.checkCondition(child, [...at, 'any', i]));
    else if (isNot(c)) this.checkCondition(c.not, [...at, 'not']);
    else if (isReference(c)) {
      if (!this.rf.conditions?.[c.condition]) {
        const names = Object.keys(this.rf.conditions ?? {});
        this.report([...at, 'condition'], 'RULES_UNKNOWN_CONDITION', `no named condition '${c.condition}' in this file${hint(c.condition, names)}`, names.length ? `one of ${names.join(', ')}` : 'a name under `conditions:`', `'${c.condition}'`);
      }
    } else if (isLeaf(c)) this.checkLeaf(c, at);
  }

  checkCycles(): void {
    const named = this.rf.conditions ?? {};
    const refsOf = (c: Condition, at: PathSegment[], out: Array<{ name: string; at: PathSegment[] }>) => {
      if (!c || typeof c !== 'object') return out;
      if (isAll(c)) c.all.forEach((x, i) => refsOf(x, [...at, 'all', i], out));
      else if (isAny(c)) c.any.forEach((x, i) => refsOf(x, [...at, 'any', i], out));
      else if (isNot(c)) refsOf(c.not, [...at, 'not'], out);
      else if (isReference(c)) out.push({ name: c.condition, at });
      return out;
    };
    if (!named || typeof named !== 'object') return;
    const state = new Map<string, 'visiting' | 'done'>();
    const reported = new Set<string>();
    const visit = (name: string, stack: string[]) => {
      state.set(name, 'visiting');
      for (const ref of refsOf(named[name]!, ['conditions', name], [])) {
        if (!named[ref.name]) continue;
        if (state.get(ref.name) === 'visiting') {
          const cycle = [...stack.slice(stack.indexOf(ref.name)), ref.name];
          const key = [...cycle].sort().join(',');
          if (!reported.has(key)) {
            reported.add(key);
            this.report([...ref.at, 'condition'], 'RULES_CONDITION_CYCLE', `named conditions reference each other in a cycle: ${cycle.join(' -> ')}`, 'conditions that end in facts', cycle.join(' -> '));
          }
        } else if (!state.has(ref.name)) visit(ref.name, [...stack, ref.name]);
      }
      state.set(name, 'done');
    };
    for (const name of Object.keys(named)) if (!state.has(name)) visit(name, [name]);
  }

  checkEventParams(params: Record<string, unknown>, at: PathSegment[]): void {
    for (const [key, v] of Object.entries(params)) {
      if (isFactReference(v)) this.resolve(v.fact, v.path, [...at, key]);
    }
  }

  checkEvent(rule: RuleFile['rules'][number], at: PathSegment[]): void {
    const ev = rule.event;
    if (!ev || typeof ev !== 'object') return;
    const params = ev.params && typeof ev.params === 'object' ? ev.params : {};
    this.checkEventParams(params, [...at, 'params']);
    const kind = this.rf.kind;
    const expectType = kind === 'routing' ? 'route' : kind === 'risk' ? 'block' : kind === 'wallets' ? 'rebalance' : undefined;
    if (expectType && ev.type !== expectType) {
      this.report([...at, 'type'], 'RULES_EVENT_TYPE', `${kind} rules emit '${expectType}' events`, `'${expectType}'`, `'${ev.type}'`);
      return;
    }
    if (ev.type === 'order') {
      if (params.side !== 'buy' && params.side !== 'sell' && params.side !== 'roundtrip') {
        this.report(params.side === undefined ? [...at] : [...at, 'params', 'side'], 'RULES_ORDER_PARAM', "order events need params.side: buy, sell or roundtrip", "'buy', 'sell' or 'roundtrip'", JSON.stringify(params.side ?? null));
      }
      const amount = params.amountIn;
      if (amount === undefined) {
        this.report([...at], 'RULES_ORDER_PARAM', 'order events need params.amountIn (atoms, or { fact, path } of an atoms field)', 'params.amountIn', 'none');
      } else if (isFactReference(amount)) {
        const t = referenceType(amount.fact, amount.path, this.ctx.params, this.ctx.facts);
        if ('type' in t && t.type !== 'atoms' && t.type !== 'any') {
          this.report([...at, 'params', 'amountIn', 'path'], 'RULES_ORDER_PARAM', `params.amountIn must be an atoms amount; '${amount.fact}.${amount.path ?? ''}' is ${typeName(t.type)}`, 'an atoms field', typeName(t.type));
        }
      } else if (typeof amount !== 'string' || !/^\d+$/.test(amount)) {
        this.report([...at, 'params', 'amountIn'], 'RULES_ORDER_PARAM', 'params.amountIn must be a decimal string of atoms', 'e.g. "1000000"', JSON.stringify(amount));
      }
      if (params.urgency !== undefined && !['low', 'normal', 'high'].includes(params.urgency as string)) {
        this.report([...at, 'params', 'urgency'], 'RULES_ORDER_PARAM', 'params.urgency must be low, normal or high', "'low' | 'normal' | 'high'", JSON.stringify(params.urgency));
      }
    }
    if (ev.type === 'route') {
      const executor = params.executor;
      if (typeof executor !== 'string') {
        this.report([...at], 'ROUTING_NO_EXECUTOR', 'route events need params.executor', 'an executor name', 'none');
      } else if (this.ctx.executors && !this.ctx.executors.includes(executor)) {
        this.report([...at, 'params', 'executor'], 'ROUTING_UNKNOWN_EXECUTOR', `route to executor '${executor}', which strategies.yaml does not register${hint(executor, this.ctx.executors)}`, `one of ${this.ctx.executors.join(', ')}`, `'${executor}'`);
      }
    }
    if (ev.type === 'block' && typeof params.reason !== 'string') {
      this.report([...at], 'RISK_NO_REASON', 'block events need params.reason (shown to operators and stored with the order)', 'a reason string', 'none');
    }
  }

  /** Walks defensively: the file may also have schema errors, reported separately. */
  run(): Finding[] {
    const named = this.rf.conditions;
    if (named && typeof named === 'object') {
      for (const [name, c] of Object.entries(named)) this.checkCondition(c, ['conditions', name]);
      this.checkCycles();
    }
    if (!Array.isArray(this.rf.rules)) return this.findings;
    this.rf.rules.forEach((rule, i) => {
      if (!rule || typeof rule !== 'object') return;
      this.checkCondition(rule.conditions, ['rules', i, 'conditions']);
      this.checkEvent(rule, ['rules', i, 'event']);
    });
    return this.findings;
  }
}

/** Semantic findings for one schema-valid rule file. */
export function checkRuleFile(rf: RuleFile, ctx: RuleCheckContext): Finding[] {
  return [...new RuleFileChecker(rf, ctx).run(), ...checkContradictions(rf)];
}

/** Duplicate rule ids (within and across files) and duplicate file ids, per file. */
export function checkDuplicateIds(files: readonly RuleFile[]): Map<RuleFile, Finding[]> {
  const out = new Map<RuleFile, Finding[]>();
  const add = (rf: RuleFile, f: Finding) => out.set(rf, [...(out.get(rf) ?? []), f]);
  const ruleSeen = new Map<string, { file: string; index: number }>();
  const fileSeen = new Map<string, string>();
  for (const rf of files) {
    if (!Array.isArray(rf.rules)) continue;
    const prevFile = fileSeen.get(rf.id);
    if (prevFile) add(rf, { at: ['id'], code: 'RULES_DUPLICATE_FILE_ID', message: `rule file id '${rf.id}' is also used by ${prevFile}`, expected: 'a unique id', found: `'${rf.id}'` });
    else fileSeen.set(rf.id, rf.file);
    rf.rules.forEach((rule, i) => {
      if (!rule || typeof rule.id !== 'string') return;
      const prev = ruleSeen.get(rule.id);
      if (prev) {
        const where = prev.file === rf.file ? `rules[${prev.index}] of this file` : `${prev.file} rules[${prev.index}]`;
        add(rf, { at: ['rules', i, 'id'], code: 'RULES_DUPLICATE_RULE_ID', message: `rule id '${rule.id}' is already used by ${where}`, expected: 'a unique rule id', found: `'${rule.id}'` });
      } else ruleSeen.set(rule.id, { file: rf.file, index: i });
    });
  }
  return out;
}

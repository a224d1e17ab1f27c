/**
 * The compiled form of one rule file: json-rules-engine's view of it, resolved once. Named
 * conditions are expanded in place, operators resolved, priorities grouped exactly as
 * json-rules-engine groups them (its own sort over the same keys), and every condition that
 * json-rules-engine refuses at construction is refused here, at compile time.
 */
import { SolrulesError } from '../../errors/index.ts';
import type { RuleFile } from '../model.ts';
import { compiledOperator, operatorMayThrow, type OpFn, type ResolvedOperator } from './ops.ts';

const hasOwn = (o: unknown, k: string): boolean => o !== null && o !== undefined && Object.prototype.hasOwnProperty.call(o, k);

/** A `{ fact, path }` read as json-rules-engine's almanac does it. */
export interface FactRead {
  fact: unknown;
  path: unknown;
  /** The path split on dots, when it is a non-empty string. */
  segs: string[] | null;
}

/** A fact read with its path split once. */
export function factRead(fact: unknown, path: unknown): FactRead {
  return { fact, path, segs: path && typeof path === 'string' ? path.split('.') : null };
}

export interface LeafNode extends FactRead {
  type: 'leaf';
  operator: string;
  /** The condition's `value` as written (shown in explanations). */
  value: unknown;
  /** Set when `value` is an object with an own `fact` (json-rules-engine then reads that fact). */
  valueRef: FactRead | null;
  op: ResolvedOperator | null;
  fn: OpFn | null;
  /** Raw `priority` (json-rules-engine keeps a leaf's as written). */
  priority: unknown;
  name: unknown;
  mayThrow: boolean;
}
export interface GroupNode {
  type: 'all' | 'any';
  children: Node[];
  /** Indexes of the children by priority, highest first (only when more than one child). */
  groups: number[][] | null;
  priority: unknown;
  name: unknown;
  mayThrow: boolean;
}
export interface NotNode {
  type: 'not';
  child: Node;
  priority: unknown;
  name: unknown;
  mayThrow: boolean;
}
export interface RefNode {
  type: 'ref';
  condition: unknown;
  /** The named condition it expands to; null when undefined, 'cycle' inside a reference cycle (evaluating either throws). */
  target: Node | null | 'cycle';
  priority: unknown;
  name: unknown;
  mayThrow: boolean;
}
export type Node = LeafNode | GroupNode | NotNode | RefNode;

export interface CompiledRule {
  /** Position in the file. */
  index: number;
  /** json-rules-engine's rule name (the rule id; undefined when the id is empty). */
  name: unknown;
  priority: number;
  root: Node;
  eventType: unknown;
  /** Event params as written (their top-level `{ fact, path }` values are read when the rule fires). */
  params: Record<string, unknown>;
  /** Params entries that are fact references: key, read. */
  paramRefs: Array<{ key: string; read: FactRead }>;
  /** Reading the params can throw (a non-string path): json-rules-engine resolves them for every rule. */
  paramsMayThrow: boolean;
}

export interface CompiledFile {
  file: RuleFile;
  rules: CompiledRule[];
  /** Rules grouped by priority, highest first; file order within a group. */
  groups: CompiledRule[][];
}

function shapeError(file: RuleFile, message: string, at: string): SolrulesError {
  return new SolrulesError('RULES_COMPILE_INVALID', `${file.file}: ${at}: ${message}`, { file: file.file, at });
}

/** json-rules-engine's prioritizeConditions / prioritizeRules: group by priority, highest first. */
export function prioritize<T>(items: readonly T[], priorityOf: (x: T) => unknown): T[][] {
  // One priority (the common case) gives one set in order, whatever the sort does with it.
  if (items.length > 0) {
    const first = priorityOf(items[0]!) || 1;
    let same = true;
    for (let i = 1; i < items.length && same; i++) same = String(priorityOf(items[i]!) || 1) === String(first);
    if (same) return [items.slice()];
  }
  const sets: Record<string, T[]> = {};
  for (const item of items) {
    let p = priorityOf(item);
    if (!p) p = 1;
    const key = p as string;
    if (!sets[key]) sets[key] = [];
    sets[key]!.push(item);
  }
  return Object.keys(sets)
    .sort((a, b) => (Number(a) > Number(b) ? -1 : 1))
    .map((k) => sets[k]!);
}

function booleanOperator(c: object): 'any' | 'all' | 'not' | undefined {
  if (hasOwn(c, 'any')) return 'any';
  if (hasOwn(c, 'all')) return 'all';
  if (hasOwn(c, 'not')) return 'not';
  return undefined;
}

class Builder {
  private readonly named = new Map<string, Node | 'building'>();

  constructor(private readonly file: RuleFile) {}

  /** One condition as json-rules-engine's Condition constructor reads it. */
  node(c: unknown, at: string): Node {
    if (!c) throw shapeError(this.file, 'condition required', at);
    const props = c as Record<string, unknown>;
    const bool = booleanOperator(props);
    if (+hasOwn(props, 'any') + +hasOwn(props, 'all') + +hasOwn(props, 'not') + +hasOwn(props, 'condition') + +hasOwn(props, 'fact') > 1) {
      const kinds = ['any', 'all', 'not', 'condition', 'fact'].filter((k) => hasOwn(props, k));
      throw shapeError(this.file, `a condition has one of all, any, not, condition or fact; found ${kinds.join(', ')}`, at);
    }
    if (bool) {
      const sub = props[bool];
      const isArray = Array.isArray(sub);
      if (bool !== 'not' && !isArray) throw shapeError(this.file, `"${bool}" must be an array`, at);
      if (bool === 'not' && isArray) throw shapeError(this.file, `"not" cannot be an array`, at);
      const priority = Number.parseInt(props.priority as string, 10) || 1;
      if (bool === 'not') {
        const child = this.node(sub, `${at}.not`);
        return { type: 'not', child, priority, name: props.name, mayThrow: child.mayThrow };
      }
      const children = (sub as unknown[]).map((x, i) => this.node(x, `${at}.${bool}[${i}]`));
      return {
        type: bool,
        children,
        groups: children.length > 1 ? prioritize(children.map((_, i) => i), (i) => children[i]!.priority) : null,
        priority,
        name: props.name,
        mayThrow: children.some((x) => x.mayThrow),
      };
    }
    if (hasOwn(props, 'condition')) {
      const target = this.namedCondition(props.condition);
      const mayThrow = target === null || target === 'cycle' || target.mayThrow;
      return { type: 'ref', condition: props.condition, target, priority: props.priority, name: props.name, mayThrow };
    }
    for (const k of ['fact', 'operator', 'value']) {
      if (!hasOwn(props, k)) throw shapeError(this.file, `Condition: constructor "${k}" property required`, at);
    }
    const value = props.value;
    const valueRef = value !== null && typeof value === 'object' && hasOwn(value, 'fact') ? factRead((value as FactRead).fact, (value as FactRead).path) : null;
    const compiled = compiledOperator(props.operator as string);
    const op = compiled ? compiled.op : null;
    const path = props.path;
    const mayThrow =
      op === null ||
      operatorMayThrow(op, value, valueRef !== null) ||
      (!!path && typeof path !== 'string') ||
      (valueRef !== null && !!valueRef.path && typeof valueRef.path !== 'string');
    return {
      type: 'leaf',
      fact: props.fact,
      path,
      segs: path && typeof path === 'string' ? path.split('.') : null,
      operator: props.operator as string,
      value,
      valueRef,
      op,
      fn: compiled ? compiled.fn : null,
      priority: props.priority,
      name: props.name,
      mayThrow,
    };
  }

  /**
   * The named condition, as the reference registers it: `{ name, ...condition }`. A reference
   * back into a condition being built is a cycle: json-rules-engine recurses forever there;
   * we throw when it is evaluated.
   */
  namedCondition(name: unknown): Node | null | 'cycle' {
    const conditions = this.file.conditions;
    if (typeof name !== 'string' || !conditions || !hasOwn(conditions, name)) return null;
    const done = this.named.get(name);
    if (done === 'building') return 'cycle';
    if (done) return done;
    const c = conditions[name];
    if (!c || !(hasOwn(c, 'all') || hasOwn(c, 'any') || hasOwn(c, 'not') || hasOwn(c, 'condition'))) {
      throw shapeError(this.file, '"conditions" root must contain a single instance of "all", "any", "not", or "condition"', `conditions.${name}`);
    }
    this.named.set(name, 'building');
    const node = this.node({ name, ...(c as object) }, `conditions.${name}`);
    this.named.set(name, node);
    return node;
  }

  /** json-rules-engine validates every named condition when it is registered, used or not. */
  buildNamed(): void {
    for (const name of Object.keys(this.file.conditions ?? {})) this.namedCondition(name);
  }

  rule(rule: RuleFile['rules'][number], index: number): CompiledRule {
    const at = `rules[${index}]`;
    const conditions = rule.conditions as unknown;
    if (!conditions || !(hasOwn(conditions, 'all') || hasOwn(conditions, 'any') || hasOwn(conditions, 'not') || hasOwn(conditions, 'condition'))) {
      throw shapeError(this.file, '"conditions" root must contain a single instance of "all", "any", "not", or "condition"', `${at}.conditions`);
    }
    if (!rule.event || typeof rule.event !== 'object') throw shapeError(this.file, 'a rule needs an event', `${at}.event`);
    // json-rules-engine's Rule.setEvent refuses an event without an own `type` (a missing type is not `''`)
    if (!hasOwn(rule.event, 'type')) throw shapeError(this.file, 'the event needs a "type" (json-rules-engine: Rule: setEvent() requires event object with "type" property)', `${at}.event`);
    const priority = Number.parseInt(((rule.priority as unknown) || 1) as string, 10);
    if (priority <= 0) throw shapeError(this.file, 'Priority must be greater than zero', `${at}.priority`);
    const params = (rule.event.params ?? {}) as Record<string, unknown>;
    const paramRefs: CompiledRule['paramRefs'] = [];
    for (const key in params) {
      if (!hasOwn(params, key)) continue;
      const v = params[key];
      if (v !== null && typeof v === 'object' && hasOwn(v, 'fact')) paramRefs.push({ key, read: factRead((v as FactRead).fact, (v as FactRead).path) });
    }
    const id = rule.id as unknown;
    return {
      index,
      name: id || id === 0 ? id : undefined,
      priority,
      root: this.node(conditions, `${at}.conditions`),
      eventType: rule.event.type,
      params,
      paramRefs,
      paramsMayThrow: paramRefs.some((r) => !!r.read.path && typeof r.read.path !== 'string'),
    };
  }
}

/** Compiles a rule file's conditions into the tree json-rules-engine evaluates (pure; throws on shapes it refuses). */
export function buildFile(file: RuleFile): CompiledFile {
  const b = new Builder(file);
  b.buildNamed();
  if (!Array.isArray(file.rules)) throw shapeError(file, 'rules must be a list', 'rules');
  const rules = file.rules.map((r, i) => b.rule(r, i));
  return { file, rules, groups: prioritize(rules, (r) => r.priority) };
}

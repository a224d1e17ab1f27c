/**
 * The rule model: json-rules-engine's rule shape (all / any / not / condition references,
 * fact, path, operator, value, priority, event) under our small file header.
 */

export type RuleKind = 'strategy' | 'routing' | 'risk' | 'wallets';

/** `{ fact, path }` used as a condition's value: compare with another fact. */
export interface FactReference {
  fact: string;
  path?: string;
}

export interface LeafCondition {
  fact: string;
  path?: string;
  operator: string;
  value: unknown;
  name?: string;
  priority?: number;
}
export interface AllCondition {
  all: Condition[];
  name?: string;
  priority?: number;
}
export interface AnyCondition {
  any: Condition[];
  name?: string;
  priority?: number;
}
export interface NotCondition {
  not: Condition;
  name?: string;
  priority?: number;
}
export interface ConditionReference {
  condition: string;
  name?: string;
  priority?: number;
}
export type Condition = LeafCondition | AllCondition | AnyCondition | NotCondition | ConditionReference;
export type TopCondition = AllCondition | AnyCondition | NotCondition | ConditionReference;

export interface RuleEvent {
  type: string;
  params?: Record<string, unknown>;
}

export interface RuleDef {
  id: string;
  description?: string;
  priority?: number;
  conditions: TopCondition;
  event: RuleEvent;
}

/** One rule file as written (after schema validation). */
export interface RuleFileDoc {
  id: string;
  kind?: RuleKind;
  strategy?: string;
  description?: string;
  conditions?: Record<string, Condition>;
  rules: RuleDef[];
}

/** A loaded rule file: the document plus where it came from and its content hash. */
export interface RuleFile extends RuleFileDoc {
  kind: RuleKind;
  /** Strategy whose orders the file decides (its id when not given). */
  strategy: string;
  file: string;
  /** sha256 of the file text. */
  hash: string;
}

export function isAll(c: Condition): c is AllCondition {
  return Array.isArray((c as AllCondition).all);
}
export function isAny(c: Condition): c is AnyCondition {
  return Array.isArray((c as AnyCondition).any);
}
export function isNot(c: Condition): c is NotCondition {
  return (c as NotCondition).not !== undefined && typeof (c as NotCondition).not === 'object';
}
export function isReference(c: Condition): c is ConditionReference {
  return typeof (c as ConditionReference).condition === 'string';
}
export function isLeaf(c: Condition): c is LeafCondition {
  return typeof (c as LeafCondition).fact === 'string' && typeof (c as LeafCondition).operator === 'string';
}
/** True for a value of the form `{ fact: string, path?: string }` (a fact reference). */
export function isFactReference(v: unknown): v is FactReference {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return typeof (v as FactReference).fact === 'string' && keys.every((k) => k === 'fact' || k === 'path');
}

/** Splits `not:someFact:greaterThan` into decorators and the base operator. */
export function splitOperator(operator: string): { decorators: string[]; base: string } {
  const parts = operator.split(':');
  return { decorators: parts.slice(0, -1), base: parts[parts.length - 1]! };
}

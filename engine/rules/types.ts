/**
 * Static types of rule operands, for checking that an operator fits what it compares.
 */
import { fieldAt, type FactCatalog, type FieldSpec, type FieldType } from '../facts/index.ts';
import { readPath } from './operators.ts';

export type OperandType =
  | 'number'
  | 'integer'
  | 'string'
  | 'boolean'
  | 'atoms'
  | 'object'
  | 'null'
  | 'any'
  | { array: OperandType };

/** Human-readable name of an operand type. */
export function typeName(t: OperandType): string {
  if (typeof t === 'string') return t;
  return `${typeName(t.array)}[]`;
}

/** The operand type of a catalog field. */
export function fieldType(spec: FieldSpec): OperandType {
  const map: Record<FieldType, OperandType> = {
    number: 'number',
    integer: 'integer',
    string: 'string',
    boolean: 'boolean',
    atoms: 'atoms',
    series: { array: 'number' },
    'string[]': { array: 'string' },
    object: 'object',
    map: 'object',
    any: 'any',
  };
  return map[spec.type];
}

/** The operand type of a constant written in YAML. */
export function valueType(v: unknown): OperandType {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) {
    if (v.length === 0) return { array: 'any' };
    const types = v.map(valueType);
    const first = types[0]!;
    const numeric = types.every((t) => t === 'number' || t === 'integer');
    if (numeric) return { array: types.every((t) => t === 'integer') ? 'integer' : 'number' };
    return { array: types.every((t) => typeName(t) === typeName(first)) ? first : 'any' };
  }
  return 'object';
}

export function isNumeric(t: OperandType): boolean {
  return t === 'number' || t === 'integer' || t === 'any';
}

/** Whether a value of type `b` may be compared for equality with a fact of type `a`. */
export function sameKind(a: OperandType, b: OperandType): boolean {
  if (a === 'any' || b === 'any') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (a === 'atoms' && b === 'string') return true;
  if (typeof a === 'object' && typeof b === 'object') return sameKind(a.array, b.array);
  return typeName(a) === typeName(b);
}

/** Type of the operand at `fact`.`path`, or an explanation of why the path is unknown. */
export function referenceType(
  fact: string,
  path: string | undefined,
  params: unknown,
  catalog: FactCatalog,
): { type: OperandType } | { error: 'unknown-fact' | 'unknown-path' | 'unknown-param' | 'no-params' } {
  const spec = catalog[fact];
  if (!spec) return { error: 'unknown-fact' };
  if (spec.dynamic) {
    if (params === undefined) return { error: 'no-params' };
    const v = readPath(params, path);
    if (v === undefined) return { error: 'unknown-param' };
    return { type: valueType(v) };
  }
  const field = fieldAt(spec, path);
  if (!field) return { error: 'unknown-path' };
  return { type: fieldType(field) };
}

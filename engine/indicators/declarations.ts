/**
 * Indicator declarations as written in strategies.yaml, e.g.
 * `{ fast: { sma: 20 }, bb: { bollinger: [20, 2] }, macd: { macd: [12, 26, 9] }, v: { vwap: day } }`,
 * validated against the catalog. Validation collects every problem as a diagnostic carrying the
 * path of the offending value (e.g. ['strategies', 'x', 'indicators', 'fast', 'sma']) so the config
 * layer can map it to file:line:column; nothing is silently defaulted except documented defaults.
 */
import { SolrulesError } from '../errors/index.ts';
import { INDICATOR_CATALOG, INDICATOR_KINDS, type IndicatorParam, type IndicatorParamSpec } from './catalog.ts';

export type DiagnosticPath = ReadonlyArray<string | number>;

/** One problem in a declaration; `path` points at the offending value. */
export interface IndicatorDiagnostic {
  code: IndicatorErrorCode;
  message: string;
  path: DiagnosticPath;
  value: unknown;
  expected?: string;
}

export type IndicatorErrorCode =
  | 'INDICATOR_DECLARATIONS_NOT_MAP'
  | 'INDICATOR_BAD_NAME'
  | 'INDICATOR_BAD_DECLARATION'
  | 'INDICATOR_UNKNOWN'
  | 'INDICATOR_ARITY'
  | 'INDICATOR_BAD_PERIOD'
  | 'INDICATOR_BAD_PARAM'
  | 'INDICATOR_NEEDS_VOLUME';

/** A validated declaration: the name rules read (`indicator.<name>`), its kind and full parameter list. */
export interface IndicatorDeclaration {
  name: string;
  kind: string;
  /** Every parameter of the kind, defaults filled in. */
  params: IndicatorParam[];
  /** Path of the declaration (…, 'indicators', name). */
  path: DiagnosticPath;
}

export interface DeclarationResult {
  declarations: IndicatorDeclaration[];
  diagnostics: IndicatorDiagnostic[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that would shadow fields of the fact itself or of JS objects. */
const RESERVED = new Set(['ready', 'prev', 'previous', 'value', 'bars', '__proto__', 'constructor', 'prototype']);

const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a map of declarations; `basePath` is where the map sits in its file. */
export function validateIndicatorDeclarations(input: unknown, basePath: DiagnosticPath = ['indicators']): DeclarationResult {
  const diagnostics: IndicatorDiagnostic[] = [];
  const declarations: IndicatorDeclaration[] = [];
  const problem = (code: IndicatorErrorCode, path: DiagnosticPath, value: unknown, message: string, expected?: string) =>
    diagnostics.push({ code, path, value, message, ...(expected ? { expected } : {}) });

  if (input === undefined || input === null) return { declarations, diagnostics };
  if (!isPlainObject(input)) {
    problem('INDICATOR_DECLARATIONS_NOT_MAP', basePath, input, `indicators must be a map of name: { kind: params }; found ${show(input)}`, 'a map such as { fast: { sma: 20 } }');
    return { declarations, diagnostics };
  }
  for (const [name, decl] of Object.entries(input)) {
    const at = [...basePath, name];
    if (!NAME.test(name) || RESERVED.has(name)) {
      problem('INDICATOR_BAD_NAME', at, name, `indicator name ${show(name)} at ${at.join('.')} must be an identifier (letters, digits, _) and not one of ${[...RESERVED].slice(0, 5).join(', ')}`, 'an identifier such as fast or rsi14');
      continue;
    }
    if (!isPlainObject(decl) || Object.keys(decl).length !== 1) {
      problem('INDICATOR_BAD_DECLARATION', at, decl, `indicator ${name} at ${at.join('.')} must be a map with exactly one kind, e.g. { sma: 20 }; found ${show(decl)}`, `one of ${INDICATOR_KINDS.join(', ')} with its parameters`);
      continue;
    }
    const [kind, raw] = Object.entries(decl)[0]!;
    const kindPath = [...at, kind];
    const spec = INDICATOR_CATALOG[kind];
    if (!spec || !Object.hasOwn(INDICATOR_CATALOG, kind)) {
      problem('INDICATOR_UNKNOWN', kindPath, kind, `unknown indicator ${show(kind)} at ${kindPath.join('.')}; known: ${INDICATOR_KINDS.join(', ')}`, INDICATOR_KINDS.join(' | '));
      continue;
    }
    const before = diagnostics.length;
    const params = readParams(spec.params, raw, kindPath, kind, problem);
    if (diagnostics.length > before || !params) continue;
    if (kind === 'macd' && (params[1] as number) <= (params[0] as number)) {
      problem('INDICATOR_BAD_PARAM', [...kindPath, 1], params[1], `macd at ${kindPath.join('.')}: slow (${String(params[1])}) must be greater than fast (${String(params[0])})`, `an integer > ${String(params[0])}`);
      continue;
    }
    declarations.push({ name, kind, params, path: at });
  }
  return { declarations, diagnostics };
}

function readParams(
  specs: readonly IndicatorParamSpec[],
  raw: unknown,
  kindPath: DiagnosticPath,
  kind: string,
  problem: (code: IndicatorErrorCode, path: DiagnosticPath, value: unknown, message: string, expected?: string) => void,
): IndicatorParam[] | undefined {
  const required = specs.filter((s) => s.default === undefined).length;
  const signature = `${kind}: ${specs.length === 0 ? '[]' : specs.length === 1 ? specs[0]!.name : `[${specs.map((s) => (s.default === undefined ? s.name : `${s.name}=${String(s.default)}`)).join(', ')}]`}`;
  let given: Array<{ value: unknown; path: DiagnosticPath }>;
  if (raw === null || raw === true) given = [];
  else if (Array.isArray(raw)) given = raw.map((value, i) => ({ value, path: [...kindPath, i] }));
  else if (isPlainObject(raw)) {
    given = [];
    const names = specs.map((s) => s.name);
    for (const key of Object.keys(raw)) {
      if (!names.includes(key)) {
        problem('INDICATOR_BAD_PARAM', [...kindPath, key], raw[key], `${kind} at ${kindPath.join('.')} has no parameter ${show(key)}; it takes ${names.join(', ') || 'none'}`, names.join(', ') || 'no parameters');
        return undefined;
      }
    }
    for (let i = 0; i < specs.length; i++) {
      const key = specs[i]!.name;
      if (Object.hasOwn(raw, key)) given[i] = { value: raw[key], path: [...kindPath, key] };
    }
    // Named form: a missing required parameter is an arity error below.
    const firstHole = specs.findIndex((s, i) => given[i] === undefined && s.default === undefined);
    if (firstHole >= 0) {
      problem('INDICATOR_ARITY', kindPath, raw, `${kind} at ${kindPath.join('.')} is missing parameter ${specs[firstHole]!.name}; write ${signature}`, signature);
      return undefined;
    }
  } else given = [{ value: raw, path: kindPath }];

  if (!isPlainObject(raw) && (given.length < required || given.length > specs.length)) {
    problem(
      'INDICATOR_ARITY',
      kindPath,
      raw,
      `${kind} at ${kindPath.join('.')} takes ${required === specs.length ? specs.length : `${required} to ${specs.length}`} parameter${specs.length === 1 ? '' : 's'} (${signature}); found ${given.length}: ${show(raw)}`,
      signature,
    );
    return undefined;
  }
  const out: IndicatorParam[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i]!;
    const g = given[i];
    if (g === undefined) {
      out.push(spec.default!);
      continue;
    }
    const v = g.value;
    const isPeriod = typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1_000_000;
    if (spec.type === 'period') {
      if (!isPeriod) {
        problem('INDICATOR_BAD_PERIOD', g.path, v, `${kind} ${spec.name} at ${g.path.join('.')} must be a whole number of bars ≥ 1; found ${show(v)}`, 'an integer from 1 to 1000000');
        return undefined;
      }
      out.push(v);
    } else if (spec.type === 'positive') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
        problem('INDICATOR_BAD_PARAM', g.path, v, `${kind} ${spec.name} at ${g.path.join('.')} must be a positive number; found ${show(v)}`, 'a number > 0');
        return undefined;
      }
      out.push(v);
    } else {
      if (v === 'day') out.push('day');
      else if (isPeriod) out.push(v);
      else {
        const code = typeof v === 'number' ? 'INDICATOR_BAD_PERIOD' : 'INDICATOR_BAD_PARAM';
        problem(code, g.path, v, `${kind} ${spec.name} at ${g.path.join('.')} must be a whole number of bars ≥ 1 or \`day\`; found ${show(v)}`, 'an integer ≥ 1 or day');
        return undefined;
      }
    }
  }
  return out;
}

/** Validates and throws the first problem as a SolrulesError (context: path, field, value, every diagnostic). */
export function parseIndicatorDeclarations(input: unknown, basePath: DiagnosticPath = ['indicators']): IndicatorDeclaration[] {
  const { declarations, diagnostics } = validateIndicatorDeclarations(input, basePath);
  if (diagnostics.length > 0) throw diagnosticError(diagnostics[0]!, diagnostics);
  return declarations;
}

/** The SolrulesError for a diagnostic. */
export function diagnosticError(d: IndicatorDiagnostic, all: readonly IndicatorDiagnostic[] = [d]): SolrulesError {
  return new SolrulesError(d.code, d.message, {
    path: d.path,
    field: d.path.join('.'),
    value: d.value,
    ...(d.expected ? { expected: d.expected } : {}),
    ...(all.length > 1 ? { diagnostics: all.map((x) => ({ code: x.code, path: x.path, message: x.message })) } : {}),
  });
}

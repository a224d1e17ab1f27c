/**
 * JSON Schema validation (draft 2020-12, ajv) of the files users edit, with every error
 * mapped to a diagnostic at the offending YAML node.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import { closest } from '../rules/index.ts';
import { schemaRoot, validator, type SchemaName } from '../schemas/index.ts';
import type { Diagnostic } from './diagnostics.ts';
import { diagnosticAt, type PathSegment, type SourceFile } from './yaml.ts';
import { looksLikeKeyMaterial } from '../wallets/index.ts';

export { validator, schemaPath, type SchemaName } from '../schemas/index.ts';

function pointerToPath(pointer: string): PathSegment[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function codeFor(keyword: string): string {
  return `SCHEMA_${keyword.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const s = JSON.stringify(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function describeDocument(v: unknown): string {
  if (Array.isArray(v)) return `a list of ${v.length} item(s)`;
  if (typeof v === 'string') return `a string of ${v.length} character(s)`;
  return v === null ? 'an empty document' : `a ${typeof v}`;
}

function valueAt(root: unknown, path: PathSegment[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg as string];
  }
  return cur;
}

function toDiagnostic(src: SourceFile, err: ErrorObject, redact: boolean): Diagnostic | undefined {
  const path = pointerToPath(err.instancePath);
  const where = path.length ? path.join('.') : '(document)';
  // The whole document is never echoed (it may be anything: /etc/passwd, a key file), nor a key-like value.
  const show = (v: unknown) => (redact || looksLikeKeyMaterial(v) ? '<redacted>' : path.length === 0 ? describeDocument(v) : showValue(v));
  const found = valueAt(src.value, path);
  const code = codeFor(err.keyword);
  switch (err.keyword) {
    case 'if':
      return undefined; // the branch's own errors say what is wrong
    case 'anyOf': {
      // no branch fits (see oneBranch): name the unknown key, or the keys a branch needs
      const branches = (err.params as { branches?: BranchInfo[] }).branches ?? [];
      const known = [...new Set(branches.flatMap((b) => b.keys))];
      const kinds = branches.map((b) => b.keys.filter((k) => k !== 'path').join(' + ')).join(', ');
      if (found !== null && typeof found === 'object' && !Array.isArray(found)) {
        const unknown = Object.keys(found).filter((k) => !known.includes(k) && k !== 'name' && k !== 'priority');
        if (unknown.length) {
          const near = closest(unknown[0]!, known);
          return diagnosticAt(src, [...path, unknown[0]!], 'SCHEMA_ADDITIONAL_PROPERTIES', `${where}: unknown property '${unknown[0]}'${near ? ` (did you mean '${near}'?)` : ''}`, {
            expected: `one of ${kinds}`,
            key: true,
          });
        }
        return diagnosticAt(src, path, code, `${where}: needs one of ${kinds}`, { expected: `one of ${kinds}`, found: `keys ${Object.keys(found).join(', ') || 'none'}` });
      }
      return diagnosticAt(src, path, code, `${where}: invalid value`, { expected: branches.map((b) => b.title).join(' | ') || 'a valid value', found: show(found) });
    }
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      return diagnosticAt(src, path, code, `${where}: missing required property '${missing}'`);
    }
    case 'additionalProperties': {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(((err.parentSchema as { properties?: object })?.properties) ?? {});
      const near = closest(extra, known);
      return diagnosticAt(src, [...path, extra], code, `${where}: unknown property '${extra}'${near ? ` (did you mean '${near}'?)` : ''}`, {
        ...(known.length ? { expected: `one of ${known.join(', ')}` } : {}),
        key: true,
      });
    }
    case 'enum': {
      const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      return diagnosticAt(src, path, code, `${where}: not an allowed value`, { expected: `one of ${allowed}`, found: show(found) });
    }
    case 'propertyNames': {
      const name = (err.params as { propertyName: string }).propertyName;
      return diagnosticAt(src, [...path, name], code, `${where}: invalid name '${name}'`, { key: true });
    }
    default:
      if (err.propertyName !== undefined && err.keyword !== 'propertyNames') return undefined;
      return diagnosticAt(src, path, code, `${where}: invalid value`, {
        expected: (err.message ?? 'a valid value').replace(/^must (be )?/, '').replace(/^NOT /, 'not '),
        found: show(found),
      });
  }
}

interface BranchInfo {
  title: string;
  /** The keys that pick this branch (its properties besides name / priority). */
  keys: string[];
}

function resolveRef(root: Record<string, unknown>, ref: string): Record<string, unknown> {
  let cur: unknown = root;
  for (const seg of ref.replace(/^#\//, '').split('/')) cur = (cur as Record<string, unknown>)[seg];
  return cur as Record<string, unknown>;
}

/**
 * `anyOf` errors come from every branch; keep the errors of the branch the value means — the
 * first whose own keys (all, any, not, condition, fact/operator/value) it uses — and drop the
 * others. When no branch fits, one error says so (see toDiagnostic 'anyOf').
 */
function oneBranch(errors: readonly ErrorObject[], root: Record<string, unknown> | undefined): ErrorObject[] {
  if (!root) return [...errors];
  const dropped = new Set<ErrorObject>();
  const added: ErrorObject[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' || !Array.isArray(e.schema)) continue;
    const branches = (e.schema as Array<Record<string, unknown>>).map((b, i) => {
      const ptr = typeof b.$ref === 'string' ? b.$ref : `${e.schemaPath}/${i}`;
      const schema = typeof b.$ref === 'string' ? resolveRef(root, b.$ref) : b;
      const keys = Object.keys((schema.properties as object) ?? {}).filter((k) => k !== 'name' && k !== 'priority');
      return { ptr, schema, keys, title: String(schema.title ?? ptr) };
    });
    const value = e.data;
    const isMap = value !== null && typeof value === 'object' && !Array.isArray(value);
    const chosen = isMap ? branches.find((b) => b.keys.some((k) => Object.prototype.hasOwnProperty.call(value, k))) : undefined;
    dropped.add(e);
    // ajv's schemaPath does not survive a $ref: tell a branch's errors by the schema object that failed
    const inBranch = (o: ErrorObject, b: (typeof branches)[number]) =>
      (o.instancePath === e.instancePath && o.parentSchema === b.schema) ||
      (o.instancePath.startsWith(`${e.instancePath}/`) && Object.values((b.schema.properties as object) ?? {}).includes(o.parentSchema));
    for (const b of branches) {
      if (b === chosen) continue;
      for (const other of errors) if (inBranch(other, b)) dropped.add(other);
    }
    // no branch fits a map, or none takes this kind of value: one error for the lot
    if (!chosen && (isMap || branches.every((b) => errors.some((o) => inBranch(o, b))))) {
      added.push({ ...e, params: { branches: branches.map((b) => ({ title: b.title, keys: b.keys })) } } as ErrorObject);
    }
  }
  return [...errors.filter((e) => !dropped.has(e)), ...added];
}

/**
 * A misspelt property is one mistake, not two: ajv reports the unknown key and the required
 * property it was meant to be; keep the unknown key (its message names the near miss).
 */
function oneErrorPerMistake(errors: readonly ErrorObject[]): ErrorObject[] {
  const extras = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword === 'additionalProperties') extras.set(e.instancePath, [...(extras.get(e.instancePath) ?? []), (e.params as { additionalProperty: string }).additionalProperty]);
  }
  return errors.filter((e) => {
    if (e.keyword !== 'required') return true;
    const missing = (e.params as { missingProperty: string }).missingProperty;
    return !(extras.get(e.instancePath) ?? []).some((extra) => closest(extra, [missing]) !== undefined);
  });
}

/**
 * Validates a parsed file against a schema; returns all errors as diagnostics (deduplicated).
 * `redact` keeps values out of messages (wallets.yaml: a pasted key must not reach a log).
 */
export function validateAgainstSchema(src: SourceFile, name: SchemaName, opts: { redact?: boolean } = {}): Diagnostic[] {
  const fn = validator(name);
  if (fn(src.value)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const err of oneErrorPerMistake(oneBranch(fn.errors ?? [], schemaRoot(name)))) {
    const d = toDiagnostic(src, err, opts.redact ?? false);
    if (!d) continue;
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

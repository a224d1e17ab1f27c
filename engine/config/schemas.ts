/**
 * JSON Schema validation (draft 2020-12, ajv) of the files users edit, with every error
 * mapped to a diagnostic at the offending YAML node.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from './diagnostics.ts';
import { diagnosticAt, type PathSegment, type SourceFile } from './yaml.ts';
import { looksLikeKeyMaterial } from './secrets.ts';

export type SchemaName = 'rule-file' | 'rule-test' | 'strategies' | 'wallets' | 'order' | 'facts';

const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

function instance(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, verbose: true });
    const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
    addFormats(ajv);
  }
  return ajv;
}

/** Absolute path of a schema file in `schemas/`. */
export function schemaPath(name: SchemaName): string {
  return fileURLToPath(new URL(`${name}.schema.json`, SCHEMA_DIR));
}

/** The compiled validator for one of our schemas. */
export function validator(name: SchemaName): ValidateFunction {
  let fn = compiled.get(name);
  if (!fn) {
    const schema = JSON.parse(readFileSync(schemaPath(name), 'utf8'));
    fn = instance().compile(schema);
    compiled.set(name, fn);
  }
  return fn;
}

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
    case 'required': {
      const missing = (err.params as { missingProperty: string }).missingProperty;
      return diagnosticAt(src, path, code, `${where}: missing required property '${missing}'`);
    }
    case 'additionalProperties': {
      const extra = (err.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(((err.parentSchema as { properties?: object })?.properties) ?? {});
      return diagnosticAt(src, [...path, extra], code, `${where}: unknown property '${extra}'`, {
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

/**
 * Validates a parsed file against a schema; returns all errors as diagnostics (deduplicated).
 * `redact` keeps values out of messages (wallets.yaml: a pasted key must not reach a log).
 */
export function validateAgainstSchema(src: SourceFile, name: SchemaName, opts: { redact?: boolean } = {}): Diagnostic[] {
  const fn = validator(name);
  if (fn(src.value)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const err of fn.errors ?? []) {
    const d = toDiagnostic(src, err, opts.redact ?? false);
    if (!d) continue;
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

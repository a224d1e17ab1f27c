/**
 * The JSON Schemas in `schemas/` (draft 2020-12): where they are and one shared ajv instance
 * that compiles them. A leaf module, so orders, config and the CLI can all check documents
 * against them without depending on each other.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

export type SchemaName = 'rule-file' | 'rule-test' | 'strategies' | 'wallets' | 'order' | 'facts' | 'scanner';

const SCHEMA_DIR = new URL('../../schemas/', import.meta.url);

let ajv: Ajv2020 | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();
const roots = new Map<SchemaName, Record<string, unknown>>();

function instance(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true, verbose: true });
    const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
    addFormats(ajv);
    // editor annotations (yaml-language-server / vscode-json-languageservice): no effect on validation
    ajv.addVocabulary(['enumDescriptions', 'patternErrorMessage']);
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
    roots.set(name, schema);
    fn = instance().compile(schema);
    compiled.set(name, fn);
  }
  return fn;
}

/** The schema document a validator was compiled from (for mapping errors to the branch a value uses). */
export function schemaRoot(name: SchemaName): Record<string, unknown> | undefined {
  validator(name);
  return roots.get(name);
}

/**
 * Validates `name` against `schema` from now on instead of the file in `schemas/`: for a process
 * that registers a strategy kind at run time (its params and facts are not in the files).
 */
export function useSchema(name: SchemaName, schema: Record<string, unknown>): void {
  const a = instance();
  const id = typeof schema.$id === 'string' ? schema.$id : undefined;
  const old = roots.get(name);
  if (old && typeof old.$id === 'string') a.removeSchema(old.$id);
  if (id && a.getSchema(id)) a.removeSchema(id);
  roots.set(name, schema);
  compiled.set(name, a.compile(schema));
}

/** The facts JSON Schema, generated from the fact catalog so the two cannot drift apart. */
import { OPERATORS } from './catalog.ts';
import type { FactCatalog, FieldSpec } from '../facts/index.ts';

function fieldSchema(spec: FieldSpec): Record<string, unknown> {
  if (spec.nullable) return { anyOf: [fieldSchema({ ...spec, nullable: false }), { type: 'null' }], description: spec.description };
  const doc = spec.unit ? `${spec.description} (${spec.unit})` : spec.description;
  switch (spec.type) {
    case 'number':
      return { type: 'number', description: doc };
    case 'integer':
      return { type: 'integer', description: doc };
    case 'boolean':
      return { type: 'boolean', description: doc };
    case 'string':
      return spec.enum ? { enum: [...spec.enum], description: doc } : { type: 'string', description: doc };
    case 'atoms':
      return { type: 'string', pattern: '^[0-9]+$', description: `${doc}; atoms as a decimal string` };
    case 'series':
      return { type: 'array', items: { type: 'number' }, description: doc };
    case 'string[]':
      return { type: 'array', items: { type: 'string' }, description: doc };
    case 'object':
      return objectSchema(spec.fields ?? {}, doc);
    case 'map':
      return { type: 'object', additionalProperties: spec.values ? fieldSchema(spec.values) : true, description: doc };
    case 'any':
      return { description: doc };
  }
}

function objectSchema(fields: Record<string, FieldSpec>, description: string): Record<string, unknown> {
  return {
    type: 'object',
    description,
    additionalProperties: false,
    properties: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, fieldSchema(v)])),
  };
}

/** JSON Schema (2020-12) of a fact snapshot: every fact of the catalog, every field typed. */
export function factsJsonSchema(catalog: FactCatalog, producedBy: (fact: string) => string): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(catalog)) {
    properties[name] = spec.dynamic
      ? { type: 'object', description: `${spec.description} Produced by: ${producedBy(name)}.` }
      : spec.entries
        ? { type: 'object', description: `${spec.description} Produced by: ${producedBy(name)}.`, additionalProperties: fieldSchema(spec.entries) }
        : { ...objectSchema(spec.fields, `${spec.description} Produced by: ${producedBy(name)}.`) };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://solrules.dev/schemas/facts.schema.json',
    title: 'solrules fact snapshot',
    description: `Facts rules may read, generated from the fact catalog (engine/facts and the strategy kinds). Operators: ${Object.keys(OPERATORS).join(', ')}.`,
    type: 'object',
    additionalProperties: false,
    properties,
  };
}

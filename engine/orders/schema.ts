/** Schema check of an order's JSON form (schemas/order.schema.json). */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { SolrulesError } from '../errors/index.ts';
import type { OrderJson } from './order.ts';

let validate: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!validate) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schemas/order.schema.json', import.meta.url), 'utf8')));
  }
  return validate;
}

/** Throws ORDER_INVALID naming the first bad field and its value; returns the JSON typed otherwise. */
export function checkOrderJson(json: unknown): OrderJson {
  const fn = validator();
  if (fn(json)) return json as OrderJson;
  const err = fn.errors![0]!;
  const field = err.instancePath.slice(1).replace(/\//g, '.') || (err.params as { missingProperty?: string }).missingProperty || '(order)';
  let value: unknown = json;
  for (const seg of err.instancePath.split('/').slice(1)) value = (value as Record<string, unknown>)?.[seg];
  throw new SolrulesError('ORDER_INVALID', `order field '${field}' ${err.message ?? 'is invalid'}; got ${JSON.stringify(value)}`, { field, value });
}

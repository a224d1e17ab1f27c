/** Schema check of an order's JSON form (schemas/order.schema.json). */
import { validator } from '../schemas/index.ts';
import { SolrulesError } from '../errors/index.ts';
import type { OrderJson } from './order.ts';

/** Throws ORDER_INVALID naming the first bad field and its value; returns the JSON typed otherwise. */
export function checkOrderJson(json: unknown): OrderJson {
  const fn = validator('order');
  if (fn(json)) return json as OrderJson;
  const err = fn.errors![0]!;
  const field = err.instancePath.slice(1).replace(/\//g, '.') || (err.params as { missingProperty?: string }).missingProperty || '(order)';
  let value: unknown = json;
  for (const seg of err.instancePath.split('/').slice(1)) value = (value as Record<string, unknown>)?.[seg];
  throw new SolrulesError('ORDER_INVALID', `order field '${field}' ${err.message ?? 'is invalid'}; got ${JSON.stringify(value)}`, { field, value });
}

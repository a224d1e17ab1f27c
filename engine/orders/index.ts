/** Orders: the order model, its JSON form and schema check, deterministic ids, and building orders from rule events. */
export * from './order.ts';
export { buildOrders, factsDigest, convertAtoms, atomsToUsd, type OrderContext, type TokenInfo } from './build.ts';
export { checkOrderJson } from './schema.ts';

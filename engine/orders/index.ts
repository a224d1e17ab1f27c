/** Orders: the order model, its lifecycle (status, route, execution report and fills), its JSON form and schema check, deterministic ids, and building orders from rule events. */
export * from './order.ts';
export { ORDER_STATUSES, FINAL_ORDER_STATUSES, type OrderStatus, type StoredOrder, type Route, type RoutedOrder, type Fill, type ExecutionReport } from './execution.ts';
export { buildOrders, factsDigest, convertAtoms, atomsToUsd, type OrderContext, type TokenInfo } from './build.ts';
export { checkOrderJson } from './schema.ts';

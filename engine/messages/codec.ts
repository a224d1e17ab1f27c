/** JSON forms of what crosses the bus in execution: routed orders and execution reports (atoms as decimal strings). */
import { SolrulesError } from '../errors/index.ts';
import { orderFromJson, orderToJson, type ExecutionReport, type OrderJson, type Route, type RoutedOrder } from '../orders/index.ts';

export interface RoutedOrderJson {
  order: OrderJson;
  route: Route;
}

export type ExecutionReportJson = Omit<ExecutionReport, 'amountIn' | 'amountOut' | 'feeAtoms' | 'networkFeeLamports'> & {
  amountIn: string;
  amountOut: string;
  feeAtoms: string;
  networkFeeLamports: string;
};

/** Routed order → its bus form. */
export function routedToJson(r: RoutedOrder): RoutedOrderJson {
  return { order: orderToJson(r.order), route: r.route };
}

/** Bus form → routed order (atoms checked). */
export function routedFromJson(j: RoutedOrderJson): RoutedOrder {
  return { order: orderFromJson(j.order), route: j.route };
}

/** Execution report → its bus form. */
export function reportToJson(r: ExecutionReport): ExecutionReportJson {
  return { ...r, amountIn: r.amountIn.toString(), amountOut: r.amountOut.toString(), feeAtoms: r.feeAtoms.toString(), networkFeeLamports: r.networkFeeLamports.toString() };
}

function atoms(v: unknown, field: string): bigint {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new SolrulesError('EXEC_BAD_REPORT', `execution report field '${field}' must be atoms as a decimal string; got ${JSON.stringify(v)}`, { field, value: v });
}

/** Bus form → execution report (atoms checked: EXEC_BAD_REPORT). */
export function reportFromJson(j: ExecutionReportJson): ExecutionReport {
  return { ...j, amountIn: atoms(j.amountIn, 'amountIn'), amountOut: atoms(j.amountOut, 'amountOut'), feeAtoms: atoms(j.feeAtoms, 'feeAtoms'), networkFeeLamports: atoms(j.networkFeeLamports, 'networkFeeLamports') };
}

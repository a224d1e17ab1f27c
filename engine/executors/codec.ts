/** JSON forms of what crosses the bus in execution: routed orders and execution reports (atoms as strings). */
import { SolrulesError } from '../errors/index.ts';
import { orderFromJson, orderToJson, type OrderJson } from '../orders/index.ts';
import type { ExecutionReport } from '../infra/store/index.ts';
import type { RoutedOrder, Route } from './executor.ts';

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

export function routedToJson(r: RoutedOrder): RoutedOrderJson {
  return { order: orderToJson(r.order), route: r.route };
}

export function routedFromJson(j: RoutedOrderJson): RoutedOrder {
  return { order: orderFromJson(j.order), route: j.route };
}

export function reportToJson(r: ExecutionReport): ExecutionReportJson {
  return { ...r, amountIn: r.amountIn.toString(), amountOut: r.amountOut.toString(), feeAtoms: r.feeAtoms.toString(), networkFeeLamports: r.networkFeeLamports.toString() };
}

function atoms(v: unknown, field: string): bigint {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new SolrulesError('EXEC_BAD_REPORT', `execution report field '${field}' must be atoms as a decimal string; got ${JSON.stringify(v)}`, { field, value: v });
}

export function reportFromJson(j: ExecutionReportJson): ExecutionReport {
  return { ...j, amountIn: atoms(j.amountIn, 'amountIn'), amountOut: atoms(j.amountOut, 'amountOut'), feeAtoms: atoms(j.feeAtoms, 'feeAtoms'), networkFeeLamports: atoms(j.networkFeeLamports, 'networkFeeLamports') };
}

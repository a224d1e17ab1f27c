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
  const known = jsonOfReport.get(r);
  if (known) return known;
  const json: ExecutionReportJson = { ...r, amountIn: r.amountIn.toString(), amountOut: r.amountOut.toString(), feeAtoms: r.feeAtoms.toString(), networkFeeLamports: r.networkFeeLamports.toString() };
  jsonOfReport.set(r, json);
  reportOfJson.set(json, r);
  return json;
}

/**
 * Each report's JSON form and each form's report, remembered both ways (as orders' are, see
 * orderToJson): on an in-process bus that shares payloads, the engine and the backtest runner
 * both decode the one report a worker published. Reports and their forms are values once built.
 */
const jsonOfReport = new WeakMap<ExecutionReport, ExecutionReportJson>();
const reportOfJson = new WeakMap<ExecutionReportJson, ExecutionReport>();

function atoms(v: unknown, field: string): bigint {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new SolrulesError('EXEC_BAD_REPORT', `execution report field '${field}' must be atoms as a decimal string; got ${JSON.stringify(v)}`, { field, value: v });
}

/** Bus form → execution report (atoms checked: EXEC_BAD_REPORT). */
export function reportFromJson(j: ExecutionReportJson): ExecutionReport {
  const known = reportOfJson.get(j);
  if (known) return known;
  const report: ExecutionReport = { ...j, amountIn: atoms(j.amountIn, 'amountIn'), amountOut: atoms(j.amountOut, 'amountOut'), feeAtoms: atoms(j.feeAtoms, 'feeAtoms'), networkFeeLamports: atoms(j.networkFeeLamports, 'networkFeeLamports') };
  reportOfJson.set(j, report);
  jsonOfReport.set(report, j);
  return report;
}

/**
 * What happens to an order after it is decided: its status, the routing decision, and the
 * execution report with its fills. Domain types: the store persists them, the bus carries their
 * JSON forms (engine/messages), executors produce them.
 */
import type { Order } from './order.ts';

export type OrderStatus =
  | 'decided' // recorded, not yet routed
  | 'blocked' // refused by a risk rule
  | 'routed' // an executor was chosen
  | 'submitted' // handed to the chain / block engine (recorded before sending)
  | 'filled'
  | 'failed'
  | 'expired'
  | 'dead-lettered';

export const ORDER_STATUSES: readonly OrderStatus[] = ['decided', 'blocked', 'routed', 'submitted', 'filled', 'failed', 'expired', 'dead-lettered'];

/** Statuses after which nothing more happens to an order. */
export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['blocked', 'filled', 'failed', 'expired', 'dead-lettered'];

/** An order with where it stands. */
export interface StoredOrder {
  order: Order;
  status: OrderStatus;
  executor?: string;
  reason?: string;
  updatedAt: string;
}

/** What the routing rules decided for an order. */
export interface Route {
  /** Executor name as registered in strategies.yaml. */
  executor: string;
  ruleId: string;
  reason?: string;
  /** The route event's params (tip policy etc.). */
  params: Record<string, unknown>;
}

export interface RoutedOrder {
  order: Order;
  route: Route;
}

/** One leg of a fill (a split or multi-hop execution has several). Amounts are atoms. */
export interface Fill {
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  venue?: string;
}

/** What an executor reports for one order. Amounts are atoms of the order's input / output mints. */
export interface ExecutionReport {
  orderId: string;
  executor: string;
  status: 'filled' | 'failed' | 'expired' | 'rejected';
  amountIn: bigint;
  amountOut: bigint;
  /** Fee charged, in input-mint atoms (swap fees). */
  feeAtoms: bigint;
  /** Network fees + tips paid, in lamports. */
  networkFeeLamports: bigint;
  /** Base-token price the fill happened at (USD). */
  fillPriceUsd?: number;
  signature?: string;
  bundleId?: string;
  slot?: number;
  reason?: string;
  /** True for paper fills: nothing was sent to a chain. */
  simulated: boolean;
  at: string;
  /** Legs of the fill, when the executor knows them. */
  fills?: Fill[];
  /** The risk rules that refused the order (set by the coordinator on a blocked order; readers test this, never the reason text). */
  blockedBy?: string[];
}

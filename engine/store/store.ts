/**
 * The store: orders and their lifecycle, execution reports, strategy state, and the rule-set
 * versions applied. Embedded (memory here; PGlite later) and server (PostgreSQL) implementations
 * run the same contract; the engine only sees this interface.
 */
import type { Order } from '../orders/index.ts';

export type OrderStatus =
  | 'decided' // recorded, not yet routed
  | 'blocked' // refused by a risk rule
  | 'routed' // an executor was chosen
  | 'submitted' // handed to the chain / block engine (recorded before sending)
  | 'filled'
  | 'failed'
  | 'expired'
  | 'dead-lettered';

export interface StoredOrder {
  order: Order;
  status: OrderStatus;
  executor?: string;
  reason?: string;
  updatedAt: string;
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
}

export interface RuleSetVersion {
  hash: string;
  /** Canonical JSON of the files and params applied. */
  content: string;
  /** Where the change came from: a file path, `startup`, `admin`. */
  source: string;
  appliedAt: string;
}

export interface Store {
  /** Records a decided order; false when an order with the same id exists (the same decision twice). */
  insertOrder(order: Order, status?: OrderStatus): Promise<boolean>;
  updateOrderStatus(id: string, status: OrderStatus, detail?: { executor?: string; reason?: string }): Promise<void>;
  getOrder(id: string): Promise<StoredOrder | undefined>;
  listOrders(filter?: { status?: readonly OrderStatus[]; strategy?: string }): Promise<StoredOrder[]>;
  recordExecution(report: ExecutionReport): Promise<void>;
  listExecutions(orderId?: string): Promise<ExecutionReport[]>;
  /** Strategy state is a JSON value (atoms as decimal strings). */
  loadStrategyState<T = unknown>(strategy: string): Promise<T | undefined>;
  saveStrategyState(strategy: string, state: unknown): Promise<void>;
  recordRuleSet(version: RuleSetVersion): Promise<void>;
  close(): Promise<void>;
}

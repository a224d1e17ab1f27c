/**
 * The Executor interface: turns a routed order into a fill (or a failure). Implementations:
 * paper (simulated fills, the default), rpc and jito (live; need --live and wallets).
 */
import type { Order } from '../orders/index.ts';
import type { ExecutionReport } from '../store/index.ts';

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

export interface Executor {
  /** Registered name (strategies.yaml `executors:` key). */
  readonly name: string;
  /** Implementation: paper, rpc, jito, ... */
  readonly kind: string;
  /** Executes one order to a final outcome; never resolves 'filled' without the fill's amounts. */
  execute(routed: RoutedOrder): Promise<ExecutionReport>;
  close(): Promise<void>;
}

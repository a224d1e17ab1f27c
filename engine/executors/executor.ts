/**
 * The Executor interface: turns a routed order into a fill (or a failure). Implementations:
 * paper (simulated fills, the default), rpc and jito (live; need --live and wallets).
 */
import type { ExecutionReport, RoutedOrder } from '../orders/index.ts';
import type { Fence } from '../infra/store/index.ts';

/** What the worker hands an executor with an order, for the submissions the executor records. */
export interface ExecutionContext {
  /** The fencing token of the worker's claim on the order (queue-group workers): a write carrying an older one is refused. */
  fence?: Fence;
  /** The engine process executing it (recorded with each submission). */
  workerId?: string;
}

export interface Executor {
  /** Registered name (strategies.yaml `executors:` key). */
  readonly name: string;
  /** Implementation: paper, rpc, jito, ... */
  readonly kind: string;
  /** Executes one order to a final outcome; never resolves 'filled' without the fill's amounts. */
  execute(routed: RoutedOrder, ctx?: ExecutionContext): Promise<ExecutionReport>;
  close(): Promise<void>;
}

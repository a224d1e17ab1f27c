/** Test parts for the scale-out tests: a simulated executor that counts its invocations, and routed orders. */
import type { Executor } from '../../../engine/executors/index.ts';
import { makeOrder } from '../../infra/store/orders.ts';
import type { RoutedOrder, ExecutionReport } from '../../../engine/orders/index.ts';

/** Fills every order at its minimum output (simulated: nothing is sent anywhere) and counts calls per order. */
export class CountingExecutor implements Executor {
  readonly name = 'paper';
  readonly kind = 'paper';
  readonly invocations = new Map<string, number>();
  readonly invokedAt = new Map<string, number>();

  constructor(private readonly onInvoke?: (orderId: string) => void) {}

  async execute({ order }: RoutedOrder): Promise<ExecutionReport> {
    this.invocations.set(order.id, (this.invocations.get(order.id) ?? 0) + 1);
    this.invokedAt.set(order.id, Date.now());
    this.onInvoke?.(order.id);
    return {
      orderId: order.id,
      executor: this.name,
      status: 'filled',
      amountIn: order.amountIn,
      amountOut: order.minAmountOut,
      feeAtoms: order.amountIn / 400n,
      networkFeeLamports: 5000n,
      simulated: true,
      at: new Date().toISOString(),
    };
  }

  async close(): Promise<void> {}
}

export function routedOrder(i: number, strategy = 'grid'): RoutedOrder {
  return { order: makeOrder(i, strategy), route: { executor: 'paper', ruleId: 'default', params: {} } };
}

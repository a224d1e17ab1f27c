/**
 * Live orders that can touch the same pools execute one at a time: each is quoted, guarded and
 * built on the state the previous one left on chain. Two sends racing on one pool would make the
 * second's quote stale — refused by the guard at best, landing short of its expected amount at
 * worst. Orders are keyed by the mints they trade (a round trip's legs included): an order waits
 * for every earlier order sharing a mint with it, and orders on disjoint mints (so disjoint
 * pools) run side by side, as far as the executor worker's `concurrency` lets them. Per-wallet
 * ordering needs nothing here: a worker wallet is leased to one order at a time (WorkerPool).
 */
import type { Executor } from '../executors/index.ts';
import type { Order, RoutedOrder } from '../orders/index.ts';

/** The mints an order trades: input, output and, for a round trip, its legs' (params.route.legs). */
export function sendKeys(order: Order): string[] {
  const keys = new Set([order.inputMint, order.outputMint]);
  const legs = (order.params.route as { legs?: unknown } | undefined)?.legs;
  if (Array.isArray(legs)) {
    for (const leg of legs as { inputMint?: unknown; outputMint?: unknown }[]) {
      if (typeof leg?.inputMint === 'string') keys.add(leg.inputMint);
      if (typeof leg?.outputMint === 'string') keys.add(leg.outputMint);
    }
  }
  return [...keys];
}

/** A queue live executors share: tasks sharing a key run in the order they were queued. */
export class SendQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `task` once every earlier task sharing one of `keys` has settled. */
  run<T>(keys: readonly string[], task: () => Promise<T>): Promise<T> {
    const before = Promise.all(keys.map((k) => this.tails.get(k)));
    const next = before.then(task, task);
    const settled = next.catch(() => undefined);
    for (const k of keys) this.tails.set(k, settled);
    void settled.then(() => {
      for (const k of keys) if (this.tails.get(k) === settled) this.tails.delete(k);
    });
    return next;
  }

  /** Keys with a task queued or running (tests). */
  get busyKeys(): number {
    return this.tails.size;
  }
}

/**
 * The executor with its `execute` (and `resume` and `run`, when it has them: a retry or a
 * recovered order sends too) run through `queue`, keyed by the order's mints; everything else is
 * the executor's own.
 */
export function serialized<E extends Executor>(executor: E, queue: SendQueue): E {
  const wrapped = Object.create(executor) as E & Record<'resume' | 'run', ((...a: unknown[]) => Promise<unknown>) | undefined>;
  wrapped.execute = (routed, ctx) => queue.run(sendKeys(routed.order), () => executor.execute(routed, ctx));
  for (const method of ['resume', 'run'] as const) {
    const fn = (executor as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[method];
    if (fn) wrapped[method] = (...args: unknown[]) => queue.run(sendKeys((args[0] as RoutedOrder).order), () => fn.apply(executor, args));
  }
  return wrapped;
}

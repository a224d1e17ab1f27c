/**
 * Live orders on one process execute one at a time: each is quoted, guarded and built on the
 * state the previous one left on chain. Two sends racing on one pool would make the second's
 * quote stale — refused by the guard at best, landing short of its expected amount at worst.
 */
import type { Executor } from '../executors/index.ts';

/** A queue live executors share. */
export class SendQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/**
 * The executor with its `execute` (and `resume` and `run`, when it has them: a retry or a
 * recovered order sends too) run through `queue`; everything else is the executor's own.
 */
export function serialized<E extends Executor>(executor: E, queue: SendQueue): E {
  const wrapped = Object.create(executor) as E & Record<'resume' | 'run', ((...a: unknown[]) => Promise<unknown>) | undefined>;
  wrapped.execute = (routed, ctx) => queue.run(() => executor.execute(routed, ctx));
  for (const method of ['resume', 'run'] as const) {
    const fn = (executor as unknown as Record<string, ((...a: unknown[]) => Promise<unknown>) | undefined>)[method];
    if (fn) wrapped[method] = (...args: unknown[]) => queue.run(() => fn.apply(executor, args));
  }
  return wrapped;
}

/**
 * The bus of a planner or executor process in a split deployment: the market facts it derives
 * itself from the scanners' forwarded accounts (prices, pool and trade events, volume) stay in the
 * process — every planner derives the same ones, so sharing them would only deliver each twice —
 * while everything else (forwarded accounts, orders, executions, control, membership) goes over
 * the shared bus.
 */
import { MemoryBus, type Bus, type MessageHandler, type PublishOptions, type SubscribeOptions, type Subscription } from '../infra/bus/index.ts';
import { SUBJECTS } from '../messages/index.ts';

const LOCAL_PREFIXES = [SUBJECTS.prices, SUBJECTS.marketEvents, SUBJECTS.volume].map((p) => `${p}.`);

/** Whether `subject` (or a pattern) is a market fact this process derives itself. */
export function isLocalMarketFact(subject: string): boolean {
  return LOCAL_PREFIXES.some((p) => subject.startsWith(p));
}

/** `shared` with the process's own market facts kept on an in-process bus. */
export function localMarketBus(shared: Bus): Bus {
  const local = new MemoryBus();
  const pick = (subject: string): Bus => (isLocalMarketFact(subject) ? local : shared);
  return {
    publish: (subject: string, data: unknown, opts?: PublishOptions) => pick(subject).publish(subject, data, opts),
    subscribe: <T = unknown>(pattern: string, handler: MessageHandler<T>, opts?: SubscribeOptions): Promise<Subscription> => pick(pattern).subscribe(pattern, handler, opts),
    request: (subject, data, opts) => shared.request(subject, data, opts),
    settle: async () => {
      await shared.settle();
      await local.settle();
    },
    close: async () => {
      await local.close();
      await shared.close();
    },
  };
}

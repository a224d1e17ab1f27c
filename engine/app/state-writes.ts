import type { StrategyStateStore } from '../infra/store/index.ts';

/** A plain state write not started yet: a newer snapshot replaces its own (only the latest matters). */
interface QueuedSave {
  snapshot: unknown;
  done: Promise<void>;
}

/**
 * One strategy's state writes, run one at a time in the order their snapshots were taken.
 * Results arrive concurrently (a NATS consumer hands several to their handlers at once) and each
 * saves the planner's snapshot; on PostgreSQL two saves run on two pool connections, and the one
 * started first can commit last, leaving an older state stored (a filled order still open, for
 * the planner that takes the strategy over). Queued here, the last write is always the latest
 * snapshot; saves waiting behind a write collapse into one. (A partitioned planner writes through
 * its outbox lane instead, OutboxPipeline, which is FIFO for all its strategies.)
 */
export class StrategyStateWrites {
  private readonly tails = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, QueuedSave>();

  constructor(private readonly store: StrategyStateStore) {}

  /** Stores `snapshot` as `strategy`'s state once its earlier writes are done. */
  save(strategy: string, snapshot: unknown): Promise<void> {
    const waiting = this.queued.get(strategy);
    if (waiting) {
      waiting.snapshot = snapshot;
      return waiting.done;
    }
    const entry: QueuedSave = { snapshot, done: Promise.resolve() };
    this.queued.set(strategy, entry);
    entry.done = this.after(strategy, () => {
      if (this.queued.get(strategy) === entry) this.queued.delete(strategy);
      return this.store.saveStrategyState(strategy, entry.snapshot);
    });
    return entry.done;
  }

  /** Resolves when every write queued so far has finished (failed ones included). */
  async settled(): Promise<void> {
    await Promise.all([...this.tails.values()]);
  }

  private after(strategy: string, write: () => Promise<void>): Promise<void> {
    const next = (this.tails.get(strategy) ?? Promise.resolve()).then(write);
    const tail = next.catch(() => undefined);
    this.tails.set(strategy, tail);
    void tail.then(() => {
      if (this.tails.get(strategy) === tail) this.tails.delete(strategy);
    });
    return next;
  }
}

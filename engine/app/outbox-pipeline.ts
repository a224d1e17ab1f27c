/**
 * A split planner's outbox, group-committed (docs/infrastructure.md "Scale measured").
 *
 * Each decision used to wait for three round trips in a row before the next strategy was
 * evaluated: the state-and-outbox transaction, each order's JetStream acknowledgement, and the
 * outbox delete. On two shared cores each round trip waits for a core, so a planner fell seconds
 * behind a flow of ~250 orders/s however the strategies were split. Here:
 *
 * - one write per batch: the decisions of a tick (and of every tick evaluated while the previous
 *   write was in flight, and the states saved after fills) go to the store in one atomic
 *   `writeOutbox` — one statement on SQL;
 * - the batch's orders are published only once that write has returned (the invariant: an order is
 *   published only after its outbox row and the strategy state that counts it as sent are
 *   durable), all in flight together, issued in decision order on one connection;
 * - the outbox rows of acknowledged orders are removed by the next write (or by a write of their
 *   own when nothing else is waiting): nobody waits for the removal.
 *
 * Crash safety. Killed before a write returns: neither the states nor the rows are stored, nothing
 * was published, and the strategy's next owner restores the older state (which does not count
 * those orders) and decides afresh. Killed after a write, before or during the publishes: the rows
 * are in the outbox and the next owner (takeover, or this planner restarted) publishes them before
 * its first decisions (`TradingEngine.republishOutbox`). Killed after the publishes, before the
 * removal: the rows are published again, and that is safe — order ids are deterministic, so a copy
 * inside JetStream's 2-minute duplicate window is dropped by the stream (`Nats-Msg-Id` = order id,
 * engine/infra/bus/nats/streams.ts), a later copy is refused by the coordinator's `insertOrder`
 * (the order's primary key: `Coordinator.handle` returns 'duplicate' and forwards nothing), and an
 * executor runs an order only under its fenced claim (engine/executors/claim.ts), so a copy can
 * neither be recorded twice nor executed twice (test/app/outbox.test.ts shows each case).
 *
 * Ordering. The lane is first-in first-out: a strategy's states reach the store in the order its
 * snapshots were taken (a batch naming it twice keeps the last), so a stored state never goes back
 * to one that counts fewer orders. The snapshots are copies taken when submitted (`Planner.snapshot`
 * returns a structured clone), not read when written.
 */
import type { OrderOutbox, OutboxEntry } from '../infra/store/index.ts';
import type { Order } from '../orders/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';

interface Waiting {
  entries: readonly OutboxEntry[];
  resolve(): void;
  reject(err: unknown): void;
}

/** What the lane did (tests, and the trace of where a planner's time goes). */
export interface OutboxPipelineCounts {
  /** Store writes made: each one round trip. */
  writes: number;
  /** Entries (a strategy's state, with its orders or none) those writes carried. */
  entries: number;
  /** Orders published after their write returned. */
  published: number;
  /** Outbox rows removed, riding on a later write or on one of their own. */
  removed: number;
  /** Writes that carried only removals (nothing else was waiting). */
  removalOnlyWrites: number;
}

export class OutboxPipeline {
  private queued: Waiting[] = [];
  /** Ids of orders the bus acknowledged, whose outbox rows the next write removes. */
  private acknowledged: string[] = [];
  private writing: Promise<void> | undefined;
  private readonly sending = new Set<Promise<void>>();
  readonly counts: OutboxPipelineCounts = { writes: 0, entries: 0, published: 0, removed: 0, removalOnlyWrites: 0 };

  constructor(
    private readonly store: Pick<OrderOutbox, 'writeOutbox'>,
    /** Publishes one order (with its msgId); resolves on the bus's acknowledgement. */
    private readonly send: (order: Order) => Promise<void>,
    private readonly log: Logger,
  ) {}

  /**
   * Queues states and orders for the next write; resolves once they are durable and each of their
   * orders is acknowledged by the bus, rejects when the write or a publish failed (a failed
   * publish leaves its row in the outbox: the next owner publishes it).
   */
  submit(entries: readonly OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ entries, resolve, reject });
      this.kick();
    });
  }

  /** Resolves once everything submitted before the call is written (not necessarily published). */
  async durable(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Resolves once everything submitted is written and published, and the published rows removed. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.writing) await this.writing;
      else if (this.sending.size) await Promise.allSettled([...this.sending]);
      else if (this.queued.length || this.acknowledged.length) this.kick();
      else return;
    }
  }

  private kick(): void {
    if (this.writing || (this.queued.length === 0 && this.acknowledged.length === 0)) return;
    this.writing = this.write().finally(() => {
      this.writing = undefined;
      // Whatever arrived during the write (decisions, acknowledgements) goes in the next one, now.
      this.kick();
    });
  }

  /** One write of everything waiting; never rejects (its waiters do). */
  private async write(): Promise<void> {
    const batch = this.queued.splice(0);
    const removals = this.acknowledged.splice(0);
    const entries = batch.flatMap((w) => w.entries);
    try {
      await this.store.writeOutbox(entries, removals);
    } catch (err) {
      // The removals are dropped, not retried: a row left behind is only published again (and
      // dropped as a duplicate) by the strategy's next owner, while retrying them here against a
      // store that keeps failing would spin.
      if (removals.length) this.log.warn({ err, orders: removals.length }, 'could not remove published orders from the outbox; they stay there and are published again (as duplicates, dropped by id) by the next owner of their strategy');
      for (const w of batch) w.reject(err);
      return;
    }
    this.counts.writes += 1;
    this.counts.entries += entries.length;
    this.counts.removed += removals.length;
    if (batch.length === 0) this.counts.removalOnlyWrites += 1;
    if (batch.length === 0) return;
    // Durable: now the batch's orders go out, all in flight at once. Each send is issued here, in
    // decision order, before this write returns and the next one can start, so one connection
    // carries them in that order.
    const outcomes = batch.map((w) =>
      Promise.all(
        w.entries.flatMap((e) =>
          e.orders.map((order) =>
            this.send(order).then(() => {
              this.counts.published += 1;
              this.acknowledged.push(order.id);
            }),
          ),
        ),
      ),
    );
    const settled = Promise.allSettled(outcomes).then((results) => {
      // Removals first (with an idle lane they are written at once; else they join the next write), then the waiters.
      this.kick();
      results.forEach((r, i) => (r.status === 'fulfilled' ? batch[i]!.resolve() : batch[i]!.reject(r.reason)));
    });
    this.sending.add(settled);
    void settled.finally(() => this.sending.delete(settled));
  }
}

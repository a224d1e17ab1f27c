/**
 * An executor worker that can run in many processes at once: all members of one queue group
 * on `execution.orders` (each routed order reaches one of them), and no order executed twice,
 * whatever dies when.
 *
 * Per order: skip it if the store has its report; take the order's lock in the shared cache
 * (a fencing token comes with it); look again; record the submission attempt *before*
 * executing; execute; record the report fenced by the token (a worker whose lease ran out
 * cannot write); publish the outcome; ack. A worker killed at any point leaves either
 * nothing, a submission without a report (the next worker reconciles it first), or the
 * report (the next delivery is skipped).
 *
 * While the cache cannot be reached the worker takes no new order: the message is held (its
 * redelivery deadline pushed back) and retried until the cache answers, so nothing is lost
 * and nothing runs on state that cannot be checked.
 */
import { hostname } from 'node:os';
import type { Bus, BusMessage, Subscription } from '../bus/index.ts';
import type { Cache, LockLease } from '../cache/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { reportToJson, routedFromJson, SUBJECTS, type Executor, type RoutedOrder, type RoutedOrderJson } from '../execution/index.ts';
import { orderToJson } from '../orders/index.ts';
import type { ExecutionReport, Store, Submission } from '../store/index.ts';
import { logger, type Logger } from '../telemetry/index.ts';

export interface WorkerStats {
  /** Orders this worker executed and recorded. */
  executed: number;
  /** Deliveries of orders already reported (redeliveries after a crash or a lost ack). */
  alreadyDone: number;
  /** Orders a dead worker had submitted without a report, reconciled here before anything was resent. */
  reconciled: number;
  /** Times the worker held an order because the cache did not answer. */
  cacheWaits: number;
  /** Times it waited for another worker's lock on the order. */
  lockWaits: number;
  /** Writes refused because this worker's lease had run out. */
  fenced: number;
}

export interface OrderWorkerOptions {
  bus: Bus;
  store: Store;
  cache: Cache;
  /** Executor for a routed order. */
  executorFor: (routed: RoutedOrder) => Executor;
  /**
   * After a crash, an order may have been sent by a worker that died before recording the
   * result: return the report when it landed (check the chain), undefined when it did not.
   * Paper executors send nothing, so the default answers undefined and the order runs again.
   * A live executor must supply this.
   */
  reconcile?: (routed: RoutedOrder, submissions: Submission[]) => Promise<ExecutionReport | undefined>;
  /** Identifies this process in submissions (default host:pid). */
  workerId?: string;
  /** Queue group (default 'executors'). */
  queue?: string;
  subject?: string;
  /** Lock lease per order (default 30 s; executions must finish within it). */
  lockTtlMs?: number;
  /** Poll interval while the cache is down or the lock is held (default 100 ms). */
  retryMs?: number;
  maxDeliver?: number;
  now?: () => Date;
  log?: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OrderWorker {
  readonly stats: WorkerStats = { executed: 0, alreadyDone: 0, reconciled: 0, cacheWaits: 0, lockWaits: 0, fenced: 0 };
  readonly workerId: string;
  private sub: Subscription | undefined;
  private stopping = false;
  private readonly log: Logger;

  constructor(private readonly opts: OrderWorkerOptions) {
    this.workerId = opts.workerId ?? `${hostname()}:${process.pid}`;
    this.log = opts.log ?? logger().child({ component: 'order-worker', workerId: this.workerId });
  }

  /** Joins the queue group. */
  async start(): Promise<void> {
    const queue = this.opts.queue ?? 'executors';
    this.sub = await this.opts.bus.subscribe<RoutedOrderJson>(this.opts.subject ?? SUBJECTS.orders, (msg) => this.handle(msg), {
      queue,
      durable: queue,
      maxDeliver: this.opts.maxDeliver ?? 5,
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.sub?.unsubscribe();
  }

  /** Runs `op` against the cache, holding the message while the cache does not answer. */
  private async withCache<T>(msg: BusMessage, op: () => Promise<T>): Promise<T> {
    for (let warned = false; ; ) {
      try {
        return await op();
      } catch (err) {
        if (!isSolrulesError(err, 'CACHE_UNAVAILABLE') || this.stopping) throw err;
        this.stats.cacheWaits++;
        if (!warned) this.log.warn({ err: err.message }, 'cache unreachable: holding orders until it answers (no new orders while state is unsure)');
        warned = true;
        msg.inProgress();
        await sleep(this.opts.retryMs ?? 100);
      }
    }
  }

  private async reported(orderId: string): Promise<boolean> {
    return (await this.opts.store.listExecutions(orderId)).length > 0;
  }

  /** Handles one delivery; returning acks it. */
  async handle(msg: BusMessage<RoutedOrderJson>): Promise<void> {
    const routed = routedFromJson(msg.data);
    const { order } = routed;
    const { store, cache } = this.opts;
    if (await this.reported(order.id)) {
      this.stats.alreadyDone++;
      return;
    }
    const lockName = typeof order.params.wallet === 'string' ? `wallet:${order.params.wallet}` : `order:${order.id}`;
    const ttl = this.opts.lockTtlMs ?? 30_000;
    let lease: LockLease | undefined;
    for (;;) {
      lease = await this.withCache(msg, () => cache.acquireLock(lockName, ttl));
      if (lease) break;
      // Another worker holds it (or held it and died: the lease expires). Its report ends the wait.
      if (await this.reported(order.id)) {
        this.stats.alreadyDone++;
        return;
      }
      this.stats.lockWaits++;
      msg.inProgress();
      await sleep(this.opts.retryMs ?? 100);
    }
    const fence = { resource: lockName, token: lease.fencingToken };
    try {
      if (await this.reported(order.id)) {
        this.stats.alreadyDone++;
        return;
      }
      const executor = this.opts.executorFor(routed);
      const previous = await store.listSubmissions(order.id);
      let report: ExecutionReport | undefined;
      if (previous.length) {
        report = await (this.opts.reconcile ?? (async () => undefined))(routed, previous);
        this.stats.reconciled++;
        this.log.warn({ orderId: order.id, attempts: previous.length, landed: !!report }, 'order was submitted by a worker that stopped before recording the result; reconciled');
      }
      if (!report) {
        await store.insertOrder(order, 'routed');
        await store.recordSubmission({ orderId: order.id, attempt: previous.length + 1, executor: executor.name, workerId: this.workerId, at: (this.opts.now?.() ?? new Date()).toISOString() }, { fence });
        await store.updateOrderStatus(order.id, 'submitted', { executor: executor.name });
        report = await executor.execute(routed);
      }
      if (!(await store.recordExecution(report, { fence }))) {
        this.stats.alreadyDone++;
        return;
      }
      this.stats.executed++;
      const subject = report.status === 'filled' ? SUBJECTS.confirmed : SUBJECTS.failed;
      await this.opts.bus.publish(subject, { order: orderToJson(order), report: reportToJson(report), route: routed.route }, { msgId: `${subject}:${order.id}` });
    } catch (err) {
      if (isSolrulesError(err, 'STORE_FENCED')) {
        this.stats.fenced++;
        this.log.warn({ orderId: order.id, err: err.message }, 'lease lost while executing; the new holder finishes the order');
        return;
      }
      throw err;
    } finally {
      await lease.release().catch(() => undefined); // expires by itself if the cache is down
    }
  }
}


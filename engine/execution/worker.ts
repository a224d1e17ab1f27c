/**
 * The executor side of the coordinator: takes routed orders (`execution.orders`), queues them by
 * priority (urgency, then expected profit, then arrival), runs each on its executor within that
 * executor's concurrency limit, retries what the policy says may be retried (nothing was sent,
 * or the block engine said the bundle failed), and dead-letters what cannot be executed with the
 * reason. The submission is recorded before the executor sends; after a restart an order found
 * `submitted` is resumed from the journal — checked on chain, never blindly resent.
 */
import type { Bus, BusMessage, Subscription } from '../bus/index.ts';
import { orderToJson, type Order } from '../orders/index.ts';
import type { ExecutionReport, Store } from '../store/index.ts';
import { inSpan, logger, metrics, type Logger } from '../telemetry/index.ts';
import { reportToJson, routedFromJson, routedToJson, type RoutedOrderJson } from './codec.ts';
import type { Executor, Route, RoutedOrder } from './executor.ts';
import type { SubmissionEntry, SubmissionJournal } from './journal.ts';
import type { LiveReport } from './live/executor.ts';

const SUBJECT_SUBMITTED = 'execution.submitted';
const SUBJECT_CONFIRMED = 'execution.confirmed';
const SUBJECT_FAILED = 'execution.failed';
const SUBJECT_DLQ = 'execution.dlq';
const SUBJECT_ORDERS = 'execution.orders';

export interface RetryPolicy {
  /** Executions of one order, the first included (default 3). */
  maxAttempts: number;
  /** Delay before execution `n + 1` (default 250 ms × 2^(n-1), capped at 5 s). */
  backoffMs: (attempt: number) => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, backoffMs: (n) => Math.min(5_000, 250 * 2 ** (n - 1)) };

/** What an executor offers for recovery after a restart (live executors do). */
interface Resumable {
  resume(routed: RoutedOrder, entries: readonly SubmissionEntry[]): Promise<{ kind: 'settled'; report: LiveReport } | { kind: 'not-landed'; nextAttempt: number }>;
  run(routed: RoutedOrder, firstAttempt: number, rebuildsUsed: number): Promise<LiveReport>;
}

function resumable(e: Executor): e is Executor & Resumable {
  return typeof (e as Partial<Resumable>).resume === 'function' && typeof (e as Partial<Resumable>).run === 'function';
}

export interface ExecutorWorkerDeps {
  bus: Bus;
  store: Store;
  /** Executor for a routed order (in paper mode every route maps to the paper executor). */
  executorFor: (route: Route) => Executor | undefined;
  log?: Logger;
  now: () => Date;
  /** Orders running at once per executor name (default 4). */
  concurrency?: Record<string, number>;
  defaultConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** Where submissions are recorded before sending (live executors write it; recovery reads it). */
  journal?: SubmissionJournal;
}

interface Job {
  routed: RoutedOrder;
  executor: Executor;
  seq: number;
  attempt: number;
  work: () => Promise<ExecutionReport>;
  done: (r: ExecutionReport | undefined) => void;
}

const URGENCY_RANK = { high: 2, normal: 1, low: 0 } as const;

/** Queue order: urgency, then expected profit, then arrival. */
export function jobBefore(a: { routed: RoutedOrder; seq: number }, b: { routed: RoutedOrder; seq: number }): boolean {
  const ua = URGENCY_RANK[a.routed.order.urgency];
  const ub = URGENCY_RANK[b.routed.order.urgency];
  if (ua !== ub) return ua > ub;
  const pa = a.routed.order.expectedProfitLamports ?? 0n;
  const pb = b.routed.order.expectedProfitLamports ?? 0n;
  if (pa !== pb) return pa > pb;
  return a.seq < b.seq;
}

export class ExecutorWorker {
  private subscription: Subscription | undefined;
  private readonly log: Logger;
  private readonly queue: Job[] = [];
  private readonly running = new Map<string, number>();
  private seq = 0;
  private readonly retry: RetryPolicy;
  /** Order ids in the order they started executing (tests check priority). */
  readonly started: string[] = [];

  constructor(private readonly deps: ExecutorWorkerDeps) {
    this.log = deps.log ?? logger().child({ component: 'executor-worker' });
    this.retry = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  }

  private limit(executor: string): number {
    return this.deps.concurrency?.[executor] ?? this.deps.defaultConcurrency ?? 4;
  }

  /** Running orders per executor now. */
  runningCount(executor: string): number {
    return this.running.get(executor) ?? 0;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  private enqueue(job: Job): void {
    let i = this.queue.findIndex((j) => jobBefore(job, j));
    if (i < 0) i = this.queue.length;
    this.queue.splice(i, 0, job);
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i]!;
      const name = job.executor.name;
      if (this.runningCount(name) >= this.limit(name)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.running.set(name, this.runningCount(name) + 1);
      this.started.push(job.routed.order.id);
      void this.runJob(job).finally(() => {
        this.running.set(name, this.runningCount(name) - 1);
        this.pump();
      });
    }
  }

  private async runJob(job: Job): Promise<void> {
    const { order } = job.routed;
    let report: ExecutionReport;
    const name = job.executor.name;
    metrics.execution.submissions.inc({ executor: name, route: job.routed.route.ruleId });
    metrics.execution.inflight.inc({ executor: name });
    const startedAt = performance.now();
    try {
      report = await inSpan('execution.submit', { attributes: { 'solrules.executor': name, 'solrules.route': job.routed.route.ruleId, 'solrules.attempt': job.attempt } }, () => job.work());
    } catch (err) {
      // An executor that throws has not settled the order: treat as retryable (nothing confirmed sent).
      const reason = err instanceof Error ? err.message : String(err);
      this.log.error({ orderId: order.id, executor: job.executor.name, err: reason }, 'executor threw');
      report = { ...this.blank(order, job.executor.name), status: 'failed', reason, retryable: !/ALREADY_SUBMITTED/.test(reason) } as LiveReport;
    } finally {
      metrics.execution.inflight.dec({ executor: name });
      metrics.execution.confirmationDuration.observe({ executor: name }, (performance.now() - startedAt) / 1000);
    }
    const live = report as LiveReport;
    const retryable = (report.status === 'failed' || report.status === 'rejected') && live.retryable === true;
    if (retryable && job.attempt < this.retry.maxAttempts) {
      const delay = this.retry.backoffMs(job.attempt);
      metrics.execution.retries.inc({ executor: job.executor.name, reason: /bundle/i.test(report.reason ?? '') ? 'bundle-failed' : 'rpc-error' });
      this.log.warn({ orderId: order.id, attempt: job.attempt, delayMs: delay, reason: report.reason }, 'execution failed; retrying by policy');
      setTimeout(() => this.enqueue({ ...job, attempt: job.attempt + 1, seq: job.seq, work: () => this.attemptWork(job.routed, job.executor, true) }), delay);
      return;
    }
    await inSpan('execution.confirm', { attributes: { 'solrules.status': report.status } }, async () => {
      if (retryable || (report.status === 'rejected' && live.retryable !== undefined)) {
        const reason = retryable ? `${job.attempt} execution(s) failed; last: ${report.reason}` : report.reason ?? 'rejected';
        await this.deadLetter(job.routed, job.executor.name, reason, job.attempt, report);
      } else {
        await this.finish(job.routed, job.executor, report);
      }
    });
    job.done(report);
  }

  /** One execution of an order (a retry of a live order continues its attempt numbering from the journal). */
  private async attemptWork(routed: RoutedOrder, executor: Executor, afterRetryableFailure = false): Promise<ExecutionReport> {
    if (this.deps.journal && resumable(executor)) {
      const entries = await this.deps.journal.forOrder(routed.order.id);
      // A retry in this process follows a failure the executor called retryable: nothing of it can land.
      if (entries.length && afterRetryableFailure) return executor.run(routed, entries[entries.length - 1]!.attempt + 1, 0);
      if (entries.length) {
        // Something was sent before: only what is known not to land may be followed by a new attempt.
        const r = await executor.resume(routed, entries);
        if (r.kind === 'settled') return r.report;
        // Attempts before it ended with an expired blockhash: they count against the rebuild policy.
        return executor.run(routed, r.nextAttempt, r.nextAttempt - 1);
      }
    }
    return executor.execute(routed);
  }

  private blank(order: Order, executor: string): ExecutionReport {
    return { orderId: order.id, executor, status: 'failed', amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: false, at: this.deps.now().toISOString() };
  }

  private async deadLetter(routed: RoutedOrder, executor: string, reason: string, attempts: number, report?: ExecutionReport): Promise<void> {
    const { order, route } = routed;
    const { store, bus } = this.deps;
    metrics.orders.deadLettered.inc({ executor });
    // The report first: recording it moves the order to its report's status; dead-lettered is set after.
    if (report) await store.recordExecution({ ...report, reason });
    await store.updateOrderStatus(order.id, 'dead-lettered', { executor, reason });
    await bus.publish(SUBJECT_DLQ, { order: orderToJson(order), reason, attempts, executor, route }, { msgId: `dlq:${order.id}` });
    const failed: ExecutionReport = report ? { ...report, reason } : { ...this.blank(order, executor), status: 'rejected', reason, simulated: true };
    await bus.publish(SUBJECT_FAILED, { order: orderToJson(order), report: reportToJson(failed), route }, { msgId: `${SUBJECT_FAILED}:${order.id}` });
    this.log.warn({ orderId: order.id, executor, attempts, reason }, 'order dead-lettered');
  }

  private async finish(routed: RoutedOrder, executor: Executor, report: ExecutionReport): Promise<void> {
    const { order, route } = routed;
    const { store, bus } = this.deps;
    metrics.execution.results.inc({ executor: executor.name, route: route.ruleId, status: report.status });
    if (report.networkFeeLamports > 0n) metrics.execution.networkFees.inc({ executor: executor.name }, Number(report.networkFeeLamports));
    await store.recordExecution(report);
    const status = report.status === 'filled' ? 'filled' : report.status === 'expired' ? 'expired' : 'failed';
    await store.updateOrderStatus(order.id, status, { executor: executor.name, ...(report.reason ? { reason: report.reason } : {}) });
    const subject = report.status === 'filled' ? SUBJECT_CONFIRMED : SUBJECT_FAILED;
    const reconciliation = (report as LiveReport).reconciliation;
    await bus.publish(subject, { order: orderToJson(order), report: reportToJson(report), route, ...(reconciliation ? { reconciliation } : {}) }, { msgId: `${subject}:${order.id}` });
    if (report.status === 'filled') this.log.info({ orderId: order.id, strategy: order.strategy, executor: executor.name, route: route.executor, amountIn: report.amountIn.toString(), amountOut: report.amountOut.toString(), simulated: report.simulated }, 'order filled');
    else this.log.warn({ orderId: order.id, strategy: order.strategy, executor: executor.name, reason: report.reason }, 'order not filled');
  }

  /** Executes a routed order once; undefined when it was already taken (a redelivery). Resolves when it is settled. */
  async execute(routed: RoutedOrder): Promise<ExecutionReport | undefined> {
    const { order, route } = routed;
    const { store, bus } = this.deps;
    const stored = await store.getOrder(order.id);
    if (stored && stored.status !== 'routed') {
      this.log.warn({ orderId: order.id, status: stored.status }, 'routed order is not in state routed; not executing it again');
      return undefined;
    }
    const executor = this.deps.executorFor(route);
    metrics.orders.pending.dec({ executor: route.executor });
    if (!executor) {
      const reason = `executor '${route.executor}' is not available`;
      await this.deadLetter(routed, route.executor, reason, 0);
      return { ...this.blank(order, route.executor), status: 'rejected', reason, simulated: true };
    }
    // Recorded before sending: after a crash the order is checked, never blindly resent.
    await store.updateOrderStatus(order.id, 'submitted', { executor: executor.name });
    await this.deps.journal?.saveRouted(order.id, routedToJson(routed));
    await bus.publish(SUBJECT_SUBMITTED, { orderId: order.id, executor: executor.name, route: route.executor }, { msgId: `submitted:${order.id}` });
    return new Promise((resolve) => this.enqueue({ routed, executor, seq: ++this.seq, attempt: 1, work: () => this.attemptWork(routed, executor), done: resolve }));
  }

  /**
   * After a restart: every order the store has as `submitted` is resumed from the journal. With
   * no journal entry nothing was sent, so it executes normally; with entries, the executor checks
   * them on chain and only starts a new attempt when none can land any more.
   */
  async recover(): Promise<{ resumed: string[]; reports: (ExecutionReport | undefined)[] }> {
    const { store, journal } = this.deps;
    const pending = await store.listOrders({ status: ['submitted'] });
    const resumed: string[] = [];
    const waits: Promise<ExecutionReport | undefined>[] = [];
    for (const row of pending) {
      const json = (await journal?.routedOf(row.order.id)) as RoutedOrderJson | undefined;
      if (!json) {
        await this.deadLetter({ order: row.order, route: { executor: row.executor ?? 'unknown', ruleId: 'unknown', params: {} } }, row.executor ?? 'unknown', 'found submitted after a restart with no recorded route; left for an operator (not resent)', 0);
        continue;
      }
      const routed = routedFromJson(json);
      const lost = journal && 'undocumented' in journal ? await (journal as { undocumented(id: string): Promise<number> }).undocumented(row.order.id) : 0;
      if (lost > 0) {
        await this.deadLetter(routed, row.executor ?? routed.route.executor, `found submitted after a restart with ${lost} submission(s) whose details are lost; left for an operator (not resent)`, 0);
        continue;
      }
      const executor = this.deps.executorFor(routed.route);
      if (!executor) {
        await this.deadLetter(routed, routed.route.executor, `executor '${routed.route.executor}' is not available after a restart`, 0);
        continue;
      }
      resumed.push(row.order.id);
      waits.push(new Promise((resolve) => this.enqueue({ routed, executor, seq: ++this.seq, attempt: 1, work: () => this.attemptWork(routed, executor), done: resolve })));
    }
    return { resumed, reports: await Promise.all(waits) };
  }

  /** Subscribes to `execution.orders` as one member of the `executors` queue group. */
  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe<RoutedOrderJson>(SUBJECT_ORDERS, async (msg: BusMessage<RoutedOrderJson>) => {
      // The store and journal hold the order from here: ack now so a long execution is not redelivered.
      const routed = routedFromJson(msg.data);
      msg.ack();
      await this.execute(routed);
    }, { queue: 'executors', durable: 'executors', maxDeliver: 1 });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
  }
}

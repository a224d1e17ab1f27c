/**
 * The executor side of the coordinator: takes routed orders (`execution.orders`), runs them by
 * priority (urgency, then expected profit, then arrival) within each executor's concurrency
 * limit, retries what the policy says may be retried (nothing was sent, or the block engine said
 * the bundle failed), and dead-letters what cannot be executed with the reason. The submission is
 * recorded before anything is sent, and an order found half-done is checked (on chain, for live
 * executors), never blindly resent.
 *
 * Alone, a worker acks each order as it takes it and `recover()` resumes, after a restart, the
 * orders the store has as `submitted`. With `group`, several worker processes share one queue
 * group: each order is claimed through the shared cache (see claim.ts) with a fencing token every
 * store write for it carries, the message is held until the order settles, and an order that a
 * worker left half-done when it died is redelivered to another, which resumes it the same way.
 */
import { hostname } from 'node:os';
import type { Bus, BusMessage, Subscription } from '../infra/bus/index.ts';
import type { Cache } from '../infra/cache/index.ts';
import { isSolrulesError, SolrulesError } from '../errors/index.ts';
import { orderToJson, type Order, FINAL_ORDER_STATUSES, type ExecutionReport, type Route, type RoutedOrder } from '../orders/index.ts';
import type { ExecutionLog, OrderLog, Submission } from '../infra/store/index.ts';
import { inSpan, logger, metrics, tracingEnabled, type Logger } from '../infra/telemetry/index.ts';
import { OrderClaims, type Claim, type ClaimCounts } from './claim.ts';
import { isResumable, type ExecutionContext, type Executor } from './executor.ts';
import type { SubmissionEntry, SubmissionJournal } from './journal.ts';
import type { LiveReport } from './live/executor.ts';
import { reportToJson, routedFromJson, routedToJson, type RoutedOrderJson, SUBJECTS, type DeadLetterMessage, type ExecutionResultMessage, type SubmittedMessage } from '../messages/index.ts';

export interface RetryPolicy {
  /** Executions of one order, the first included (default 3). */
  maxAttempts: number;
  /** Delay before execution `n + 1` (default 250 ms × 2^(n-1), capped at 5 s). */
  backoffMs: (attempt: number) => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, backoffMs: (n) => Math.min(5_000, 250 * 2 ** (n - 1)) };


/** Several worker processes in one queue group (scale-out). */
export interface GroupOptions {
  /** The shared cache whose locks claim orders. */
  cache: Cache;
  /** Identifies this process in submissions (default host:pid). */
  workerId?: string;
  /** Lease of a claim (default 30 s), renewed every third of it while the execution runs; a worker that dies stops renewing, and another takes the order over once it lapses. */
  lockTtlMs?: number;
  /** Longest a claim is renewed (default 5 min): a worker stuck longer gives the order up, and its later writes are refused by the fence. */
  maxHoldMs?: number;
  /** Poll interval while the cache does not answer or another worker holds the claim (default 100 ms). */
  retryMs?: number;
  /** Deliveries of one message before the bus dead-letters it (default 5). */
  maxDeliver?: number;
  /**
   * An order that a worker which stopped had submitted through an executor that keeps no journal:
   * the report when it landed (check the chain), undefined when it did not. Default undefined —
   * right for paper executors, which send nothing. Journaling (live) executors resume from
   * their journal instead.
   */
  reconcile?: (routed: RoutedOrder, submissions: Submission[]) => Promise<ExecutionReport | undefined>;
}

export interface WorkerStats extends ClaimCounts {
  /** Orders this worker settled and recorded. */
  executed: number;
  /** Deliveries of orders already settled or taken (redeliveries after a crash or a lost ack). */
  alreadyDone: number;
  /** Orders found half-done (submitted by a worker that stopped) and resumed or reconciled before anything was sent again. */
  reconciled: number;
  /** Writes refused because this worker's claim had run out. */
  fenced: number;
}

export interface ExecutorWorkerDeps {
  bus: Bus;
  store: OrderLog & ExecutionLog;
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
  /** Run as one of several processes in a queue group. */
  group?: GroupOptions;
}

interface Waiter {
  routed: RoutedOrder;
  seq: number;
  executor: string;
  go: () => void;
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ExecutorWorker {
  readonly stats: WorkerStats = { executed: 0, alreadyDone: 0, reconciled: 0, cacheWaits: 0, lockWaits: 0, leaseRenewals: 0, leasesLost: 0, fenced: 0 };
  readonly workerId: string;
  private subscription: Subscription | undefined;
  private readonly log: Logger;
  private readonly waiting: Waiter[] = [];
  private readonly running = new Map<string, number>();
  private seq = 0;
  private readonly retry: RetryPolicy;
  private readonly claims: OrderClaims | undefined;

  constructor(private readonly deps: ExecutorWorkerDeps) {
    this.workerId = deps.group?.workerId ?? `${hostname()}:${process.pid}`;
    this.log = deps.log ?? logger().child({ component: 'executor-worker', ...(deps.group ? { workerId: this.workerId } : {}) });
    this.retry = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
    const g = deps.group;
    if (g) this.claims = new OrderClaims(g.cache, { lockTtlMs: g.lockTtlMs ?? 30_000, retryMs: g.retryMs ?? 100, maxHoldMs: g.maxHoldMs ?? 5 * 60_000 }, this.stats, this.log);
  }

  private limit(executor: string): number {
    return this.deps.concurrency?.[executor] ?? this.deps.defaultConcurrency ?? 4;
  }

  /** Running orders per executor now. */
  runningCount(executor: string): number {
    return this.running.get(executor) ?? 0;
  }

  /** Orders waiting for a free slot of their executor. */
  get queueDepth(): number {
    return this.waiting.length;
  }

  /** Waits for a slot of `executor`, in queue order among the orders waiting for one. */
  private take(executor: string, routed: RoutedOrder, seq: number): Promise<void> {
    return new Promise((go) => {
      const w: Waiter = { routed, seq, executor, go };
      let i = this.waiting.findIndex((x) => jobBefore(w, x));
      if (i < 0) i = this.waiting.length;
      this.waiting.splice(i, 0, w);
      this.pump();
    });
  }

  /**
   * Takes a slot of `executor` at once when one is free and no order waits for one (what `take`
   * would grant in its first pump), without a promise; false: wait in the queue (`take`).
   */
  private takeFree(executor: string): boolean {
    if (this.waiting.length !== 0 || this.runningCount(executor) >= this.limit(executor)) return false;
    this.running.set(executor, this.runningCount(executor) + 1);
    return true;
  }

  private free(executor: string): void {
    this.running.set(executor, this.runningCount(executor) - 1);
    this.pump();
  }

  private pump(): void {
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i]!;
      if (this.runningCount(w.executor) >= this.limit(w.executor)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.running.set(w.executor, this.runningCount(w.executor) + 1);
      w.go();
    }
  }

  /**
   * Runs an order to its outcome in slots of its executor — retries by policy, with the slot
   * given back during the backoff — and records it. `slotHeld`: the first slot is already taken.
   */
  private async runOrder(routed: RoutedOrder, executor: Executor, seq: number, ctx: ExecutionContext, slotHeld = false): Promise<ExecutionReport> {
    const { order, route } = routed;
    const name = executor.name;
    // An executor that threw has not said whether what it sent can land: the next execution checks
    // the journal's signatures on chain first (resume), never starts a new transaction straight away.
    let threw = false;
    for (let attempt = 1; ; attempt++) {
      if ((!slotHeld || attempt > 1) && !this.takeFree(name)) await this.take(name, routed, seq);
      let retryInMs: number;
      try {
        metrics.execution.submissions.inc({ executor: name, route: route.ruleId });
        metrics.execution.inflight.inc({ executor: name });
        const startedAt = performance.now();
        let report: ExecutionReport;
        try {
          const afterReportedFailure = attempt > 1 && !threw;
          threw = false;
          // Without tracing a span is the call itself (a no-op span and a context switch per order,
          // otherwise); no named closure for it either (each one named at run time under tsx).
          report = await (tracingEnabled() ? inSpan('execution.submit', { attributes: { 'solrules.executor': name, 'solrules.route': route.ruleId, 'solrules.attempt': attempt } }, () => this.attempt(routed, executor, afterReportedFailure, ctx)) : this.attempt(routed, executor, afterReportedFailure, ctx));
        } catch (err) {
          threw = true;
          // A lost claim ends this worker's part in the order.
          if (isSolrulesError(err, 'STORE_FENCED')) throw err;
          // An executor that throws has not settled the order: treat as retryable (nothing confirmed sent).
          const reason = err instanceof Error ? err.message : String(err);
          this.log.error({ orderId: order.id, executor: name, err: reason }, 'executor threw');
          report = { ...this.blank(order, name), status: 'failed', reason, retryable: !isSolrulesError(err, 'EXEC_ALREADY_SUBMITTED') } as LiveReport;
        } finally {
          metrics.execution.inflight.dec({ executor: name });
          metrics.execution.confirmationDuration.observe({ executor: name }, (performance.now() - startedAt) / 1000);
        }
        const live = report as LiveReport;
        const retryable = (report.status === 'failed' || report.status === 'rejected') && live.retryable === true;
        if (!retryable || attempt >= this.retry.maxAttempts) {
          const final = report;
          await (tracingEnabled() ? inSpan('execution.confirm', { attributes: { 'solrules.status': report.status } }, () => this.confirm(routed, executor, final, retryable, attempt, ctx)) : this.confirm(routed, executor, final, retryable, attempt, ctx));
          return report;
        }
        retryInMs = this.retry.backoffMs(attempt);
        // Typed, not read from the reason text: a retried jito execution is a bundle the block engine refused or dropped.
        metrics.execution.retries.inc({ executor: name, reason: executor.kind === 'jito' ? 'bundle-failed' : 'rpc-error' });
        this.log.warn({ orderId: order.id, attempt, delayMs: retryInMs, reason: report.reason }, 'execution failed; retrying by policy');
      } finally {
        this.free(name);
      }
      await sleep(retryInMs);
    }
  }

  /** An order's last execution: dead-lettered when it failed retryably or was rejected as retryable or not, else recorded and published. */
  private async confirm(routed: RoutedOrder, executor: Executor, report: ExecutionReport, retryable: boolean, attempt: number, ctx: ExecutionContext): Promise<void> {
    if (retryable || (report.status === 'rejected' && (report as LiveReport).retryable !== undefined)) {
      const reason = retryable ? `${attempt} execution(s) failed; last: ${report.reason}` : report.reason ?? 'rejected';
      await this.deadLetter(routed, executor.name, reason, attempt, ctx, report);
    } else {
      await this.finish(routed, executor, report, ctx);
    }
  }

  /**
   * One execution of an order (a retry of a live order continues its attempt numbering from the
   * journal). `afterReportedFailure`: the previous execution returned a retryable report, so
   * nothing of it can land; after a throw (an RPC error mid-send, say) it is checked on chain first.
   */
  private async attempt(routed: RoutedOrder, executor: Executor, afterReportedFailure: boolean, ctx: ExecutionContext): Promise<ExecutionReport> {
    if (this.deps.journal && isResumable(executor)) {
      const entries = await this.deps.journal.forOrder(routed.order.id);
      // A retry in this process follows a failure the executor called retryable: nothing of it can land.
      if (entries.length && afterReportedFailure) return executor.run(routed, entries[entries.length - 1]!.attempt + 1, 0, ctx);
      if (entries.length) {
        // Something was sent before: only what is known not to land may be followed by a new attempt.
        const r = await executor.resume(routed, entries);
        if (r.kind === 'settled') return r.report;
        // Attempts before it ended with an expired blockhash: they count against the rebuild policy.
        return executor.run(routed, r.nextAttempt, r.nextAttempt - 1, ctx);
      }
    }
    return executor.execute(routed, ctx);
  }

  private blank(order: Order, executor: string): ExecutionReport {
    return { orderId: order.id, executor, status: 'failed', amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: false, at: this.deps.now().toISOString() };
  }

  private async deadLetter(routed: RoutedOrder, executor: string, reason: string, attempts: number, ctx: ExecutionContext, report?: ExecutionReport): Promise<ExecutionReport> {
    const { order, route } = routed;
    const { store, bus } = this.deps;
    metrics.orders.deadLettered.inc({ executor });
    // The report first: recording it moves the order to its report's status; dead-lettered is set after.
    if (report) await store.recordExecution({ ...report, reason }, ctx.fence ? { fence: ctx.fence } : {});
    await store.updateOrderStatus(order.id, 'dead-lettered', { executor, reason });
    await bus.publish(SUBJECTS.dlq, { order: orderToJson(order), reason, attempts, executor, route } satisfies DeadLetterMessage, { msgId: `dlq:${order.id}` });
    const failed: ExecutionReport = report ? { ...report, reason } : { ...this.blank(order, executor), status: 'rejected', reason, simulated: true };
    await bus.publish(SUBJECTS.failed, { order: orderToJson(order), report: reportToJson(failed), route } satisfies ExecutionResultMessage, { msgId: `${SUBJECTS.failed}:${order.id}` });
    this.log.warn({ orderId: order.id, executor, attempts, reason }, 'order dead-lettered');
    return failed;
  }

  /** Records the report (which sets the order's status) and publishes the outcome; a second report for the order is not recorded. */
  private async finish(routed: RoutedOrder, executor: Executor, report: ExecutionReport, ctx: ExecutionContext): Promise<void> {
    const { order, route } = routed;
    const { store, bus } = this.deps;
    if (!(await store.recordExecution(report, ctx.fence ? { fence: ctx.fence } : {}))) {
      this.stats.alreadyDone++;
      this.log.warn({ orderId: order.id }, 'the order already has a report; this one is not recorded');
      return;
    }
    this.stats.executed++;
    metrics.execution.results.inc({ executor: executor.name, route: route.ruleId, status: report.status });
    if (report.networkFeeLamports > 0n) metrics.execution.networkFees.inc({ executor: executor.name }, Number(report.networkFeeLamports));
    const subject = report.status === 'filled' ? SUBJECTS.confirmed : SUBJECTS.failed;
    const reconciliation = (report as LiveReport).reconciliation;
    await bus.publish(subject, { order: orderToJson(order), report: reportToJson(report), route, ...(reconciliation ? { reconciliation } : {}) } satisfies ExecutionResultMessage, { msgId: `${subject}:${order.id}` });
    // The line's fields (two bigints as text) are built only when it is written: a backtest logs at error level and fills thousands of orders.
    if (report.status === 'filled') {
      if (this.log.isLevelEnabled('info')) this.log.info({ orderId: order.id, strategy: order.strategy, executor: executor.name, route: route.executor, amountIn: report.amountIn.toString(), amountOut: report.amountOut.toString(), simulated: report.simulated }, 'order filled');
    } else this.log.warn({ orderId: order.id, strategy: order.strategy, executor: executor.name, reason: report.reason }, 'order not filled');
  }

  /** Recorded before anything is sent: after a crash the order is checked, never blindly resent. */
  private async markSubmitted(routed: RoutedOrder, executor: Executor): Promise<void> {
    const { order, route } = routed;
    await this.deps.store.updateOrderStatus(order.id, 'submitted', { executor: executor.name });
    await this.deps.journal?.saveRouted(order.id, routedToJson(routed));
    await this.deps.bus.publish(SUBJECTS.submitted, { orderId: order.id, executor: executor.name, route: route.executor } satisfies SubmittedMessage, { msgId: `submitted:${order.id}` });
  }

  /** Submissions whose details the journal lost: such an order is left for an operator, never resent. */
  private async lostSubmissions(orderId: string): Promise<number> {
    return (await this.deps.journal?.undocumented?.(orderId)) ?? 0;
  }

  private journals(executor: Executor): boolean {
    return this.deps.journal !== undefined && isResumable(executor);
  }

  private alreadyDone(orderId: string, status: string): undefined {
    this.stats.alreadyDone++;
    this.log.warn({ orderId, status }, 'routed order was already taken or settled; not executing it again');
    return undefined;
  }

  /** Executes a routed order once; undefined when it was already taken (a redelivery). Resolves when it is settled. */
  async execute(routed: RoutedOrder, msg?: BusMessage): Promise<ExecutionReport | undefined> {
    if (this.claims) return this.executeClaimed(routed, msg);
    const { order, route } = routed;
    const stored = await this.deps.store.getOrder(order.id);
    // Alone, an order past `routed` is this process's (or, after a restart, recover()'s); in a
    // group, one left `submitted` is taken over under a newer claim (executeClaimed).
    if (stored && stored.status !== 'routed') return this.alreadyDone(order.id, stored.status);
    const executor = this.deps.executorFor(route);
    metrics.orders.pending.dec({ executor: route.executor });
    if (!executor) return this.deadLetter(routed, route.executor, `executor '${route.executor}' is not available`, 0, {});
    await this.markSubmitted(routed, executor);
    return this.runOrder(routed, executor, ++this.seq, {});
  }

  private async reported(orderId: string): Promise<boolean> {
    return (await this.deps.store.listExecutions(orderId)).length > 0;
  }

  /**
   * In a group: a slot of the order's executor, then the claim (order reported meanwhile →
   * nothing to do), then the order as `execute` runs it, every write fenced by the claim. An order
   * a worker that stopped had submitted is resumed from the journal (journaling executors) or
   * reconciled (`group.reconcile`) before anything is sent again.
   */
  private async executeClaimed(routed: RoutedOrder, msg: BusMessage | undefined): Promise<ExecutionReport | undefined> {
    const { order, route } = routed;
    const { store } = this.deps;
    if (await this.reported(order.id)) return this.alreadyDone(order.id, 'reported');
    const executor = this.deps.executorFor(route);
    const slot = executor?.name ?? route.executor;
    const seq = ++this.seq;
    await this.take(slot, routed, seq);
    let slotHeld = true;
    let claim: Claim | undefined;
    try {
      claim = await this.claims!.claim(order, msg, () => this.reported(order.id));
      if (!claim || (await this.reported(order.id))) return this.alreadyDone(order.id, 'reported');
      const ctx: ExecutionContext = { fence: claim.fence, workerId: this.workerId };
      const stored = await store.getOrder(order.id);
      if (stored && FINAL_ORDER_STATUSES.includes(stored.status)) return this.alreadyDone(order.id, stored.status);
      if (!stored) await store.insertOrder(order, 'routed');
      metrics.orders.pending.dec({ executor: route.executor });
      if (!executor) return await this.deadLetter(routed, route.executor, `executor '${route.executor}' is not available`, 0, ctx);
      if (this.journals(executor)) {
        const lost = await this.lostSubmissions(order.id);
        if (lost > 0) return await this.deadLetter(routed, executor.name, `found submitted with ${lost} submission(s) whose details are lost; left for an operator (not resent)`, 0, ctx);
        const entries = await this.deps.journal!.forOrder(order.id);
        // Resumed from these entries in `attempt`: followed on chain, not resent.
        if (entries.length) this.halfDone(order.id, entries.length, 'resumed from the journal');
      } else {
        // An executor that journals nothing: the worker records each execution as a submission.
        const previous = await store.listSubmissions(order.id);
        if (previous.length) {
          const report = await this.deps.group!.reconcile?.(routed, previous);
          this.halfDone(order.id, previous.length, report ? 'reconciled: it landed' : 'reconciled: it did not land; executing it');
          if (report) {
            await this.finish(routed, executor, report, ctx);
            return report;
          }
        }
        await store.recordSubmission({ orderId: order.id, attempt: previous.length + 1, executor: executor.name, workerId: this.workerId, at: this.deps.now().toISOString() }, { fence: claim.fence });
      }
      await this.markSubmitted(routed, executor);
      slotHeld = false; // runOrder gives it back
      return await this.runOrder(routed, executor, seq, ctx, true);
    } catch (err) {
      if (!isSolrulesError(err, 'STORE_FENCED')) throw err;
      this.stats.fenced++;
      this.log.warn({ orderId: order.id, err: err.message }, 'claim lost while executing; the new holder finishes the order');
      return undefined;
    } finally {
      if (slotHeld) this.free(slot);
      await claim?.release();
    }
  }

  private halfDone(orderId: string, submissions: number, what: string): void {
    this.stats.reconciled++;
    this.log.warn({ orderId, submissions }, `order was submitted by a worker that stopped before recording the result; ${what}`);
  }

  /**
   * After a restart of a worker running alone: every order the store has as `submitted` is
   * resumed from the journal. With no journal entry nothing was sent, so it executes normally;
   * with entries, the executor checks them on chain and only starts a new attempt when none can
   * land any more. (In a group, half-done orders come back by redelivery instead: the orders
   * `submitted` in the store are also those other workers are running.)
   */
  async recover(): Promise<{ resumed: string[]; reports: (ExecutionReport | undefined)[] }> {
    if (this.claims) throw new SolrulesError('EXEC_RECOVER_IN_GROUP', 'recover() is for a worker running alone; in a queue group, orders a stopped worker left are redelivered and resumed by the worker that takes them', { workerId: this.workerId });
    const { store, journal } = this.deps;
    const pending = await store.listOrders({ status: ['submitted'] });
    const resumed: string[] = [];
    const waits: Promise<ExecutionReport | undefined>[] = [];
    for (const row of pending) {
      const json = (await journal?.routedOf(row.order.id)) as RoutedOrderJson | undefined;
      if (!json) {
        await this.deadLetter({ order: row.order, route: { executor: row.executor ?? 'unknown', ruleId: 'unknown', params: {} } }, row.executor ?? 'unknown', 'found submitted after a restart with no recorded route; left for an operator (not resent)', 0, {});
        continue;
      }
      const routed = routedFromJson(json);
      const lost = await this.lostSubmissions(row.order.id);
      if (lost > 0) {
        await this.deadLetter(routed, row.executor ?? routed.route.executor, `found submitted after a restart with ${lost} submission(s) whose details are lost; left for an operator (not resent)`, 0, {});
        continue;
      }
      const executor = this.deps.executorFor(routed.route);
      if (!executor) {
        await this.deadLetter(routed, routed.route.executor, `executor '${routed.route.executor}' is not available after a restart`, 0, {});
        continue;
      }
      resumed.push(row.order.id);
      waits.push(this.runOrder(routed, executor, ++this.seq, {}));
    }
    return { resumed, reports: await Promise.all(waits) };
  }

  /**
   * Handles one delivery of a routed order; returning acks it. Alone, the worker acks at once
   * (the store and journal hold the order from here, so a long execution is not redelivered); in
   * a group it holds the message until the order settles, so one a dying worker held comes back.
   */
  async handle(msg: BusMessage<RoutedOrderJson>): Promise<void> {
    const routed = routedFromJson(msg.data);
    if (!this.claims) msg.ack();
    await this.execute(routed, msg);
  }

  /** Subscribes to `execution.orders` as one member of the `executors` queue group. */
  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe<RoutedOrderJson>(SUBJECTS.orders, (msg) => this.handle(msg), {
      queue: 'executors',
      durable: 'executors',
      maxDeliver: this.deps.group ? this.deps.group.maxDeliver ?? 5 : 1,
    });
  }

  async stop(): Promise<void> {
    if (this.claims) this.claims.stopping = true;
    await this.subscription?.unsubscribe();
  }
}

/**
 * The coordinator takes decided orders (`trade.opportunities.<strategy>`), records each once,
 * applies the risk rules (any `block` event refuses the order) and then the routing rules
 * (the first `route` event picks the executor), and hands routed orders to the executors
 * (`execution.orders`). Executor workers record the submission before executing, execute, and
 * publish `execution.confirmed` or `execution.failed`; what cannot be routed goes to
 * `execution.dlq` with the reason.
 */
import type { Bus, Subscription } from '../infra/bus/index.ts';
import { orderFromJson, orderToJson, type Order, type OrderJson, type ExecutionReport, type Route } from '../orders/index.ts';
import type { Evaluator, FiredEvent, RuleFile, RuleSet } from '../rules/index.ts';
import type { OrderLog } from '../infra/store/index.ts';
import { EvaluationTelemetry, logger, metrics, stage, type Logger } from '../infra/telemetry/index.ts';
import { type QuoteAccuracyFact, type TipFact } from '../executors/index.ts';
import { reportToJson, routedToJson, SUBJECTS } from '../messages/index.ts';
import type { ControlFact } from '../control/index.ts';

export interface CoordinatorDeps {
  bus: Bus;
  store: OrderLog;
  /** The rule set in force (captured once per order, so a reload mid-order cannot mix sets). */
  ruleSet: () => RuleSet;
  control: () => ControlFact;
  /** Value of a strategy's inventory now, USD. */
  exposureUsd: (strategy: string) => number;
  /** Watches the facts risk and routing files read, warning when one stays absent (engine/app FactWatch). */
  factWatch?: { observe(file: RuleFile, facts: Readonly<Record<string, unknown>>): void };
  /** Realized loss today, USD (the `risk.dailyLossUsd` fact); without it the field is absent, not 0. */
  dailyLossUsd?: () => number;
  /** USD per lamport-denominated SOL, to express expected profit in USD. */
  solUsd: () => number | undefined;
  now: () => Date;
  log?: Logger;
  /** Realized-vs-expected of confirmed executions (the `quoteAccuracy` fact risk and routing rules may read). */
  quoteAccuracy?: () => QuoteAccuracyFact;
  /** The dynamic tip (the `tip` fact): the competition's tip floor and our landing history; absent while no floor is known. */
  tip?: () => TipFact | undefined;
  /** Sum the risk and routing evaluations' metrics and add them in batches (EvaluationTelemetry `batched`; flushMetrics at stop): a backtest. Default off. */
  batchEvaluationMetrics?: boolean;
}

/** A risk or routing file with its evaluator and telemetry, resolved once per rule set. */
interface PolicyFile {
  file: RuleFile;
  evaluator: Evaluator;
  telemetry: EvaluationTelemetry;
}

/** Outcome of risk and routing for one order. */
export type Decision =
  | { kind: 'duplicate' }
  | { kind: 'expired' }
  | { kind: 'blocked'; rules: string[]; reason: string }
  | { kind: 'unroutable'; reason: string }
  | { kind: 'routed'; route: Route };

/** The `order` fact routing and risk rules read. */
export function orderFact(order: Order, solUsd: number | undefined): Record<string, unknown> {
  const profitLamports = order.expectedProfitLamports ?? 0n;
  return {
    id: order.id,
    strategy: order.strategy,
    rule: order.rule,
    side: order.side,
    urgency: order.urgency,
    notionalUsd: order.notionalUsd,
    expectedProfitUsd: solUsd === undefined ? 0 : (Number(profitLamports) / 1e9) * solUsd,
    expectedProfitLamports: profitLamports.toString(),
    inputMint: order.inputMint,
    outputMint: order.outputMint,
    amountIn: order.amountIn.toString(),
  };
}

export class Coordinator {
  private readonly log: Logger;
  /** Engine times (ms) of orders accepted in the last minute. */
  private readonly accepted: number[] = [];
  private subscription: Subscription | undefined;

  constructor(private readonly deps: CoordinatorDeps) {
    this.log = deps.log ?? logger().child({ component: 'coordinator' });
  }

  private ordersLastMinute(nowMs: number): number {
    while (this.accepted.length && this.accepted[0]! <= nowMs - 60_000) this.accepted.shift();
    return this.accepted.length;
  }

  /** The risk and routing files of the rule set in force, resolved when the rule set changes. */
  private policy: { ruleSet: RuleSet; risk: PolicyFile[]; routing: PolicyFile[] } | undefined;

  private policyFiles(rs: RuleSet, kind: 'risk' | 'routing'): PolicyFile[] {
    if (this.policy?.ruleSet !== rs) {
      this.flushMetrics();
      const batched = this.deps.batchEvaluationMetrics === true;
      const of = (k: 'risk' | 'routing') => rs.files.filter((f) => f.kind === k).map((file) => { const evaluator = rs.evaluators.get(file.id)!; return { file, evaluator, telemetry: new EvaluationTelemetry(file.id, evaluator.kind, { batched }) }; });
      this.policy = { ruleSet: rs, risk: of('risk'), routing: of('routing') };
    }
    return this.policy[kind];
  }

  /** Adds the risk and routing evaluation metrics a batched telemetry summed (at stop and when the rule set changes). */
  flushMetrics(): void {
    for (const f of this.policy?.risk ?? []) f.telemetry.flush();
    for (const f of this.policy?.routing ?? []) f.telemetry.flush();
  }

  /** Every event the files of `kind` fire, in file order; synchronous when every evaluator answers synchronously. */
  private firstEvents(rs: RuleSet, kind: 'risk' | 'routing', facts: Record<string, unknown>): FiredEvent[] | Promise<FiredEvent[]> {
    const files = this.policyFiles(rs, kind);
    const out: FiredEvent[] = [];
    for (let i = 0; i < files.length; i++) {
      const { file, evaluator, telemetry } = files[i]!;
      this.deps.factWatch?.observe(file, facts);
      const fired = telemetry.evaluate(evaluator.evaluate, evaluator, facts);
      if (!Array.isArray(fired)) return this.restEvents(files, i, fired, facts, out);
      for (const e of fired) out.push(e);
    }
    return out;
  }

  private async restEvents(files: PolicyFile[], from: number, pending: Promise<FiredEvent[]>, facts: Record<string, unknown>, out: FiredEvent[]): Promise<FiredEvent[]> {
    out.push(...(await pending));
    for (let i = from + 1; i < files.length; i++) {
      const { file, evaluator, telemetry } = files[i]!;
      this.deps.factWatch?.observe(file, facts);
      out.push(...(await telemetry.evaluate(evaluator.evaluate, evaluator, facts)));
    }
    return out;
  }

  /**
   * Risk then routing for one order (no side effects but the rate counter): synchronous when every
   * risk and routing evaluator answers synchronously (the compiled one), a promise otherwise.
   */
  decide(order: Order): Decision | Promise<Decision> {
    const now = this.deps.now();
    if (Date.parse(order.expiresAt) <= now.getTime()) return { kind: 'expired' };
    const rs = this.deps.ruleSet();
    const control = this.deps.control();
    const fact = orderFact(order, this.deps.solUsd());
    const exposure = this.deps.exposureUsd(order.strategy) + (order.side === 'buy' ? order.notionalUsd : 0);
    const risk = { ordersLastMinute: this.ordersLastMinute(now.getTime()), strategyNotionalUsd: exposure, ...(this.deps.dailyLossUsd ? { dailyLossUsd: this.deps.dailyLossUsd() } : {}) };
    const tip = this.deps.tip?.();
    const live = { ...(this.deps.quoteAccuracy ? { quoteAccuracy: this.deps.quoteAccuracy() } : {}), ...(tip ? { tip } : {}) };
    const fired = stage('risk.check', {}, () => this.firstEvents(rs, 'risk', { order: fact, risk, control, ...live }));
    if (Array.isArray(fired)) return this.afterRisk(fired, now, rs, control, fact, live);
    return Promise.resolve(fired).then((events) => this.afterRisk(events, now, rs, control, fact, live));
  }

  /** The risk rules' verdict, then the routing rules (when not blocked). */
  private afterRisk(fired: FiredEvent[], now: Date, rs: RuleSet, control: ControlFact, fact: Record<string, unknown>, live: Record<string, unknown>): Decision | Promise<Decision> {
    const blocks = fired.filter((e) => e.type === 'block');
    if (blocks.length) {
      return { kind: 'blocked', rules: blocks.map((b) => b.ruleId), reason: blocks.map((b) => `${b.ruleId}: ${String(b.params.reason ?? 'blocked')}`).join('; ') };
    }
    if (control.paused) return { kind: 'blocked', rules: [], reason: 'engine paused' };
    const routed = stage('route', {}, () => this.firstEvents(rs, 'routing', { order: fact, control, ...live }));
    if (Array.isArray(routed)) return this.route(routed, now);
    return Promise.resolve(routed).then((events) => this.route(events, now));
  }

  /** The first `route` event picks the executor. */
  private route(fired: FiredEvent[], now: Date): Decision {
    const first = fired.find((e) => e.type === 'route');
    if (!first) return { kind: 'unroutable', reason: 'no routing rule matched the order' };
    this.accepted.push(now.getTime());
    const { executor, reason } = first.params;
    // The other params, key by key (an object rest is a slow generic copy, once per order here).
    const params: Record<string, unknown> = {};
    for (const k in first.params) if (k !== 'executor' && k !== 'reason' && Object.hasOwn(first.params, k)) params[k] = first.params[k];
    return { kind: 'routed', route: { executor: String(executor), ruleId: first.ruleId, ...(reason !== undefined ? { reason: String(reason) } : {}), params } };
  }

  /** Records, decides and forwards one order; returns what happened. Never forwards an order twice. */
  async handle(order: Order): Promise<Decision> {
    const inserted = await this.deps.store.insertOrder(order, 'decided');
    if (!inserted) {
      this.log.debug({ orderId: order.id }, 'order already recorded; not processed again');
      metrics.orders.duplicates.inc({ strategy: order.strategy });
      return { kind: 'duplicate' };
    }
    const decided = this.decide(order);
    const decision = decided instanceof Promise ? await decided : decided;
    this.count(order, decision);
    const { bus, store } = this.deps;
    switch (decision.kind) {
      case 'expired':
        await store.updateOrderStatus(order.id, 'expired', { reason: 'expired before routing' });
        await bus.publish(SUBJECTS.failed, { order: orderToJson(order), report: this.failedReport(order, 'expired', 'expired before routing') }, { msgId: `failed:${order.id}` });
        break;
      case 'blocked':
        this.log.info({ orderId: order.id, strategy: order.strategy, reason: decision.reason }, 'order blocked by risk rules');
        await store.updateOrderStatus(order.id, 'blocked', { reason: decision.reason });
        await bus.publish(SUBJECTS.failed, { order: orderToJson(order), report: this.failedReport(order, 'rejected', `blocked: ${decision.reason}`, decision.rules) }, { msgId: `failed:${order.id}` });
        break;
      case 'unroutable':
        await store.updateOrderStatus(order.id, 'dead-lettered', { reason: decision.reason });
        await bus.publish(SUBJECTS.dlq, { order: orderToJson(order), reason: decision.reason }, { msgId: `dlq:${order.id}` });
        await bus.publish(SUBJECTS.failed, { order: orderToJson(order), report: this.failedReport(order, 'rejected', decision.reason) }, { msgId: `failed:${order.id}` });
        break;
      case 'routed':
        await store.updateOrderStatus(order.id, 'routed', { executor: decision.route.executor });
        await bus.publish(SUBJECTS.orders, routedToJson({ order, route: decision.route }), { msgId: `route:${order.id}` });
        break;
      case 'duplicate':
        break;
    }
    return decision;
  }

  /** The report of an order the coordinator did not route (a method: a closure per order is a property named at run time under tsx). */
  private failedReport(order: Order, status: ExecutionReport['status'], reason: string, blockedBy?: string[]) {
    return reportToJson({ orderId: order.id, executor: 'coordinator', status, amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, reason, simulated: true, at: this.deps.now().toISOString(), ...(blockedBy ? { blockedBy } : {}) });
  }

  private count(order: Order, decision: Decision): void {
    if (decision.kind === 'blocked') {
      for (const rule of decision.rules.length ? decision.rules : ['engine-paused']) metrics.orders.blocked.inc({ strategy: order.strategy, rule_id: rule });
      const control = this.deps.control();
      if (control.killSwitch || control.paused) metrics.control.refused.inc({ state: control.killSwitch ? 'kill-switch' : 'paused' });
    } else if (decision.kind === 'routed') {
      metrics.orders.routed.inc({ executor: decision.route.executor, route: decision.route.ruleId });
      metrics.orders.pending.inc({ executor: decision.route.executor });
    } else if (decision.kind === 'unroutable') {
      metrics.orders.deadLettered.inc({ executor: 'none' });
    }
  }

  /** Subscribes to `trade.opportunities.>` as one member of the `coordinators` queue group. */
  async start(): Promise<void> {
    this.subscription = await this.deps.bus.subscribe<OrderJson>(`${SUBJECTS.opportunities}.>`, async (msg) => {
      await this.handle(orderFromJson(msg.data));
    }, { queue: 'coordinators', durable: 'coordinators' });
  }

  async stop(): Promise<void> {
    await this.subscription?.unsubscribe();
    this.flushMetrics();
  }
}

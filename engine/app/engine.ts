/**
 * The trading engine in one process: price events in, planners' facts, strategy rules,
 * orders out to the coordinator over the bus, executions back into strategy state. The same
 * code runs live and in replay; only the price source and the executor differ.
 */
import type { Bus, Subscription } from '../infra/bus/index.ts';
import type { Partition } from '../cluster/index.ts';
import { NATIVE_MINT } from '../venues/index.ts';
import type { ActiveConfig, ConfigHolder, StrategiesConfig } from '../config/index.ts';
import { type Coordinator } from '../coordinator/index.ts';
import { type ExecutorWorker, type Portfolio, type QuoteAccuracy } from '../executors/index.ts';
import { atomsToUsd, buildOrders, orderFromJson, orderToJson, type Order, type OrderJson, type Route, type ExecutionReport } from '../orders/index.ts';
import { paperRoundTripNet, type Planner, type TickContext } from '../strategies/index.ts';
import type { Evaluator, FiredEvent, RuleFile, RuleOutcome } from '../rules/index.ts';
import type { AiFactProducer } from '../ai/index.ts';
import type { EngineAi } from './ai.ts';
import type { ExecutionLog, OrderLog, OrderOutbox, OutboxEntry, StrategyStateStore } from '../infra/store/index.ts';
import { EvaluationTelemetry, logger, marketEvent, metrics, opportunity, stage, StrategyReporter, tracingEnabled, type Logger } from '../infra/telemetry/index.ts';
import { LazyTickContext, SharedTickFacts, StrategyFacts } from './tick-facts.ts';
import { OutboxPipeline } from './outbox-pipeline.ts';
import { StrategyStateWrites } from './state-writes.ts';
import { SUBJECTS, reportFromJson, type ExecutionReportJson, type PriceEvent, opportunitySubject, pricesSubject, type ExecutionResultMessage } from '../messages/index.ts';

export type { PriceEvent };

/** A price tick's identity: its id, else source, mint, time, slot and price (what a redelivery repeats). */
export function tickId(event: PriceEvent): string {
  return event.id ?? `${event.source}:${event.mint}:${event.time}:${event.slot ?? ''}:${event.usd}`;
}

/** Ticks remembered for deduplication (a redelivery comes within seconds; this is hours of replay). */
const SEEN_TICKS = 4096;

/** Counters the summary reports. */
export interface EngineStats {
  ticks: number;
  evaluations: number;
  orders: Map<string, { decided: number; filled: number; blocked: number; failed: number; expired: number }>;
  routes: Map<string, number>;
  signals: Map<string, number>;
  /** Strategy rules that fired, by `<file>/<rule>` (orders, signals, and events with nothing to trade). */
  ruleHits: Map<string, number>;
  errors: number;
}

/** The clock and last prices the engine's parts share (paper fills, risk exposure, order notional). */
export class EngineClock {
  now = new Date(0);
  lastPrice: PriceEvent | undefined;

  constructor(private readonly config: () => StrategiesConfig) {}

  /** USD price of a mint as of the last price event (the quote is taken as 1 USD). */
  priceUsd(mint: string): number | undefined {
    const cfg = this.config();
    if (mint === cfg.market.quote.mint) return 1;
    if (mint === cfg.market.base.mint) return this.lastPrice?.usd;
    return undefined;
  }
}

/** The built parts the engine runs (engine/app/compose.ts builds them from config and the registries). */
export interface EngineParts {
  holder: ConfigHolder;
  bus: Bus;
  /**
   * Orders and strategy state (and the executions, from which a planner process rebuilds its
   * portfolio); with a partition, the outbox its orders are stored in with the state.
   */
  store: OrderLog & StrategyStateStore & OrderOutbox & Partial<Pick<ExecutionLog, 'listExecutions'>>;
  log?: Logger;
  clock: EngineClock;
  portfolio: Portfolio;
  /** One planner per strategy that can trade in this run, by strategy name. */
  planners: Map<string, Planner>;
  coordinator: Coordinator;
  worker: ExecutorWorker;
  /** Recent prices kept for the price fact's window. */
  priceWindow?: number;
  /** Warns when a fact a strategy's rules read stays absent. */
  factWatch?: { observe(file: RuleFile, facts: Readonly<Record<string, unknown>>): void };
  /** Strategies in strategies.yaml that have no planner in this run, with why (warned about when enabled). */
  unplanned?: ReadonlyMap<string, string>;
  /** The day's realized-loss baseline (the risk.dailyLossUsd fact): part of a checkpoint. */
  dailyLoss?: { toJSON(): unknown; restore(state: unknown): void };
  /** The `ai` fact producer, when an enabled strategy declares `ai:` (absent: no AI work per tick). */
  ai?: AiFactProducer;
  /** The producer with its recorders and start-up warnings (summaries and reports). */
  aiRuntime?: EngineAi;
  /** Called after each evaluation of a strategy that has an `ai` fact (a backtest compares its decisions without the AI). */
  observeAiDecision?: (strategy: string, file: RuleFile, facts: Readonly<Record<string, unknown>>, events: readonly FiredEvent[]) => void | Promise<void>;
  /** Save a strategy's state after each of its orders' results (default), or only at stop: see EngineOptions.saveStateAfterEachResult. */
  saveStateAfterEachResult?: boolean;
  /** A planner process: the quoteAccuracy fact it feeds from the reconciliations other processes' live fills carry. */
  followedAccuracy?: QuoteAccuracy;
  /** What this process does (`--role`): plan (strategies, risk and routing) and/or execute (the worker). Default both. */
  role?: EngineRole;
  /** Planner processes sharing strategies: this one evaluates only the strategies it owns. Default: all. */
  partition?: Partition;
  /**
   * An executor process (role execute only): the orders its own paper executor filled (their atoms
   * are in the portfolio already); every other fill reported on the bus is applied to it, so the
   * executors of a split run trade on one set of paper balances.
   */
  filledHere?: ReadonlySet<string>;
  /** A split run's market copy: a planner stamps its orders with how new its pool states were (`Order.marketSlot`). */
  marketSync?: MarketSync;
  /** Sum the per-evaluation metrics and add them in batches (EvaluationTelemetry `batched`): a backtest. Default off. */
  batchEvaluationMetrics?: boolean;
  /**
   * Publish each order inside a context carrying its id, so log lines on its way carry `order_id`
   * (default true). A backtest turns it off while tracing is off: its logs are not correlated by
   * order, and the context switch (AsyncLocalStorage) was a visible part of an order's cost.
   */
  orderLogContext?: boolean;
}

/** Which pool states a decision saw: the newest changed account's slot, and the states' fingerprint. */
export interface MarketMark {
  slot: number;
  /** `MarketScanner.stateDigest`; absent: only the slot is compared. */
  digest?: string;
}

/**
 * A split run's market copy (`BusMarketSource`): which pool states it holds, and a wait until they
 * are the ones a decision saw (`Order.marketSlot`, `Order.marketDigest`).
 */
export interface MarketSync {
  /** The newest slot of a changed account its decoded pool states include; undefined before the first. */
  stateSlot(): number | undefined;
  /** The states held now (undefined before the first). */
  mark(): MarketMark | undefined;
  /**
   * Resolves true once the pool states here are the decision's: the same fingerprint, or (none
   * given, or the market here has moved on) a newer slot; false after `timeoutMs`.
   */
  holds(mark: MarketMark, timeoutMs: number): Promise<boolean>;
}

/** The stages one engine process runs: `--role all` is both; `planner` plans; `executor` executes. */
export interface EngineRole {
  plan: boolean;
  execute: boolean;
}

/**
 * Everything the engine holds between two settled ticks: planners' state, paper balances, the
 * summary's counters, the price window and clock, the daily-loss baseline. Saved as one value (one
 * store row, so committed atomically), it lets a killed replay continue exactly where it stood.
 */
export interface EngineCheckpoint {
  planners: Record<string, unknown>;
  portfolio: Record<string, string>;
  stats: { ticks: number; evaluations: number; errors: number; orders: [string, { decided: number; filled: number; blocked: number; failed: number; expired: number }][]; routes: [string, number][]; signals: [string, number][]; ruleHits: [string, number][] };
  recent: number[];
  lastPrice?: PriceEvent;
  dailyLoss?: unknown;
}

/** What a tick needs of one enabled strategy, resolved once per rule set in force. */
interface StrategySlot {
  name: string;
  planner: Planner | undefined;
  file: RuleFile | undefined;
  evaluator: Evaluator | undefined;
  telemetry: EvaluationTelemetry | undefined;
  /** Its facts object, reused tick after tick (see StrategyFacts). */
  facts: StrategyFacts;
  /** Span attributes of its facts.build stage. */
  attributes: { 'solrules.strategy': string };
}

/** A strategy's orders decided at a tick, to hand to its planner and publish. */
interface Decision {
  slot: StrategySlot;
  ctx: TickContext;
  orders: Order[];
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

export class TradingEngine {
  readonly stats: EngineStats = { ticks: 0, evaluations: 0, orders: new Map(), routes: new Map(), signals: new Map(), ruleHits: new Map(), errors: 0 };
  readonly portfolio: Portfolio;
  readonly planners: Map<string, Planner>;
  readonly coordinator: Coordinator;
  readonly worker: ExecutorWorker;
  private readonly log: Logger;
  private readonly recent: number[] = [];
  private readonly clock: EngineClock;
  private readonly subs: Subscription[] = [];
  private readonly reporter = new StrategyReporter();
  private reportedAt = -Infinity;
  /** Strategies already warned about having no planner (warned once each). */
  private readonly warnedUnplanned = new Set<string>();
  private stopped = false;
  /** Recent tick ids, oldest first: a tick the bus delivers again (after a NATS restart) is skipped. */
  private readonly seenTicks = new Set<string>();
  /** Strategy state writes, per strategy in snapshot order (see StrategyStateWrites). */
  private readonly stateWrites: StrategyStateWrites;
  /**
   * The same ids in arrival order, as a ring: the oldest is evicted by index. (Deleting a Set's
   * first entry found with values().next() leaves holes the next iteration walks over again: a
   * cost that grew with every tick of a long replay.)
   */
  private readonly seenOrder: string[] = new Array(SEEN_TICKS);
  private seenNext = 0;
  /** Ticks skipped as already processed. */
  duplicateTicks = 0;
  /** The strategies a tick evaluates, for the rule set they were resolved from. */
  private slotCache: { active: ActiveConfig; slots: StrategySlot[] } | undefined;

  /**
   * A planner sharing strategies (a partition): its decisions, and the states it saves after fills,
   * go through one group-committed outbox lane (see OutboxPipeline); undefined in one process.
   */
  readonly outbox: OutboxPipeline | undefined;
  /** The current serial unit's (a tick's, or a takeover catch-up's) decisions, submitted to the outbox at its end. */
  private staged: OutboxEntry[] = [];

  constructor(private readonly opts: EngineParts) {
    this.log = opts.log ?? logger().child({ component: 'engine' });
    this.clock = opts.clock;
    this.portfolio = opts.portfolio;
    this.planners = opts.planners;
    this.coordinator = opts.coordinator;
    this.worker = opts.worker;
    this.stateWrites = new StrategyStateWrites(opts.store);
    this.outbox = opts.partition ? new OutboxPipeline(opts.store, (order) => this.sendOrder(order), this.log) : undefined;
  }

  /** `priceUsd` as a function made once (a closure per order is a property named at run time under tsx). */
  private readonly priceOf = (mint: string): number | undefined => this.clock.priceUsd(mint);

  private get now(): Date {
    return this.clock.now;
  }

  private get lastPrice(): PriceEvent | undefined {
    return this.clock.lastPrice;
  }

  /** USD price of a mint as of the last price event (the quote is taken as 1 USD). */
  priceUsd(mint: string): number | undefined {
    return this.clock.priceUsd(mint);
  }

  private bump(strategy: string, rule: string, field: 'decided' | 'filled' | 'blocked' | 'failed' | 'expired'): void {
    const key = `${strategy}/${rule}`;
    const row = this.stats.orders.get(key) ?? { decided: 0, filled: 0, blocked: 0, failed: 0, expired: 0 };
    row[field] += 1;
    this.stats.orders.set(key, row);
  }

  /**
   * Paper orders a previous run left unfinished (it stopped between deciding and filling them):
   * nothing was sent anywhere, so they are expired and their strategies released (a grid level
   * marked pending would otherwise wait for a fill that never comes). Only for a single
   * instance: with several sharing a store, another may still be executing them.
   */
  async expireOrphanedPaperOrders(reason = 'the engine stopped before executing it (paper: nothing was sent)', opts: { keepSubmitted?: boolean } = {}): Promise<string[]> {
    await this.restoreState();
    // --live: a `submitted` order may have been sent; it is resumed from the journal (recoverSubmittedOrders), not expired.
    const orphans = await this.opts.store.listOrders({ status: opts.keepSubmitted ? ['decided', 'routed'] : ['decided', 'routed', 'submitted'] });
    const expired: string[] = [];
    for (const row of orphans) {
      const report: ExecutionReport = { orderId: row.order.id, executor: row.executor ?? 'paper', status: 'expired', amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, reason, simulated: true, at: this.now.toISOString() };
      await this.opts.store.updateOrderStatus(row.order.id, 'expired', { reason });
      const planner = this.planners.get(row.order.strategy);
      planner?.onExecution(row.order, report);
      if (planner) await this.stateWrites.save(row.order.strategy, planner.snapshot());
      expired.push(row.order.id);
    }
    if (expired.length) this.log.warn({ orders: expired.length }, 'expired paper orders a previous run left unfinished');
    return expired;
  }

  /**
   * --live after a restart: every order a previous run left `submitted` is resumed from the
   * submission journal — each recorded signature checked on chain: landed → reconciled, pending →
   * followed, known not to land → a new attempt within the rebuild policy. Nothing is resent
   * blindly. Resolves when every resumed order is settled (its result is published as usual).
   */
  async recoverSubmittedOrders(): Promise<{ resumed: string[]; reports: (ExecutionReport | undefined)[] }> {
    await this.restoreState();
    return this.worker.recover();
  }

  private restored = false;

  /** Loads each planner's stored state once. */
  private async restoreState(): Promise<void> {
    if (this.restored) return;
    this.restored = true;
    for (const [name, planner] of this.planners) {
      const state = await this.opts.store.loadStrategyState(name);
      if (state !== undefined) planner.restore(state);
    }
  }

  /** Restores planner state from the store, subscribes planners and starts coordinator and executor worker. */
  async start(): Promise<void> {
    await this.restoreState();
    const role = this.opts.role ?? { plan: true, execute: true };
    if (!role.plan) {
      // An executor process: its paper balances are every executor's fills (the stored ones, then those reported).
      await this.rebuildPortfolio();
      this.subs.push(await this.opts.bus.subscribe<ExecutionResultMessage>(SUBJECTS.confirmed, (m) => {
        const report = reportFromJson(m.data.report);
        if (report.status === 'filled' && report.simulated) this.applyFill(orderFromJson(m.data.order), report);
      }));
    }
    if (role.execute) await this.worker.start();
    if (!role.plan) return;
    if (!role.execute) await this.rebuildPortfolio();
    // A strategy this process comes to own (another planner stopped) continues from the state its last owner stored.
    const owned = new Set([...this.planners.keys()].filter((n) => this.owns(n)));
    this.opts.partition?.onChange(() => {
      const before = this.takeOver.length;
      for (const name of this.planners.keys()) {
        const now = this.owns(name);
        if (now && !owned.has(name)) this.takeOver.push(name);
        if (now) owned.add(name);
        else owned.delete(name);
      }
      // The last tick may be one the stopped owner never evaluated (it died after the swap, before
      // the tick reached it, and this process did not own the strategy yet): evaluated here at once,
      // on this tick's price, instead of on the next one — one process decides on it too.
      if (this.takeOver.length > before) {
        this.serialUnit(() => this.catchUpTakenOver()).catch((err: unknown) => this.log.error({ err }, 'takeover catch-up failed; the strategies taken over are evaluated on the next tick'));
      }
    });
    const cfg = this.opts.holder.current.strategies;
    this.subs.push(
      await this.opts.bus.subscribe<PriceEvent>(
        pricesSubject(cfg.market.base.mint),
        // Every instance's planners see every market event (their state follows every fill);
        // the orders they decide carry deterministic ids, so duplicates die at the bus and store.
        async (msg) => marketEvent({ 'solrules.kind': 'price', 'solrules.source': msg.data.source, 'solrules.symbol': msg.data.symbol }, () => this.onPrice(msg.data)),
      ),
    );
    type Result = ExecutionResultMessage;
    const onResult = async (data: Result) => this.onResult(orderFromJson(data.order), reportFromJson(data.report), data.route, data.reconciliation);
    this.subs.push(await this.opts.bus.subscribe<Result>(SUBJECTS.confirmed, (m) => onResult(m.data)));
    this.subs.push(await this.opts.bus.subscribe<Result>(SUBJECTS.failed, (m) => onResult(m.data)));
    await this.coordinator.start();
    // A restarted planner: the strategies it owns at once may hold orders its killed run stored and
    // never published; they go out before its first tick's decisions (those it comes to own later, at takeover).
    if (this.opts.partition) this.outboxDue.push(...owned);
    if (this.opts.partition) await this.expireOrphanedOutboxes();
  }

  /**
   * Outboxes of strategies no planner runs any more (removed from strategies.yaml, or of a kind this
   * run cannot plan): nobody would ever publish them, and publishing a removed strategy's orders
   * would trade for a strategy the user took out. Each such order not already recorded is recorded
   * as expired with the reason, then the outbox is cleared, with a loud warning naming the strategy
   * and the orders: neither kept forever nor dropped unseen. Every planner process does this at its
   * start (idempotent: the record is by order id, the clear by id).
   */
  private async expireOrphanedOutboxes(): Promise<void> {
    const store = this.opts.store;
    for (const name of await store.outboxStrategies()) {
      if (this.planners.has(name)) continue;
      const orders = await store.listOutbox(name);
      const reason = `its strategy '${name}' is no longer planned in this run (removed from strategies.yaml or of a kind this run cannot plan); the order was stored in the strategy's outbox and never seen published, so it is not sent`;
      let recorded = 0;
      for (const order of orders) {
        // An order a coordinator already recorded went out before the strategy was removed: its record stands.
        if (!(await store.insertOrder(order, 'expired'))) continue;
        await store.updateOrderStatus(order.id, 'expired', { reason });
        recorded++;
      }
      await store.clearOutbox(name, orders.map((o) => o.id));
      this.log.warn({ strategy: name, orders: orders.map((o) => o.id), recordedExpired: recorded }, `the outbox of strategy '${name}', which no planner runs any more, held ${orders.length} order(s) never seen published: NOT published; ${recorded} recorded as expired (the others were already recorded), and the outbox cleared`);
    }
  }

  /** Fills this planner process's portfolio holds (by order id): rebuilt from the store at start, then followed on the bus. */
  private readonly appliedFills = new Set<string>();

  /**
   * A planner process executes nothing: its wallet fact follows the fills the executors report. Started
   * (or restarted) mid-run, it first applies the fills already stored, so it decides on the balances
   * the others see rather than on the starting ones.
   */
  private async rebuildPortfolio(): Promise<void> {
    const store = this.opts.store;
    if (!store.listExecutions) return;
    for (const row of await this.opts.store.listOrders({ status: ['filled'] })) {
      const fill = (await store.listExecutions(row.order.id)).find((r) => r.status === 'filled');
      if (!fill || !fill.simulated) continue;
      this.applyFill(row.order, fill);
    }
    if (this.appliedFills.size) this.log.info({ fills: this.appliedFills.size }, 'paper portfolio rebuilt from the stored fills');
  }

  /** A paper fill made in another process, into this one's balances (once per order); a round trip moves its input mint by its net. */
  private applyFill(order: Order, report: ExecutionReport): void {
    if (this.appliedFills.has(order.id) || this.opts.filledHere?.has(order.id)) return;
    this.appliedFills.add(order.id);
    try {
      if (order.inputMint === order.outputMint) {
        const net = paperRoundTripNet(order.params, report.amountIn, report.amountOut);
        this.portfolio.swap(order.inputMint, net < 0n ? -net : 0n, order.outputMint, net > 0n ? net : 0n);
      } else this.portfolio.swap(order.inputMint, report.amountIn, order.outputMint, report.amountOut);
    } catch (err) {
      this.log.warn({ err, order: order.id }, 'a fill does not fit the tracked balances; the wallet fact may lag until the next fill');
    }
  }

  /** Strategies taken over from a planner that stopped: their stored state is loaded before their next tick. */
  private readonly takeOver: string[] = [];
  /** Strategies owned since start whose outbox is published again before the first tick (a restarted planner). */
  private readonly outboxDue: string[] = [];

  /** Whether this process evaluates `strategy` (its planner share). */
  private owns(strategy: string): boolean {
    if (!(this.opts.role?.plan ?? true)) return false; // an executor process plans nothing and writes no strategy state
    return this.opts.partition?.owns(strategy) ?? true;
  }

  /** Before a tick: the state of strategies taken over, and the outboxes a stopped owner (or this one's last run) left. */
  private async restoreTakenOver(): Promise<void> {
    for (const name of this.outboxDue.splice(0)) await this.republishOutbox(name);
    // A strategy this process owned before (a membership flap) may have states still on their way
    // to the store: the state loaded below must be the newest.
    if (this.takeOver.length) await this.outbox?.durable();
    for (const name of this.takeOver.splice(0)) {
      const state = await this.opts.store.loadStrategyState(name);
      if (state !== undefined) this.planners.get(name)?.restore(state);
      this.log.info({ strategy: name }, 'strategy taken over from a planner that stopped: continuing from its stored state');
      // Orders that state counts as sent, which the stopped planner may not have published.
      await this.republishOutbox(name);
    }
  }

  private async onResult(order: Order, report: ExecutionReport, route: Route | undefined, reconciliation?: unknown): Promise<void> {
    const decidedAt = Date.parse(order.createdAt);
    if (decidedAt > (this.lastResultDecidedAt.get(order.strategy) ?? -Infinity)) this.lastResultDecidedAt.set(order.strategy, decidedAt);
    const field = report.status === 'filled' ? 'filled' : report.status === 'expired' ? 'expired' : report.blockedBy ? 'blocked' : 'failed';
    this.bump(order.strategy, order.rule, field);
    if (route && report.status === 'filled') this.stats.routes.set(route.executor, (this.stats.routes.get(route.executor) ?? 0) + 1);
    const owned = this.owns(order.strategy);
    if (owned) this.planners.get(order.strategy)?.onExecution(order, report);
    // A live fill moved real balances (the paper executor moves the paper ones itself, unless it runs in an executor process): the wallet fact follows the realized atoms.
    const executedHere = this.opts.role?.execute ?? true;
    if (report.status === 'filled' && !executedHere && report.simulated) this.applyFill(order, report);
    else if (report.status === 'filled' && !report.simulated) {
      try {
        // A round trip (same mint in and out) moves the balance by its net only: its input may be borrowed (flash loan).
        const net = report.amountOut - report.amountIn;
        if (order.inputMint === order.outputMint) this.portfolio.swap(order.inputMint, net < 0n ? -net : 0n, order.outputMint, net > 0n ? net : 0n);
        else this.portfolio.swap(order.inputMint, report.amountIn, order.outputMint, report.amountOut);
      } catch (err) {
        this.log.warn({ err, orderId: order.id }, 'a live fill exceeds the balances the engine tracks (strategies.yaml paper.startingBalances); the wallet fact no longer matches the wallets');
      }
    }
    if (report.status === 'filled') this.reportFill(order, report);
    if (report.status === 'filled' && !report.simulated && this.opts.followedAccuracy && !this.opts.followedAccuracy.recordPublished(reconciliation)) {
      this.log.warn({ orderId: order.id, reconciliation }, 'a live fill arrived without a readable reconciliation: the quoteAccuracy fact does not count it');
    }
    // The strategy's chart marks its own fills (in a backtest: the fill model's time and price, so the chart stays deterministic).
    if (report.status === 'filled' && (order.side === 'buy' || order.side === 'sell') && report.fillPriceUsd !== undefined) {
      this.opts.ai?.onFill({ strategy: order.strategy, side: order.side, priceUsd: report.fillPriceUsd, timeMs: Date.parse(report.at) });
    }
    // Only the strategy's owner writes its state: another planner's copy is stale by design.
    if (owned && this.opts.saveStateAfterEachResult !== false) await this.saveState(order.strategy, this.planners.get(order.strategy)?.snapshot() ?? null);
  }

  /**
   * Stores an owned strategy's state, after the writes of the snapshots taken before it. A
   * partitioned planner writes it through the outbox lane (first in, first out for all its
   * strategies), joining the decisions queued before it: a fill costs no round trip of its own. One
   * process orders each strategy's writes with StrategyStateWrites.
   */
  private async saveState(strategy: string, state: unknown): Promise<void> {
    if (this.outbox) await this.outbox.submit([{ strategy, state, orders: [] }]);
    else await this.stateWrites.save(strategy, state);
  }

  private reportFill(order: Order, report: ExecutionReport): void {
    const { quote } = this.opts.holder.current.strategies.market;
    const side = order.side;
    const quoteAtoms = side === 'buy' ? report.amountIn : side === 'sell' ? report.amountOut : 0n;
    const notionalUsd = atomsToUsd(quoteAtoms, quote.decimals, this.priceUsd(quote.mint) ?? 1);
    metrics.strategy.fills.inc({ strategy: order.strategy, side });
    metrics.strategy.filledNotional.inc({ strategy: order.strategy, side }, notionalUsd);
    if (side === 'buy') metrics.strategy.invested.inc({ strategy: order.strategy }, notionalUsd);
  }

  /**
   * P&L gauges and the planners' cumulative counters (rebalances, exits) as metrics; at most
   * every 200 ms (a scrape is seconds apart; a replay ticks thousands of times a second) unless forced.
   * A backtest (batched metrics: a tick every few µs) reads the clock only every 64th tick.
   */
  reportStrategies(force = false): void {
    const last = this.lastPrice?.usd;
    if (last === undefined) return;
    if (!force && this.opts.batchEvaluationMetrics === true && (this.stats.ticks & 63) !== 0) return;
    const nowMs = performance.now();
    if (!force && nowMs - this.reportedAt < 200) return;
    this.reportedAt = nowMs;
    for (const [name, planner] of this.planners) {
      const pnl = planner.pnl(last, 1);
      this.reporter.report(name, { realizedUsd: pnl.realizedUsd, unrealizedUsd: pnl.unrealizedUsd, feesUsd: pnl.feesUsd, ...(planner.counters?.() ?? {}) });
    }
  }

  /** Evaluates every enabled strategy on a new price and publishes the orders its rules decide. */
  async onPrice(event: PriceEvent): Promise<void> {
    // Only a partitioned planner catches up takeovers between ticks; without one (a backtest's every bar) no queue.
    if (this.outbox) await this.serialUnit(() => this.tick(event));
    else await this.tick(event);
  }

  /**
   * A partitioned planner's tick or takeover catch-up: evaluated one at a time, in arrival order;
   * its decisions are submitted to the outbox lane at its end, and the next unit is evaluated while
   * they are written and published (joining the next write). Resolves once they are published.
   */
  private async serialUnit(run: () => Promise<void> | undefined): Promise<void> {
    let delivered: Promise<void> | undefined;
    try {
      await this.serially(async () => {
        try {
          await run();
        } finally {
          // Even after a failure mid-tick: the decisions staged so far are in their planners' state already.
          delivered = this.outbox!.submit(this.staged.splice(0));
        }
      });
    } catch (err) {
      delivered?.catch((e: unknown) => this.log.error({ err: e }, 'could not store or publish the orders of a tick that failed'));
      throw err;
    }
    await delivered;
  }

  /** Per strategy, the newest decision time (tick time) of an order whose result this process saw. */
  private readonly lastResultDecidedAt = new Map<string, number>();

  /** Live ticks and takeover catch-ups, one at a time in arrival order. */
  private ticking: Promise<unknown> = Promise.resolve();
  private serially(run: () => Promise<void> | undefined): Promise<void> {
    const next = this.ticking.then(run);
    this.ticking = next.catch(() => undefined);
    return next;
  }

  /**
   * Strategies taken over since the last tick, evaluated on that tick (the one their stopped owner
   * may have missed). Nothing when a tick already restored them (they were evaluated on it), when
   * none came yet, or for a strategy whose owner is seen to have decided at that tick's time. An owner that did decide on it stored the state counting those orders with
   * them (writeOutbox), so they are not decided twice; its outbox goes out first.
   */
  private async catchUpTakenOver(): Promise<void> {
    const event = this.clock.lastPrice;
    if (!event || this.takeOver.length === 0 || this.stopped) return;
    // A strategy with a result of an order decided at this tick's time (or later): its owner did
    // evaluate the tick (alive, a membership flap; or it died later) — not evaluated twice; it waits
    // for the next tick, as before. (Per time, not per tick: ticks of one chain second are skipped too.)
    const at = this.clock.now.getTime();
    const names = new Set(this.takeOver.filter((n) => (this.lastResultDecidedAt.get(n) ?? -Infinity) < at));
    await this.restoreTakenOver();
    if (names.size === 0) return;
    const active = this.opts.holder.current;
    const cfg = active.strategies;
    const shared = new SharedTickFacts(event, this.now, this.recent, this.portfolio.balance(cfg.market.base.mint), this.portfolio.balance(cfg.market.quote.mint), cfg.market);
    shared.materialize();
    for (const slot of this.slotsOf(active)) {
      if (!names.has(slot.name)) continue;
      const d = await this.decide(slot, active, shared);
      if (d) await this.publish(d);
    }
    this.reportStrategies();
  }

  /**
   * The per-tick path, shared by live, replay and backtest: evaluates every enabled strategy on a
   * new price synchronously and returns a promise only when there is something to wait for (orders
   * to publish, or an evaluator that answers asynchronously); a tick that decides nothing makes no
   * promise. Strategies are evaluated in strategies.yaml order; a strategy's orders are published
   * before the next strategy is evaluated — in one process. A partitioned planner stages them
   * instead, and the tick's decisions are stored in one write and then published together
   * (serialUnit, OutboxPipeline): the strategies it evaluates depend on no order of the tick
   * reaching the coordinator in another process first.
   */
  tick(event: PriceEvent): Promise<void> | undefined {
    // One config for the whole tick: a reload mid-tick cannot mix rule sets.
    const active = this.opts.holder.current;
    const cfg = active.strategies;
    if (event.mint !== cfg.market.base.mint) return undefined;
    // Ticks are idempotent like orders: the same tick delivered twice moves nothing twice.
    const id = tickId(event);
    if (this.seenTicks.has(id)) {
      this.duplicateTicks += 1;
      this.log.debug({ tick: id }, 'price tick already processed; skipped');
      return undefined;
    }
    this.seenTicks.add(id);
    const evicted = this.seenOrder[this.seenNext];
    if (evicted !== undefined) this.seenTicks.delete(evicted);
    this.seenOrder[this.seenNext] = id;
    this.seenNext = (this.seenNext + 1) % SEEN_TICKS;
    this.clock.lastPrice = event;
    this.clock.now = new Date(event.timeMs ?? event.time);
    this.stats.ticks += 1;
    this.recent.push(event.usd);
    if (this.recent.length > (this.opts.priceWindow ?? 24)) this.recent.shift();
    const shared = new SharedTickFacts(event, this.now, this.recent, this.portfolio.balance(cfg.market.base.mint), this.portfolio.balance(cfg.market.quote.mint), cfg.market);
    // Candles and due analyses; only a backtest's replayed analyses are awaited (a run never waits for a model).
    const analyses = this.opts.ai?.onPrice(this.now.getTime(), event.usd, event.bar);
    if (this.takeOver.length || this.outboxDue.length) {
      // A strategy taken over from a planner that stopped continues from its stored state (and publishes its outbox).
      shared.materialize();
      return Promise.all([analyses, this.restoreTakenOver()]).then(() => this.evaluateStrategies(active, shared));
    }
    if (analyses) {
      shared.materialize();
      return analyses.then(() => this.evaluateStrategies(active, shared));
    }
    return this.evaluateStrategies(active, shared);
  }

  /** Every enabled strategy of the tick, in strategies.yaml order: synchronous until something is to be awaited. */
  private evaluateStrategies(active: ActiveConfig, shared: SharedTickFacts): Promise<void> | undefined {
    const slots = this.slotsOf(active);
    for (let k = 0; k < slots.length; k++) {
      const decided = this.decide(slots[k]!, active, shared);
      if (decided !== undefined) return this.finishTick(decided, slots, k + 1, active, shared);
    }
    this.reportStrategies();
    return undefined;
  }

  /** The rest of a tick once something is to be awaited: publish, then the remaining strategies in order. */
  private async finishTick(first: Decision | Promise<Decision | undefined>, slots: readonly StrategySlot[], from: number, active: ActiveConfig, shared: SharedTickFacts): Promise<void> {
    // The shared facts are built from this tick's window and balances before anything awaits.
    shared.materialize();
    const d = await first;
    if (d) await this.publish(d);
    for (let k = from; k < slots.length; k++) {
      const next = await this.decide(slots[k]!, active, shared);
      if (next) await this.publish(next);
    }
    this.reportStrategies();
  }

  /** Strategies evaluated per tick, resolved once per rule set in force (not looked up per tick). */
  private slotsOf(active: ActiveConfig): readonly StrategySlot[] {
    if (this.slotCache?.active === active) return this.slotCache.slots;
    this.flushEvaluationMetrics();
    const batched = this.opts.batchEvaluationMetrics === true;
    const slots: StrategySlot[] = [];
    for (const [name, strategy] of Object.entries(active.strategies.strategies)) {
      if (!strategy.enabled) continue;
      const planner = this.planners.get(name);
      const file = active.ruleSet.files.find((f) => f.kind === 'strategy' && f.strategy === name);
      const evaluator = file && active.ruleSet.evaluators.get(file.id);
      slots.push({ name, planner, file, evaluator, telemetry: file && evaluator ? new EvaluationTelemetry(file.id, evaluator.kind, { batched }) : undefined, facts: new StrategyFacts(), attributes: { 'solrules.strategy': name } });
    }
    this.slotCache = { active, slots };
    return slots;
  }

  /** Adds the evaluation metrics batched telemetry summed (at stop and when the rule set changes). */
  private flushEvaluationMetrics(): void {
    for (const slot of this.slotCache?.slots ?? []) slot.telemetry?.flush();
  }

  /**
   * One strategy's evaluation at this tick: undefined when it decides nothing (synchronously), else
   * its orders (a promise when the evaluator or an order's explanation is asynchronous).
   */
  private decide(slot: StrategySlot, active: ActiveConfig, shared: SharedTickFacts): Decision | Promise<Decision | undefined> | undefined {
    const { name, planner, file, evaluator, telemetry } = slot;
    if (!this.owns(name)) return undefined; // another planner's share
    if (!planner) {
      this.warnUnplanned(name);
      return undefined;
    }
    if (!file || !evaluator || !telemetry) return undefined;
    const cfg = active.strategies;
    const ctx = new LazyTickContext(shared, (active.ruleSet.params[name] ?? {}) as Record<string, unknown>, cfg.market.base, cfg.market.quote);
    // Without tracing a stage is the call itself: no closure per tick.
    const facts = tracingEnabled() ? stage('facts.build', slot.attributes, () => slot.facts.fill(planner.facts(ctx), shared)) : slot.facts.fill(planner.facts(ctx), shared);
    // Strategies declaring ai: the ai fact of this tick (unready when stale or failed).
    const ai = this.opts.ai?.fact(name);
    if (ai) (facts as Record<string, unknown>).ai = ai;
    this.opts.factWatch?.observe(file, facts);
    let fired: FiredEvent[] | Promise<FiredEvent[]>;
    try {
      fired = telemetry.evaluate(evaluator.evaluate, evaluator, facts);
    } catch (err) {
      return this.evaluationFailed(name, err);
    }
    const observe = ai ? this.opts.observeAiDecision : undefined;
    if (observe) {
      // A backtest compares this decision with the one without the AI, before the events are handled.
      const kept = slot.facts.snapshot();
      return Promise.resolve(fired).then(
        async (events) => {
          await observe(name, file, kept, events);
          return this.afterEvaluation(slot, active, ctx, kept, events);
        },
        (err: unknown) => this.evaluationFailed(name, err),
      );
    }
    if (isPromise(fired)) {
      // An asynchronous evaluator: the facts must outlive this synchronous section.
      const kept = slot.facts.snapshot();
      return fired.then(
        (events) => this.afterEvaluation(slot, active, ctx, kept, events),
        (err: unknown) => this.evaluationFailed(name, err),
      );
    }
    return this.afterEvaluation(slot, active, ctx, facts, fired, slot.facts);
  }

  private evaluationFailed(name: string, err: unknown): undefined {
    this.stats.errors += 1;
    this.log.error({ err, strategy: name }, 'rule evaluation failed; the tick is skipped for this strategy');
    return undefined;
  }

  /** Counts the events, hands signals to the planner and builds the orders, in event order; undefined when there are none. */
  private afterEvaluation(slot: StrategySlot, active: ActiveConfig, ctx: TickContext, facts: Readonly<Record<string, unknown>>, events: FiredEvent[], live?: StrategyFacts): Decision | Promise<Decision | undefined> | undefined {
    this.stats.evaluations += 1;
    if (events.length === 0) return undefined;
    for (const e of events) {
      const key = `${slot.file!.id}/${e.ruleId}`;
      this.stats.ruleHits.set(key, (this.stats.ruleHits.get(key) ?? 0) + 1);
    }
    // What an order keeps of the facts is a plain copy (the live object is reused next tick).
    const trades = events.some((e) => e.type === 'order' && String(e.params.amountIn ?? '0') !== '0');
    return this.handleEvents(slot, active, ctx, trades && live ? live.snapshot() : facts, events, 0, []);
  }

  /** From event `from` on: a signal goes to the planner, an order event with something to trade becomes orders. */
  private handleEvents(slot: StrategySlot, active: ActiveConfig, ctx: TickContext, facts: Readonly<Record<string, unknown>>, events: FiredEvent[], from: number, orders: Order[]): Decision | Promise<Decision | undefined> | undefined {
    const { name, planner, evaluator } = slot;
    for (let i = from; i < events.length; i++) {
      const event = events[i]!;
      if (event.type !== 'order') {
        this.stats.signals.set(`${name}/${event.ruleId}`, (this.stats.signals.get(`${name}/${event.ruleId}`) ?? 0) + 1);
        planner!.onSignal(event, ctx);
        continue;
      }
      if (String(event.params.amountIn ?? '0') === '0') continue; // nothing to trade
      const outcome = evaluator!.explainRule(facts, event.ruleId);
      if (isPromise(outcome)) {
        return outcome.then((o) => {
          this.buildInto(orders, slot, active, facts, event, o!);
          return this.handleEvents(slot, active, ctx, facts, events, i + 1, orders);
        });
      }
      this.buildInto(orders, slot, active, facts, event, outcome!);
    }
    return orders.length ? { slot, ctx, orders } : undefined;
  }

  private buildInto(orders: Order[], slot: StrategySlot, active: ActiveConfig, facts: Readonly<Record<string, unknown>>, event: FiredEvent, outcome: RuleOutcome): void {
    const cfg = active.strategies;
    try {
      orders.push(
        ...buildOrders(event, {
          strategy: slot.name,
          ruleFile: slot.file!.id,
          ruleSetHash: active.ruleSet.hash,
          base: cfg.market.base,
          quote: cfg.market.quote,
          priceUsd: this.priceOf,
          now: this.now,
          facts,
          explanation: { ruleId: event.ruleId, ruleSetHash: active.ruleSet.hash, conditions: outcome.conditions },
        }),
      );
    } catch (err) {
      this.stats.errors += 1;
      this.log.error({ err, strategy: slot.name, rule: event.ruleId }, 'could not build the order a rule decided');
    }
  }

  /**
   * Hands a strategy's orders to its planner and publishes them to the coordinator; a partitioned
   * planner stages them with the state that counts them as sent, for the outbox lane (serialUnit).
   */
  private async publish(d: Decision): Promise<void> {
    const { slot, ctx, orders } = d;
    const name = slot.name;
    const mark = this.opts.marketSync?.mark();
    if (mark) {
      for (const order of orders) {
        order.marketSlot = mark.slot;
        if (mark.digest !== undefined) order.marketDigest = mark.digest;
      }
    }
    slot.planner!.onOrders(orders, ctx);
    // Shared planners: the state that counts these orders as sent is stored before they are
    // published, with the orders in its outbox in the same write, so a planner taking the strategy
    // over starts from that state and publishes whatever this one did not (republishOutbox). The
    // snapshot is a copy taken now: later ticks' orders are not in it.
    if (this.outbox) this.staged.push({ strategy: name, state: slot.planner!.snapshot(), orders });
    for (const order of orders) {
      this.bump(name, order.rule, 'decided');
      metrics.orders.decided.inc({ strategy: name, side: order.side });
      metrics.strategy.opportunities.inc({ strategy: name });
      const solUsd = this.priceUsd(NATIVE_MINT);
      if (order.expectedProfitLamports !== undefined && solUsd !== undefined) metrics.strategy.expectedProfit.observe({ strategy: name }, (Number(order.expectedProfitLamports) / 1e9) * solUsd);
      if (!this.outbox) await this.sendOrder(order);
    }
  }

  /** Publishes one order to the coordinator (msgId: its id), in a context carrying its id. */
  private sendOrder(order: Order): Promise<void> {
    // No closure on the way without a context (each one is named at run time under tsx: a backtest's hot path).
    if (this.opts.orderLogContext === false && !tracingEnabled()) return this.opts.bus.publish(opportunitySubject(order.strategy), orderToJson(order), { msgId: order.id });
    return opportunity({ 'solrules.strategy': order.strategy, 'solrules.rule': order.rule, 'solrules.order_id': order.id }, () => this.opts.bus.publish(opportunitySubject(order.strategy), orderToJson(order), { msgId: order.id }));
  }

  /** Resolves once every decision and state handed to the outbox lane is stored and published, and the published rows removed (stop; tests). */
  async flushOutbox(): Promise<void> {
    await this.outbox?.flush();
  }

  /**
   * Publishes again the orders a strategy's outbox still holds (its previous owner stored them with
   * its state and stopped before it saw them published), then clears them. Safe when they did go
   * out: their ids are deterministic, so a copy dies at the bus msgId or at the coordinator's insertOrder.
   */
  private async republishOutbox(name: string): Promise<number> {
    const orders = await this.opts.store.listOutbox(name);
    if (orders.length === 0) return 0;
    for (const order of orders) {
      metrics.orders.republished.inc({ strategy: name });
      await this.opts.bus.publish(opportunitySubject(name), orderToJson(order), { msgId: order.id });
    }
    await this.opts.store.clearOutbox(name, orders.map((o) => o.id));
    this.log.warn({ strategy: name, orders: orders.length }, 'published again the orders a previous owner of the strategy stored and may not have published (duplicates are dropped by id)');
    return orders.length;
  }

  /** An enabled strategy without a planner never trades: say so, once, rather than skip it quietly. */
  private warnUnplanned(name: string): void {
    if (this.warnedUnplanned.has(name)) return;
    this.warnedUnplanned.add(name);
    const why = this.opts.unplanned?.get(name) ?? 'it was added or enabled after the engine started; new strategies start on a restart';
    metrics.strategy.unplanned.inc({ strategy: name });
    this.log.warn({ strategy: name, reason: why }, `strategy '${name}' is enabled but has no planner in this run, so its rules are not evaluated: ${why}`);
  }

  /** The `ai` fact producer (undefined when no enabled strategy declares `ai:`). */
  get ai(): AiFactProducer | undefined {
    return this.opts.ai;
  }

  /** The AI producer with its recorders and warnings (undefined when no enabled strategy declares `ai:`). */
  get aiRuntime(): EngineAi | undefined {
    return this.opts.aiRuntime;
  }

  /** Saves strategy state and stops subscriptions. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.opts.ai?.settle(5_000);
    this.flushEvaluationMetrics();
    this.reportStrategies(true);
    if (this.outbox) {
      // The tick being evaluated (if any) finishes first; then every owned state in one write, and
      // before the coordinator and the bus go, the last orders published and their rows removed.
      await this.ticking;
      await this.outbox.submit([...this.planners].filter(([name]) => this.owns(name)).map(([name, planner]) => ({ strategy: name, state: planner.snapshot(), orders: [] })));
      await this.outbox.flush();
    } else for (const [name, planner] of this.planners) if (this.owns(name)) await this.stateWrites.save(name, planner.snapshot());
    await this.stateWrites.settled();
    await this.coordinator.stop();
    await this.worker.stop();
    for (const s of this.subs) await s.unsubscribe();
  }

  /** The engine's state now (call between settled ticks); see EngineCheckpoint. */
  checkpoint(): EngineCheckpoint {
    const st = this.stats;
    return {
      planners: Object.fromEntries([...this.planners].map(([name, p]) => [name, p.snapshot()])),
      portfolio: this.portfolio.toJSON(),
      stats: { ticks: st.ticks, evaluations: st.evaluations, errors: st.errors, orders: [...st.orders].map(([k, v]) => [k, { ...v }]), routes: [...st.routes], signals: [...st.signals], ruleHits: [...st.ruleHits] },
      recent: [...this.recent],
      ...(this.lastPrice ? { lastPrice: this.lastPrice } : {}),
      ...(this.opts.dailyLoss ? { dailyLoss: this.opts.dailyLoss.toJSON() } : {}),
    };
  }

  /**
   * Restores what a checkpoint holds beyond planner state and balances (those the store gives
   * `composeEngine`): counters, price window, clock and daily-loss baseline.
   */
  restoreRuntime(cp: EngineCheckpoint): void {
    const st = this.stats;
    st.ticks = cp.stats.ticks;
    st.evaluations = cp.stats.evaluations;
    st.errors = cp.stats.errors;
    for (const [k, v] of cp.stats.orders) st.orders.set(k, { ...v });
    for (const [k, v] of cp.stats.routes) st.routes.set(k, v);
    for (const [k, v] of cp.stats.signals) st.signals.set(k, v);
    for (const [k, v] of cp.stats.ruleHits) st.ruleHits.set(k, v);
    this.recent.splice(0, this.recent.length, ...cp.recent);
    if (cp.lastPrice) {
      this.clock.lastPrice = cp.lastPrice;
      this.clock.now = new Date(cp.lastPrice.time);
    }
    if (cp.dailyLoss !== undefined) this.opts.dailyLoss?.restore(cp.dailyLoss);
  }

  /** Last price seen. */
  get price(): PriceEvent | undefined {
    return this.lastPrice;
  }
}

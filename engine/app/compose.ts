/**
 * The one place the pipeline is wired: config and the registries in, a running engine out.
 * `composeEngine` builds the planners (strategy kinds), the executors (executor kinds), the
 * coordinator and the executor worker around one clock; `run`, the tests and (with a chain fact
 * source) the live demo call it. Nothing else builds these parts by hand.
 */
import type { Bus } from '../infra/bus/index.ts';
import type { ConfigHolder, StrategiesConfig } from '../config/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { Coordinator } from '../coordinator/index.ts';
import { EXECUTOR_KINDS, ExecutorWorker, executorKind, Portfolio, PoolStateQuoter, QuoteAccuracy, type Executor, type GroupOptions, type LiveContext, type MarketView } from '../executors/index.ts';
import type { RunMode } from '../facts/index.ts';
import type { TokenInfo } from '../orders/index.ts';
import type { PoolProvider } from '../quotes/index.ts';
import type { Store } from '../infra/store/index.ts';
import { ArbitragePaperExecutor, strategyKind, withRoundTrips, type Planner } from '../strategies/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import { NATIVE_MINT } from '../venues/index.ts';
import { EngineClock, TradingEngine, type EngineParts, type EngineRole, type MarketSync } from './engine.ts';
import { buildEngineAi, type AiEngineOptions } from './ai.ts';
import { systemClock } from '../ai/index.ts';
import type { Partition } from '../cluster/index.ts';
import { FactWatch, unproducedReads } from './facts-watch.ts';
import type { ControlFact } from '../control/index.ts';
import { SendQueue, serialized } from './serial.ts';

export interface EngineOptions {
  holder: ConfigHolder;
  bus: Bus;
  store: Store;
  log?: Logger;
  /** Control state (kill switch, pause); defaults to off. */
  control?: () => ControlFact;
  /** Recent prices kept for the price fact's window. */
  priceWindow?: number;
  /** Live pool state (the scanners' market state): enables strategy kinds that need it (arbitrage) and paper round trips on it. */
  market?: PoolProvider;
  /**
   * Paper balances (atoms per mint) to start from instead of strategies.yaml's: a run continuing a
   * stored one; or a Portfolio several engines share (a multi-market backtest's one cash).
   */
  portfolio?: Record<string, string> | Portfolio;
  /** Several engines on one bus: claim each order through a shared cache so it runs once. */
  group?: GroupOptions;
  /** Warns when a fact rules read stays absent (default: one that knows what this mode cannot produce). */
  factWatch?: FactWatch;
  /** A --live run's chain context: live executor kinds (rpc, jito) are built and routes to them send. */
  live?: LiveContext;
  /**
   * The price and time paper fills execute at, instead of the engine clock's last price: a
   * backtest's fill model (decision at a bar's close, fill at the next bar's open).
   */
  fills?: MarketView;
  /** How strategies declaring `ai:` get answers (run: the configured model; backtest: recordings). Absent: their ai fact stays missing. */
  ai?: AiEngineOptions;
  /** A backtest's probe of decisions with and without the AI (engine.ts observeAiDecision). */
  observeAiDecision?: EngineParts['observeAiDecision'];
  /**
   * Save each strategy's state to the store after every result of its orders (default true: a
   * killed run continues from it). A backtest's store is private and dropped at the end, and a
   * backtest always starts afresh, so it saves only at stop: a signal strategy's state holds all
   * its trades, and saving it after every fill made a long backtest quadratic.
   */
  saveStateAfterEachResult?: boolean;
  /** What this process runs (`--role`); default plan and execute. */
  role?: EngineRole;
  /** Planner processes sharing strategies: this one's share. */
  partition?: Partition;
  /** A split run's market copy (planners stamp orders with how new its pool states are; executors wait for that before a paper fill). */
  marketSync?: MarketSync;
  /** Per-evaluation metrics summed and added in batches (a backtest: one evaluation per bar, as fast as it goes). */
  batchEvaluationMetrics?: boolean;
  /** Orders published in a context carrying their id for log lines (default true; EngineParts.orderLogContext). */
  orderLogContext?: boolean;
}

function tokenMap(cfg: StrategiesConfig): Map<string, TokenInfo> {
  return new Map([cfg.market.base, cfg.market.quote].map((t) => [t.mint, t]));
}

/**
 * One planner per strategy of a registered kind that can trade in this run. An enabled strategy
 * that cannot (its kind needs pool state a replay lacks) stops the start with a typed error; a
 * disabled one is left out and remembered with why, so enabling it later is warned about.
 */
export function buildPlanners(cfg: StrategiesConfig, mode: RunMode, pools?: PoolProvider): { planners: Map<string, Planner>; unplanned: Map<string, string> } {
  const planners = new Map<string, Planner>();
  const unplanned = new Map<string, string>();
  const market = { base: cfg.market.base, quote: cfg.market.quote };
  for (const [name, strategy] of Object.entries(cfg.strategies)) {
    const kind = strategyKind(strategy.kind);
    if (!kind) throw new SolrulesError('STRATEGIES_UNKNOWN_KIND', `strategy '${name}' has kind '${strategy.kind}', which no registered planner implements`, { strategy: name, kind: strategy.kind });
    if (!kind.modes.includes(mode) || (kind.modes.every((m) => m === 'chain') && !pools)) {
      const why = `its kind '${kind.kind}' trades only in ${kind.modes.join('/')} runs (it needs live pool state); this is a ${mode} run`;
      if (strategy.enabled) throw new SolrulesError('STRATEGIES_KIND_NOT_IN_MODE', `strategy '${name}' is enabled but ${why}; disable it or run it on a chain`, { strategy: name, kind: kind.kind, mode });
      unplanned.set(name, why);
      continue;
    }
    if (strategy.market && (strategy.market.base.mint !== market.base.mint || strategy.market.quote.mint !== market.quote.mint)) {
      // The engine's price feed and portfolio follow the top-level market; a backtest feeds each strategy its own.
      unplanned.set(name, `it trades ${strategy.market.base.symbol}/${strategy.market.quote.symbol} (its market:), and this engine runs ${market.base.symbol}/${market.quote.symbol} only; run it with the backtest command`);
      continue;
    }
    planners.set(name, kind.createPlanner({ name, market, strategy, ...(pools ? { pools } : {}) }));
  }
  return { planners, unplanned };
}

/** Builds the engine of one process: planners, paper portfolio, executors, coordinator and worker around one clock. */
export async function composeEngine(opts: EngineOptions): Promise<TradingEngine> {
  const log = opts.log ?? logger().child({ component: 'engine' });
  const cfg = opts.holder.current.strategies;
  const mode: RunMode = opts.market ? 'chain' : 'replay';
  const clock = new EngineClock(() => opts.holder.current.strategies);
  const start = cfg.paper?.startingBalances ?? {};
  const portfolio = opts.portfolio instanceof Portfolio
    ? opts.portfolio
    : opts.portfolio
    ? Portfolio.fromJSON(opts.portfolio)
    : new Portfolio({ [cfg.market.base.mint]: BigInt(start.base ?? '0'), [cfg.market.quote.mint]: BigInt(start.quote ?? '0') });
  const { planners, unplanned } = buildPlanners(cfg, mode, opts.market);
  // The ai fact: only when an enabled strategy declares `ai:` (nothing AI runs per tick otherwise).
  const ai = buildEngineAi(cfg, opts.ai ?? { mode: 'none', baseDir: '.' }, { now: () => clock.now.getTime(), sleep: systemClock.sleep }, (n) => planners.has(n));
  for (const w of ai?.warnings ?? []) log.warn({ component: 'ai' }, w);
  const dailyLoss = new DailyLoss();
  const factWatch = opts.factWatch ?? new FactWatch(log, new Set(unproducedReads(opts.holder.current, mode).map((r) => `${r.file}:${r.fact}`)));

  // Executors from the registry. Without --live nothing is sent: every route, live ones included,
  // executes on the paper executor and is recorded as routed (the summary says so).
  const view: MarketView = opts.fills ?? { priceUsd: (mint: string) => clock.priceUsd(mint), now: () => clock.now };
  // On a chain, paper fills are the venues' exact quote on the current pool state.
  const market = opts.market;
  const quoter = market ? new PoolStateQuoter({ statesFor: async (a, b) => market.poolsFor(a, b).map((e) => e.state) }) : undefined;
  // Fee and slippage are read at fill time, so a reload of paper.feeBps / paper.slippageBps applies to the next fill.
  const paperConfig = {
    get feeBps() {
      return opts.holder.current.strategies.paper?.feeBps ?? 25;
    },
    get slippageBps() {
      return opts.holder.current.strategies.paper?.slippageBps ?? 10;
    },
  };
  const paperContext = { config: paperConfig, tokens: tokenMap(cfg), portfolio, market: view, ...(quoter ? { quoter } : {}) };
  const executors = new Map<string, Executor>();
  const sends = new SendQueue();
  for (const [name, entry] of Object.entries(cfg.executors)) {
    const kind = executorKind(entry.type);
    if (!kind) throw new SolrulesError('EXEC_BAD_CONFIG', `executors.${name}: no executor kind '${entry.type}' is registered (${EXECUTOR_KINDS.map((k) => k.type).join(', ')})`, { field: `executors.${name}.type`, value: entry.type });
    if (!kind.live) executors.set(name, await kind.create(name, entry, { paper: paperContext }));
    else if (opts.live) executors.set(name, serialized(await kind.create(name, entry, { live: { solUsd: () => clock.priceUsd(NATIVE_MINT), ...opts.live } }), sends));
  }
  const spot = [...executors.values()].find((e) => e.kind === 'paper') ?? (await executorKind('paper')!.create('paper', { type: 'paper' }, { paper: paperContext }));
  // Round trips fill against the live pool state, re-quoted exactly at execution.
  const both = opts.market ? withRoundTrips(spot, new ArbitragePaperExecutor({ market: opts.market, portfolio, now: () => clock.now })) : spot;
  // An executor process follows the other executors' fills (engine.ts): it must know which ones it made itself.
  const filledHere = opts.role && !opts.role.plan ? new Set<string>() : undefined;
  const paper = filledHere ? recordingFills(both, filledHere, opts.marketSync, log) : both;

  // A planner process sends nothing: its quoteAccuracy fact follows the reconciliations the executors publish with their live fills.
  const followedAccuracy = opts.role?.plan && !opts.role.execute && !opts.live?.accuracy ? new QuoteAccuracy() : undefined;
  const accuracy = opts.live?.accuracy ?? followedAccuracy;
  const coordinator = new Coordinator({
    bus: opts.bus,
    store: opts.store,
    ruleSet: () => opts.holder.current.ruleSet,
    control: opts.control ?? (() => ({ killSwitch: false, paused: false })),
    exposureUsd: (strategy) => planners.get(strategy)?.exposureUsd(clock.lastPrice?.usd ?? 0) ?? 0,
    dailyLossUsd: () => dailyLoss.lossUsd(clock.now, [...planners.values()], clock.lastPrice?.usd ?? 0),
    solUsd: () => clock.priceUsd(NATIVE_MINT),
    now: () => clock.now,
    log: log.child({ component: 'coordinator' }),
    factWatch,
    // --live (or a planner process following the executors): realized vs expected of every confirmation is the quoteAccuracy fact risk and routing rules read.
    ...(accuracy ? { quoteAccuracy: () => accuracy.fact() } : {}),
    // --live with a tip floor: the competition's tips and our landing history are the tip fact.
    ...(opts.live?.tips ? { tip: () => (opts.live!.tips!.floor.current() ? opts.live!.tips!.fact() : undefined) } : {}),
    ...(opts.batchEvaluationMetrics ? { batchEvaluationMetrics: true } : {}),
  });
  const worker = new ExecutorWorker({
    bus: opts.bus,
    store: opts.store,
    // paper run: a route to a live executor is executed on paper (recorded as routed to it);
    // --live: each route runs on the executor it names.
    executorFor: (route) => (opts.live ? executors.get(route.executor) : paper),
    now: () => clock.now,
    log: log.child({ component: 'executor' }),
    // --live: every attempt is journaled before it is sent; retries continue its numbering and a
    // restart resumes what the journal holds (recoverLiveOrders), checked on chain, never resent blindly.
    ...(opts.live ? { journal: opts.live.journal } : {}),
    ...(opts.group ? { group: opts.group } : {}),
  });
  return new TradingEngine({ holder: opts.holder, bus: opts.bus, store: opts.store, log, clock, portfolio, planners, coordinator, worker, unplanned, factWatch, dailyLoss, ...(opts.priceWindow !== undefined ? { priceWindow: opts.priceWindow } : {}), ...(ai ? { ai: ai.producer, aiRuntime: ai } : {}), ...(opts.observeAiDecision ? { observeAiDecision: opts.observeAiDecision } : {}), ...(opts.saveStateAfterEachResult !== undefined ? { saveStateAfterEachResult: opts.saveStateAfterEachResult } : {}), ...(opts.role ? { role: opts.role } : {}), ...(opts.partition ? { partition: opts.partition } : {}), ...(filledHere ? { filledHere } : {}), ...(followedAccuracy ? { followedAccuracy } : {}), ...(opts.marketSync ? { marketSync: opts.marketSync } : {}), ...(opts.batchEvaluationMetrics ? { batchEvaluationMetrics: true } : {}), ...(opts.orderLogContext === false ? { orderLogContext: false } : {}) });
}

/** How long an executor process waits for its market copy to reach a decision's pool states before a paper fill. */
const MARKET_SYNC_WAIT_MS = 5_000;

/**
 * `executor` in an executor process: a paper fill waits until this process's pool states are the
 * decision's (`Order.marketSlot` and `marketDigest`), and the orders it fills are noted into `filled`.
 */
function recordingFills(executor: Executor, filled: Set<string>, sync: MarketSync | undefined, log: Logger): Executor {
  return {
    name: executor.name,
    kind: executor.kind,
    async execute(routed, ...rest) {
      const { marketSlot: slot, marketDigest: digest } = routed.order;
      if (sync && slot !== undefined && !(await sync.holds({ slot, ...(digest !== undefined ? { digest } : {}) }, MARKET_SYNC_WAIT_MS))) {
        log.warn({ order: routed.order.id, slot, held: sync.stateSlot() }, `this process's pool states have not reached the decision's within ${MARKET_SYNC_WAIT_MS} ms; filling on the state it holds`);
      }
      const report = await executor.execute(routed, ...rest);
      if (report.status === 'filled') filled.add(routed.order.id);
      return report;
    },
    close: () => executor.close(),
  };
}

/**
 * Realized loss since the start of the current UTC day (engine time), across strategies: the
 * `risk.dailyLossUsd` fact. Positive when the day's realized P&L is negative, else 0.
 */
export class DailyLoss {
  private day = '';
  /** The UTC day number `day` was last checked at (the date text is built only when it changes). */
  private checkedDay = NaN;
  private realizedAtDayStart = 0;

  lossUsd(now: Date, planners: readonly Planner[], priceUsd: number): number {
    const realized = planners.reduce((a, p) => a + p.pnl(priceUsd, 1).realizedUsd, 0);
    const dayNumber = Math.floor(now.getTime() / 86_400_000);
    if (dayNumber !== this.checkedDay) {
      this.checkedDay = dayNumber;
      const day = now.toISOString().slice(0, 10);
      if (day !== this.day) {
        this.day = day;
        this.realizedAtDayStart = realized;
      }
    }
    return Math.max(0, this.realizedAtDayStart - realized);
  }

  toJSON(): { day: string; realizedAtDayStart: number } {
    return { day: this.day, realizedAtDayStart: this.realizedAtDayStart };
  }

  restore(state: unknown): void {
    const s = state as { day?: unknown; realizedAtDayStart?: unknown };
    if (typeof s?.day === 'string' && typeof s.realizedAtDayStart === 'number') {
      this.day = s.day;
      this.checkedDay = NaN;
      this.realizedAtDayStart = s.realizedAtDayStart;
    }
  }
}

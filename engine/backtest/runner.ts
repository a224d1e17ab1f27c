/**
 * The backtest runner: bars through the same engine paper and live trading run (composeEngine:
 * planners, compiled strategy rules, risk and routing rules in the coordinator, the executor
 * worker, the paper executor) on the in-process bus and an in-memory store. Several strategies
 * and markets run in one portfolio: one engine per traded market (the engine follows one pair),
 * all sharing one paper Portfolio (one quote currency: the cash every strategy spends), stepped
 * on one clock (./clock.ts: the markets' bars merged in time order). At each step every traded
 * market with a bar publishes it at its close (one evaluation per strategy per bar), carrying the
 * bars of the markets its strategies' indicators read (`otherBars`); the fill model decides the
 * price and time the paper executor fills at. Out: a BacktestResult for the report, every order's
 * outcome (for diffs) and the engine's counters.
 */
import type { ActiveConfig, StrategiesConfig, TokenConfig } from '../config/index.ts';
import { ConfigHolder } from '../config/index.ts';
import { composeEngine, type AiEngineOptions, type PriceEvent, type TradingEngine } from '../app/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { Portfolio } from '../executors/index.ts';
import { SUBJECTS, reportFromJson, type ExecutionReportJson } from '../messages/index.ts';
import { MemoryBus } from '../infra/bus/index.ts';
import { MemoryStore } from '../infra/store/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import { formatTimeframe, type CandleSeries } from '../market/index.ts';
import type { OrderJson } from '../orders/index.ts';
import type { PriceBar } from '../strategies/index.ts';
import { describeMisalignment, mergeClock, misalignments, type MergedClock, type Misalignment } from './clock.ts';
import { chosenStrategies, indicatorMarkets, marketIdOf, type BacktestMarkets } from './data.ts';
import { describeFillModel, fillReference, type FillModelConfig } from './fill-model.ts';
import { baseToQuoteAtoms, StrategyLedger } from './ledger.ts';
import type { AiSection, BacktestResult, IndicatorSeries, MarketData, StrategyResult } from './report/index.ts';
import { AI_DECISION_METHOD, AiDecisionProbe } from './ai-decisions.ts';
import { evaluatorFactory, type EvaluatorKind } from '../rules/index.ts';
import { dirname, relative } from 'node:path';

export interface BacktestOptions {
  /** The validated config (rule set, strategies.yaml) to run. */
  active: ActiveConfig;
  /** Bars of the top-level market, in time order: a run whose strategies trade it and read no other market. */
  series?: CandleSeries;
  /** Every market's bars and which strategy trades / reads which (loadBacktestMarkets); replaces `series`. */
  markets?: BacktestMarkets;
  /** Strategies to run (default: the enabled ones, or those `markets` was loaded for). Named ones run even when disabled in strategies.yaml. */
  strategies?: readonly string[];
  fill: FillModelConfig;
  /** Data files the bars came from (report metadata). */
  dataFiles?: Array<{ path: string; sha256?: string; rows?: number }>;
  title?: string;
  log?: Logger;
  /** Called every `progressEvery` steps of the clock and at the end, with the step's bar open time. */
  onProgress?: (done: number, total: number, equityUsd: number, timeMs: number) => void;
  progressEvery?: number;
  /** Report generation time (default now); fixed in tests for byte-identical output. */
  generatedAt?: string;
  /** Model whose recorded answers to replay (default: the one model the recordings hold). */
  aiModel?: string;
  /**
   * Where AI answers come from (default: replay of recordings, never a network call). Only the
   * recording script (scripts/record-ai-example.ts) passes a live client, at a loopback server.
   */
  ai?: AiEngineOptions;
}

/** One order's outcome: what a diff compares. */
export interface OrderOutcome {
  id: string;
  strategy: string;
  rule: string;
  side: string;
  /** Decision time (the deciding bar's close), epoch ms. */
  decidedAtMs: number;
  amountIn: string;
  status: string;
  reason?: string;
  fillTimeMs?: number;
  fillPrice?: number;
  amountOut?: string;
}

export interface BacktestRun {
  result: BacktestResult;
  orders: OrderOutcome[];
  /** `bars`: bars evaluated, all markets together; `steps`: steps of the merged clock (= bars with one market). */
  stats: { bars: number; steps: number; evaluations: number; decided: number; filled: number; failed: number; errors: number; elapsedMs: number };
  /** Strategies run. */
  strategies: string[];
  /** Steps where a strategy's market had a bar and a market it reads had none (reported, not filled). */
  misalignments: Misalignment[];
}

/** One traded market of the run: its engine (one pair each) and what its bars feed. */
interface MarketRun {
  id: string;
  base: TokenConfig;
  quote: TokenConfig;
  series: CandleSeries;
  /** Bar index at each clock step (-1: no bar). */
  index: Int32Array;
  strategies: string[];
  /** Market NAMEs its strategies' indicators read → their bar index per step and series. */
  feeds: Array<{ name: string; series: CandleSeries; index: Int32Array }>;
  engine: TradingEngine;
  bus: MemoryBus;
  store: MemoryStore;
  /**
   * The bar being evaluated: the paper executor reads the fill model's reference for it (price and
   * time) when it fills, and only then (no reference object per bar).
   */
  bar: number;
  /** Close of the last bar seen (valuation between this market's bars). */
  lastClose: number | undefined;
}

/** What the runner reads of the loaded markets: their bars and who trades / reads which. */
type MarketPlan = Omit<BacktestMarkets, 'markets'> & { markets: ReadonlyMap<string, { series: CandleSeries }> };

/** The plan when the caller gives one series: the top-level market (a strategy trading another is refused). */
function singleMarket(cfg: StrategiesConfig, series: CandleSeries, names: string[]): MarketPlan {
  const id = marketIdOf(cfg.market);
  const traded: BacktestMarkets['traded'] = {};
  for (const n of names) {
    const s = cfg.strategies[n]!;
    if (s.market && marketIdOf(s.market) !== id) throw new SolrulesError('BACKTEST_UNKNOWN_MARKET', `strategy '${n}' trades ${marketIdOf(s.market)}, and the bars given are of ${id}; load its market's bars (loadBacktestMarkets)`, { field: 'strategy', value: n });
    // Its indicators on other markets would never be fed (never ready): refuse rather than run it blind.
    const reads = indicatorMarkets(s.indicators);
    if (reads.length) throw new SolrulesError('BACKTEST_NO_MARKET_DATA', `strategy '${n}' reads market(s) ${reads.join(', ')} (indicators' market:), and only ${id}'s bars were given; load every market (loadBacktestMarkets)`, { field: 'strategy', value: n });
    traded[n] = { id, base: cfg.market.base, quote: cfg.market.quote };
  }
  return { strategies: names, markets: new Map([[id, { series }]]), traded, reads: Object.fromEntries(names.map((n) => [n, {}])) };
}

/** The config one market's engine runs: that pair as its market, only its strategies enabled, the fill model's fee and slippage. */
function marketConfig(active: ActiveConfig, run: { base: TokenConfig; quote: TokenConfig; strategies: string[] }, fill: FillModelConfig): ActiveConfig {
  const cfg = active.strategies;
  const strategies = Object.fromEntries(Object.entries(cfg.strategies).map(([n, s]) => [n, { ...s, enabled: run.strategies.includes(n) }]));
  const paper = { ...cfg.paper, feeBps: fill.feeBps, slippageBps: fill.slippageBps };
  return { ...active, strategies: { ...cfg, market: { base: run.base, quote: run.quote }, paper, strategies } };
}

/** Runs the backtest; deterministic for the same config, bars and fill model. */
export async function runBacktest(opts: BacktestOptions): Promise<BacktestRun> {
  const started = performance.now();
  const cfg = opts.active.strategies;
  const plan: MarketPlan = opts.markets ?? singleMarket(cfg, opts.series ?? failNoBars(), chosenStrategies(cfg, opts.strategies));
  const names = opts.strategies?.length ? chosenStrategies(cfg, opts.strategies) : plan.strategies;
  for (const n of names) if (!plan.traded[n]) throw new SolrulesError('BACKTEST_UNKNOWN_STRATEGY', `strategy '${n}' was not part of the markets loaded (${plan.strategies.join(', ')})`, { field: 'strategy', value: n });
  const quote = cfg.market.quote;
  // One portfolio, one cash: every strategy spends and is valued in strategies.yaml's quote token.
  for (const n of names) {
    const q = plan.traded[n]!.quote;
    if (q.mint !== quote.mint) throw new SolrulesError('BACKTEST_QUOTE_MISMATCH', `strategy '${n}' trades ${plan.traded[n]!.id}, quoted in ${q.symbol} (${q.mint}); the backtest's one portfolio holds its cash in ${quote.symbol} (strategies.yaml market.quote) and has no price between the two — run it separately, or quote it in ${quote.symbol}`, { field: `strategies.${n}.market.quote`, value: q.mint });
  }
  const marketIds = [...new Set(names.map((n) => plan.traded[n]!.id))];
  for (const id of marketIds) if (plan.markets.get(id)!.series.length === 0) failNoBars();
  const series = new Map([...plan.markets].map(([id, m]) => [id, m.series]));
  const clock: MergedClock = mergeClock(series, marketIds);
  const steps = clock.times.length;
  const interval = clock.intervalMs;
  const reads = names.flatMap((n) => Object.values(plan.reads[n] ?? {}).map((r) => ({ strategy: n, traded: plan.traded[n]!.id, reads: r })));
  const gaps = misalignments(clock, reads);
  const log = opts.log ?? logger().child({ component: 'backtest' });
  // Strategies declaring ai: get answers from recordings only: a backtest never calls a model.
  // A field, not a captured `let` (a number written to a closure's variable is a new heap number each bar).
  const decision = { ms: 0 };
  const probe = new AiDecisionProbe(evaluatorFactory(opts.active.ruleSet.evaluatorKind as EvaluatorKind), opts.active.ruleSet.params);
  const strategiesFile = opts.active.project.strategies?.src.file;
  const aiOptions: AiEngineOptions = opts.ai ?? { mode: 'replay', baseDir: strategiesFile ? dirname(strategiesFile) : process.cwd(), env: opts.aiModel ? { SOLRULES_AI_MODEL: opts.aiModel } : {} };

  // The shared paper balances: strategies.yaml's starting base is the top-level market's base.
  const start = cfg.paper?.startingBalances ?? {};
  const portfolio = new Portfolio({ [cfg.market.base.mint]: BigInt(start.base ?? '0'), [quote.mint]: BigInt(start.quote ?? '0') });
  const ledgers = new Map(names.map((s) => [s, new StrategyLedger(s, plan.traded[s]!.id, { base: plan.traded[s]!.base.decimals, quote: quote.decimals })]));
  const orders: OrderOutcome[] = [];
  let filled = 0;
  let failed = 0;
  const runs: MarketRun[] = [];
  for (const id of marketIds) {
    const strategies = names.filter((n) => plan.traded[n]!.id === id);
    const { base } = plan.traded[strategies[0]!]!;
    const feedNames = [...new Set(strategies.flatMap((n) => Object.keys(plan.reads[n] ?? {})))];
    const feeds = feedNames.map((name) => {
      const readId = plan.reads[strategies.find((n) => plan.reads[n]?.[name])!]![name]!;
      return { name, series: series.get(readId)!, index: clock.index.get(readId)! };
    });
    const run = { id, base, quote, series: series.get(id)!, index: clock.index.get(id)!, strategies, feeds, bar: 0, lastClose: undefined } as Omit<MarketRun, 'engine' | 'bus' | 'store'> & Partial<MarketRun>;
    // The fill model reaches the paper executor through its market view: price and time of the fill.
    const fills = {
      priceUsd: (mint: string) => (mint === quote.mint ? 1 : mint === base.mint ? fillReference(opts.fill, run.series, run.bar, interval)?.priceUsd : undefined),
      now: () => new Date(fillReference(opts.fill, run.series, run.bar, interval)?.timeMs ?? run.series.time[run.bar]! + interval),
    };
    // One process, private to this run: handlers get the published objects (no JSON copies) and
    // start within the publish (no microtask hop per delivery), and the store keeps the objects it
    // is given (no structured clones); nothing on this path mutates them.
    run.bus = new MemoryBus({ sharePayloads: true, immediate: true });
    run.store = new MemoryStore({ copies: false });
    run.engine = await composeEngine({
      holder: new ConfigHolder(marketConfig(opts.active, { base, quote, strategies }, opts.fill)),
      bus: run.bus,
      store: run.store,
      log,
      fills,
      portfolio,
      ai: aiOptions,
      observeAiDecision: (strategy, file, facts, events) => probe.observe(strategy, file, facts, events, decision.ms),
      saveStateAfterEachResult: false,
      batchEvaluationMetrics: true,
      orderLogContext: false,
    });
    runs.push(run as MarketRun);
  }

  type Result = { order: OrderJson; report: ExecutionReportJson };
  const onResult = (r: MarketRun, data: Result) => {
    // The order's JSON form is enough here (the engine's own handler decodes and checks it).
    const order = data.order;
    const report = reportFromJson(data.report);
    const outcome: OrderOutcome = { id: order.id, strategy: order.strategy, rule: order.rule, side: order.side, decidedAtMs: Date.parse(order.createdAt), amountIn: order.amountIn, status: report.status, ...(report.reason ? { reason: report.reason } : {}) };
    orders.push(outcome);
    if (report.status !== 'filled' || report.fillPriceUsd === undefined) {
      failed += 1;
      return;
    }
    filled += 1;
    const at = { timeMs: Date.parse(report.at), barIndex: opts.fill.fillAt === 'close' ? r.bar : r.bar + 1 };
    outcome.fillTimeMs = at.timeMs;
    outcome.fillPrice = report.fillPriceUsd;
    outcome.amountOut = report.amountOut.toString();
    const ledger = ledgers.get(order.strategy);
    const reason = typeof order.params.exit === 'string' ? order.params.exit : order.rule;
    if (order.side === 'buy') ledger?.buy(at, report.fillPriceUsd, report.amountIn, report.feeAtoms, report.amountOut, order.id, reason);
    else if (order.side === 'sell') ledger?.sell(at, report.fillPriceUsd, report.amountIn, report.feeAtoms, report.amountOut, order.id, reason);
  };
  for (const r of runs) {
    await r.bus.subscribe<Result>(SUBJECTS.confirmed, (m) => onResult(r, m.data));
    await r.bus.subscribe<Result>(SUBJECTS.failed, (m) => onResult(r, m.data));
    await r.engine.start();
  }

  // Equity: quote balance plus every traded base at its market's last close, exact in quote atoms.
  const toQuote = (r: MarketRun, baseAtoms: bigint, price: number) => baseToQuoteAtoms(baseAtoms, price, r.base.decimals, quote.decimals);
  const topRun = runs.find((r) => r.base.mint === cfg.market.base.mint);
  const startBase = portfolio.balance(cfg.market.base.mint);
  const notes: string[] = [];
  if (startBase > 0n && !topRun) notes.push(`the starting ${cfg.market.base.symbol} balance (paper.startingBalances.base) is held but not valued: no strategy of this run trades ${marketIdOf(cfg.market)}`);
  const firstOpen = topRun ? topRun.series.open[topRun.index.find((i) => i >= 0)!]! : 0;
  const initialAtoms = portfolio.balance(quote.mint) + (topRun && startBase > 0n ? toQuote(topRun, startBase, firstOpen) : 0n);
  const quoteScale = 10 ** quote.decimals;
  const initialUsd = Number(initialAtoms) / quoteScale;
  const portfolioUsd = new Float64Array(steps);
  const portfolioAtoms: bigint[] = new Array(steps);
  const strategyUsd = names.map(() => new Float64Array(steps));
  const strategyAtoms = names.map((): bigint[] => new Array(steps));
  const ledgerList = names.map((s) => ledgers.get(s)!);
  const runOf = names.map((n) => runs.find((r) => r.strategies.includes(n))!);
  // The valuation of each step, with the bigint work done only when its inputs change: most bars
  // hold nothing (cash only: the previous step's atoms again) and a held position is converted once
  // per market and close (the portfolio's and its strategy's ledger usually hold the same atoms).
  const converted = runs.map(() => ({ atoms: -1n, price: NaN, quoteAtoms: 0n }));
  const convert = (k: number, atoms: bigint, price: number): bigint => {
    const c = converted[k]!;
    if (c.atoms !== atoms || c.price !== price) {
      c.atoms = atoms;
      c.price = price;
      c.quoteAtoms = toQuote(runs[k]!, atoms, price);
    }
    return c.quoteAtoms;
  };
  const valuers = runOf.map((r) => {
    const k = runs.indexOf(r);
    return (held: bigint, price: number) => convert(k, held, price);
  });
  const lastPortfolio = { atoms: -1n, usd: 0 };
  const lastStrategy = names.map(() => ({ pnl: -1n, atoms: 0n, usd: 0 }));
  const valueAt = (s: number) => {
    let atoms = portfolio.balance(quote.mint);
    for (let k = 0; k < runs.length; k++) {
      const r = runs[k]!;
      const held = portfolio.balance(r.base.mint);
      if (held !== 0n && r.lastClose !== undefined) atoms += convert(k, held, r.lastClose);
    }
    if (atoms !== lastPortfolio.atoms) {
      lastPortfolio.atoms = atoms;
      lastPortfolio.usd = Number(atoms) / quoteScale;
    }
    portfolioAtoms[s] = lastPortfolio.atoms;
    portfolioUsd[s] = lastPortfolio.usd;
    for (let k = 0; k < ledgerList.length; k++) {
      const close = runOf[k]!.lastClose;
      const ledger = ledgerList[k]!;
      const pnl = close === undefined ? 0n : ledger.pnlAtoms(close, valuers[k]);
      const last = lastStrategy[k]!;
      if (pnl !== last.pnl) {
        last.pnl = pnl;
        last.atoms = initialAtoms + pnl;
        last.usd = Number(last.atoms) / quoteScale;
      }
      strategyAtoms[k]![s] = last.atoms;
      strategyUsd[k]![s] = last.usd;
    }
  };

  // Chart series the planners expose, one column per series and market, NaN where a bar has none.
  const plotColumns = new Map<string, Map<string, { pane: 'price' | 'oscillator'; values: Float64Array }>>();
  const plotters = runs.map((r) => names.filter((n) => r.strategies.includes(n)).map((name) => ({ name, planner: r.engine.planners.get(name)! })).filter((p) => p.planner?.plots));
  const sample = (r: MarketRun, p: { name: string; planner: { plots?: () => ReadonlyArray<{ name: string; value: number; pane?: 'price' | 'oscillator' }> } }, i: number) => {
    let cols = plotColumns.get(r.id);
    if (!cols) plotColumns.set(r.id, (cols = new Map()));
    for (const v of p.planner.plots!()) {
      const key = `${p.name}: ${v.name}`;
      let col = cols.get(key);
      if (!col) cols.set(key, (col = { pane: v.pane ?? 'price', values: new Float64Array(r.series.length).fill(NaN) }));
      col.values[i] = v.value;
    }
  };
  const every = opts.progressEvery ?? Math.max(1, Math.ceil(steps / 20));
  const isoTime = new IsoTimes();
  let barsEvaluated = 0;
  for (let s = 0; s < steps; s++) {
    for (const r of runs) {
      const i = r.index[s]!;
      if (i >= 0) r.lastClose = r.series.close[i];
    }
    // next-open: the equity at this close holds the fills made at this bar's open, not this close's decisions
    if (opts.fill.fillAt === 'next-open') valueAt(s);
    for (let k = 0; k < runs.length; k++) {
      const r = runs[k]!;
      const i = r.index[s]!;
      if (i < 0) continue;
      const bars = r.series;
      r.bar = i;
      decision.ms = bars.time[i]! + interval;
      // The tick's id is the bar's place in this run (unique; no text built from its time and price), its time given as a number too.
      const closeMs = bars.time[i]! + interval;
      const event: PriceEvent = { id: `backtest:${r.id}:${i}`, mint: r.base.mint, symbol: r.base.symbol, usd: bars.close[i]!, time: isoTime.format(closeMs), timeMs: closeMs, source: 'backtest', bar: barAt(bars, i) };
      if (r.feeds.length) {
        // Bars of the markets the indicators read, closed at the same time; a missing one is left out (counted in `misalignments`).
        const other: Record<string, PriceBar> = {};
        for (const f of r.feeds) if (f.index[s]! >= 0) other[f.name] = barAt(f.series, f.index[s]!);
        event.otherBars = other;
      }
      // Synchronous unless the bar decided orders: then wait for them to be routed, filled and reported.
      const decided = r.engine.tick(event);
      if (decided) {
        await decided;
        await r.bus.settle();
      }
      barsEvaluated += 1;
      for (const p of plotters[k]!) sample(r, p, i);
    }
    if (opts.fill.fillAt === 'close') valueAt(s);
    if ((s + 1) % every === 0 || s === steps - 1) opts.onProgress?.(s + 1, steps, portfolioUsd[s]!, clock.times[s]!);
  }
  for (const r of runs) {
    await r.engine.stop();
    await r.bus.close();
    await r.store.close();
  }

  const strategyResults: StrategyResult[] = names.map((name, k) => {
    const ledger = ledgerList[k]!;
    const r = runOf[k]!;
    const t = plan.traded[name]!;
    return {
      id: name,
      kind: cfg.strategies[name]!.kind,
      marketIds: [t.id],
      initialEquityUsd: initialUsd,
      quote: { symbol: quote.symbol, decimals: quote.decimals, mint: quote.mint },
      trades: [...ledger.trades, ...ledger.openTrades(r.lastClose ?? 0, r.series.length - 1)],
      fills: ledger.fills,
      equity: { timeMs: clock.times, equityUsd: strategyUsd[k]!, equityQuoteAtoms: strategyAtoms[k]! },
      description: `rules ${cfg.strategies[name]!.rules}${Object.keys(plan.reads[name] ?? {}).length ? `; reads ${Object.entries(plan.reads[name]!).map(([n, id]) => `${n} (${id})`).join(', ')}` : ''}; equity = the starting equity plus this strategy's own P&L (one shared portfolio)`,
    };
  });
  const markets: MarketData[] = runs.map((r) => {
    const indicators: IndicatorSeries[] = [...(plotColumns.get(r.id) ?? [])].map(([name, c]) => ({ kind: 'line', name, pane: c.pane, values: c.values }));
    const b = r.series;
    return { id: r.id, base: { symbol: r.base.symbol, decimals: r.base.decimals, mint: r.base.mint }, quote: { symbol: quote.symbol, decimals: quote.decimals, mint: quote.mint }, intervalMs: interval, bars: { timeMs: b.time, open: b.open, high: b.high, low: b.low, close: b.close, ...(b.volume ? { volume: b.volume } : {}) }, indicators };
  });
  const readOnly = [...plan.markets.keys()].filter((id) => !marketIds.includes(id));
  const result: BacktestResult = {
    metadata: {
      ...(opts.title ? { title: opts.title } : {}),
      generatedAt: opts.generatedAt ?? new Date().toISOString(),
      timeframe: formatTimeframe(interval),
      clockIntervalMs: interval,
      period: { fromMs: clock.times[0]!, toMs: clock.times[steps - 1]! + interval },
      fillModel: { description: describeFillModel(opts.fill), fillAt: opts.fill.fillAt, feeBps: opts.fill.feeBps, slippageBps: opts.fill.slippageBps },
      seed: null,
      dataFiles: opts.dataFiles ?? [...plan.markets.values()].flatMap((m) => m.series.meta.sources.map((path) => ({ path }))),
      ruleSetHash: opts.active.ruleSet.hash,
      notes: [
        `engine path: composeEngine (planners, compiled rules, risk and routing rules, paper executor) on the in-process bus; ${opts.active.ruleSet.evaluatorKind} evaluator`,
        ...(runs.length > 1 ? [`${runs.length} markets (${marketIds.join(', ')}), one engine each, one shared portfolio in ${quote.symbol}; stepped in time order on their merged bars (${steps} steps)`] : []),
        ...(readOnly.length ? [`read by indicators only: ${readOnly.join(', ')}`] : []),
        ...gaps.map(describeMisalignment),
        ...notes,
      ],
    },
    markets,
    strategies: strategyResults,
    portfolio: { initialEquityUsd: initialUsd, equity: { timeMs: clock.times, equityUsd: portfolioUsd, equityQuoteAtoms: portfolioAtoms } },
  };
  const ai = aiSection(runs.map((r) => r.engine.aiRuntime), probe);
  if (ai) {
    result.ai = ai;
    result.metadata.notes!.push(`AI answers: replayed from recordings only (no model was called): ${ai.replayed.length} replayed, ${ai.missing.length} missing`);
  }
  let evaluations = 0;
  let errors = 0;
  let decided = 0;
  for (const r of runs) {
    const st = r.engine.stats;
    evaluations += st.evaluations;
    errors += st.errors;
    decided += [...st.orders.values()].reduce((a, o) => a + o.decided, 0);
  }
  return { result, orders, strategies: names, misalignments: gaps, stats: { bars: barsEvaluated, steps, evaluations, decided, filled, failed, errors, elapsedMs: performance.now() - started } };
}

/**
 * `new Date(ms).toISOString()` for bar times, the date part formatted once per UTC day: a backtest
 * names every bar's close time, and the full conversion was a visible part of a bar's cost.
 */
export class IsoTimes {
  private day = NaN;
  private prefix = '';

  format(ms: number): string {
    const day = Math.floor(ms / 86_400_000);
    if (day !== this.day) {
      const iso = new Date(day * 86_400_000).toISOString();
      this.prefix = iso.slice(0, iso.indexOf('T') + 1);
      this.day = day;
    }
    let rest = ms - day * 86_400_000; // whole ms of the day
    if (!Number.isInteger(rest)) return new Date(ms).toISOString();
    const milli = rest % 1000;
    rest = (rest - milli) / 1000;
    const sec = rest % 60;
    rest = (rest - sec) / 60;
    const min = rest % 60;
    const hour = (rest - min) / 60;
    return `${this.prefix}${hour < 10 ? '0' : ''}${hour}:${min < 10 ? '0' : ''}${min}:${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
}

function failNoBars(): never {
  throw new SolrulesError('BACKTEST_NO_BARS', 'no bars in the selected period', { field: 'bars', value: 0 });
}

/** Bar i of a series as the price event's bar (a new object: the event may be kept). */
function barAt(bars: CandleSeries, i: number): PriceBar {
  const bar: PriceBar = { time: bars.time[i]!, open: bars.open[i]!, high: bars.high[i]!, low: bars.low[i]!, close: bars.close[i]! };
  if (bars.volume) bar.volume = bars.volume[i]!;
  return bar;
}

/** The report's AI section: which recorded answers were replayed and which were missing, and where the AI decided. */
function aiSection(runtimes: ReadonlyArray<{ recorders: Map<string, { replayReport(): { replayed: AiSection['replayed']; missing: AiSection['missing'] } }>; producer: { status(): AiSection['streams'] }; model?: string; warnings: string[] } | undefined>, probe: AiDecisionProbe): AiSection | undefined {
  const present = runtimes.filter((r): r is NonNullable<typeof r> => r !== undefined);
  if (!present.length) return undefined;
  const replayed: AiSection['replayed'] = [];
  const missing: AiSection['missing'] = [];
  const recordings: AiSection['recordings'] = [];
  for (const runtime of present) {
    for (const [file, recorder] of runtime.recorders) {
      const r = recorder.replayReport();
      replayed.push(...r.replayed);
      missing.push(...r.missing);
      recordings.push({ file: relative(process.cwd(), file) || file, replayed: r.replayed.length, missing: r.missing.length });
    }
  }
  return {
    model: present.find((r) => r.model)?.model ?? null,
    recordings,
    replayed,
    missing,
    streams: present.flatMap((r) => r.producer.status()),
    warnings: present.flatMap((r) => r.warnings),
    decisions: { method: AI_DECISION_METHOD, barsCompared: Object.fromEntries(probe.bars), episodes: probe.episodes },
  };
}

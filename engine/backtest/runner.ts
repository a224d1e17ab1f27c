/**
 * The backtest runner: bars of a candle series through the same engine paper and live trading
 * run (composeEngine: planners, compiled strategy rules, risk and routing rules in the
 * coordinator, the executor worker, the paper executor) on the in-process bus and an in-memory
 * store. Each bar is published at its close (one evaluation per bar); the fill model decides the
 * price and time the paper executor fills at. Out: a BacktestResult for the report, every order's
 * outcome (for diffs) and the engine's counters.
 */
import type { ActiveConfig, StrategiesConfig } from '../config/index.ts';
import { ConfigHolder } from '../config/index.ts';
import { composeEngine, type PriceEvent } from '../app/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { SUBJECTS, reportFromJson, type ExecutionReportJson } from '../messages/index.ts';
import { MemoryBus } from '../infra/bus/index.ts';
import { MemoryStore } from '../infra/store/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import { formatTimeframe, type CandleSeries } from '../market/index.ts';
import type { OrderJson } from '../orders/index.ts';
import { describeFillModel, fillReference, type FillModelConfig } from './fill-model.ts';
import { baseToQuoteAtoms, StrategyLedger } from './ledger.ts';
import type { BacktestResult, IndicatorSeries, StrategyResult } from './report/index.ts';

export interface BacktestOptions {
  /** The validated config (rule set, strategies.yaml) to run. */
  active: ActiveConfig;
  /** Bars of the configured market, in time order. */
  series: CandleSeries;
  /** Strategies to run (default: the enabled ones). Named ones run even when disabled in strategies.yaml. */
  strategies?: readonly string[];
  fill: FillModelConfig;
  /** Data files the bars came from (report metadata). */
  dataFiles?: Array<{ path: string; sha256?: string; rows?: number }>;
  title?: string;
  log?: Logger;
  /** Called every `progressEvery` bars and at the end. */
  onProgress?: (done: number, total: number, equityUsd: number) => void;
  progressEvery?: number;
  /** Report generation time (default now); fixed in tests for byte-identical output. */
  generatedAt?: string;
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
  stats: { bars: number; evaluations: number; decided: number; filled: number; failed: number; errors: number; elapsedMs: number };
  /** Strategies run. */
  strategies: string[];
}

const MARKET_ID = (cfg: StrategiesConfig) => `${cfg.market.base.symbol}/${cfg.market.quote.symbol}`;

/** The config with exactly `names` enabled (every other strategy disabled). */
function selectStrategies(active: ActiveConfig, names: readonly string[] | undefined): { active: ActiveConfig; names: string[] } {
  const cfg = active.strategies;
  const chosen = names?.length ? [...names] : Object.entries(cfg.strategies).filter(([, s]) => s.enabled).map(([n]) => n);
  for (const n of chosen) {
    if (!cfg.strategies[n]) throw new SolrulesError('BACKTEST_UNKNOWN_STRATEGY', `no strategy '${n}' in strategies.yaml (${Object.keys(cfg.strategies).join(', ')})`, { field: 'strategy', value: n });
  }
  if (!chosen.length) throw new SolrulesError('BACKTEST_NO_STRATEGY', 'no strategy to backtest: none is enabled in strategies.yaml; name one with --strategy', { field: 'strategies', value: [] });
  const strategies = Object.fromEntries(Object.entries(cfg.strategies).map(([n, s]) => [n, { ...s, enabled: chosen.includes(n) }]));
  return { active: { ...active, strategies: { ...cfg, strategies } }, names: chosen };
}

/** Runs the backtest; deterministic for the same config, bars and fill model. */
export async function runBacktest(opts: BacktestOptions): Promise<BacktestRun> {
  const started = performance.now();
  const { active, names } = selectStrategies(opts.active, opts.strategies);
  const cfg = active.strategies;
  const { base, quote } = cfg.market;
  const bars = opts.series;
  const n = bars.length;
  if (n === 0) throw new SolrulesError('BACKTEST_NO_BARS', 'no bars in the selected period', { field: 'bars', value: 0 });
  const interval = bars.meta.timeframeMs;
  const marketId = MARKET_ID(cfg);
  // The fill model reaches the paper executor through its market view: price and time of the fill.
  let fillPrice: number | undefined;
  let fillTimeMs = 0;
  let fillBar = 0;
  const fills = {
    priceUsd: (mint: string) => (mint === quote.mint ? 1 : mint === base.mint ? fillPrice : undefined),
    now: () => new Date(fillTimeMs),
  };
  const paper = { feeBps: opts.fill.feeBps, slippageBps: opts.fill.slippageBps };
  const holder = new ConfigHolder({ ...active, strategies: { ...cfg, paper: { ...cfg.paper, ...paper } } });
  const bus = new MemoryBus();
  const store = new MemoryStore();
  const log = opts.log ?? logger().child({ component: 'backtest' });
  const engine = await composeEngine({ holder, bus, store, log, fills, saveStateAfterEachResult: false });

  const ledgers = new Map(names.map((s) => [s, new StrategyLedger(s, marketId, { base: base.decimals, quote: quote.decimals })]));
  const orders: OrderOutcome[] = [];
  let filled = 0;
  let failed = 0;
  type Result = { order: OrderJson; report: ExecutionReportJson };
  const onResult = (data: Result) => {
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
    const at = { timeMs: Date.parse(report.at), barIndex: fillBar };
    outcome.fillTimeMs = at.timeMs;
    outcome.fillPrice = report.fillPriceUsd;
    outcome.amountOut = report.amountOut.toString();
    const ledger = ledgers.get(order.strategy);
    const reason = typeof order.params.exit === 'string' ? order.params.exit : order.rule;
    if (order.side === 'buy') ledger?.buy(at, report.fillPriceUsd, report.amountIn, report.feeAtoms, report.amountOut, order.id, reason);
    else if (order.side === 'sell') ledger?.sell(at, report.fillPriceUsd, report.amountIn, report.feeAtoms, report.amountOut, order.id, reason);
  };
  await bus.subscribe<Result>(SUBJECTS.confirmed, (m) => onResult(m.data));
  await bus.subscribe<Result>(SUBJECTS.failed, (m) => onResult(m.data));
  await engine.start();

  const startBase = engine.portfolio.balance(base.mint);
  const startQuote = engine.portfolio.balance(quote.mint);
  const toQuote = (baseAtoms: bigint, price: number) => baseToQuoteAtoms(baseAtoms, price, base.decimals, quote.decimals);
  const initialAtoms = startQuote + toQuote(startBase, bars.open[0]!);
  const quoteScale = 10 ** quote.decimals;
  const initialUsd = Number(initialAtoms) / quoteScale;
  const portfolioUsd = new Float64Array(n);
  const portfolioAtoms: bigint[] = new Array(n);
  const strategyUsd = names.map(() => new Float64Array(n));
  const strategyAtoms = names.map((): bigint[] => new Array(n));
  const ledgerList = names.map((s) => ledgers.get(s)!);
  const valueAt = (i: number) => {
    const close = bars.close[i]!;
    const baseHeld = engine.portfolio.balance(base.mint);
    const atoms = engine.portfolio.balance(quote.mint) + (baseHeld === 0n ? 0n : toQuote(baseHeld, close));
    portfolioAtoms[i] = atoms;
    portfolioUsd[i] = Number(atoms) / quoteScale;
    for (let k = 0; k < ledgerList.length; k++) {
      const a = initialAtoms + ledgerList[k]!.pnlAtoms(close);
      strategyAtoms[k]![i] = a;
      strategyUsd[k]![i] = Number(a) / quoteScale;
    }
  };

  // Chart series the planners expose, one column per series, NaN where a bar has none.
  const plotters = names.map((name) => ({ name, planner: engine.planners.get(name)! })).filter((p) => p.planner?.plots);
  const plotColumns = new Map<string, { pane: 'price' | 'oscillator'; values: Float64Array }>();
  const sample = (p: { name: string; planner: { plots?: () => ReadonlyArray<{ name: string; value: number; pane?: 'price' | 'oscillator' }> } }, i: number) => {
    for (const v of p.planner.plots!()) {
      const key = `${p.name}: ${v.name}`;
      let col = plotColumns.get(key);
      if (!col) plotColumns.set(key, (col = { pane: v.pane ?? 'price', values: new Float64Array(n).fill(NaN) }));
      col.values[i] = v.value;
    }
  };
  const every = opts.progressEvery ?? Math.max(1, Math.ceil(n / 20));
  const bar = { time: 0, open: 0, high: 0, low: 0, close: 0 } as { time: number; open: number; high: number; low: number; close: number; volume?: number };
  for (let i = 0; i < n; i++) {
    const ref = fillReference(opts.fill, bars, i, interval);
    fillPrice = ref?.priceUsd;
    fillTimeMs = ref?.timeMs ?? bars.time[i]! + interval;
    fillBar = opts.fill.fillAt === 'close' ? i : i + 1;
    // next-open: the equity at this close holds the fills made at this bar's open, not this close's decisions
    if (opts.fill.fillAt === 'next-open') valueAt(i);
    bar.time = bars.time[i]!;
    bar.open = bars.open[i]!;
    bar.high = bars.high[i]!;
    bar.low = bars.low[i]!;
    bar.close = bars.close[i]!;
    if (bars.volume) bar.volume = bars.volume[i]!;
    const event: PriceEvent = { mint: base.mint, symbol: base.symbol, usd: bar.close, time: new Date(bar.time + interval).toISOString(), source: 'backtest', bar: { ...bar } };
    // Synchronous unless the bar decided orders: then wait for them to be routed, filled and reported.
    const decided = engine.tick(event);
    if (decided) {
      await decided;
      await bus.settle();
    }
    for (const p of plotters) sample(p, i);
    if (opts.fill.fillAt === 'close') valueAt(i);
    if ((i + 1) % every === 0 || i === n - 1) opts.onProgress?.(i + 1, n, portfolioUsd[i]!);
  }
  await engine.stop();
  await bus.close();
  await store.close();

  const lastClose = bars.close[n - 1]!;
  const strategyResults: StrategyResult[] = names.map((name, k) => {
    const ledger = ledgerList[k]!;
    return {
      id: name,
      kind: cfg.strategies[name]!.kind,
      marketIds: [marketId],
      initialEquityUsd: initialUsd,
      quote: { symbol: quote.symbol, decimals: quote.decimals, mint: quote.mint },
      trades: [...ledger.trades, ...ledger.openTrades(lastClose, n - 1)],
      fills: ledger.fills,
      equity: { timeMs: bars.time, equityUsd: strategyUsd[k]!, equityQuoteAtoms: strategyAtoms[k]! },
      description: `rules ${cfg.strategies[name]!.rules}; equity = the starting equity plus this strategy's own P&L (one shared portfolio)`,
    };
  });
  const indicators: IndicatorSeries[] = [...plotColumns].map(([name, c]) => ({ kind: 'line', name, pane: c.pane, values: c.values }));
  const result: BacktestResult = {
    metadata: {
      ...(opts.title ? { title: opts.title } : {}),
      generatedAt: opts.generatedAt ?? new Date().toISOString(),
      timeframe: formatTimeframe(interval),
      clockIntervalMs: interval,
      period: { fromMs: bars.time[0]!, toMs: bars.time[n - 1]! + interval },
      fillModel: { description: describeFillModel(opts.fill), fillAt: opts.fill.fillAt, feeBps: opts.fill.feeBps, slippageBps: opts.fill.slippageBps },
      seed: null,
      dataFiles: opts.dataFiles ?? bars.meta.sources.map((path) => ({ path })),
      ruleSetHash: active.ruleSet.hash,
      notes: [`engine path: composeEngine (planners, compiled rules, risk and routing rules, paper executor) on the in-process bus; ${active.ruleSet.evaluatorKind} evaluator`],
    },
    markets: [{ id: marketId, base: { symbol: base.symbol, decimals: base.decimals, mint: base.mint }, quote: { symbol: quote.symbol, decimals: quote.decimals, mint: quote.mint }, intervalMs: interval, bars: { timeMs: bars.time, open: bars.open, high: bars.high, low: bars.low, close: bars.close, ...(bars.volume ? { volume: bars.volume } : {}) }, indicators }],
    strategies: strategyResults,
    portfolio: { initialEquityUsd: initialUsd, equity: { timeMs: bars.time, equityUsd: portfolioUsd, equityQuoteAtoms: portfolioAtoms } },
  };
  const s = engine.stats;
  const decided = [...s.orders.values()].reduce((a, o) => a + o.decided, 0);
  return { result, orders, strategies: names, stats: { bars: n, evaluations: s.evaluations, decided, filled, failed, errors: s.errors, elapsedMs: performance.now() - started } };
}

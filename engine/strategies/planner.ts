/**
 * Planners turn market state into the facts a strategy's rules read, and keep the strategy's
 * state (levels, positions) as orders fill. The engine calls them; rules decide.
 */
import type { PriceFact, WalletFact } from '../facts/index.ts';
import { atomsToUsd, type Order, type TokenInfo, type ExecutionReport } from '../orders/index.ts';
import type { FiredEvent } from '../rules/index.ts';

/** One closed OHLC bar (the bus payload's shape, engine/messages). */
export type { PriceBar } from '../messages/index.ts';
import type { PriceBar } from '../messages/index.ts';

export interface TickContext {
  time: Date;
  /** Price of the base token. */
  price: PriceFact;
  /** USD price of the quote token (1 for a USD stablecoin). */
  quoteUsd: number;
  wallet: WalletFact;
  /** This strategy's params (params.<strategy> from strategies.yaml), as of this tick. */
  params: Record<string, unknown>;
  base: TokenInfo;
  quote: TokenInfo;
  /** The closed bar of this tick (backtests); absent: the price is a bar with open = high = low = close. */
  bar?: PriceBar;
  /** Closed bars of other markets at this time, by market name (indicators declared with `market:`). */
  otherBars?: Readonly<Record<string, PriceBar>>;
  /** `price.usd` and the wallet's atoms without building the price and wallet facts (the engine sets them; a planner falls back to price / wallet). */
  priceUsd?: number;
  walletAtoms?: { base: bigint; quote: bigint };
}

export interface StrategyPnl {
  realizedUsd: number;
  unrealizedUsd: number;
  feesUsd: number;
  /** Base atoms held. */
  inventoryAtoms: bigint;
  /** Realized P&L exactly, atoms per mint, where the planner keeps it in atoms (the store's P&L snapshots). */
  realizedAtoms?: Record<string, bigint>;
}

export interface Planner {
  readonly strategy: string;
  /** Facts this planner contributes for the tick, e.g. `{ grid: {...} }`. */
  facts(ctx: TickContext): Record<string, unknown>;
  /** A non-order event of the strategy's rules fired (e.g. `rebalance`). */
  onSignal(event: FiredEvent, ctx: TickContext): void;
  /** Orders the strategy's rules decided this tick (before execution). */
  onOrders(orders: readonly Order[], ctx: TickContext): void;
  /** One of the strategy's orders reached a final state. */
  onExecution(order: Order, report: ExecutionReport): void;
  /** Value of the strategy's inventory at `priceUsd` (risk: strategy notional). */
  exposureUsd(priceUsd: number): number;
  pnl(priceUsd: number, quoteUsd: number): StrategyPnl;
  /** The strategy's state as JSON (atoms as decimal strings) for the store. */
  snapshot(): unknown;
  restore(state: unknown): void;
  /** The kind's own section of the run summary (e.g. a grid's levels), if it has one. */
  summary?(): Record<string, unknown>;
  /** Cumulative counters reported as metrics (rebalances, completions by reason). */
  counters?(): PlannerCounters;
  /**
   * Series a backtest report draws for this strategy (indicators, an average entry …), sampled
   * after each bar's evaluation: one entry per series, the same names every bar, NaN while not
   * ready. `pane: 'oscillator'` draws it below the price chart (default: over the price).
   */
  plots?(): ReadonlyArray<PlotValue>;
  /**
   * Routes that made money before (the market-data initializer reads them from history at start):
   * a planner that keeps route templates takes those it can trade; returns how many it took.
   */
  learnRoutes?(routes: readonly KnownRoute[]): number;
}

/** A route that made money before, as history gives it (the market initializer's `RouteTemplate`). */
export interface KnownRoute {
  legs: readonly { pool: string; venue: string; inputMint: string; outputMint: string }[];
  /** Size of its latest profitable fill, input atoms. */
  amountIn: string;
  profitableFills: number;
  /** What its profitable fills returned above their input, input atoms. */
  profitAtoms: bigint;
  lastFilledAt: string;
}

/** One value of a planner's chart series at a bar (see `Planner.plots`). */
export interface PlotValue {
  name: string;
  value: number;
  pane?: 'price' | 'oscillator';
}

/** Counters a planner may report (solrules_strategy_* metrics). */
export interface PlannerCounters {
  rebalances?: number;
  completions?: Record<string, number>;
}

/** Quote atoms worth `usd` at the quote's USD price (floor). */
export function usdToAtoms(usd: number, token: TokenInfo, tokenUsd: number): bigint {
  return BigInt(Math.floor((usd / tokenUsd) * 10 ** token.decimals));
}

/** USD value of the fee a fill paid (charged on the input: quote for a buy, base for a sell). */
export function feeUsd(side: 'buy' | 'sell', report: ExecutionReport, market: { base: TokenInfo; quote: TokenInfo }, quoteUsd = 1): number {
  if (report.fillPriceUsd === undefined) return 0;
  return side === 'buy' ? atomsToUsd(report.feeAtoms, market.quote.decimals, quoteUsd) : atomsToUsd(report.feeAtoms, market.base.decimals, report.fillPriceUsd);
}

/** Splits `total` over `weights` exactly (largest remainder goes to the first share). */
export function splitExact(total: bigint, weights: readonly bigint[]): bigint[] {
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum === 0n) return weights.map((_, i) => (i === 0 ? total : 0n));
  const shares = weights.map((w) => (total * w) / sum);
  const rest = total - shares.reduce((a, b) => a + b, 0n);
  shares[0] = shares[0]! + rest;
  return shares;
}

/**
 * The input contract of the backtest report: what a backtest runner hands to `buildReport`.
 *
 * Conventions used by every field below:
 * - Times are UTC epoch milliseconds. A bar is keyed by its OPEN time; an equity point is keyed by
 *   the open time of the bar whose CLOSE valued it (so equity and bars line up on one axis).
 * - Token amounts are exact `bigint` atoms with the token's `decimals` beside them; floats (`…Usd`,
 *   prices) are for display and for ratio metrics only. P&L and fee totals are summed in atoms.
 * - Prices are quote per one whole base token (e.g. USDC per SOL), as floats.
 * - Fills are SIMULATED (a backtest sends nothing to any chain); the report says so on every page.
 */

/** Numbers per bar: a plain array or a typed array (series can be 50,000+ bars long). */
export type NumberColumn = ArrayLike<number>;

/** One OHLCV bar in row form. */
export interface Bar {
  /** Bar open time, UTC epoch ms. */
  timeMs: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Base-token volume; absent when the source has none. */
  volume?: number;
}

/** The same bars in columnar form: every column has one entry per bar, in time order. */
export interface BarColumns {
  timeMs: NumberColumn;
  open: NumberColumn;
  high: NumberColumn;
  low: NumberColumn;
  close: NumberColumn;
  volume?: NumberColumn;
}

/** Where an indicator is drawn: over the candles, or in its own pane below (RSI, MACD …). */
export type IndicatorPane = 'price' | 'oscillator';

/** A line indicator (SMA, EMA, RSI, MACD line …): one value per bar, NaN while not ready. */
export interface LineSeries {
  kind: 'line';
  /** Legend label, e.g. `fast (sma 20)`. */
  name: string;
  pane: IndicatorPane;
  /** Oscillator series with the same group share one pane (MACD line + signal + histogram). Default: `name`. */
  group?: string;
  /** One value per bar of the market (same length as its bars); NaN where not ready. */
  values: NumberColumn;
  /** Drawn as a histogram (bars from 0) instead of a line, e.g. the MACD histogram. */
  histogram?: boolean;
  /** Horizontal guide levels in the pane, e.g. `[30, 70]` for RSI. */
  levels?: number[];
  /** CSS colour; a palette colour when absent. */
  color?: string;
}

/** A band indicator (Bollinger, Donchian, Keltner): three values per bar, NaN while not ready. */
export interface BandSeries {
  kind: 'band';
  name: string;
  pane: IndicatorPane;
  group?: string;
  upper: NumberColumn;
  middle: NumberColumn;
  lower: NumberColumn;
  color?: string;
}

export type IndicatorSeries = LineSeries | BandSeries;

/** A token as the report names and scales it. */
export interface TokenInfo {
  symbol: string;
  /** Atoms per whole token = 10^decimals. */
  decimals: number;
  /** Mint address, when known. */
  mint?: string;
}

/** The data of one market over the run. */
export interface MarketData {
  /** Market id as strategies name it, e.g. `SOL/USDC`. */
  id: string;
  base: TokenInfo;
  quote: TokenInfo;
  /** Bar length in ms (3,600,000 for 1h). */
  intervalMs: number;
  /** Bars in time order, row or columnar form. */
  bars: Bar[] | BarColumns;
  /** Indicator series to overlay, aligned index-for-index with `bars`. */
  indicators?: IndicatorSeries[];
}

/** Side of a fill. Spot long: a buy opens or adds, a sell reduces or closes. */
export type Side = 'buy' | 'sell';

/** One simulated fill (an order's execution in the fill model), used for chart markers. */
export interface Fill {
  strategyId: string;
  marketId: string;
  /** Fill time (the bar open time for fill-at-next-open, the bar's close time for fill-at-close). */
  timeMs: number;
  side: Side;
  /** Fill price after slippage, quote per whole base token. */
  price: number;
  /** Filled base amount in atoms (always positive). */
  sizeAtoms: bigint;
  /** Fee charged for this fill, in quote atoms. */
  feeQuoteAtoms: bigint;
  /** Order id, to join fills with orders. */
  orderId?: string;
  /** Why the order was placed: `enter`, `exit`, `stop-loss`, `take-profit` … */
  reason?: string;
}

/** One round trip: an entry and (unless still open at the end) its exit. */
export interface Trade {
  strategyId: string;
  marketId: string;
  entryTimeMs: number;
  /** Average entry fill price, quote per whole base token. */
  entryPrice: number;
  /** Exit time; null when the position was still open at the end of the run. */
  exitTimeMs: number | null;
  /** Average exit fill price; null when still open. */
  exitPrice: number | null;
  /** Position size in base atoms (positive: spot long). */
  sizeAtoms: bigint;
  /** Quote atoms paid for the entry, fees excluded (the basis of the trade's return %). */
  entryValueQuoteAtoms: bigint;
  /** Net P&L in quote atoms: exit proceeds − entry cost − all fees. For an open trade: marked at the last close. */
  pnlQuoteAtoms: bigint;
  /** The same P&L in USD (for ratios and display). */
  pnlUsd: number;
  /** Entry + exit fees, quote atoms. */
  feesQuoteAtoms: bigint;
  feesUsd: number;
  /** Bars from the entry bar to the exit bar (exit bar index − entry bar index). */
  barsHeld: number;
  /** `signal`, `stop-loss`, `take-profit`, `trailing-stop`, `max-holding`, `end-of-data` …; null when open. */
  exitReason: string | null;
}

/** An equity curve in row form. */
export interface EquityPoint {
  /** Open time of the bar whose close valued the equity. */
  timeMs: number;
  /** Marked-to-market equity in USD (cash + positions at the bar's close). */
  equityUsd: number;
  /** The same equity in quote atoms, exact, when the runner keeps it (single quote token only). */
  equityQuoteAtoms?: bigint;
}

/** An equity curve in columnar form (one entry per bar of the run's clock). */
export interface EquityColumns {
  timeMs: NumberColumn;
  equityUsd: NumberColumn;
  equityQuoteAtoms?: readonly bigint[];
}

export type EquityCurve = EquityPoint[] | EquityColumns;

/** One strategy instance of the run. */
export interface StrategyResult {
  id: string;
  /** Strategy kind, e.g. `signal`. */
  kind: string;
  /** Markets it trades (ids of `BacktestResult.markets`). */
  marketIds: string[];
  /** Starting capital allotted to it, USD (its equity before the first bar). */
  initialEquityUsd: number;
  /** Quote token its atoms are counted in (P&L and fee totals are summed per quote token). */
  quote: TokenInfo;
  trades: Trade[];
  fills: Fill[];
  equity: EquityCurve;
  /** Free text shown beside the strategy: its rule file, parameters … */
  description?: string;
}

/** How orders were filled: stated in the report next to the word SIMULATED. */
export interface FillModel {
  /** One line a person reads, e.g. `decision at bar close, fill at next bar open`. */
  description: string;
  /** `next-open` or `close`. */
  fillAt: string;
  feeBps: number;
  slippageBps: number;
}

/** Facts about the run, shown verbatim in the report's metadata table. */
export interface RunMetadata {
  /** Report title. */
  title?: string;
  /** When the backtest ran (ISO 8601). */
  generatedAt: string;
  /** Bar timeframe label, e.g. `1h`. */
  timeframe: string;
  /** Step of the run's clock in ms (the equity curves' bar length; 3,600,000 for 1h). */
  clockIntervalMs: number;
  /** Simulated span: `fromMs` = open of the first bar, `toMs` = close of the last bar (exclusive). */
  period: { fromMs: number; toMs: number };
  fillModel: FillModel;
  /** Seed of any randomness (null when the run is deterministic). */
  seed: number | null;
  /** Data files read, with their hash when known. */
  dataFiles: Array<{ path: string; sha256?: string; rows?: number }>;
  /** Hash of the rule set (rule files + strategies.yaml) the run used. */
  ruleSetHash: string;
  /** Engine version or git commit. */
  engineVersion?: string;
  /** Anything else worth stating (e.g. `test input`), shown as extra metadata rows. */
  notes?: string[];
}

/** One analysis request of a backtest: its hash, the chart stream and the chart's last candle (UTC). */
export interface AiRequestRef {
  requestHash: string;
  market: string;
  chartSha256: string;
  chartTo?: string;
}

/** AI chart analysis in a backtest: recorded answers replayed (never a model call) and where the AI decided. */
export interface AiSection {
  /** Model whose recorded answers were replayed (null: none found). */
  model: string | null;
  recordings: Array<{ file: string; replayed: number; missing: number }>;
  replayed: AiRequestRef[];
  missing: AiRequestRef[];
  /** Per chart stream: strategies, candles, counters (scheduled, ok, failed by code). */
  streams: Array<{ stream: string; strategies: string[]; candles: number; configured: boolean; counts: { scheduled: number; onDemand: number; ok: number; failed: Record<string, number>; waitingForCandles: number } }>;
  warnings: string[];
  decisions: {
    /** How "the AI decided" was computed. */
    method: string;
    barsCompared: Record<string, number>;
    episodes: Array<{ strategy: string; rule: string; side: string; effect: 'vetoed' | 'enabled'; firstMs: number; lastMs: number; bars: number; ai: { status: string; recommendation: string; confidence: number; ageSeconds: number } }>;
  };
}

/** Everything a backtest produced: the report's whole input. */
export interface BacktestResult {
  metadata: RunMetadata;
  markets: MarketData[];
  strategies: StrategyResult[];
  /** The portfolio: all strategies together. */
  portfolio: {
    initialEquityUsd: number;
    equity: EquityCurve;
  };
  /** AI chart analysis, when a strategy declared `ai:`. */
  ai?: AiSection;
}

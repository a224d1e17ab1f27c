/**
 * Input and output shapes of AI chart analysis. The input types are deliberately small and
 * local (no dependency on engine/market/candles or engine/indicators): a caller adapts its own
 * candles and indicator series to these.
 */

/** One OHLCV bar; `time` is the bar open in ms since the epoch (UTC). */
export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

/** Where an indicator is drawn: over the candles, or in its own pane below them. */
export type Pane = 'price' | 'volume' | 'rsi' | 'macd';

/**
 * One indicator line, aligned with the bars (values[i] belongs to bars[i]; null before warm-up).
 * `style: 'histogram'` draws bars around zero (MACD histogram); `band` pairs lines into a filled band.
 */
export interface IndicatorLine {
  name: string;
  pane: Pane;
  values: readonly (number | null)[];
  color?: string;
  style?: 'line' | 'histogram';
  /** Lines sharing a band id (e.g. Bollinger upper and lower) get a translucent fill between them. */
  band?: string;
}

/** A trade to mark on the chart. */
export interface TradeMarker {
  time: number;
  side: 'buy' | 'sell';
  price: number;
  label?: string;
}

/** Everything a chart shows. */
export interface ChartInput {
  market: string;
  timeframe: string;
  bars: readonly Bar[];
  indicators?: readonly IndicatorLine[];
  trades?: readonly TradeMarker[];
}

export type Recommendation = 'buy' | 'sell' | 'hold';

/** The structured answer a model must return (validated against ANSWER_SCHEMA). */
export interface AnalysisAnswer {
  recommendation: Recommendation;
  confidence: number;
  horizon: string;
  keyLevels: { support: number[]; resistance: number[] };
  reasoning: string;
}

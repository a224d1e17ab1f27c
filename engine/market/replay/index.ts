/** Replay: recorded price series as a fact source (backtests and paper trading share the live pipeline). */
export { parseCandles, loadCandles, sliceCandles, candleTicks, type Candle, type PriceTick } from './candles.ts';

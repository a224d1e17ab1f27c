/**
 * Candles and market data files: the columnar bar model, CSV / JSON loaders with gap and duplicate
 * reports, spot / perp metadata, and aggregation to coarser timeframes. See docs/candles.md.
 */
export { CandleSeries, type Candle, type MarketKind, type SeriesMeta } from './series.ts';
export { parseTimeframe, formatTimeframe, detectTimeFormat, parseTime, MINUTE_MS, HOUR_MS, DAY_MS, type TimeFormat } from './timeframe.ts';
export { parseCandleCsv, parseCandleJson, COLUMN_ALIASES } from './formats.ts';
export { type ParsedCandles, type DuplicateBar, type CandleErrorCode, type Locator } from './rows.ts';
export { fileMeta, kindFromReadme, type FileMeta } from './meta.ts';
export {
  loadCandles,
  loadCandlesStrict,
  parseCandles,
  mergeParsed,
  findGaps,
  detectStep,
  type LoadOptions,
  type CandleLoadResult,
  type CandleReport,
  type FileReport,
  type Gap,
} from './load.ts';
export { aggregateCandles, BUCKET_PARTIAL, BUCKET_INCOMPLETE, type AggregatedCandles, type AggregatedBucket } from './aggregate.ts';

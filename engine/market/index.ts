/**
 * Scanners: chain subscriptions (WebSocket, RPC polling, shredstream) turned into normalized
 * facts on the bus — pool states, Pyth prices, aggregated prices and spreads, inferred trades and
 * volume — plus the market state the quote optimizer and the arbitrage planner read.
 * (Replayed price series live in ./replay.)
 */
export { parseScannerConfig, loadScannerConfig, SCANNER_DEFAULTS, SCANNER_CONFIG_SCHEMA, type ScannerConfig, type SubscriptionMode, type ProgramWatch, type OracleWatch, type TokenSpec, type ReserveSpec, type AccountFilter, type Commitment } from './config.ts';
export { backoffMs, type AccountSource, type AccountUpdate, type SourceOptions, type SourceSink, type SourceStats, type SourceMode } from './source.ts';
export { MarketScanner, sourceFor, type MarketScannerOptions, type ScannerStats } from './scanner.ts';
export { ScannerForwarder, BusAccountSource, type BusAccountSourceOptions, type BusSourceStats } from './bus-feed.ts';
export { MarketState, type PoolRecord, type PoolChange, type OracleChange } from './market.ts';
export { PriceFeed, type PoolFact, type SpreadFact, type VenueQuote } from './price-feed.ts';
export { VolumeMonitor, type VolumeFact, type InferredTrade } from './volume.ts';
export { WebSocketSource } from './websocket.ts';
export { PollingSource } from './polling.ts';
export { ShredstreamSource, decodeEntries, shredstreamProxyClient, shredstreamProxyService, SHREDSTREAM_PROXY_PROTO, type ShredEntry, type ShredTransaction, type ShredstreamEntryMessage } from './shredstream/index.ts';
export { Deduplicator, SlotClock, matchesFilters } from './filters.ts';
export { fetchAccounts, fetchProgramAccounts, toSnapshot, MAX_KEYS_PER_CALL } from './rpc.ts';
export { parseCandles, loadCandles, sliceCandles, candleTicks, type Candle, type PriceTick } from './replay/index.ts';
// OHLCV bar files (candles/): the names that do not clash with the daily replay's above.
export { loadCandlesStrict, formatTimeframe, CandleSeries, type CandleReport } from './candles/index.ts';
// The market-data initializer (initializer/): pools, oracles and reserves read, checked and reported before trading.
export * from './initializer/index.ts';

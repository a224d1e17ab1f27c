/**
 * The market-data initializer: every configured pool (and oracle, Kamino reserve) read in batches,
 * checked, cached and reported ready / not ready before trading; profitable routes from history.
 */
export {
  initializeMarket,
  poolReadinessKey,
  reserveReadinessKey,
  DEFAULT_INIT_CACHE_TTL_MS,
  NOT_READY_REASONS,
  type MarketInitOptions,
  type MarketReadiness,
  type PoolReadiness,
  type OracleReadiness,
  type ReserveReadiness,
  type MintReport,
  type NotReadyReason,
} from './initializer.ts';
export { BatchReader, type BatchReaderOptions, type ReadCounts } from '../rpc.ts';
export { decodeKaminoReserve, checkReserve, flashLoanFee, flashLoanFeeBps, KLEND_PROGRAM_ID, RESERVE_DISCRIMINATOR, RESERVE_LEN, type KaminoReserve, type ReserveWatch } from './reserve.ts';
export { routeHistoryFromStore, routeKey, type RouteHistory, type RouteTemplate, type RouteTemplateLeg } from './routes.ts';
export { describeReadiness, recordReadinessMetrics } from './report.ts';

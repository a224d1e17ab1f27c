/**
 * Quotes: the optimizer (cache → local router → aggregator fallback), the local router over
 * decoded pool state (one and two hops), Jupiter as the fallback source, the quote cache keyed on
 * the accounts a quote read, and the rate limiter and circuit breaker guarding upstreams.
 */
export * from './types.ts';
export { LocalRouter, validateRequest, SOL_MINT, USDC_MINT, type LocalRouterOptions } from './local.ts';
export { QuoteOptimizer, type QuoteOptimizerOptions } from './optimizer.ts';
export { QuoteCache, type QuoteCacheOptions } from './cache.ts';
export { RateLimiter, type RateLimiterOptions } from './limiter.ts';
export { CircuitBreaker, type BreakerOptions, type CircuitState, type SourceHealth } from './breaker.ts';
export { StaticPoolProvider, pairKey } from './pools.ts';
export { quoteError, type QuoteErrorCode } from './errors.ts';
export * from './jupiter/index.ts';

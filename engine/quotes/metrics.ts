/** The quote optimizer's metrics: the `quotes` and `cache` domains of the telemetry catalog. */
import { isSolrulesError } from '../errors/index.ts';
import { metrics } from '../infra/telemetry/index.ts';

export type QuoteMetricSource = 'local' | 'jupiter' | 'cache';

const RESULT_BY_CODE: Record<string, 'no-route' | 'stale' | 'timeout' | 'rate-limited' | 'circuit-open'> = {
  QUOTE_NO_ROUTE: 'no-route',
  QUOTE_STATE_STALE: 'stale',
  QUOTE_TIMEOUT: 'timeout',
  QUOTE_RATE_LIMITED: 'rate-limited',
  QUOTE_CIRCUIT_OPEN: 'circuit-open',
};

export const quoteMetrics = {
  /** One answered (or failed) quote of a source and its latency. */
  answered(source: QuoteMetricSource, seconds: number, err?: unknown): void {
    metrics.quotes.duration.observe({ source }, seconds);
    const result = err === undefined ? 'ok' : (isSolrulesError(err) && RESULT_BY_CODE[err.code]) || 'error';
    metrics.quotes.requests.inc({ source, result });
  },
  cache(hit: boolean): void {
    metrics.cache.requests.inc({ cache: 'quotes', result: hit ? 'hit' : 'miss' });
  },
  rateLimitWait(seconds: number): void {
    if (seconds > 0) metrics.quotes.rateLimitWaits.inc({ source: 'jupiter' });
    metrics.quotes.rateLimitWait.observe({ source: 'jupiter' }, seconds);
  },
  circuitOpen(open: boolean): void {
    metrics.quotes.circuitOpen.set({ source: 'jupiter' }, open ? 1 : 0);
  },
};

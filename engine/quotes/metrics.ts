/** Prometheus metrics of the quote optimizer (names follow Prometheus conventions; labels are bounded). */
import { counter, gauge, histogram } from '../telemetry/index.ts';

const LATENCY_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export const quoteMetrics = {
  requests: () => counter('solrules_quote_requests_total', 'Quote attempts by source and outcome.', ['source', 'outcome'] as const),
  duration: () => histogram('solrules_quote_duration_seconds', 'Time to answer a quote, by source (cache = served from the quote cache).', ['source'] as const, LATENCY_BUCKETS),
  cache: () => counter('solrules_quote_cache_requests_total', 'Quote cache lookups by result (hit / miss); hit ratio = hit / (hit + miss).', ['result'] as const),
  invalidations: () => counter('solrules_quote_cache_invalidations_total', 'Accounts whose update invalidated cached quotes.'),
  rateLimitWait: () => histogram('solrules_quote_rate_limit_wait_seconds', 'Time a request waited for a rate-limit token.', ['source'] as const, [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5]),
  rateLimited: () => counter('solrules_quote_rate_limited_total', 'Requests refused by the local limit or answered 429 upstream.', ['source', 'by'] as const),
  circuitState: () => gauge('solrules_quote_circuit_state', 'Circuit breaker state per source: 0 closed, 1 half-open, 2 open.', ['source'] as const),
  healthy: () => gauge('solrules_quote_source_healthy', '1 when the source answers normally (circuit closed).', ['source'] as const),
};

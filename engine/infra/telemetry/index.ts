/**
 * Telemetry every component reports through:
 * - metrics: `metrics.<domain>.<name>` — every solrules metric, declared in catalog.ts with
 *   bounded labels, in one prom-client `registry` (`metrics.rules.hits.inc({ rule_id, file })`);
 * - traces: `marketEvent` / `stage` / `opportunity` / `inSpan`, and (in engine/infra/bus) `instrumentBus` to carry the
 *   trace across the bus in message headers; export over OTLP is off until configured;
 * - logs: `logger()` (pino JSON lines, trace and order ids on each line, secrets redacted);
 * - health: `health.register(name, check)` for /readyz;
 * - the HTTP server: /metrics, /healthz, /readyz and the admin actions.
 */
export { CATALOG, L as LABELS, PENDING_METRICS, allSpecs, specByName, type MetricSpec, type MetricType } from './catalog.ts';
export { enumOf, declaredOf, named, info, labelValueProblem, FORBIDDEN_LABEL_NAMES, OTHER, type LabelBound } from './labels.ts';
export {
  metrics,
  registry,
  enableProcessMetrics,
  resetMetrics,
  auditRegistry,
  declareLabelValues,
  onLabelViolation,
  HistogramBatch,
  type Metrics,
  type LabelViolation,
} from './metrics.ts';
export { createLogger, logger, setLogger, logFormat, REDACT_PATHS, type Logger, type LoggerOptions, type LogFormat } from './log.ts';
export {
  initTracing,
  tracingEnabled,
  tracer,
  otlpEndpointFrom,
  marketEvent,
  stage,
  opportunity,
  inSpan,
  withOrderId,
  currentOrderId,
  currentTraceIds,
  injectTraceHeaders,
  producer,
  consumer,
  extractTraceContext,
  otelContext,
  SpanKind,
  SpanStatusCode,
  ORIGIN_HEADER,
  ORDER_ID_HEADER,
  TRACER_NAME,
  type TracingOptions,
  type TracingHandle,
  type Span,
  type Context,
} from './tracing.ts';
export { EvaluationTelemetry, reportRuleSet, StrategyReporter, type StrategySnapshot, type CompletionReason } from './pipeline.ts';
export { Health, health, serviceCheck, type Check, type CheckResult, type Readiness } from './health.ts';
export {
  startTelemetryServer,
  bearerMatches,
  ADMIN_ACTIONS,
  DEFAULT_TELEMETRY_PORT,
  type AdminActions,
  type AdminAction,
  type TelemetryServer,
  type TelemetryServerOptions,
} from './server.ts';

import { logger as rootLogger } from './log.ts';
import { onLabelViolation as onViolation } from './metrics.ts';

// a refused label value is a bug in the caller: say so once, where ops will see it
onViolation((v) => rootLogger().warn({ metric: v.metric, label: v.label, problem: v.problem }, `metric label value refused (recorded as 'other')`));

/**
 * Trace context across the bus: the publisher's active OpenTelemetry context goes into the
 * message headers (W3C `traceparent` / `tracestate`, through whatever propagator telemetry
 * registered), and a handler runs inside the context extracted from them — so one opportunity
 * stays one trace across process hops. Without a registered propagator both are no-ops.
 */
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';

/** Headers plus the active trace context (headers already carrying one are left as they are). */
export function withTraceHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out = { ...(headers ?? {}) };
  if (!out.traceparent) propagation.inject(context.active(), out);
  return out;
}

/** Runs `fn` inside the trace context carried by `headers`. */
export function runInTraceContext<T>(headers: Readonly<Record<string, string>>, fn: () => T): T {
  return context.with(propagation.extract(ROOT_CONTEXT, headers), fn);
}

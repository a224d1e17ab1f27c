/**
 * Traces: one per opportunity — market event → facts → rule decision → routing → submission →
 * confirmation — carried across the bus in message headers (W3C `traceparent`).
 *
 * Most market events decide nothing, so the stages before a decision are not spans yet: they are
 * recorded (name, start, end, attributes) in the context as a *trace origin*, which travels
 * with the event across the bus in a header. When a rule decides an order, `opportunity()`
 * turns the origin into real spans of a fresh trace and the decision continues it. So each
 * opportunity gets its own trace, starting at the market event, and an event that decides
 * nothing exports nothing. Export (OTLP over HTTP) is off until configured.
 */
import {
  context,
  createContextKey,
  INVALID_SPAN_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { BasicTracerProvider, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { installContext } from './context.ts';

installContext();

export const TRACER_NAME = 'solrules';

/** Header carrying the trace origin (stages before a decision) across the bus. */
export const ORIGIN_HEADER = 'solrules-trace-origin';
/** Header carrying the order id across the bus (logs put it on every line). */
export const ORDER_ID_HEADER = 'solrules-order-id';

const ORIGIN_KEY = createContextKey('solrules.trace-origin');
const ORDER_ID_KEY = createContextKey('solrules.order-id');

let enabled = false;
let provider: BasicTracerProvider | undefined;

/** The solrules tracer (a no-op until `initTracing` installs a provider). */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/** Whether spans are recorded and exported. */
export function tracingEnabled(): boolean {
  return enabled;
}

export interface TracingOptions {
  /** service.name on every span (default `solrules`, or OTEL_SERVICE_NAME). */
  serviceName?: string;
  /**
   * OTLP/HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces (Jaeger, Tempo and the
   * OpenTelemetry Collector accept it). Default: SOLRULES_OTLP_ENDPOINT, then
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces; unset = off.
   */
  otlpEndpoint?: string;
  /** Extra exporters (tests use an InMemorySpanExporter); exported synchronously. */
  exporters?: SpanExporter[];
}

/** The OTLP traces endpoint from options or the environment (undefined = export off). */
export function otlpEndpointFrom(env: NodeJS.ProcessEnv = process.env, explicit?: string): string | undefined {
  if (explicit) return explicit;
  if (env.SOLRULES_OTLP_ENDPOINT) return env.SOLRULES_OTLP_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/$/, '')}/v1/traces`;
  return undefined;
}

export interface TracingHandle {
  /** The OTLP endpoint spans go to (undefined when only `exporters` are used or nothing is). */
  readonly otlpEndpoint: string | undefined;
  readonly enabled: boolean;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Installs a tracer provider when there is somewhere to send spans (an OTLP endpoint or an
 * exporter); otherwise tracing stays off, the SDK is not even loaded, and every helper here
 * costs next to nothing. Calling it again replaces the previous provider.
 */
export async function initTracing(opts: TracingOptions = {}): Promise<TracingHandle> {
  const endpoint = otlpEndpointFrom(process.env, opts.otlpEndpoint);
  const previous = provider;
  trace.disable();
  provider = undefined;
  enabled = false;
  void previous?.shutdown();
  if (!endpoint && !opts.exporters?.length) return { otlpEndpoint: undefined, enabled: false, forceFlush: async () => {}, shutdown: async () => {} };
  // the SDK and the exporter load only when spans go somewhere (they cost ~100 ms at startup)
  const sdk = await import('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const processors: SpanProcessor[] = (opts.exporters ?? []).map((e) => new sdk.SimpleSpanProcessor(e));
  if (endpoint) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new sdk.BatchSpanProcessor(new OTLPTraceExporter({ url: endpoint })));
  }
  const serviceName = opts.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'solrules';
  const p = new sdk.BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': serviceName }), spanProcessors: processors });
  trace.setGlobalTracerProvider(p);
  provider = p;
  enabled = true;
  return {
    otlpEndpoint: endpoint,
    enabled: true,
    forceFlush: () => p.forceFlush(),
    shutdown: async () => {
      await p.shutdown();
      if (provider === p) {
        trace.disable();
        provider = undefined;
        enabled = false;
      }
    },
  };
}

// ---- trace origin: stages recorded before a decision --------------------------------------

interface PendingSpan {
  name: string;
  /** Epoch milliseconds (fractional). */
  start: number;
  end?: number;
  attributes: Attributes;
}

interface TraceOrigin {
  spans: PendingSpan[];
}

const nowMs = (): number => performance.timeOrigin + performance.now();

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return !!v && typeof (v as { then?: unknown }).then === 'function';
}

function originOf(ctx: Context): TraceOrigin | undefined {
  return ctx.getValue(ORIGIN_KEY) as TraceOrigin | undefined;
}

/** Runs `fn`, calling `done` when it returns or settles (sync or async). */
function finish<T>(fn: () => T, done: (err?: unknown) => void): T {
  let out: T;
  try {
    out = fn();
  } catch (err) {
    done(err);
    throw err;
  }
  if (isThenable(out)) {
    return (out as unknown as Promise<unknown>).then(
      (v) => {
        done();
        return v;
      },
      (err) => {
        done(err);
        throw err;
      },
    ) as T;
  }
  done();
  return out;
}

/**
 * A market event arrived (a pool update, a price tick): the root of any trace it leads to.
 * Recorded, not exported, unless an opportunity follows (see `opportunity`).
 */
export function marketEvent<T>(attributes: Attributes, fn: () => T): T {
  if (!enabled) return fn();
  const root: PendingSpan = { name: 'market.event', start: nowMs(), attributes };
  const origin: TraceOrigin = { spans: [root] };
  return context.with(context.active().setValue(ORIGIN_KEY, origin), () => finish(fn, () => void (root.end ??= nowMs())));
}

/**
 * One stage of the pipeline (`facts.build`, `rules.evaluate`, `risk.check`, `route`, ...).
 * Inside an opportunity it is a span; before one, it is recorded in the trace origin.
 */
export function stage<T>(name: string, attributes: Attributes, fn: () => T): T {
  if (!enabled) return fn();
  const ctx = context.active();
  if (!trace.getSpan(ctx)?.isRecording()) {
    const origin = originOf(ctx);
    if (origin) {
      const pending: PendingSpan = { name, start: nowMs(), attributes };
      origin.spans.push(pending);
      return finish(fn, () => void (pending.end = nowMs()));
    }
  }
  return inSpan(name, { attributes }, () => fn());
}

/** Turns a trace origin into spans of a new trace; returns the context of its root. */
function materialize(origin: TraceOrigin, base: Context): Context {
  const t = tracer();
  const [rootPending, ...rest] = origin.spans;
  const clean = base.deleteValue(ORIGIN_KEY);
  const root = t.startSpan(rootPending!.name, { startTime: rootPending!.start, attributes: rootPending!.attributes, root: true }, trace.deleteSpan(clean));
  const rootCtx = trace.setSpan(clean, root);
  for (const p of rest) t.startSpan(p.name, { startTime: p.start, attributes: p.attributes }, rootCtx).end(p.end ?? nowMs());
  root.end(Math.max(rootPending!.end ?? 0, ...rest.map((p) => p.end ?? 0), nowMs()));
  return rootCtx;
}

/**
 * A rule decided an order: starts the opportunity's trace (from the market event that led to it)
 * and runs `fn` in it, with the order id on every log line inside.
 */
export function opportunity<T>(attributes: Attributes & { 'solrules.order_id'?: string }, fn: (span: Span) => T): T {
  const orderId = attributes['solrules.order_id'];
  let ctx = context.active();
  if (orderId) ctx = ctx.setValue(ORDER_ID_KEY, orderId);
  if (!enabled) return context.with(ctx, () => fn(trace.getSpan(ctx) ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT)));
  const origin = originOf(ctx);
  const parent = origin ? materialize(origin, ctx) : ctx;
  return inSpan('order.decide', { attributes }, fn, parent);
}

/** Runs `fn` in a new span (child of `parent`, default the active context); ends it when `fn` settles. */
export function inSpan<T>(name: string, opts: { attributes?: Attributes; kind?: SpanKind }, fn: (span: Span) => T, parent: Context = context.active()): T {
  const span = tracer().startSpan(name, { attributes: opts.attributes ?? {}, kind: opts.kind ?? SpanKind.INTERNAL }, parent);
  return context.with(trace.setSpan(parent, span), () =>
    finish(
      () => fn(span),
      (err) => {
        if (err !== undefined) {
          span.recordException(err instanceof Error ? err : String(err));
          span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
        }
        span.end();
      },
    ),
  );
}

/**
 * A message leaving this process (a bus publish): a producer span inside a trace, a recorded
 * stage inside a trace origin (so the origin crosses the bus with it), nothing otherwise.
 */
export function producer<T>(name: string, attributes: Attributes, fn: () => T): T {
  if (!enabled) return fn();
  const ctx = context.active();
  if (trace.getSpan(ctx)?.isRecording()) return inSpan(name, { attributes, kind: SpanKind.PRODUCER }, () => fn());
  if (originOf(ctx)) return stage(name, attributes, fn);
  return fn();
}

/**
 * A message arriving (a bus delivery) with the context its headers carried: a consumer span when
 * they carried a trace, a recorded stage when they carried a trace origin, nothing otherwise.
 */
export function consumer<T>(name: string, attributes: Attributes, parent: Context, fn: () => T): T {
  if (!enabled) return parent === context.active() ? fn() : context.with(parent, fn);
  if (currentTraceIds(parent)) return inSpan(name, { attributes, kind: SpanKind.CONSUMER }, () => fn(), parent);
  return context.with(parent, () => (originOf(parent) ? stage(name, attributes, fn) : fn()));
}

/** Runs `fn` with `orderId` in the context: log lines and bus headers inside carry it. */
export function withOrderId<T>(orderId: string, fn: () => T): T {
  return context.with(context.active().setValue(ORDER_ID_KEY, orderId), fn);
}

/** The order id in the active context, if any. */
export function currentOrderId(ctx: Context = context.active()): string | undefined {
  return ctx.getValue(ORDER_ID_KEY) as string | undefined;
}

/** trace_id / span_id of the active span (undefined when there is none). */
export function currentTraceIds(ctx: Context = context.active()): { trace_id: string; span_id: string } | undefined {
  const sc = trace.getSpan(ctx)?.spanContext();
  if (!sc || !trace.isSpanContextValid(sc)) return undefined;
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

/**
 * Adds the context's trace origin and order id to bus message headers; the W3C trace context
 * (`traceparent`) the bus carries itself (engine/infra/bus, every implementation).
 */
export function injectTraceHeaders(headers: Record<string, string> = {}, ctx: Context = context.active()): Record<string, string> {
  const out = { ...headers };
  const origin = originOf(ctx);
  if (origin && !currentTraceIds(ctx)) out[ORIGIN_HEADER] = JSON.stringify(origin.spans);
  const orderId = currentOrderId(ctx);
  if (orderId && !out[ORDER_ID_HEADER]) out[ORDER_ID_HEADER] = orderId;
  return out;
}

/**
 * The context for a delivery: `base` (the context the bus runs its handler in, already carrying
 * the publisher's trace) plus the trace origin and order id from the headers. `base` itself when
 * the headers carry neither.
 */
export function extractTraceContext(headers: Readonly<Record<string, string>>, base: Context = context.active()): Context {
  let ctx = base;
  const originJson = headers[ORIGIN_HEADER];
  if (originJson && enabled && !currentTraceIds(ctx)) {
    try {
      const spans = JSON.parse(originJson) as PendingSpan[];
      if (Array.isArray(spans) && spans.length > 0) ctx = ctx.setValue(ORIGIN_KEY, { spans } satisfies TraceOrigin);
    } catch {
      // a malformed origin only loses the stages before the bus hop
    }
  }
  const orderId = headers[ORDER_ID_HEADER];
  if (orderId) ctx = ctx.setValue(ORDER_ID_KEY, orderId);
  return ctx;
}

export { SpanKind, SpanStatusCode, context as otelContext, type Span, type Context };

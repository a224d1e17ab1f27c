import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MemoryBus } from '../../engine/bus/index.ts';
import {
  createLogger,
  currentOrderId,
  currentTraceIds,
  initTracing,
  injectTraceHeaders,
  inSpan,
  instrumentBus,
  marketEvent,
  opportunity,
  ORDER_ID_HEADER,
  stage,
  tracingEnabled,
} from '../../engine/telemetry/index.ts';

function parentOf(s: ReadableSpan): string | undefined {
  return (s as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId;
}

/** Checks the spans form one tree under one root and returns the names along the path to `leaf`. */
function pathTo(spans: ReadableSpan[], leaf: string): string[] {
  const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
  let s = spans.find((x) => x.name === leaf);
  assert.ok(s, `no span '${leaf}'`);
  const path: string[] = [];
  while (s) {
    path.unshift(s.name);
    const p = parentOf(s);
    if (!p) break;
    const parent = byId.get(p);
    assert.ok(parent, `span '${s.name}' has a parent that is not in the trace`);
    s = parent;
  }
  return path;
}

test('one opportunity produces one connected trace from market event to confirmation, across a bus hop', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = initTracing({ exporters: [exporter] });
  const bus = instrumentBus(new MemoryBus());
  const logLines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', format: 'json', destination: { write: (s: string) => void logLines.push(JSON.parse(s)) } });
  try {
    // executor side: takes orders from the bus (the hop), risk → route → submit → confirm
    const confirmed: string[] = [];
    await bus.subscribe<{ orderId: string }>('trade.opportunities.*', async (msg) => {
      assert.equal(currentOrderId(), msg.data.orderId, 'the order id came across in the headers');
      stage('risk.check', { 'solrules.rule_file': 'risk' }, () => true);
      const route = stage('route', { 'solrules.rule_file': 'routing' }, () => 'paper');
      await inSpan('execution.submit', { attributes: { 'solrules.executor': route } }, async () => {
        await new Promise((r) => setTimeout(r, 2));
        await inSpan('execution.confirm', {}, async () => {
          log.info({ status: 'filled' }, 'order filled');
          confirmed.push(msg.data.orderId);
        });
      });
    });

    // decision side: a market event, its facts, the rules, then an order
    await marketEvent({ 'solrules.venue': 'replay', 'solrules.kind': 'candle' }, async () => {
      const facts = stage('facts.build', {}, () => ({ price: 101 }));
      const fired = stage('rules.evaluate', { 'solrules.rule_file': 'grid' }, () => (facts.price > 100 ? ['grid-buy'] : []));
      assert.deepEqual(fired, ['grid-buy']);
      await opportunity({ 'solrules.strategy': 'grid', 'solrules.order_id': 'ord_test1' }, async () => {
        await bus.publish('trade.opportunities.grid', { orderId: 'ord_test1' });
      });
    });
    // a market event that decides nothing exports nothing
    await marketEvent({ 'solrules.venue': 'replay' }, async () => {
      stage('facts.build', {}, () => 1);
      stage('rules.evaluate', {}, () => []);
    });
    await (bus as unknown as { inner: MemoryBus }).inner.settle();
    await tracing.forceFlush();
    assert.deepEqual(confirmed, ['ord_test1']);

    const spans = exporter.getFinishedSpans();
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    assert.equal(traceIds.size, 1, `one trace; got ${traceIds.size}: ${spans.map((s) => s.name).join(', ')}`);
    const roots = spans.filter((s) => !parentOf(s));
    assert.deepEqual(roots.map((s) => s.name), ['market.event']);
    assert.deepEqual(pathTo(spans, 'execution.confirm'), ['market.event', 'order.decide', 'publish trade.opportunities', 'process trade.opportunities', 'execution.submit', 'execution.confirm']);
    assert.deepEqual(pathTo(spans, 'rules.evaluate'), ['market.event', 'rules.evaluate']);
    assert.deepEqual(pathTo(spans, 'facts.build'), ['market.event', 'facts.build']);
    assert.deepEqual(pathTo(spans, 'route'), ['market.event', 'order.decide', 'publish trade.opportunities', 'process trade.opportunities', 'route']);
    assert.equal(spans.length, 10);
    const root = roots[0]!;
    const rules = spans.find((s) => s.name === 'rules.evaluate')!;
    assert.ok(rules.startTime[0] * 1e9 + rules.startTime[1] >= root.startTime[0] * 1e9 + root.startTime[1], 'stages start inside the market event');
    assert.equal(root.attributes['solrules.venue'], 'replay');

    const filled = logLines.find((l) => l.msg === 'order filled')!;
    assert.equal(filled.trace_id, [...traceIds][0], 'the log line carries the trace id');
    assert.equal(filled.order_id, 'ord_test1', 'and the order id');
  } finally {
    await bus.close();
    await tracing.shutdown();
  }
});

test('two opportunities from one market event are two traces, each starting at the event', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = initTracing({ exporters: [exporter] });
  try {
    await marketEvent({}, async () => {
      stage('rules.evaluate', {}, () => 0);
      await opportunity({ 'solrules.strategy': 'grid' }, async () => {});
      await opportunity({ 'solrules.strategy': 'dca' }, async () => {});
    });
    const spans = exporter.getFinishedSpans();
    const traces = new Map<string, string[]>();
    for (const s of spans) traces.set(s.spanContext().traceId, [...(traces.get(s.spanContext().traceId) ?? []), s.name]);
    assert.equal(traces.size, 2);
    for (const names of traces.values()) assert.deepEqual(names.sort(), ['market.event', 'order.decide', 'rules.evaluate']);
  } finally {
    await tracing.shutdown();
  }
});

test('the trace origin crosses the bus when the decision is made in another process', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = initTracing({ exporters: [exporter] });
  const bus = instrumentBus(new MemoryBus());
  try {
    // planner side: market events from the bus → rules → opportunity
    await bus.subscribe('market.events.>', async () => {
      stage('rules.evaluate', {}, () => 0);
      await opportunity({ 'solrules.strategy': 'arbitrage' }, async () => {});
    });
    // scanner side: the event is received and published; nothing decided here
    await marketEvent({ 'solrules.venue': 'orca-whirlpool' }, async () => {
      stage('decode', {}, () => 0);
      await bus.publish('market.events.orca-whirlpool.pool', { slot: 1 });
    });
    await (bus as unknown as { inner: MemoryBus }).inner.settle();
    const spans = exporter.getFinishedSpans();
    assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
    assert.deepEqual(pathTo(spans, 'order.decide'), ['market.event', 'order.decide']);
    assert.deepEqual(pathTo(spans, 'decode'), ['market.event', 'decode']);
    assert.deepEqual(pathTo(spans, 'rules.evaluate'), ['market.event', 'rules.evaluate']);
    assert.equal(spans.find((s) => s.name === 'market.event')!.attributes['solrules.venue'], 'orca-whirlpool');
  } finally {
    await bus.close();
    await tracing.shutdown();
  }
});

test('off by default: no spans, but trace context from headers still reaches logs and the next hop', async () => {
  const tracing = initTracing({ otlpEndpoint: undefined });
  assert.equal(tracing.enabled, false);
  assert.equal(tracingEnabled(), false);
  const bus = instrumentBus(new MemoryBus());
  const seen: Record<string, string>[] = [];
  await bus.subscribe('execution.confirmed', (msg) => {
    seen.push({ ...msg.headers, ...(currentTraceIds() ?? {}) });
  });
  const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  const inbound = { traceparent, [ORDER_ID_HEADER]: 'ord_x' };
  await bus.subscribe('execution.orders', async () => {
    await bus.publish('execution.confirmed', {});
  });
  await bus.publish('execution.orders', {}, { headers: inbound });
  await (bus as unknown as { inner: MemoryBus }).inner.settle();
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.traceparent, traceparent, 'the trace context is passed on unchanged');
  assert.equal(seen[0]![ORDER_ID_HEADER], 'ord_x');
  assert.equal(seen[0]!.trace_id, '0af7651916cd43dd8448eb211c80319c');
  assert.deepEqual(injectTraceHeaders({}), {}, 'nothing to inject outside a trace');
  await bus.close();
});

test('OTLP export is configured from the environment', async () => {
  const { otlpEndpointFrom } = await import('../../engine/telemetry/index.ts');
  assert.equal(otlpEndpointFrom({}), undefined, 'off by default');
  assert.equal(otlpEndpointFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(otlpEndpointFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://j:4318/v1/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }), 'http://j:4318/v1/traces');
  assert.equal(otlpEndpointFrom({ SOLRULES_OTLP_ENDPOINT: 'http://s/v1/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }), 'http://s/v1/traces');
});

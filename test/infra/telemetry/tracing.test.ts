import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MemoryBus, instrumentBus } from '../../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder, type StrategiesConfig } from '../../../engine/config/index.ts';
import { referenceEvaluator } from '../../../engine/rules/index.ts';
import { composeEngine, type TradingEngine } from '../../../engine/app/index.ts';
import { MemoryStore } from '../../../engine/infra/store/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { createLogger, currentTraceIds, initTracing, injectTraceHeaders, marketEvent, opportunity, ORDER_ID_HEADER, stage, tracingEnabled } from '../../../engine/infra/telemetry/index.ts';

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

test('one opportunity produces one connected trace from market event to confirmation, across bus hops (the real engine)', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = await initTracing({ exporters: [exporter] });
  const memoryBus = new MemoryBus();
  const bus = instrumentBus(memoryBus);
  const logLines: Record<string, unknown>[] = [];
  const log = createLogger({ level: 'info', format: 'json', destination: { write: (s: string) => void logLines.push(JSON.parse(s)) } });
  try {
    const built = await buildActiveConfig(REPO_ROOT, referenceEvaluator, 'test', { runTests: false });
    assert.ok(built.active, JSON.stringify(built.diagnostics));
    // DCA only: its first tick under the price cap decides one buy
    const strategies: StrategiesConfig = structuredClone(built.active.strategies);
    strategies.strategies.grid!.enabled = false;
    const engine = await composeEngine({ holder: new ConfigHolder({ ...built.active, strategies }), bus, store: new MemoryStore(), log });
    await engine.start();
    const SOL = built.active.strategies.market.base;
    const tick = (usd: number, time: string) => bus.publish(`market.prices.${SOL.mint}`, { mint: SOL.mint, symbol: 'SOL', usd, time, source: 'replay' });
    await tick(100, '2022-01-03T00:00:00.000Z');
    await memoryBus.settle();
    await tick(101, '2022-01-03T06:00:00.000Z'); // not due again: decides nothing
    await memoryBus.settle();
    await engine.stop();
    await tracing.forceFlush();

    const decided = [...engine.stats.orders.values()].reduce((a, o) => a + o.decided, 0);
    const filled = [...engine.stats.orders.values()].reduce((a, o) => a + o.filled, 0);
    assert.deepEqual([decided, filled], [1, 1], 'one opportunity, filled');
    const spans = exporter.getFinishedSpans();
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    assert.equal(traceIds.size, 1, `one trace; got ${traceIds.size}: ${spans.map((s) => s.name).join(', ')}`);
    assert.deepEqual(spans.filter((s) => !parentOf(s)).map((s) => s.name), ['market.event'], 'one root');
    assert.deepEqual(pathTo(spans, 'execution.confirm'), [
      'market.event',
      'order.decide',
      'publish trade.opportunities',
      'process trade.opportunities',
      'publish execution.orders',
      'process execution.orders',
      'execution.confirm',
    ]);
    assert.deepEqual(pathTo(spans, 'execution.submit').slice(-2), ['process execution.orders', 'execution.submit']);
    const evaluated = spans.filter((s) => s.name === 'rules.evaluate').map((s) => String(s.attributes['solrules.rule_file']));
    assert.deepEqual(evaluated.sort(), ['dca', 'risk', 'routing'], 'strategy, risk and routing rules each evaluated once in the trace');
    assert.ok(spans.some((s) => s.name === 'facts.build' && parentOf(s) === spans.find((r) => r.name === 'market.event')!.spanContext().spanId), 'facts are a stage of the market event');
    assert.deepEqual(pathTo(spans, 'route').slice(0, 4), ['market.event', 'order.decide', 'publish trade.opportunities', 'process trade.opportunities']);
    assert.ok(pathTo(spans, 'process execution.confirmed').length > 0, 'the confirmation reaches the engine in the same trace');

    const filledLine = logLines.find((l) => l.msg === 'order filled');
    assert.ok(filledLine, 'the executor logged the fill');
    assert.equal(filledLine.trace_id, [...traceIds][0], 'the log line carries the trace id');
    assert.equal(filledLine.order_id, filledLine.orderId, 'and the order id (from the bus headers)');
  } finally {
    await bus.close();
    await tracing.shutdown();
  }
});

test('two opportunities from one market event are two traces, each starting at the event', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = await initTracing({ exporters: [exporter] });
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
  const tracing = await initTracing({ exporters: [exporter] });
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
  const tracing = await initTracing({ otlpEndpoint: undefined });
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
  const { otlpEndpointFrom } = await import('../../../engine/infra/telemetry/index.ts');
  assert.equal(otlpEndpointFrom({}), undefined, 'off by default');
  assert.equal(otlpEndpointFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318/' }), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(otlpEndpointFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://j:4318/v1/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }), 'http://j:4318/v1/traces');
  assert.equal(otlpEndpointFrom({ SOLRULES_OTLP_ENDPOINT: 'http://s/v1/traces', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' }), 'http://s/v1/traces');
});

test('spans are exported over OTLP/HTTP when an endpoint is configured', async () => {
  const { createServer } = await import('node:http');
  const bodies: Array<{ path: string; body: string; type: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      bodies.push({ path: req.url ?? '', body, type: String(req.headers['content-type']) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const tracing = await initTracing({ otlpEndpoint: `http://127.0.0.1:${port}/v1/traces`, serviceName: 'solrules-test' });
  try {
    assert.equal(tracing.otlpEndpoint, `http://127.0.0.1:${port}/v1/traces`);
    await marketEvent({ 'solrules.venue': 'replay' }, async () => {
      stage('rules.evaluate', {}, () => 0);
      await opportunity({ 'solrules.strategy': 'grid' }, async () => {});
    });
    await tracing.forceFlush();
    assert.equal(bodies.length, 1, 'one export request');
    assert.equal(bodies[0]!.path, '/v1/traces');
    assert.match(bodies[0]!.type, /json|protobuf/);
    const text = bodies[0]!.type.includes('json') ? bodies[0]!.body : Buffer.from(bodies[0]!.body).toString('latin1');
    for (const s of ['solrules-test', 'market.event', 'rules.evaluate', 'order.decide']) assert.ok(text.includes(s), `export carries '${s}'`);
  } finally {
    await tracing.shutdown();
    server.close();
  }
});

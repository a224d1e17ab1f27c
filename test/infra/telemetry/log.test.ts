import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLogger, initTracing, inSpan, logFormat, withOrderId } from '../../../engine/infra/telemetry/index.ts';

function capture(format: 'json' | 'pretty' = 'json') {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format, destination: { write: (s: string) => void lines.push(s) } });
  return { log, lines };
}

test('secrets are redacted from log lines', () => {
  const { log, lines } = capture();
  const secretKey = '4wBqpZM9xaSheZzJSMawUHDgZ7miWfSsxmfVF5jJpYP7hqfbXZh5B5Xm8XmdKz6kWfcL9hDqX8fT9zY3mdWAnsXG';
  log.info({ wallet: { name: 'worker-1', secretKey }, headers: { authorization: 'Bearer abc123' }, token: 'tkn', rpc: { apiKey: 'k3y' } }, 'loaded');
  const text = lines.join('');
  for (const secret of [secretKey, 'abc123', 'tkn', 'k3y']) assert.ok(!text.includes(secret), `'${secret}' reached the log`);
  const line = JSON.parse(lines[0]!);
  assert.equal(line.wallet.secretKey, '[redacted]');
  assert.equal(line.wallet.name, 'worker-1');
});

test('trace and order ids are on every line that has them', async () => {
  const exporter = new InMemorySpanExporter();
  const tracing = await initTracing({ exporters: [exporter] });
  const { log, lines } = capture();
  try {
    log.info('outside');
    await withOrderId('ord_abc', () =>
      inSpan('execution.submit', {}, async (span) => {
        await new Promise((r) => setTimeout(r, 1));
        log.warn({ endpoint: 'rpc-1' }, 'rpc error, failing over');
        log.info({ order_id: 'ord_explicit' }, 'explicit wins');
        return span;
      }),
    );
    const [outside, inside, explicit] = lines.map((l) => JSON.parse(l));
    assert.equal(outside.trace_id, undefined);
    assert.equal(outside.order_id, undefined);
    const span = exporter.getFinishedSpans()[0]!;
    assert.equal(inside.trace_id, span.spanContext().traceId);
    assert.equal(inside.span_id, span.spanContext().spanId);
    assert.equal(inside.order_id, 'ord_abc');
    assert.equal(inside.level, 'warn');
    assert.equal(explicit.order_id, 'ord_explicit');
  } finally {
    await tracing.shutdown();
  }
});

test('every line carries the labels Loki streams are cut by: service, role and the level by name', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', service: 'solrules-test', role: 'planner', destination: { write: (s: string) => void lines.push(s) } });
  log.error({ strategy: 'grid' }, 'boom');
  log.info('fine');
  const [error, info] = lines.map((l) => JSON.parse(l));
  assert.deepEqual([error.service, error.role, error.level], ['solrules-test', 'planner', 'error']);
  assert.equal(info.level, 'info');
  const saved = { service: process.env.OTEL_SERVICE_NAME, role: process.env.SOLRULES_ROLE };
  try {
    process.env.OTEL_SERVICE_NAME = 'from-env';
    process.env.SOLRULES_ROLE = 'executor';
    const fromEnv: string[] = [];
    createLogger({ destination: { write: (s: string) => void fromEnv.push(s) } }).warn('x');
    assert.deepEqual([JSON.parse(fromEnv[0]!).service, JSON.parse(fromEnv[0]!).role], ['from-env', 'executor']);
    delete process.env.OTEL_SERVICE_NAME;
    delete process.env.SOLRULES_ROLE;
    const defaults: string[] = [];
    createLogger({ destination: { write: (s: string) => void defaults.push(s) } }).warn('x');
    assert.deepEqual([JSON.parse(defaults[0]!).service, JSON.parse(defaults[0]!).role], ['solrules', 'all']);
  } finally {
    for (const [k, v] of [['OTEL_SERVICE_NAME', saved.service], ['SOLRULES_ROLE', saved.role]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test('readable lines in a terminal, JSON otherwise', () => {
  assert.equal(logFormat({}, {}, true), 'pretty');
  assert.equal(logFormat({}, {}, false), 'json');
  assert.equal(logFormat({}, { SOLRULES_LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormat({}, { SOLRULES_LOG_FORMAT: 'pretty' }, false), 'pretty');
  const { log, lines } = capture('pretty');
  log.info({ strategy: 'grid', secretKey: 'hunter2' }, 'order filled');
  const text = lines.join('');
  assert.match(text, /INFO.*order filled/);
  assert.match(text, /"strategy":"grid"/);
  assert.ok(!text.includes('hunter2'));
  assert.throws(() => JSON.parse(text.trim()), 'pretty output is not JSON');
});

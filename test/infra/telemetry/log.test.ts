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
    assert.equal(inside.level, 40);
    assert.equal(explicit.order_id, 'ord_explicit');
  } finally {
    await tracing.shutdown();
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

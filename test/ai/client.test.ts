/** The chat-completions client against a loopback server: what reaches it and how each scripted answer ends. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { AiClient, DailyBudget, type AiClientOptions } from '../../engine/ai/index.ts';
import { ChatServer, answer, capturedLogger, completion, fakeClock, hang, partsOf, status, VALID } from './chat-server.ts';
import { request } from './charts.ts';

const KEY = 'sk-test-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const logs: string[] = [];
after(() => {
  // Every line any test here logged, at debug level: the key never appears, in any form.
  assert.ok(logs.length > 10, `expected log lines, got ${logs.length}`);
  for (const line of logs) assert.ok(!line.includes(KEY) && !line.includes(KEY.slice(3)), `API key in a log line: ${line}`);
});

async function setup(opts: Partial<AiClientOptions> = {}) {
  const server = new ChatServer();
  const baseUrl = await server.start();
  const clock = fakeClock();
  const { log, lines } = capturedLogger();
  const client = new AiClient({ baseUrl, model: 'vision-test', apiKey: KEY, clock, log, limits: { timeoutMs: 2000, maxRetries: 3, backoffMs: 100, maxBackoffMs: 1000, maxRetryAfterMs: 10_000 }, ...opts });
  return { server, client, clock, lines, done: async () => (logs.push(...lines), server.close()) };
}

test('the chart image and the prompt reach the server; a valid answer is the result', async () => {
  const { server, client, done } = await setup();
  const req = request();
  const result = await client.analyze(req);
  await done();
  assert.equal(result.status, 'ok');
  assert.deepEqual(result.status === 'ok' && result.answer, VALID);
  assert.equal(result.status === 'ok' && result.source, 'api');
  assert.equal(server.received.length, 1);
  const got = server.received[0]!;
  assert.equal(got.headers.authorization, `Bearer ${KEY}`);
  assert.equal(got.body.model, 'vision-test');
  assert.equal(got.body.response_format.type, 'json_schema');
  assert.equal(got.body.response_format.json_schema?.name, 'chart_analysis');
  const { texts, images } = partsOf(got);
  assert.equal(images.length, 1);
  assert.match(images[0]!, /^data:image\/png;base64,/);
  assert.ok(Buffer.from(images[0]!.split(',')[1]!, 'base64').equals(req.chart.png), 'the PNG bytes arrive unchanged');
  assert.ok(texts.some((t) => t.includes('SOL/USDT') && t.includes('1h') && t.includes(req.vars.lastClose)), texts.join('\n'));
  assert.equal(result.usage.promptTokens, 900);
});

test('the Spanish template reaches the server', async () => {
  const { server, client, done } = await setup();
  await client.analyze(request(0, { language: 'es' }));
  await done();
  const { texts } = partsOf(server.received[0]!);
  assert.ok(texts.some((t) => t.includes('analista técnico')));
  assert.ok(texts.some((t) => t.includes('Gráfico: SOL/USDT')));
});

test('malformed JSON is retried once with the error appended, then accepted', async () => {
  const { server, client, done } = await setup();
  server.then(completion('Sure! {"recommendation": "buy", confidence: high}'));
  const result = await client.analyze(request());
  await done();
  assert.equal(result.status, 'ok');
  assert.equal(server.received.length, 2);
  const retry = server.received[1]!.body.messages;
  assert.equal(retry.at(-2)!.role, 'assistant');
  assert.match(String(retry.at(-1)!.content), /did not match the required JSON schema: not JSON/);
  assert.equal(result.usage.promptTokens, 1800, 'both calls are counted');
});

test('a schema-invalid answer twice is recorded as a failure after exactly two calls', async () => {
  const { server, client, done } = await setup();
  const bad = { ...VALID, recommendation: 'moon', confidence: 1.7 };
  server.then(completion(JSON.stringify(bad)), completion(JSON.stringify(bad)));
  const result = await client.analyze(request());
  await done();
  assert.equal(result.status, 'failed');
  assert.equal(result.status === 'failed' && result.error.code, 'AI_ANSWER_INVALID');
  assert.match(result.status === 'failed' ? result.error.message : '', /recommendation must be equal to one of the allowed values.*confidence must be <= 1/);
  assert.equal(server.received.length, 2);
  assert.equal(result.calls, 2);
  assert.match(String(server.received[1]!.body.messages.at(-1)!.content), /\/confidence must be <= 1/);
});

test('429 honours Retry-After, then succeeds', async () => {
  const { server, client, clock, done } = await setup();
  server.then(status(429, 'slow down', { 'retry-after': '3' }));
  const result = await client.analyze(request());
  await done();
  assert.equal(result.status, 'ok');
  assert.equal(server.received.length, 2);
  assert.deepEqual(clock.sleeps, [3000]);
  assert.equal(result.calls, 2);
});

test('500s back off exponentially and fail after the last retry', async () => {
  const { server, client, clock, done } = await setup();
  server.then(status(500, 'boom'), status(502, 'bad gateway'), status(503, 'busy'), status(500, 'boom'));
  const result = await client.analyze(request());
  await done();
  assert.equal(result.status, 'failed');
  assert.equal(result.status === 'failed' && result.error.code, 'AI_SERVER_ERROR');
  assert.equal(server.received.length, 4);
  assert.equal(result.calls, 4, 'a failure still counts its calls');
  assert.deepEqual(clock.sleeps, [100, 200, 400]);
});

test('a Retry-After longer than allowed fails instead of waiting', async () => {
  const { server, client, clock, done } = await setup();
  server.then(status(429, 'quota', { 'retry-after': '3600' }));
  const result = await client.analyze(request());
  await done();
  assert.equal(result.status === 'failed' && result.error.code, 'AI_RATE_LIMITED');
  assert.deepEqual(clock.sleeps, []);
  assert.equal(server.received.length, 1);
});

test('a hang past the timeout fails with AI_TIMEOUT and is not retried', async () => {
  const { server, client, done } = await setup({ limits: { timeoutMs: 300, maxRetries: 3, backoffMs: 1, maxBackoffMs: 1, maxRetryAfterMs: 1 } });
  server.then(hang);
  const started = performance.now();
  const result = await client.analyze(request());
  const elapsed = performance.now() - started;
  await done();
  assert.equal(result.status === 'failed' && result.error.code, 'AI_TIMEOUT');
  // The configured timeout is what ended it (the error names it), on the first and only attempt.
  assert.match(result.status === 'failed' ? result.error.message : '', /within 300 ms/);
  assert.equal(server.received.length, 1);
  // A hang guard only, generous for a loaded machine: a hanging server does not hang the client.
  assert.ok(elapsed < 60_000, `elapsed ${elapsed} ms`);
});

test('a server refusing json_schema gets json_object with the schema in the prompt', async () => {
  const { server, client, done } = await setup();
  server.then(status(400, "response_format type 'json_schema' is not supported"));
  const first = await client.analyze(request());
  const second = await client.analyze(request(1));
  await done();
  assert.equal(first.status, 'ok');
  assert.equal(first.calls, 2, 'the refused call counts');
  assert.equal(second.status, 'ok');
  assert.equal(second.calls, 1);
  assert.deepEqual(server.received.map((r) => r.body.response_format.type), ['json_schema', 'json_object', 'json_object']);
  assert.match(String(server.received[1]!.body.messages[0]!.content), /JSON Schema.*"recommendation"/);
  assert.equal(client.responseFormat, 'json_object');
});

test('the cache answers the same chart without a second call', async () => {
  const { server, client, done } = await setup();
  const a = await client.analyze(request());
  const b = await client.analyze(request());
  const c = await client.analyze(request(1));
  await done();
  assert.equal(server.received.length, 2, 'one call for the repeated chart, one for the new one');
  assert.equal(a.status === 'ok' && a.source, 'api');
  assert.equal(b.status === 'ok' && b.source, 'cache');
  assert.equal(b.calls, 0);
  assert.equal(c.status === 'ok' && c.source, 'api');
});

test('the call budget stops calls with a clear status, and resets the next UTC day', async () => {
  const clock = fakeClock(Date.UTC(2026, 0, 6, 23, 0, 0));
  const budget = new DailyBudget({ maxCallsPerDay: 2, maxCostUsdPerDay: 100, prices: { inputPerMillion: 2.5, outputPerMillion: 10 } }, clock);
  const { server, client, done } = await setup({ budget, clock });
  const r1 = await client.analyze(request(0));
  const r2 = await client.analyze(request(1));
  const r3 = await client.analyze(request(2));
  assert.deepEqual([r1.status, r2.status, r3.status], ['ok', 'ok', 'budget-exhausted']);
  assert.equal(r3.status === 'budget-exhausted' && r3.error.code, 'AI_BUDGET_EXHAUSTED');
  assert.match(r3.status === 'budget-exhausted' ? r3.error.message : '', /daily call limit reached \(2\/2 calls on 2026-01-06 UTC\)/);
  assert.equal(server.received.length, 2);
  assert.equal(budget.status().exhausted, true);
  // 900 input + 120 output tokens at $2.5 / $10 per million = $0.00345 a call
  assert.ok(Math.abs(budget.status().costUsd - 2 * 0.00345) < 1e-12, String(budget.status().costUsd));
  clock.t += 2 * 3600_000;
  const r4 = await client.analyze(request(3));
  await done();
  assert.equal(r4.status, 'ok');
  assert.equal(server.received.length, 3);
});

test('the cost budget stops calls once the estimated cost reaches it', async () => {
  const clock = fakeClock();
  const budget = new DailyBudget({ maxCallsPerDay: 1000, maxCostUsdPerDay: 0.01, prices: { inputPerMillion: 5, outputPerMillion: 15 } }, clock);
  const { server, client, done } = await setup({ budget, clock });
  const statuses: string[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await client.analyze(request(i))).status);
  await done();
  // $0.0063 a call (900 × 5 + 120 × 15 per million): the second call crosses $0.01
  assert.deepEqual(statuses, ['ok', 'ok', 'budget-exhausted', 'budget-exhausted', 'budget-exhausted', 'budget-exhausted']);
  assert.equal(server.received.length, 2);
  assert.match(budget.status().reason ?? '', /daily cost limit reached/);
});

test('the API key never reaches a log line or a result, even when the server echoes it', async () => {
  const { server, client, lines, done } = await setup();
  server.then(status(401, `Incorrect API key provided: ${KEY}. Authorization: Bearer ${KEY}`));
  const result = await client.analyze(request());
  await done();
  assert.equal(result.status === 'failed' && result.error.code, 'AI_HTTP');
  const text = JSON.stringify(result);
  assert.ok(!text.includes(KEY), text);
  assert.match(text, /Incorrect API key provided: \[redacted\]/);
  assert.ok(lines.some((l) => l.includes('Incorrect API key provided: [redacted]')), 'the failure is logged, redacted');
  for (const l of lines) assert.ok(!l.includes(KEY), l);
});

test('without a base URL or model the client refuses to start', () => {
  assert.throws(() => new AiClient({ model: 'x' }), { code: 'AI_CONFIG' });
  assert.throws(() => new AiClient({ baseUrl: 'http://127.0.0.1:1/v1', model: '' }), { code: 'AI_CONFIG' });
});

test('a network error (nothing listening) is retried then reported as AI_NETWORK', async () => {
  const server = new ChatServer();
  const baseUrl = await server.start();
  await server.close();
  const clock = fakeClock();
  const { log, lines } = capturedLogger();
  const client = new AiClient({ baseUrl, model: 'm', apiKey: KEY, clock, log, limits: { maxRetries: 2, backoffMs: 10, timeoutMs: 2000 } });
  const result = await client.analyze(request());
  logs.push(...lines);
  assert.equal(result.status === 'failed' && result.error.code, 'AI_NETWORK');
  assert.deepEqual(clock.sleeps, [10, 20]);
});

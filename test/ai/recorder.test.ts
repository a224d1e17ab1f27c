/** Record and replay: answers recorded by request hash, replayed with no network, misses reported. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiClient, AnalysisRecorder, requestHashOf } from '../../engine/ai/index.ts';
import { ChatServer, VALID, answer, capturedLogger, fakeClock } from './chat-server.ts';
import { request } from './charts.ts';

test('recorded answers replay without the network; misses are reported', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'ai-rec-')), 'analyses.jsonl');
  const server = new ChatServer();
  const baseUrl = await server.start();
  const clock = fakeClock();
  const { log } = capturedLogger();
  server.then(answer(), answer({ ...VALID, recommendation: 'sell', confidence: 0.55 }));
  const recording = new AiClient({ baseUrl, model: 'vision-test', clock, log, recorder: new AnalysisRecorder(file, 'record') });
  await recording.analyze(request(0));
  await recording.analyze(request(1));
  await server.close();
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.equal(lines[1].answer.recommendation, 'sell');
  assert.equal(lines[0].requestHash, requestHashOf('vision-test', request(0)));

  // In record mode the file is also a persistent cache: a fresh client (restart) does not pay again.
  const server2 = new ChatServer();
  const restarted = new AiClient({ baseUrl: await server2.start(), model: 'vision-test', clock, log, recorder: new AnalysisRecorder(file, 'record') });
  const again = await restarted.analyze(request(1));
  await server2.close();
  assert.equal(server2.received.length, 0);
  assert.equal(again.status === 'ok' && again.source, 'cache');
  assert.equal(again.status === 'ok' && again.answer.recommendation, 'sell');
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 2, 'nothing appended');

  let networkCalls = 0;
  const recorder = new AnalysisRecorder(file, 'replay');
  const replaying = new AiClient({ model: 'vision-test', clock, log, recorder, fetch: (async () => (networkCalls++, new Response('{}'))) as typeof fetch });
  const r0 = await replaying.analyze(request(0));
  const r1 = await replaying.analyze(request(1));
  const r2 = await replaying.analyze(request(2));
  assert.equal(networkCalls, 0);
  assert.equal(r0.status === 'ok' && r0.source, 'replay');
  assert.equal(r1.status === 'ok' && r1.answer.recommendation, 'sell');
  assert.equal(r2.status === 'failed' && r2.error.code, 'AI_REPLAY_MISSING');
  const report = recorder.replayReport();
  assert.deepEqual(report.replayed.map((r) => r.requestHash), [lines[0].requestHash, lines[1].requestHash]);
  assert.deepEqual(report.missing.map((r) => r.chartSha256), [request(2).chart.sha256]);
});

test('the request hash depends on model, language, chart and previous answer, and nothing else', () => {
  const base = requestHashOf('m', request(0));
  assert.equal(requestHashOf('m', request(0)), base);
  assert.notEqual(requestHashOf('other', request(0)), base);
  assert.notEqual(requestHashOf('m', request(0, { language: 'de' })), base);
  assert.notEqual(requestHashOf('m', request(1)), base);
  assert.notEqual(requestHashOf('m', request(0, { previous: { answer: VALID, vars: request(1).vars } })), base);
});

test('a corrupt recording names file and line; replay needs the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ai-rec-'));
  const file = join(dir, 'bad.jsonl');
  writeFileSync(file, `${JSON.stringify({ requestHash: 'a', answer: VALID })}\n{"requestHash": "b", "answer": {"recommendation": "maybe"}}\n`);
  assert.throws(() => new AnalysisRecorder(file, 'replay'), { code: 'AI_REPLAY_FILE', message: new RegExp(`${file}:2:1: not a recorded analysis`) });
  assert.throws(() => new AnalysisRecorder(join(dir, 'none.jsonl'), 'replay'), { code: 'AI_REPLAY_FILE' });
});

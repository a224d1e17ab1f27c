/** The analysis queue: concurrency, spacing, schedules, follow-ups, the budget and the `ai` fact. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AiClient, AnalysisQueue, DailyBudget, aiFact, type Clock } from '../../engine/ai/index.ts';
import { ChatServer, VALID, answer, capturedLogger, completion, fakeClock, partsOf } from './chat-server.ts';
import { chartInput } from './charts.ts';
import { metrics } from '../../engine/infra/telemetry/index.ts';

async function setup(clock: Clock, budget?: DailyBudget) {
  const server = new ChatServer();
  const baseUrl = await server.start();
  const { log } = capturedLogger();
  const client = new AiClient({ baseUrl, model: 'vision-test', clock, log, ...(budget ? { budget } : {}), limits: { timeoutMs: 5000 } });
  return { server, client, log };
}

test('concurrency limits how many analyses run at once', async () => {
  for (const concurrency of [1, 2]) {
    const clock = fakeClock();
    const { server, client, log } = await setup(clock);
    server.delayMs = 150;
    const queue = new AnalysisQueue({ client, clock, log, concurrency });
    const results = await Promise.all([0, 1, 2, 3].map((i) => queue.submit({ market: `M${i}`, chart: () => chartInput(i) })));
    await server.close();
    assert.deepEqual(results.map((r) => r.status), ['ok', 'ok', 'ok', 'ok']);
    assert.equal(server.received.length, 4);
    assert.equal(server.maxInFlight, concurrency);
  }
});

test('minIntervalMs spaces the start of analyses (rate limit)', async () => {
  const clock = fakeClock();
  const { server, client, log } = await setup(clock);
  const queue = new AnalysisQueue({ client, clock, log, minIntervalMs: 10_000 });
  await Promise.all([0, 1, 2].map((i) => queue.submit({ market: `M${i}`, chart: () => chartInput(i) })));
  await server.close();
  assert.deepEqual(clock.sleeps, [10_000, 10_000]);
  assert.equal(server.received.length, 3);
});

test('schedules run when due, skip missed slots, and follow up on the previous answer', async () => {
  const clock = fakeClock();
  const t0 = clock.t;
  const { server, client, log } = await setup(clock);
  // A new candle every hour: the chart ends one bar later each hour.
  const queue = new AnalysisQueue({ client, clock, log });
  queue.schedule({ strategy: 'ai-trend', market: 'SOL/USDT', everyMs: 3600_000, chart: () => chartInput(10 - Math.floor((clock.t - t0) / 3600_000)) });
  server.then(answer({ ...VALID, recommendation: 'hold', confidence: 0.4 }));
  assert.equal((await queue.runDue()).length, 1);
  assert.equal((await queue.runDue()).length, 0, 'not due again within the hour');
  clock.t += 3600_000;
  const [second] = await queue.runDue();
  assert.equal(second!.status, 'ok');
  const followUp = server.received[1]!.body.messages;
  assert.equal(followUp.length, 4, 'system, first question, previous answer, new chart');
  assert.equal(followUp[2]!.role, 'assistant');
  assert.equal(JSON.parse(String(followUp[2]!.content)).recommendation, 'hold');
  assert.match(partsOf(server.received[1]!).texts.at(-1)!, /updated chart.*Revise your previous answer/);
  assert.equal(partsOf(server.received[1]!).images.length, 1, 'only the new chart is sent');
  clock.t += 3 * 3600_000 + 1;
  assert.equal((await queue.runDue()).length, 1, 'three missed slots give one analysis, not three');
  await server.close();
  assert.equal(server.received.length, 3);
});

test('an unchanged chart is not paid for again', async () => {
  const clock = fakeClock();
  const { server, client, log } = await setup(clock);
  const queue = new AnalysisQueue({ client, clock, log });
  const first = await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(0) });
  clock.t += 600_000;
  const again = await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(0) });
  await server.close();
  assert.equal(server.received.length, 1);
  assert.equal(again.status === 'ok' && again.source, 'cache');
  assert.equal(again.at, first.at, 'the answer keeps its age');
});

test('the budget stops the queue with a clear status and the fact goes unready', async () => {
  const clock = fakeClock();
  const budget = new DailyBudget({ maxCallsPerDay: 1, maxCostUsdPerDay: 10, prices: { inputPerMillion: 0, outputPerMillion: 0 } }, clock);
  const { server, client, log } = await setup(clock, budget);
  const queue = new AnalysisQueue({ client, clock, log, budget });
  const a = await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(0) });
  assert.equal(queue.fact('SOL/USDT').ready, true);
  const b = await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(1) });
  await server.close();
  assert.equal(a.status, 'ok');
  assert.equal(b.status, 'budget-exhausted');
  assert.equal(server.received.length, 1);
  assert.deepEqual(queue.fact('SOL/USDT'), { market: 'SOL/USDT', ready: false, status: 'budget-exhausted', recommendation: 'none', confidence: 0, horizon: '', ageSeconds: 0, model: 'vision-test' });
  assert.equal(queue.status().budget?.exhausted, true);
});

test('an exhausted budget is warned about once per budget day; the refused analyses are counted and summed up when the day rolls', async () => {
  const clock = fakeClock();
  const budget = new DailyBudget({ maxCallsPerDay: 1, maxCostUsdPerDay: 10, prices: { inputPerMillion: 0, outputPerMillion: 0 } }, clock);
  const server = new ChatServer();
  const baseUrl = await server.start();
  const { log, lines } = capturedLogger();
  const client = new AiClient({ baseUrl, model: 'vision-test', clock, log, budget, limits: { timeoutMs: 5000 } });
  const queue = new AnalysisQueue({ client, clock, log, budget });
  const refusedBefore = (await metrics.ai.budgetRefusals.get()).values[0]?.value ?? 0;
  const records = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; refused?: number; day?: string });
  try {
    assert.equal((await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(0) })).status, 'ok');
    // a fast replay queues many analyses past the limit: all refused, one warning
    const refused = await Promise.all(Array.from({ length: 25 }, (_, i) => queue.submit({ market: `M${i % 3}`, chart: () => chartInput(i + 1) })));
    assert.deepEqual(new Set(refused.map((r) => r.status)), new Set(['budget-exhausted']));
    const warnings = records().filter((r) => /daily call limit reached/.test(r.msg));
    assert.equal(warnings.length, 1, `one warning for 25 refusals: ${warnings.map((w) => w.msg).join(' | ')}`);
    assert.equal(((await metrics.ai.budgetRefusals.get()).values[0]?.value ?? 0) - refusedBefore, 25, 'every refusal counted');

    // the next UTC day: the budget allows a call again, and yesterday's refusals are summed up in one line
    clock.t += 86_400_000;
    assert.equal((await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(40) })).status, 'ok');
    const summaries = records().filter((r) => r.refused !== undefined);
    assert.equal(summaries.length, 1, JSON.stringify(summaries));
    assert.deepEqual([summaries[0]!.day, summaries[0]!.refused], ['2026-01-06', 25]);
    // and a new exhausted day warns once again
    await Promise.all([1, 2, 3].map((i) => queue.submit({ market: 'SOL/USDT', chart: () => chartInput(40 + i) })));
    assert.equal(records().filter((r) => /daily call limit reached/.test(r.msg)).length, 2);
  } finally {
    await server.close();
  }
});

test('the fact: ready when fresh, unready when stale or failed', async () => {
  const clock = fakeClock();
  const { server, client, log } = await setup(clock);
  const queue = new AnalysisQueue({ client, clock, log, maxAgeSeconds: 3600 });
  assert.equal(queue.fact('SOL/USDT').status, 'missing');
  await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(0) });
  clock.t += 1800_000;
  assert.deepEqual(queue.fact('SOL/USDT'), { market: 'SOL/USDT', ready: true, status: 'ok', recommendation: 'buy', confidence: 0.72, horizon: 'days', ageSeconds: 1800, model: 'vision-test' });
  clock.t += 1801_000;
  const stale = queue.fact('SOL/USDT');
  assert.equal(stale.ready, false);
  assert.equal(stale.status, 'stale');
  assert.equal(stale.recommendation, 'none');
  server.then(completion('{"recommendation":"buy"}'), completion('{"recommendation":"buy"}'));
  const failed = await queue.submit({ market: 'SOL/USDT', chart: () => chartInput(1) });
  await server.close();
  assert.equal(failed.status, 'failed');
  assert.equal(queue.fact('SOL/USDT').status, 'failed');
  assert.equal(queue.fact('SOL/USDT').ready, false);
  assert.equal(queue.fact('SOL/USDT').confidence, 0);
  assert.equal(aiFact('X', undefined, 0, 60).ready, false);
});

test('a full queue refuses new jobs with AI_QUEUE_FULL', async () => {
  const clock = fakeClock();
  const { server, client, log } = await setup(clock);
  server.delayMs = 100;
  const queue = new AnalysisQueue({ client, clock, log, maxQueued: 1 });
  const running = queue.submit({ market: 'A', chart: () => chartInput(0) });
  const waiting = queue.submit({ market: 'B', chart: () => chartInput(1) });
  await assert.rejects(queue.submit({ market: 'C', chart: () => chartInput(2) }), { code: 'AI_QUEUE_FULL' });
  await Promise.all([running, waiting]);
  await server.close();
});

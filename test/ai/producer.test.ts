/**
 * The engine's ai fact producer: candles built from bars and ticks, analyses on each strategy's
 * schedule slots (never before the chart has its candles), answers that never block a tick in a
 * run, and a fact that is ready only for a fresh, complete answer.
 */
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AiClient, AiFactProducer, AnalysisQueue, CandleBuilder, renderChart, type AiStrategySchedule, type Bar } from '../../engine/ai/index.ts';
import { answer, ChatServer, hang, partsOf, status } from './chat-server.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';

const H = 3_600_000;
const T0 = Date.UTC(2025, 10, 1);
const silent = createLogger({ level: 'silent' });

/** Hourly bars of a gentle up-and-down wave, bar i opening at T0 + i h. */
function bar(i: number): Bar {
  const c = 100 + 5 * Math.sin(i / 7) + i * 0.05;
  return { time: T0 + i * H, open: c - 0.2, high: c + 0.6, low: c - 0.7, close: c, volume: 1000 + i };
}

function clockAt(t: { now: number }) {
  return { now: () => t.now, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
}

function schedule(strategy: string, queue: AnalysisQueue | undefined, over: Partial<AiStrategySchedule> = {}): AiStrategySchedule {
  return { strategy, everyMs: 4 * H, timeframe: '1h', timeframeMs: H, bars: 24, maxAgeSeconds: 8 * 3600, language: 'en', followUp: false, ...(queue ? { queue } : {}), ...over };
}

/** What a producer test runs against: the scripted chat server, the engine clock (at T0), and a queue on a client of that server. */
interface ChatHarness {
  server: ChatServer;
  t: { now: number };
  queue: AnalysisQueue;
  /** A SOL/USDC producer on the engine clock. */
  producer(opts: Omit<ConstructorParameters<typeof AiFactProducer>[0], 'market' | 'clock' | 'log'>): AiFactProducer;
}

/** Runs `body` with a started chat server, a client (`limits` when given) and a queue on it; closes the server after. */
async function withChat(body: (h: ChatHarness) => Promise<void>, limits?: ConstructorParameters<typeof AiClient>[0]['limits']): Promise<void> {
  const server = new ChatServer();
  const url = await server.start();
  const t = { now: T0 };
  const clock = clockAt(t);
  const client = new AiClient({ baseUrl: url, model: 'test-vision', clock, log: silent, ...(limits ? { limits } : {}) });
  const queue = new AnalysisQueue({ client, clock, log: silent });
  const producer: ChatHarness['producer'] = (opts) => new AiFactProducer({ market: 'SOL/USDC', clock, log: silent, ...opts });
  try {
    await body({ server, t, queue, producer });
  } finally {
    await server.close();
  }
}

test('candles: 1h bars make 4h candles that close with their last hour; ticks make candles that close on the next bucket', () => {
  const b = new CandleBuilder(4 * H, 10);
  for (let i = 0; i < 4; i++) {
    b.addBar(bar(i));
    b.closeUntil(T0 + (i + 1) * H);
    assert.equal(b.closed.length, i === 3 ? 1 : 0, `after bar ${i}`);
  }
  const c = b.closed[0]!;
  assert.deepEqual([c.time, c.open, c.close, c.volume], [T0, bar(0).open, bar(3).close, 1000 + 1001 + 1002 + 1003]);
  assert.equal(c.high, Math.max(...[0, 1, 2, 3].map((i) => bar(i).high)));
  const t = new CandleBuilder(24 * H, 10);
  for (const [h, p] of [[0, 10], [6, 12], [12, 8], [18, 11], [24, 11.5]] as const) {
    t.addTick(T0 + h * H, p);
    t.closeUntil(T0 + h * H);
  }
  assert.deepEqual(t.closed.map((x) => [x.open, x.high, x.low, x.close]), [[10, 12, 8, 11]]);
  // Capacity: only the newest candles are kept.
  const cap = new CandleBuilder(H, 5);
  for (let i = 0; i < 40; i++) cap.addBar(bar(i));
  cap.closeUntil(T0 + 40 * H);
  assert.ok(cap.closed.length >= 5 && cap.closed.length <= 10);
  assert.equal(cap.closed.at(-1)!.time, T0 + 39 * H);
});

test('a run never waits for the model: a slow answer reaches the fact later; failures and staleness make it unready', async () => {
  await withChat(async ({ server, t, queue, producer: make }) => {
    const producer = make({ schedules: [schedule('a', queue), schedule('b', queue, { maxAgeSeconds: 4 * 3600 })], wait: 'background' });
    server.delayMs = 300;
    server.then(status(500, 'boom'), answer({ recommendation: 'buy', confidence: 0.81, horizon: 'days', keyLevels: { support: [99], resistance: [104] }, reasoning: 'up' }));
    const feed = (i: number) => {
      t.now = T0 + (i + 1) * H;
      return producer.onPrice(t.now, bar(i).close, bar(i));
    };
    for (let i = 0; i < 23; i++) assert.equal(feed(i), undefined);
    assert.equal(server.received.length, 0, 'no chart before 24 closed candles');
    assert.deepEqual([producer.fact('a')!.ready, producer.fact('a')!.status], [false, 'missing']);
    // The 24th candle: the slot is due, the analysis is submitted, the tick is not held.
    assert.equal(feed(23), undefined, 'background mode returns nothing to await: the tick goes on at once');
    assert.equal(producer.fact('a')!.status, 'missing', 'no half answer while it is in flight');
    await producer.settle();
    assert.equal(server.received.length, 1, 'strategies a and b share one chart: one call');
    assert.deepEqual([producer.fact('a')!.ready, producer.fact('a')!.status, producer.fact('a')!.recommendation], [false, 'failed', 'none']);
    // Next slot (4 h later): a valid answer, ready for both strategies.
    for (let i = 24; i < 28; i++) feed(i);
    await producer.settle();
    assert.equal(server.received.length, 2);
    const a = producer.fact('a')!;
    assert.deepEqual([a.ready, a.status, a.recommendation, a.confidence, a.model, a.market], [true, 'ok', 'buy', 0.81, 'test-vision', 'SOL/USDC']);
    // Slots between: nothing more is asked; age grows with the engine clock.
    for (let i = 28; i < 31; i++) feed(i);
    await producer.settle();
    assert.equal(server.received.length, 2);
    assert.equal(producer.fact('a')!.ageSeconds, 3 * 3600);
    // b's answers expire after 4 h, a's after 8 h: past 4 h b is stale, a still ready.
    server.then(hang);
    server.delayMs = 0;
    t.now = T0 + 28 * H + 4 * H + 1000;
    assert.deepEqual([producer.fact('b')!.ready, producer.fact('b')!.status, producer.fact('b')!.confidence], [false, 'stale', 0]);
    assert.equal(producer.fact('a')!.ready, true);
    assert.equal(producer.fact('nobody'), undefined, 'a strategy without ai: gets no fact');
    const s = producer.status();
    assert.equal(s.length, 1);
    assert.deepEqual([s[0]!.counts.scheduled, s[0]!.counts.ok, s[0]!.counts.failed], [2, 1, { AI_SERVER_ERROR: 1 }]);
  }, { timeoutMs: 2_000, maxRetries: 0 });
});

test('a backtest (inline) gets the answer before the bar is evaluated; missed slots collapse into one', async () => {
  await withChat(async ({ server, t, queue, producer: make }) => {
    const producer = make({ schedules: [schedule('a', queue, { everyMs: H })], wait: 'inline' });
    for (let i = 0; i < 24; i++) {
      t.now = T0 + (i + 1) * H;
      const pending = producer.onPrice(t.now, bar(i).close, bar(i));
      if (i < 23) assert.equal(pending, undefined);
      else {
        assert.ok(pending, 'inline mode hands the analysis to await');
        await pending;
        assert.equal(producer.fact('a')!.ready, true, 'the answer is there for this bar');
      }
    }
    // A gap of 10 hours in the data: one analysis, not ten.
    t.now = T0 + 35 * H;
    await producer.onPrice(t.now, bar(34).close, bar(34));
    assert.equal(server.received.length, 2);
  });
});

test("the chart sent marks the strategy's own fills inside its window (side, price, time), not those before it", async () => {
  await withChat(async ({ server, t, queue, producer: make }) => {
    // Hourly slots: analyses from hour 24 on; the last one (after hour 29) charts hours 6..29.
    const producer = make({ schedules: [schedule('a', queue, { everyMs: H }), schedule('b', undefined, { everyMs: H, bars: 20 })], wait: 'inline' });
    for (let i = 0; i < 30; i++) {
      t.now = T0 + (i + 1) * H;
      if (i === 2) producer.onFill({ strategy: 'a', side: 'buy', priceUsd: 99.5, timeMs: T0 + 2 * H + 60_000 }); // before the window
      if (i === 10) producer.onFill({ strategy: 'a', side: 'buy', priceUsd: bar(10).low + 0.1, timeMs: T0 + 10 * H + 60_000 });
      if (i === 20) producer.onFill({ strategy: 'a', side: 'sell', priceUsd: bar(20).high - 0.1, timeMs: T0 + 20 * H });
      producer.onFill({ strategy: 'nobody', side: 'sell', priceUsd: 1, timeMs: t.now }); // a strategy without ai: is ignored
      await producer.onPrice(t.now, bar(i).close, bar(i));
    }
    assert.equal(server.received.length, 7);
    const chart = producer.chartOf('a')!;
    assert.equal(chart.bars[0]!.time, T0 + 6 * H);
    assert.deepEqual(chart.trades, [
      { time: T0 + 10 * H + 60_000, side: 'buy', price: bar(10).low + 0.1 },
      { time: T0 + 20 * H, side: 'sell', price: bar(20).high - 0.1 },
    ]);
    const rendered = renderChart(chart);
    assert.equal(rendered.svg.match(/>BUY</g)?.length, 1, 'one buy marker');
    assert.equal(rendered.svg.match(/>SELL</g)?.length, 1, 'one sell marker');
    // What the model got is that chart, markers and all (the same PNG bytes), not one without them.
    const sha = (dataUrl: string) => createHash('sha256').update(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64')).digest('hex');
    const sent = sha(partsOf(server.received.at(-1)!).images[0]!);
    assert.equal(sent, rendered.sha256, 'the last request carries the chart with both markers');
    assert.notEqual(sent, renderChart({ ...chart, trades: [] }).sha256);
    // Strategy b has its own stream (no queue) and no fills: its chart marks nothing.
    assert.equal(producer.chartOf('b')!.trades, undefined);
  });
});

test('on demand: analyses the chart now and feeds the fact; refuses an unknown market, too few candles, or no client', async () => {
  await withChat(async ({ server, t, queue, producer: make }) => {
    const producer = make({ schedules: [schedule('a', queue, { everyMs: 24 * H, bars: 96 })], wait: 'background' });
    const unconfigured = make({ schedules: [schedule('a', undefined)], wait: 'background', notConfigured: 'SOLRULES_AI_BASE_URL is not set' });
    const code = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'resolved';
      } catch (err) {
        return isSolrulesError(err) ? err.code : String(err);
      }
    };
    assert.equal(await code(unconfigured.analyzeNow('SOL')), 'AI_NOT_CONFIGURED');
    await assert.rejects(unconfigured.analyzeNow('SOL'), /SOLRULES_AI_BASE_URL is not set/);
    for (let i = 0; i < 10; i++) producer.onPrice((t.now = T0 + (i + 1) * H), bar(i).close, bar(i));
    assert.equal(await code(producer.analyzeNow('SOL')), 'AI_NO_CHART', 'ten candles are too few');
    for (let i = 10; i < 30; i++) producer.onPrice((t.now = T0 + (i + 1) * H), bar(i).close, bar(i));
    assert.equal(await code(producer.analyzeNow('ETH')), 'AI_NO_CHART');
    assert.equal(server.received.length, 0, 'the 96-candle schedule has not fired yet');
    server.then(answer({ recommendation: 'sell', confidence: 0.66, horizon: 'intraday', keyLevels: { support: [], resistance: [] }, reasoning: 'rolling over' }));
    const done = await producer.analyzeNow('sol/usdc');
    assert.equal(server.received.length, 1);
    assert.equal(done.analyses.length, 1);
    assert.equal(done.analyses[0]!.candles, 30, 'drawn with the 30 candles there are');
    assert.equal(done.analyses[0]!.result.status, 'ok');
    assert.deepEqual([done.analyses[0]!.facts.a!.recommendation, producer.fact('a')!.recommendation, producer.fact('a')!.ready], ['sell', 'sell', true]);
    assert.equal(producer.status()[0]!.counts.onDemand, 1);
  });
});

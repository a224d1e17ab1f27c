/**
 * The ai fact in a running engine (composeEngine, as `solrules run` builds it): a strategy that
 * declares `ai:` gets the fact in its evaluations, analyses go to the configured model (a loopback
 * server here) without holding a tick, and `solrules admin analyze MARKET` — the real CLI against
 * the engine's admin endpoint — analyses now, prints the answer and feeds it to the fact. Without
 * an AI client the command says so; the API key is never printed or logged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder, type ActiveConfig } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { analyzeOnDemand, composeEngine, settingsNeedingRestart, type TradingEngine } from '../../engine/app/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { ControlState, controlAdmin } from '../../engine/control/index.ts';
import { createLogger, Health, setLogger, startTelemetryServer } from '../../engine/infra/telemetry/index.ts';
import { answer, ChatServer, partsOf } from '../ai/chat-server.ts';
import { REPO_ROOT } from '../support/paths.ts';

const KEY = 'sk-test-engine-9f8e7d6c5b4a';
const TOKEN = 'ai-admin-test-token';
const H = 3_600_000;
const T0 = Date.UTC(2025, 10, 1);
const lines: string[] = [];
setLogger(createLogger({ level: 'debug', format: 'json', destination: { write: (s: string) => void lines.push(s) } }));

/** The repository's project with only ai-trend enabled. */
async function aiTrendOnly(): Promise<ActiveConfig> {
  const built = await buildActiveConfig(join(REPO_ROOT, 'examples', 'ai-trend'), compiledEvaluator, 'test', { runTests: false });
  assert.ok(built.active);
  const cfg = built.active.strategies;
  const strategies = Object.fromEntries(Object.entries(cfg.strategies).map(([n, s]) => [n, { ...s, enabled: n === 'ai-trend' }]));
  return { ...built.active, strategies: { ...cfg, strategies } };
}

async function engineWith(env: Record<string, string>, seen: Array<Record<string, unknown>>): Promise<TradingEngine> {
  const active = await aiTrendOnly();
  return composeEngine({
    holder: new ConfigHolder(active),
    bus: new MemoryBus(),
    store: new MemoryStore(),
    ai: { mode: 'live', baseDir: mkdtempSync(join(tmpdir(), 'solrules-ai-engine-')), env },
    observeAiDecision: (_s, _f, facts) => void seen.push(facts.ai as Record<string, unknown>),
  });
}

/** Feeds hourly bars i in [from, to) as a backtest would (decision at each close). */
async function feed(engine: TradingEngine, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const c = 150 + 6 * Math.sin(i / 9);
    const bar = { time: T0 + i * H, open: c - 0.3, high: c + 0.8, low: c - 0.9, close: c, volume: 500 };
    await engine.onPrice({ mint: 'So11111111111111111111111111111111111111112', symbol: 'SOL', usd: c, time: new Date(T0 + (i + 1) * H).toISOString(), source: 'test', bar });
  }
}

function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'solrules.js'), 'admin', ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env } as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a running engine: the ai fact in every evaluation, analyses off the tick, and admin analyze feeding the fact', async () => {
  const server = new ChatServer();
  const url = await server.start();
  const seen: Array<Record<string, unknown>> = [];
  const engine = await engineWith({ SOLRULES_AI_BASE_URL: url, SOLRULES_AI_MODEL: 'test-vision', SOLRULES_AI_API_KEY: KEY }, seen);
  const state = new ControlState({ instanceId: 'engine-ai' });
  // The same admin wiring as compose(): control actions plus this engine's on-demand analysis.
  const telemetry = await startTelemetryServer({ port: 0, adminToken: TOKEN, admin: { ...controlAdmin(state), analyze: (m) => analyzeOnDemand(engine, m) }, health: new Health([]), processMetrics: false });
  const env = { SOLRULES_ADMIN_TOKEN: TOKEN, SOLRULES_METRICS_PORT: String(telemetry.port) };
  try {
    assert.ok(engine.ai, 'ai-trend declares ai:, so the engine has the producer');
    // The first answer is held until the test releases it: a tick that waited for it would never end.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    server.then((res, req) => void gate.then(() => answer()(res, req)));
    await feed(engine, 0, 95);
    assert.equal(server.received.length, 0, 'no chart before 96 closed candles');
    assert.equal(seen.length, 95, 'ai-trend evaluated at every bar, with an ai fact');
    assert.ok(seen.every((f) => f.ready === false && f.status === 'missing'));
    assert.equal(server.received.length, 0);
    await feed(engine, 95, 97);
    assert.equal(seen.at(-1)!.status, 'missing', 'the bars went on, evaluated with the answer in force (none yet)');
    release();
    await engine.ai!.settle();
    assert.equal(server.received.length, 1);
    const { texts, images } = partsOf(server.received[0]!);
    assert.match(texts.join(' '), /SOL\/USDC, 1h candles, 96 bars/);
    assert.match(images[0]!, /^data:image\/png;base64,/);
    assert.equal(server.received[0]!.headers.authorization, `Bearer ${KEY}`);
    await feed(engine, 97, 98);
    assert.deepEqual([seen.at(-1)!.ready, seen.at(-1)!.recommendation], [true, 'buy'], 'the next bar sees the answer');

    server.then(answer({ recommendation: 'sell', confidence: 0.77, horizon: 'intraday', keyLevels: { support: [144], resistance: [156] }, reasoning: 'lower highs' }));
    const out = await cli(['analyze', 'SOL'], env);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /"recommendation": "sell"/);
    assert.match(out.stdout, /fact for ai-trend: ready true, sell, confidence 0.77, status ok/);
    assert.equal(server.received.length, 2);
    assert.deepEqual([engine.ai!.fact('ai-trend')!.recommendation, engine.ai!.fact('ai-trend')!.confidence], ['sell', 0.77]);
    await feed(engine, 98, 99);
    assert.deepEqual([seen.at(-1)!.recommendation, seen.at(-1)!.ready], ['sell', true], 'rules see the on-demand answer');

    const json = await cli(['analyze', 'BTC', '--format', 'json'], env);
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.stdout) as { error: { code: string } }).error.code, 'AI_NO_CHART');
    assert.equal((await cli(['analyze'], env)).code, 2, 'a market is required');
    for (const text of [out.stdout, out.stderr, json.stdout, ...lines]) assert.ok(!text.includes(KEY), 'the API key is never printed or logged');
  } finally {
    await engine.stop();
    await telemetry.close();
    await server.close();
  }
});

test('admin analyze on an engine without an AI client says so, naming the variables to set', async () => {
  const engine = await engineWith({ SOLRULES_AI_API_KEY: KEY }, []);
  const telemetry = await startTelemetryServer({ port: 0, adminToken: TOKEN, admin: { ...controlAdmin(new ControlState()), analyze: (m) => analyzeOnDemand(engine, m) }, health: new Health([]), processMetrics: false });
  try {
    await feed(engine, 0, 30);
    const out = await cli(['analyze', 'SOL'], { SOLRULES_ADMIN_TOKEN: TOKEN, SOLRULES_METRICS_PORT: String(telemetry.port) });
    assert.equal(out.code, 1);
    assert.match(out.stderr, /error \[AI_NOT_CONFIGURED\]: no AI client is configured in this engine: SOLRULES_AI_BASE_URL is not set/);
    assert.ok(!out.stderr.includes(KEY) && !out.stdout.includes(KEY));
    assert.deepEqual([engine.ai!.fact('ai-trend')!.ready, engine.ai!.fact('ai-trend')!.status], [false, 'missing']);
    // An engine with no strategy reading ai: the same clear refusal when the client is missing.
    const none = await analyzeOnDemand({ ai: undefined }, 'SOL', {});
    assert.equal((none.error as { code: string }).code, 'AI_NOT_CONFIGURED');
  } finally {
    await engine.stop();
    await telemetry.close();
  }
});

test('a reload that changes a strategy\'s ai: is said to need a restart (the producer is built at start)', async () => {
  const a = (await aiTrendOnly()).strategies;
  const entry = a.strategies['ai-trend']!;
  const b = { ...a, strategies: { ...a.strategies, 'ai-trend': { ...entry, ai: { ...entry.ai!, every: '8h', maxAge: '16h' } } } };
  assert.deepEqual(settingsNeedingRestart(a, b), ['strategies.ai-trend.ai']);
  assert.deepEqual(settingsNeedingRestart(a, a), []);
});

test('an engine whose strategies do not declare ai: has no AI producer (no AI work per bar)', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  assert.ok(built.active);
  const engine = await composeEngine({ holder: new ConfigHolder(built.active), bus: new MemoryBus(), store: new MemoryStore(), ai: { mode: 'live', baseDir: REPO_ROOT, env: {} } });
  assert.equal(engine.ai, undefined);
  assert.equal(engine.aiRuntime, undefined);
});

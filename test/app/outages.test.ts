/**
 * Outages said plainly: a dead NATS or PostgreSQL ends `run` in one line naming the service and
 * the fix; a Redis outage makes /readyz say not ready, with the reason; a Redis URL the
 * in-process bus would not use is warned about; a price tick delivered twice is processed once.
 * "Dead" services are unreachable loopback ports; the outage test starts (and kills) its own
 * Redis and NATS on other loopback ports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { compose, composeEngine, serviceConfigs, serviceWarnings, type FactSource } from '../../engine/app/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger, health } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT, sharedFixture } from '../support/paths.ts';
import { freePort, requireBinary, startOwnServer } from '../support/servers.ts';

const log = createLogger({ level: 'silent' });
const CLI = join(REPO_ROOT, 'bin', 'solrules.js');

function runCli(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', '--no-watch', '--quiet', '--prices', sharedFixture('prices', 'SOL-USD.daily.yahoo.2021-01-01_2023-08-29.csv'), '--to', '2021-01-03', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, SOLRULES_LOG_LEVEL: 'error', SOLRULES_BUS: '', SOLRULES_CACHE: '', SOLRULES_STORE: 'memory', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
}

test('a dead NATS or PostgreSQL ends run in one line naming the service and the fix; a Redis URL the in-process bus ignores is warned about', { timeout: 180_000 }, async () => {
  const [natsPort, pgPort, redisPort] = [await freePort(), await freePort(), await freePort()]; // nothing listens on them
  const [nats, pg, redis] = await Promise.all([
    runCli({ SOLRULES_BUS: `nats://127.0.0.1:${natsPort}` }),
    runCli({ SOLRULES_STORE: `postgres://postgres@127.0.0.1:${pgPort}/test` }),
    runCli({ SOLRULES_CACHE: `redis://127.0.0.1:${redisPort}` }),
  ]);
  for (const [name, r, service, fix] of [
    ['NATS', nats, /^error: NATS \(SOLRULES_BUS\) is not reachable \(NATS JetStream at nats:\/\/127\.0\.0\.1:\d+\): .*; fix: start one with JetStream/, /nats-server -js/],
    ['PostgreSQL', pg, /^error: PostgreSQL \(SOLRULES_STORE\) is not reachable \(PostgreSQL at postgres:\/\/.*127\.0\.0\.1:\d+\/test\): .*; fix: start PostgreSQL/, /SOLRULES_STORE/],
  ] as const) {
    console.log(`${name} down: exit ${r.code} after ${(r.ms / 1000).toFixed(1)} s (process start included): ${r.stderr.trim()}`);
    assert.equal(r.code, 1, `${name}: exit 1`);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `${name}: one line, no stack trace:\n${r.stderr}`);
    assert.match(lines[0]!, service);
    assert.match(lines[0]!, fix);
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  }
  assert.equal(redis.code, 0, redis.stderr);
  assert.match(redis.stderr, /warning: SOLRULES_CACHE is set \(Redis at redis:\/\/127\.0\.0\.1:\d+.*\) but the bus is in-process .* does not use the cache/);
});

test('the warning for an unused Redis URL, and none when the bus uses it', () => {
  const saved = { bus: process.env.SOLRULES_BUS, cache: process.env.SOLRULES_CACHE };
  try {
    process.env.SOLRULES_CACHE = 'redis://127.0.0.1:6379';
    delete process.env.SOLRULES_BUS;
    assert.equal(serviceWarnings(serviceConfigs(REPO_ROOT)).length, 1);
    process.env.SOLRULES_BUS = 'nats://127.0.0.1:4222';
    assert.deepEqual(serviceWarnings(serviceConfigs(REPO_ROOT)), []);
  } finally {
    for (const [k, v] of [['SOLRULES_BUS', saved.bus], ['SOLRULES_CACHE', saved.cache]] as const) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

test('during a Redis outage /readyz says not ready, naming the cache', { timeout: 120_000 }, async (t) => {
  if (!requireBinary(t, 'redis-server') || !requireBinary(t, 'nats-server')) return;
  const redis = await startOwnServer('redis');
  const nats = await startOwnServer('nats');
  const saved = { bus: process.env.SOLRULES_BUS, cache: process.env.SOLRULES_CACHE, store: process.env.SOLRULES_STORE };
  process.env.SOLRULES_BUS = `${nats.url}?namespace=s17b${process.pid}`;
  process.env.SOLRULES_CACHE = redis.url;
  process.env.SOLRULES_STORE = 'memory';
  let app: Awaited<ReturnType<typeof compose>> | undefined;
  try {
    const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
    const source: FactSource = { mode: 'replay', description: 'nothing (test)', run: async () => {} };
    app = await compose({ root: REPO_ROOT, active: built.active!, factory: compiledEvaluator, log, source, watch: false });
    const up = await health.readiness();
    assert.equal(up.ready, true, JSON.stringify(up.checks));
    assert.equal(up.checks.cache?.ok, true, 'the cache is one of the checks');
    await redis.kill();
    const down = await health.readiness();
    console.log(`Redis killed: /readyz ready=${down.ready}, cache: ${down.checks.cache?.detail}`);
    assert.equal(down.ready, false);
    assert.equal(down.checks.cache?.ok, false);
    assert.match(down.checks.cache!.detail!, new RegExp(`127\\.0\\.0\\.1:${redis.port}`));
  } finally {
    await Promise.race([app?.close(), new Promise((r) => setTimeout(r, 5_000))]).catch(() => {});
    for (const [k, v] of [['SOLRULES_BUS', saved.bus], ['SOLRULES_CACHE', saved.cache], ['SOLRULES_STORE', saved.store]] as const) if (v === undefined) delete process.env[k];
    else process.env[k] = v;
    await redis.dispose();
    await nats.dispose();
  }
});

test('a price tick delivered twice (a redelivery after a NATS restart) is processed once', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const bus = new MemoryBus();
  const store = new MemoryStore();
  const engine = await composeEngine({ holder: new ConfigHolder(built.active!), bus, store, log });
  await engine.start();
  const SOL = built.active!.strategies.market.base;
  const ticks = [100, 80, 92].map((usd, i) => ({ mint: SOL.mint, symbol: 'SOL', usd, time: new Date(Date.parse('2022-01-01T00:00:00Z') + i * 21_600_000).toISOString(), source: 'scanner' }));
  for (const tick of [ticks[0], ticks[1], ticks[1], ticks[2], ticks[0]]) {
    await bus.publish(`market.prices.${SOL.mint}`, tick); // no msgId: the bus delivers each copy
    await bus.settle();
  }
  const orders = await store.listOrders();
  console.log(`5 deliveries of 3 ticks: ${engine.stats.ticks} ticks processed, ${engine.duplicateTicks} duplicates skipped, ${orders.length} orders`);
  assert.equal(engine.stats.ticks, 3);
  assert.equal(engine.duplicateTicks, 2);
  await engine.stop();
});

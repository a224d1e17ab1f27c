/**
 * The same engine over NATS JetStream: `solrules run` with SOLRULES_BUS pointing at the
 * machine's NATS decides, routes and fills exactly what the in-process run does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { REPO_ROOT } from '../support/paths.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { deleteNamespace, testNamespace } from '../infra/bus/nats/support.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');

function run(out: string, env: Record<string, string>): Record<string, unknown> {
  const r = spawnSync(process.execPath, [CLI, 'run', '--no-watch', '--quiet', '--from', '2022-11-01', '--to', '2022-11-30', '--out', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, SOLRULES_STORE: 'memory', SOLRULES_LOG_LEVEL: 'error', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
}

test('solrules run over NATS JetStream, claiming orders through Redis, equals the in-process run', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  if (!(await requireService(t, 'redis'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'solrules-run-nats-'));
  const ns = testNamespace('run');
  const prefix = `solrules-test-${ns}`;
  try {
    const local = run(join(dir, 'local'), { SOLRULES_BUS: 'memory' });
    const nats = run(join(dir, 'nats'), { SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=16777216`, SOLRULES_CACHE: `${SERVICES.redis.url}?prefix=${prefix}` });
    assert.ok((local.fills as number) > 10);
    for (const k of ['orders', 'fills', 'routes', 'strategies', 'totals', 'portfolio'] as const) assert.deepEqual(nats[k], local[k], k);
    // Every order was claimed through Redis (group mode): the claims' fencing counter moved.
    const redis = new Redis(SERVICES.redis.url);
    try {
      assert.ok((await redis.keys(`${prefix}:*`)).length > 0, 'no claim keys in Redis: orders were not claimed through the shared cache');
      await redis.del(...(await redis.keys(`${prefix}:*`)));
    } finally {
      redis.disconnect();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await deleteNamespace(SERVICES.nats.url, ns);
  }
});

test('over a shared bus without SOLRULES_CACHE, run warns that orders are claimed per process only', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'solrules-run-nats-'));
  const ns = testNamespace('warn');
  try {
    const r = spawnSync(process.execPath, [CLI, 'run', '--no-watch', '--quiet', '--from', '2022-11-01', '--to', '2022-11-03', '--out', dir], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, SOLRULES_STORE: 'memory', SOLRULES_LOG_LEVEL: 'error', SOLRULES_CACHE: '', SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=16777216` },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /SOLRULES_CACHE is not set: orders are claimed in this process only/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await deleteNamespace(SERVICES.nats.url, ns);
  }
});

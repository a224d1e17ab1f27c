/**
 * The endpoints of a real `solrules run`, not of a server a test put together: /readyz lists
 * the NATS server the run is configured with and turns 503 when it goes away; admin requests
 * without the token are refused; `solrules admin kill` engages the run's kill switch and its risk
 * rules block the orders decided after. The run's bus is an own nats-server on a free loopback
 * port (this test stops it); its store is in memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../support/paths.ts';
import { requireBinary, startOwnServer } from '../../support/servers.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const TOKEN = 'run-endpoints-test-token';

/** Runs `solrules admin ...` against `url`; resolves with its exit code and output. */
function admin(args: string[], url: string, token: string | undefined): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'admin', ...args, '--url', url], { cwd: REPO_ROOT, env: { ...process.env, SOLRULES_ADMIN_TOKEN: token } as NodeJS.ProcessEnv });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** Resolves with the telemetry URL `solrules run` prints once its server listens. */
function telemetryUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /telemetry: (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`solrules run exited (${code}) before its telemetry server listened:\n${out}`)));
  });
}

const metricValue = (text: string, series: string): number => Number(new RegExp(`^${series.replace(/[{}."]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('solrules run: /readyz follows its NATS server, admin needs the token, solrules admin kill blocks new orders', { timeout: 90_000 }, async (t) => {
  if (!requireBinary(t, 'nats-server')) return;
  const nats = await startOwnServer('nats');
  const out = mkdtempSync(join(tmpdir(), 'solrules-run-endpoints-'));
  // ~150 replayed days at 10 days/s: long enough for the checks below, killed when they are done
  const run = spawn(process.execPath, [CLI, 'run', '--no-watch', '--quiet', '--metrics-port', '0', '--speed', '10', '--from', '2022-01-01', '--to', '2022-05-31', '--out', out], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOLRULES_BUS: nats.url, SOLRULES_STORE: 'memory', SOLRULES_ADMIN_TOKEN: TOKEN, SOLRULES_LOG_LEVEL: 'silent', SOLRULES_METRICS_PORT: undefined } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const url = await telemetryUrl(run);
    const auth = { authorization: `Bearer ${TOKEN}` };

    let ready = await fetch(`${url}/readyz`);
    let body = (await ready.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
    assert.equal(ready.status, 200, JSON.stringify(body));
    assert.deepEqual(Object.keys(body.checks).sort(), ['bus', 'rules'], 'the configured NATS server is a readiness check');
    assert.equal(body.checks.bus!.detail, `127.0.0.1:${nats.port} reachable`);

    for (const headers of [{}, { authorization: 'Bearer not-the-token' }] as Record<string, string>[]) {
      assert.equal((await fetch(`${url}/admin/kill`, { method: 'POST', headers })).status, 401, 'refused without the token');
    }
    const before = (await (await fetch(`${url}/admin/status`, { headers: auth })).json()) as { result: { killSwitch: boolean } };
    assert.equal(before.result.killSwitch, false, 'a refused request changed nothing');

    const kill = await admin(['kill', '--reason', 'run-endpoints test'], url, TOKEN);
    assert.equal(kill.code, 0, kill.out);
    assert.match(kill.out, /kill switch: ENGAGED/);
    const after = (await (await fetch(`${url}/admin/status`, { headers: auth })).json()) as { result: { killSwitch: boolean; reason?: string; ticks: number } };
    assert.deepEqual([after.result.killSwitch, after.result.reason], [true, 'run-endpoints test']);
    // the replay goes on: orders it decides from now on are blocked by the kill-switch risk rule
    const ticksAtKill = after.result.ticks;
    let metrics = '';
    for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
      metrics = await (await fetch(`${url}/metrics`)).text();
      if (/solrules_orders_blocked_total\{strategy="[^"]+",rule_id="kill-switch"\} [1-9]/.test(metrics)) break;
    }
    assert.equal(metricValue(metrics, 'solrules_control_kill_switch'), 1);
    assert.match(metrics, /solrules_orders_blocked_total\{strategy="[^"]+",rule_id="kill-switch"\} [1-9]/, `no order blocked by the kill switch after tick ${ticksAtKill}`);

    await nats.kill();
    ready = await fetch(`${url}/readyz`);
    body = (await ready.json()) as typeof body;
    assert.equal(ready.status, 503, 'not ready once its NATS server is gone');
    assert.equal(body.checks.bus!.ok, false);
    assert.match(body.checks.bus!.detail ?? '', new RegExp(`127\\.0\\.0\\.1:${nats.port}`));
    assert.equal(body.checks.rules!.ok, true);
  } finally {
    run.kill('SIGKILL');
    await nats.dispose();
    rmSync(out, { recursive: true, force: true });
  }
});

test('solrules run --linger keeps serving the final values: the replay progress reads 1 after the summary', { timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'solrules-run-linger-'));
  // 20 replayed days as fast as possible, then a linger this test ends once it has scraped
  const run = spawn(process.execPath, [CLI, 'run', '--no-watch', '--quiet', '--metrics-port', '0', '--linger', '60', '--from', '2022-01-01', '--to', '2022-01-20', '--out', out], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOLRULES_STORE: 'memory', SOLRULES_LOG_LEVEL: 'silent', SOLRULES_METRICS_PORT: undefined } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let stdout = '';
    run.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const url = await telemetryUrl(run);
    for (const end = Date.now() + 100_000; !/serving the final values/.test(stdout); await new Promise((r) => setTimeout(r, 100))) {
      assert.equal(run.exitCode, null, `solrules run exited before its linger:\n${stdout}`);
      assert.ok(Date.now() < end, `no linger announced:\n${stdout}`);
    }
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.equal(metricValue(metrics, 'solrules_replay_progress_ratio'), 1, 'the finished replay is served as 1 during the linger');
    assert.equal(metricValue(metrics, 'solrules_replay_ticks_total'), 20 * 4, 'four ticks a replayed day');
  } finally {
    run.kill('SIGKILL');
    rmSync(out, { recursive: true, force: true });
  }
});

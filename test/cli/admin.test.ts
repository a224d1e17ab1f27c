/** `solrules admin` through the real CLI entry point against a live telemetry server and control state. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { ControlState, controlAdmin } from '../../engine/control/index.ts';
import { createLogger, Health, setLogger, startTelemetryServer } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

setLogger(createLogger({ level: 'silent' }));
const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const TOKEN = 'cli-admin-test-token';

function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'admin', ...args], { cwd: REPO_ROOT, env: { ...process.env, SOLRULES_ADMIN_TOKEN: undefined, ...env } as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('solrules admin pause | resume | kill | release | reload | status', async () => {
  const bus = new MemoryBus();
  const state = new ControlState({ instanceId: 'engine-a' });
  const peer = new ControlState({ instanceId: 'engine-b' });
  await state.attach(bus, { syncTimeoutMs: 0 });
  await peer.attach(bus, { syncTimeoutMs: 0 });
  let reloads = 0;
  state.onReload(() => ({ ok: true, hash: `hash-${++reloads}` }));
  peer.onReload(() => ({ ok: true, hash: 'peer' }));
  const server = await startTelemetryServer({ port: 0, adminToken: TOKEN, admin: controlAdmin(state, () => ({ ruleSetHash: 'abc123' })), health: new Health([]) });
  const env = { SOLRULES_ADMIN_TOKEN: TOKEN, SOLRULES_METRICS_PORT: String(server.port) };
  try {
    const [noToken, wrongToken] = await Promise.all([cli(['kill'], { SOLRULES_METRICS_PORT: String(server.port) }), cli(['kill'], { ...env, SOLRULES_ADMIN_TOKEN: 'zq9-not-the-token' })]);
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /SOLRULES_ADMIN_TOKEN is not set/);
    assert.equal(wrongToken.code, 1);
    assert.match(wrongToken.stderr, /HTTP 401/);
    assert.ok(!wrongToken.stderr.includes('zq9') && !wrongToken.stderr.includes(TOKEN), 'no token is ever printed');
    assert.equal(state.killSwitch, false);

    const kill = await cli(['kill', '--reason', 'bad fills'], env);
    assert.equal(kill.code, 0, kill.stderr);
    assert.match(kill.stdout, /kill switch: ENGAGED/);
    await bus.settle();
    assert.equal(state.killSwitch, true);
    assert.equal(peer.killSwitch, true, 'the other instance heard it on the bus');

    const status = await cli(['status', '--format', 'json'], env);
    assert.equal(status.code, 0, status.stderr);
    const s = JSON.parse(status.stdout) as Record<string, unknown>;
    assert.deepEqual([s.instance, s.killSwitch, s.reason, s.ruleSetHash], ['engine-a', true, 'bad fills', 'abc123']);

    assert.equal((await cli(['pause'], env)).code, 0);
    assert.equal((await cli(['resume'], env)).code, 0);
    assert.equal(state.killSwitch, true, 'resume does not release the kill switch');
    assert.equal((await cli(['release'], env)).code, 0);
    await bus.settle();
    assert.deepEqual([state.killSwitch, peer.killSwitch, state.paused], [false, false, false]);

    const reload = await cli(['reload', '--url', server.url], env);
    assert.equal(reload.code, 0, reload.stderr);
    assert.match(reload.stdout, /reload: +applied \(rule set hash-1\)/);

    assert.equal((await cli(['explode'], env)).code, 2);
    assert.equal((await cli([], env)).code, 2);
    const down = await cli(['status', '--url', 'http://127.0.0.1:1'], env);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /no engine answered/);
  } finally {
    await server.close();
    await bus.close();
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Health, metrics, registry, resetMetrics, startTelemetryServer, type AdminActions } from '../../../engine/infra/telemetry/index.ts';

const TOKEN = 'test-admin-token-0123456789';

function recordingAdmin(calls: string[]): AdminActions {
  const act = (name: string) => async (reason?: string) => {
    calls.push(reason ? `${name}:${reason}` : name);
    return { instance: 'test', paused: name === 'pause', killSwitch: name === 'kill' };
  };
  return {
    pause: act('pause'), resume: act('resume'), kill: act('kill'), release: act('release'), reload: act('reload'),
    rollback: async (reason?: string, hash?: string) => (calls.push(`rollback:${reason ?? ''}:${hash ?? ''}`), { instance: 'test', rollback: { ok: true, hash } }),
    status: async () => ({ instance: 'test' }),
    versions: async () => ({ versions: [{ hash: 'a'.repeat(64) }] }),
  };
}

test('admin endpoints refuse a missing or wrong token and act with the right one', async () => {
  resetMetrics();
  const calls: string[] = [];
  const server = await startTelemetryServer({ port: 0, adminToken: TOKEN, admin: recordingAdmin(calls), health: new Health([]) });
  try {
    assert.equal(server.host, '127.0.0.1', 'listens on loopback by default');
    const post = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { method: 'POST', headers, body: '{"reason":"test"}' });
    for (const action of ['pause', 'resume', 'kill', 'release', 'reload']) {
      const missing = await post(`/admin/${action}`);
      assert.equal(missing.status, 401, `${action} without a token`);
      assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.equal((await post(`/admin/${action}`, { authorization: 'Bearer wrong-token' })).status, 401, `${action} with a wrong token`);
      assert.equal((await post(`/admin/${action}`, { authorization: `Bearer ${TOKEN}x` })).status, 401, `${action} with a token one character longer`);
      assert.equal((await post(`/admin/${action}`, { authorization: TOKEN })).status, 401, `${action} without the Bearer scheme`);
    }
    assert.equal((await fetch(`${server.url}/admin/status`)).status, 401);
    assert.deepEqual(calls, [], 'no action ran without the token');

    const ok = await post('/admin/kill', { authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { result: unknown }).result, { instance: 'test', paused: false, killSwitch: true });
    assert.deepEqual(calls, ['kill:test']);
    const status = await fetch(`${server.url}/admin/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(status.status, 200);
    assert.equal((await fetch(`${server.url}/admin/kill`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 405, 'GET cannot kill');
    assert.equal((await post('/admin/nuke', { authorization: `Bearer ${TOKEN}` })).status, 404);
    // rollback takes the hash from the body; versions is a read (GET only)
    const rolled = await fetch(`${server.url}/admin/rollback`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"reason":"bad change","hash":"abc123"}' });
    assert.equal(rolled.status, 200);
    assert.equal(calls.at(-1), 'rollback:bad change:abc123');
    const versions = await fetch(`${server.url}/admin/versions`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.deepEqual(((await versions.json()) as { result: unknown }).result, { versions: [{ hash: 'a'.repeat(64) }] });
    assert.equal((await post('/admin/versions', { authorization: `Bearer ${TOKEN}` })).status, 405, 'POST cannot list');

    const text = await registry.metrics();
    assert.match(text, /solrules_admin_requests_total\{action="kill",result="unauthorized"\} 4/);
    assert.match(text, /solrules_admin_requests_total\{action="kill",result="ok"\} 1/);
  } finally {
    await server.close();
  }
});

test('without a configured token every admin request is refused', async () => {
  const saved = process.env.SOLRULES_ADMIN_TOKEN;
  delete process.env.SOLRULES_ADMIN_TOKEN;
  const calls: string[] = [];
  const server = await startTelemetryServer({ port: 0, admin: recordingAdmin(calls), health: new Health([]) });
  try {
    for (const auth of [undefined, 'Bearer ', 'Bearer anything', 'Bearer undefined']) {
      const res = await fetch(`${server.url}/admin/kill`, { method: 'POST', headers: auth ? { authorization: auth } : {} });
      assert.equal(res.status, 403);
      assert.match(((await res.json()) as { error: string }).error, /SOLRULES_ADMIN_TOKEN/);
    }
    assert.deepEqual(calls, []);
  } finally {
    await server.close();
    if (saved !== undefined) process.env.SOLRULES_ADMIN_TOKEN = saved;
  }
});

test('the token comes from SOLRULES_ADMIN_TOKEN', async () => {
  const saved = process.env.SOLRULES_ADMIN_TOKEN;
  process.env.SOLRULES_ADMIN_TOKEN = 'from-the-environment';
  const calls: string[] = [];
  const server = await startTelemetryServer({ port: 0, admin: recordingAdmin(calls), health: new Health([]) });
  try {
    assert.equal((await fetch(`${server.url}/admin/pause`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status, 401);
    assert.equal((await fetch(`${server.url}/admin/pause`, { method: 'POST', headers: { authorization: 'Bearer from-the-environment' } })).status, 200);
    assert.deepEqual(calls, ['pause']);
  } finally {
    await server.close();
    if (saved === undefined) delete process.env.SOLRULES_ADMIN_TOKEN;
    else process.env.SOLRULES_ADMIN_TOKEN = saved;
  }
});

test('/metrics, /healthz and /readyz', async () => {
  resetMetrics();
  const health = new Health(['rules']);
  const server = await startTelemetryServer({ port: 0, adminToken: TOKEN, health });
  try {
    metrics.rules.hits.inc({ rule_id: 'grid-buy', file: 'grid' }, 3);
    const m = await fetch(`${server.url}/metrics`);
    assert.equal(m.status, 200);
    assert.match(m.headers.get('content-type') ?? '', /text\/plain/);
    const text = await m.text();
    assert.match(text, /solrules_rule_hits_total\{rule_id="grid-buy",file="grid"\} 3/);
    assert.match(text, /process_cpu_user_seconds_total/, 'process metrics are on');
    assert.match(text, /solrules_build_info\{version="\d+\.\d+\.\d+"\} 1/);
    assert.match(text, /solrules_ready 0/, 'a scrape refreshes readiness: no rules yet');

    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    let ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503, 'not ready before the rules are loaded');
    assert.match(JSON.stringify(await ready.json()), /rules.*not registered/);

    let busUp = false;
    health.register('rules', () => ({ ok: true, detail: 'rule set 0123abcd' }));
    health.register('bus', () => ({ ok: busUp, detail: busUp ? 'connected' : 'nats://127.0.0.1:4222 unreachable' }));
    ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503, 'not ready while a configured service is unreachable');
    busUp = true;
    ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.match(await registry.metrics(), /solrules_ready 1/);

    health.register('store', () => new Promise(() => {})); // never answers
    const t0 = performance.now();
    ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.ok(performance.now() - t0 < 3000, 'a hung check times out');
    assert.equal((await fetch(`${server.url}/nope`)).status, 404);
  } finally {
    await server.close();
  }
});

test('a busy port is a clear error', async () => {
  const first = await startTelemetryServer({ port: 0, health: new Health([]) });
  try {
    await assert.rejects(startTelemetryServer({ port: first.port, health: new Health([]) }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'TELEMETRY_LISTEN');
      assert.match(err.message, /EADDRINUSE.*SOLRULES_METRICS_PORT/);
      return true;
    });
  } finally {
    await first.close();
  }
});

test('a service check says whether a configured server answers, naming host:port and never its credentials', async () => {
  const { createServer } = await import('node:net');
  const { serviceCheck } = await import('../../../engine/infra/telemetry/index.ts');
  const listener = createServer((socket) => socket.destroy());
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const { port } = listener.address() as { port: number };
  const up = serviceCheck([`postgres://solrules:pa55word@127.0.0.1:${port}/test`], 5432);
  // the first server is down, the second answers: a cluster is reachable through either
  const either = serviceCheck(['nats://127.0.0.1:1', `nats://127.0.0.1:${port}`], 4222);
  const health = new Health([]);
  health.register('store', up);
  health.register('bus', either);
  let r = await health.readiness();
  assert.deepEqual([r.ready, r.checks.store?.ok, r.checks.bus?.ok], [true, true, true]);
  assert.equal(r.checks.store?.detail, `127.0.0.1:${port} reachable`);
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  r = await health.readiness();
  assert.deepEqual([r.ready, r.checks.store?.ok, r.checks.bus?.ok], [false, false, false]);
  assert.match(r.checks.store?.detail ?? '', new RegExp(`127\\.0\\.0\\.1:${port}.*refused`));
  assert.ok(!JSON.stringify(r).includes('pa55word'), 'no password in a readiness answer');
});

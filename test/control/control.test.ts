import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, instrumentBus } from '../../engine/infra/bus/index.ts';
import { ControlState, controlAdmin } from '../../engine/control/index.ts';
import { createLogger, registry, resetMetrics, setLogger } from '../../engine/infra/telemetry/index.ts';

setLogger(createLogger({ level: 'silent' }));

async function instances(n: number, bus = instrumentBus(new MemoryBus())) {
  const states: ControlState[] = [];
  for (let i = 0; i < n; i++) {
    const s = new ControlState({ instanceId: `engine-${i}` });
    await s.attach(bus, { syncTimeoutMs: 50 });
    states.push(s);
  }
  return { bus, states };
}

test('pause, resume, kill and release reach every instance; resume does not release the kill switch', async () => {
  resetMetrics();
  const { bus, states } = await instances(3);
  const [a, b, c] = states as [ControlState, ControlState, ControlState];
  await a.command('pause', 'maintenance');
  await (bus as unknown as { inner: MemoryBus }).inner.settle();
  for (const s of states) assert.deepEqual(s.fact(), { paused: true, killSwitch: false }, s.instanceId);
  assert.equal(c.snapshot().reason, 'maintenance');
  assert.equal(b.admit(), 'paused');

  await b.command('kill', 'bad fills');
  await c.command('resume');
  await (bus as unknown as { inner: MemoryBus }).inner.settle();
  for (const s of states) {
    assert.deepEqual(s.fact(), { paused: false, killSwitch: true }, s.instanceId);
    assert.equal(s.admit(), 'kill-switch');
  }
  await a.command('release');
  await (bus as unknown as { inner: MemoryBus }).inner.settle();
  for (const s of states) assert.equal(s.admit(), undefined, s.instanceId);
  const text = await registry.metrics();
  assert.match(text, /solrules_control_actions_total\{action="kill"\} 3/, 'each instance applied the kill once');
  assert.match(text, /solrules_control_orders_refused_total\{state="kill-switch"\} 3/);
  for (const s of states) await s.detach();
  await bus.close();
});

test('a later write wins: a delayed release never undoes a newer kill', () => {
  const s = new ControlState({ instanceId: 'x' });
  assert.ok(s.apply({ action: 'kill', instance: 'ops', atMs: 2000 }));
  assert.equal(s.apply({ action: 'release', instance: 'old', atMs: 1000 }), false);
  assert.equal(s.killSwitch, true);
  assert.ok(s.apply({ action: 'release', instance: 'ops', atMs: 3000 }));
  assert.equal(s.killSwitch, false);
});

test('an instance that starts while the kill switch is on starts killed', async () => {
  const { bus, states } = await instances(2);
  await states[0]!.command('kill', 'incident 42');
  await (bus as unknown as { inner: MemoryBus }).inner.settle();
  const late = new ControlState({ instanceId: 'late' });
  await late.attach(bus, { syncTimeoutMs: 500 });
  assert.equal(late.killSwitch, true);
  assert.equal(late.snapshot().reason, 'incident 42');
  assert.equal(late.admit(), 'kill-switch');
  await bus.close();
});

test('reload runs on every instance; status reports through the admin actions', async () => {
  const { bus, states } = await instances(3);
  const reloaded: string[] = [];
  states.forEach((s, i) => s.onReload(() => (reloaded.push(s.instanceId), { ok: true, hash: `hash${i}` })));
  const admin = controlAdmin(states[1]!, () => ({ ruleSetHash: 'hash1' }));
  const result = (await admin.reload('edited strategies.yaml')) as { reload: { ok: boolean; hash: string } };
  assert.deepEqual(result.reload, { ok: true, hash: 'hash1' });
  await (bus as unknown as { inner: MemoryBus }).inner.settle();
  assert.deepEqual(reloaded.sort(), ['engine-0', 'engine-1', 'engine-2']);
  const status = (await admin.status()) as Record<string, unknown>;
  assert.equal(status.instance, 'engine-1');
  assert.equal(status.ruleSetHash, 'hash1');
  const lone = new ControlState();
  assert.equal((await lone.command('reload')).reload?.ok, false, 'no handler: reload is reported as not applied');
  await bus.close();
});

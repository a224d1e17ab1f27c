/**
 * The kill switch stops new orders on every instance within one second: instances share a bus,
 * each takes orders in a loop through `admit()`, and one instance's admin endpoint engages the
 * kill switch over HTTP. Measured: from the request to the last order any instance took.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/bus/index.ts';
import { ControlState, controlAdmin } from '../../engine/control/index.ts';
import { createLogger, Health, instrumentBus, setLogger, startTelemetryServer } from '../../engine/telemetry/index.ts';

setLogger(createLogger({ level: 'silent' }));

const TOKEN = 'kill-switch-test-token';
const INSTANCES = 4;

interface Instance {
  state: ControlState;
  taken: number[];
  refused: number;
  stoppedAt?: number;
  stop(): void;
}

/** An instance taking an order every millisecond while `admit()` allows it. */
function orderLoop(state: ControlState): Instance {
  const inst: Instance = { state, taken: [], refused: 0, stop: () => clearInterval(timer) };
  state.onChange((s) => {
    if (s.killSwitch && inst.stoppedAt === undefined) inst.stoppedAt = performance.now();
  });
  const timer = setInterval(() => {
    if (state.admit() === undefined) inst.taken.push(performance.now());
    else inst.refused++;
  }, 1);
  return inst;
}

test('the kill switch stops new orders on every instance within one second', async () => {
  const bus = instrumentBus(new MemoryBus());
  const instances: Instance[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const state = new ControlState({ instanceId: `engine-${i}` });
    await state.attach(bus, { syncTimeoutMs: 20 });
    instances.push(orderLoop(state));
  }
  const server = await startTelemetryServer({ port: 0, adminToken: TOKEN, admin: controlAdmin(instances[0]!.state), health: new Health([]) });
  try {
    await new Promise((r) => setTimeout(r, 150));
    for (const inst of instances) assert.ok(inst.taken.length > 10, `${inst.state.instanceId} was taking orders`);

    const refused = await fetch(`${server.url}/admin/kill`, { method: 'POST', body: '{}' });
    assert.equal(refused.status, 401, 'no kill without the token');
    await new Promise((r) => setTimeout(r, 20));
    for (const inst of instances) assert.equal(inst.state.killSwitch, false);

    const t0 = performance.now();
    const res = await fetch(`${server.url}/admin/kill`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"reason":"test"}' });
    assert.equal(res.status, 200);
    await new Promise((r) => setTimeout(r, 1000));

    const rows = instances.map((inst) => {
      const lastTaken = Math.max(t0, ...inst.taken);
      const after = inst.taken.filter((t) => t > (inst.stoppedAt ?? Infinity)).length;
      return { id: inst.state.instanceId, stoppedMs: (inst.stoppedAt ?? Infinity) - t0, lastOrderMs: lastTaken - t0, takenAfterStop: after, refused: inst.refused };
    });
    const worst = Math.max(...rows.map((r) => Math.max(r.stoppedMs, r.lastOrderMs)));
    console.log(`kill switch: ${INSTANCES} instances (in-process bus) stopped new orders within ${worst.toFixed(1)} ms of the admin request`);
    for (const r of rows) console.log(`  ${r.id}: kill applied after ${r.stoppedMs.toFixed(1)} ms, last order taken ${r.lastOrderMs.toFixed(1)} ms after the request, ${r.refused} refused since`);
    for (const r of rows) {
      assert.ok(Number.isFinite(r.stoppedMs), `${r.id} never saw the kill switch`);
      assert.equal(r.takenAfterStop, 0, `${r.id} took an order after the kill switch`);
      assert.ok(r.refused > 0, `${r.id} kept asking and was refused`);
    }
    assert.ok(worst < 1000, `kill switch took ${worst.toFixed(1)} ms (limit 1000 ms)`);
  } finally {
    for (const inst of instances) inst.stop();
    await server.close();
    await bus.close();
  }
});

/**
 * The kill switch stops new orders on every instance within one second. Three engine instances
 * (planners, coordinator, executor worker each) share a bus and a store and trade the replayed
 * SOL-USD series; one instance's admin endpoint engages the kill switch over HTTP; each
 * instance's control state hears it on `control.kill` and its risk rules block every order after.
 * Measured: from the admin request to each instance applying it, and to the last order routed.
 *
 * The instances share the in-process bus here (one process); kill-switch-processes.test.ts runs
 * one instance per process with the control plane over NATS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, instrumentBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { ControlState, controlAdmin } from '../../engine/control/index.ts';
import type { Decision } from '../../engine/coordinator/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { composeEngine, type TradingEngine } from '../../engine/app/index.ts';
import { candleTicks, loadCandles } from '../../engine/market/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger, Health, setLogger, startTelemetryServer } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT, sharedFixture } from '../support/paths.ts';

const log = createLogger({ level: 'silent' });
setLogger(log);

const TOKEN = 'kill-switch-test-token';
const INSTANCES = 3;

interface Instance {
  id: string;
  control: ControlState;
  engine: TradingEngine;
  decisions: Array<{ at: number; kind: Decision['kind']; reason?: string }>;
  killedAt?: number;
}

test('the kill switch stops new orders on every instance within one second', async () => {
  const built = await buildActiveConfig(REPO_ROOT, referenceEvaluator, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const memoryBus = new MemoryBus();
  const bus = instrumentBus(memoryBus);
  const store = new MemoryStore(); // shared, as PostgreSQL is between instances
  const instances: Instance[] = [];
  for (let i = 0; i < INSTANCES; i++) {
    const control = new ControlState({ instanceId: `engine-${i}` });
    await control.attach(bus, { syncTimeoutMs: 20 });
    const engine = await composeEngine({ holder: new ConfigHolder(built.active), bus, store, log, control: () => control.fact() });
    const inst: Instance = { id: control.instanceId, control, engine, decisions: [] };
    control.onChange((s) => {
      if (s.killSwitch) inst.killedAt ??= performance.now();
    });
    // observe each decision this instance's coordinator makes
    const handle = engine.coordinator.handle.bind(engine.coordinator);
    engine.coordinator.handle = async (order) => {
      const d = await handle(order);
      inst.decisions.push({ at: performance.now(), kind: d.kind, ...(d.kind === 'blocked' ? { reason: d.reason } : {}) });
      return d;
    };
    await engine.start();
    instances.push(inst);
  }
  const server = await startTelemetryServer({ port: 0, adminToken: TOKEN, admin: controlAdmin(instances[0]!.control), health: new Health([]) });

  const SOL = built.active.strategies.market.base;
  const ticks = candleTicks(loadCandles(sharedFixture('prices', 'SOL-USD.daily.yahoo.2021-01-01_2023-08-29.csv')));
  let stop = false;
  let fed = 0;
  // the market keeps moving while the kill switch is engaged: one tick at a time, as fast as the instances take them
  const feed = (async () => {
    for (const t of ticks) {
      if (stop) break;
      await bus.publish(`market.prices.${SOL.mint}`, { mint: SOL.mint, symbol: SOL.symbol, usd: t.priceUsd, time: t.time.toISOString(), source: 'replay' });
      await memoryBus.settle();
      fed++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  try {
    while (!instances.every((i) => i.decisions.some((d) => d.kind === 'routed'))) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await fetch(`${server.url}/admin/kill`, { method: 'POST', body: '{}' })).status, 401, 'no kill without the token');
    const t0 = performance.now();
    const res = await fetch(`${server.url}/admin/kill`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{"reason":"test"}' });
    assert.equal(res.status, 200);
    const fedAtKill = fed;
    await new Promise((r) => setTimeout(r, 1000));
    stop = true;
    await feed;

    const rows = instances.map((inst) => {
      const after = inst.decisions.filter((d) => d.at > (inst.killedAt ?? Infinity));
      const lastRouted = Math.max(t0, ...inst.decisions.filter((d) => d.kind === 'routed').map((d) => d.at));
      return {
        id: inst.id,
        appliedMs: (inst.killedAt ?? Infinity) - t0,
        lastRoutedMs: lastRouted - t0,
        routedAfter: after.filter((d) => d.kind === 'routed').length,
        blockedAfter: after.filter((d) => d.kind === 'blocked' && /kill-switch/.test(d.reason ?? '')).length,
        routedBefore: inst.decisions.filter((d) => d.kind === 'routed' && d.at <= t0).length,
      };
    });
    const worst = Math.max(...rows.map((r) => Math.max(r.appliedMs, r.lastRoutedMs)));
    console.log(`kill switch: ${INSTANCES} engine instances stopped new orders within ${worst.toFixed(1)} ms of the admin request (limit 1000 ms; ${fed - fedAtKill} price ticks replayed after it)`);
    for (const r of rows) console.log(`  ${r.id}: kill applied after ${r.appliedMs.toFixed(1)} ms; last order routed ${r.lastRoutedMs.toFixed(1)} ms after the request; ${r.routedBefore} routed before, ${r.blockedAfter} blocked by the kill switch after`);
    for (const r of rows) {
      assert.ok(Number.isFinite(r.appliedMs), `${r.id} never heard the kill switch`);
      assert.equal(r.routedAfter, 0, `${r.id} routed an order after the kill switch`);
      assert.ok(r.blockedAfter > 0, `${r.id} kept deciding and was blocked`);
    }
    assert.ok(worst < 1000, `kill switch took ${worst.toFixed(1)} ms (limit 1000 ms)`);
    const blocked = (await store.listOrders({ status: ['blocked'] })).filter((o) => /kill switch/.test(o.reason ?? ''));
    assert.ok(blocked.length >= rows.reduce((a, r) => a + r.blockedAfter, 0), 'every refused order is stored with the kill switch as its reason');
  } finally {
    stop = true;
    await feed;
    await server.close();
    for (const i of instances) await i.engine.stop();
    await bus.close();
  }
});

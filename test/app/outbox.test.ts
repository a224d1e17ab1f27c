/**
 * Split roles: a planner stores a strategy's state (which counts the orders it just decided as
 * sent) before publishing them. The orders go into the strategy's outbox in the same store write,
 * so a planner killed between that write and the publish loses nothing: the strategy's next owner
 * (a takeover, or the planner restarted) publishes them again. A crash is a store hook here that
 * throws right after the write (or right before the outbox is cleared), as a SIGKILL would stop
 * the planner there; the engines are in-process, on the memory store, PGlite and PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Bus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder, type ActiveConfig } from '../../engine/config/index.ts';
import { orderFromJson, type OrderJson } from '../../engine/orders/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { composeEngine } from '../../engine/app/index.ts';
import { MemoryStore, type Store } from '../../engine/infra/store/index.ts';
import { openPostgresStore } from '../../engine/infra/store/postgres/index.ts';
import { createTestDatabase } from '../infra/store/pgtest.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { deleteNamespace, openTestBus, testNamespace } from '../infra/bus/nats/support.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import type { GridState } from '../../engine/strategies/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { HandedPartition, outboxStores, planner, price } from './support/planners.ts';



class Killed extends Error {}

/**
 * The store as one planner sees it, with a kill point. The planner writes its decisions with the
 * states that count them in one `writeOutbox` (group commit), publishes them once it returned, and
 * removes their outbox rows in a later write. Armed at 'write', the next write carrying orders is
 * stored and then throws (killed after the write, before the publish). Armed at 'removal', the
 * next write carrying removals is stored without them (killed after the publish, before the
 * removal reached the store); the planner goes on, as the test's other stores see nothing more of it.
 */
function killable(store: Store, at: 'write' | 'removal'): { store: Store; arm(): void; fired(): boolean } {
  let armed = false;
  let fired = false;
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop !== 'writeOutbox') return value.bind(target);
      return async (entries: Parameters<Store['writeOutbox']>[0], published: readonly string[] = []) => {
        if (armed && at === 'removal' && published.length > 0) {
          armed = false;
          fired = true;
          return target.writeOutbox(entries, []);
        }
        await target.writeOutbox(entries, published);
        if (armed && at === 'write' && entries.some((e) => e.orders.length > 0)) {
          armed = false;
          fired = true;
          throw new Killed('killed after storing the states and the outbox');
        }
      };
    },
  });
  return { store: proxy, arm: () => (armed = true), fired: () => fired };
}

/** The store with the ids of the orders `insertOrder` refused (already recorded: a duplicate reached a coordinator). */
function countingRefusals(store: Store): { store: Store; refused: string[] } {
  const refused: string[] = [];
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'insertOrder') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: Parameters<Store['insertOrder']>) => {
        const inserted = await target.insertOrder(...args);
        if (!inserted) refused.push(args[0].id);
        return inserted;
      };
    },
  });
  return { store: proxy, refused };
}

/** Order ids published for the coordinator on `bus`, in order (duplicates included: what the bus delivered). */
async function opportunities(bus: Bus): Promise<string[]> {
  const seen: string[] = [];
  await bus.subscribe<OrderJson>('trade.opportunities.>', async (m) => {
    seen.push(orderFromJson(m.data).id);
  });
  return seen;
}



/** The grid of the repo's strategies decides a buy when the price falls from 100 to 80. */
async function killedAfterStoring(active: ActiveConfig, store: Store): Promise<{ outboxed: string[]; before: string[] }> {
  const busA = new MemoryBus();
  const publishedA = await opportunities(busA);
  const kill = killable(store, 'write');
  const a = await planner(active, busA, kill.store, new HandedPartition(true));
  // The first tick: other strategies decide and fill orders as usual (published, then cleared from the outbox).
  await a.onPrice(price(active, 100, '2022-01-01T00:00:00Z'));
  await busA.settle();
  const before = [...publishedA];
  assert.deepEqual(await store.listOutbox('grid'), [], 'published orders are cleared from the outbox');
  assert.deepEqual((await store.listOrders()).map((r) => r.order.id).sort(), [...before].sort());
  kill.arm();
  await assert.rejects(a.onPrice(price(active, 80, '2022-01-01T06:00:00Z')), Killed);
  await busA.settle();
  assert.ok(kill.fired(), 'the grid decided orders at the fall, and the planner was killed after storing them');
  const outboxed = (await store.listOutbox('grid')).map((o) => o.id);
  assert.ok(outboxed.length >= 1, 'the orders are in the outbox');
  assert.deepEqual(publishedA, before, 'killed before publishing: nothing more went out');
  assert.deepEqual((await store.listOrders()).map((r) => r.order.id).sort(), [...before].sort(), 'and no coordinator recorded them');
  const stored = (await store.loadStrategyState<GridState>('grid'))!;
  assert.deepEqual(Object.keys(stored.allocations).sort(), [...outboxed].sort(), 'the stored state counts exactly the outboxed orders as sent');
  return { outboxed, before };
}

/** The grid's orders are `ids`, each recorded once and executed once (filled); its outbox is empty and its state holds no open order. */
async function settledOnce(store: Store, ids: readonly string[]): Promise<void> {
  const orders = await store.listOrders({ strategy: 'grid' });
  assert.deepEqual(orders.map((r) => r.order.id).sort(), [...ids].sort(), 'every outboxed order is recorded, once, and no other grid order');
  for (const id of ids) {
    assert.equal((await store.getOrder(id))!.status, 'filled');
    assert.equal((await store.listExecutions(id)).length, 1, `order ${id} executed once`);
  }
  assert.deepEqual(await store.listOutbox('grid'), [], 'the outbox is cleared once published');
  assert.deepEqual((await store.loadStrategyState<GridState>('grid'))!.allocations, {}, 'the new owner saw the fills: no order left open');
}

const STORES = outboxStores('outbox');

for (const { name, service, open } of STORES) {
  test(`${name}: a planner killed between storing the state and publishing: the planner taking the strategy over publishes its orders, once`, async (t) => {
    if (service && !(await requireService(t, service))) return;
    const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
    const active = built.active!;
    const { store, drop } = await open();
    try {
      const { outboxed } = await killedAfterStoring(active, store);
      // The survivor: running, not owning the grid, until the membership hands it over.
      const busB = new MemoryBus();
      const publishedB = await opportunities(busB);
      const share = new HandedPartition(false);
      const b = await planner(active, busB, store, share);
      assert.deepEqual(publishedB, [], 'not its strategy yet: nothing republished');
      share.takeOver();
      // Its next tick restores the grid's state and publishes the outbox first; at 80 again the grid decides nothing new.
      await b.onPrice(price(active, 80, '2022-01-01T06:00:01Z'));
      await busB.settle();
      assert.deepEqual(publishedB, outboxed, 'the outboxed orders, published by the new owner in the order decided');
      await settledOnce(store, outboxed);
      await b.stop();
    } finally {
      await store.close();
      await drop();
    }
  });
}

test('a planner killed between storing and publishing and restarted: it publishes its outbox at start, once', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const active = built.active!;
  const store = new MemoryStore();
  const { outboxed } = await killedAfterStoring(active, store);
  const bus = new MemoryBus();
  const published = await opportunities(bus);
  const restarted = await planner(active, bus, store, new HandedPartition(true));
  await bus.settle();
  assert.deepEqual(published, [], 'nothing before the first tick (the paper executor here fills at the last price)');
  await restarted.onPrice(price(active, 80, '2022-01-01T06:00:01Z'));
  await bus.settle();
  assert.deepEqual(published, outboxed, 'republished before the first tick\'s decisions (at 80 again the grid decides nothing new)');
  await settledOnce(store, outboxed);
  await restarted.stop();
});

test('republishing orders that did go out is safe: the copy dies at the bus msgId, and past the bus window at the store order id', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const active = built.active!;
  const store = new MemoryStore();
  // Killed after publishing, before clearing the outbox: the orders went out, executed, and are still in the outbox.
  const busA = new MemoryBus();
  const publishedA = await opportunities(busA);
  const kill = killable(store, 'removal');
  const a = await planner(active, busA, kill.store, new HandedPartition(true));
  await a.onPrice(price(active, 100, '2022-01-01T00:00:00Z'));
  await busA.settle();
  await a.flushOutbox();
  const before = [...publishedA];
  kill.arm();
  await a.onPrice(price(active, 80, '2022-01-01T06:00:00Z'));
  await busA.settle();
  await a.flushOutbox();
  assert.ok(kill.fired(), 'the removal of the published orders never reached the store');
  const outboxed = (await store.listOutbox('grid')).map((o) => o.id);
  assert.ok(outboxed.length >= 1);
  assert.deepEqual(publishedA, [...before, ...outboxed], 'published once before the kill');
  for (const id of outboxed) assert.equal((await store.getOrder(id))!.status, 'filled', 'and executed');
  const executionsBefore = (await store.listExecutions()).length;

  // Same bus (inside its dedup window): the republished copies are dropped by msgId.
  const again = await planner(active, busA, store, new HandedPartition(true));
  await again.onPrice(price(active, 80, '2022-01-01T06:00:01Z'));
  await busA.settle();
  assert.deepEqual(publishedA, [...before, ...outboxed], 'no copy delivered on the same bus');
  assert.deepEqual(await store.listOutbox('grid'), [], 'the outbox is cleared');
  await again.stop();

  // Past the bus window (a fresh bus), the outbox put back as the killed planner left it: delivered, and refused by the store.
  await store.writeOutbox([{ strategy: 'grid', state: await store.loadStrategyState('grid'), orders: (await store.listOrders({ strategy: 'grid' })).map((r) => r.order).filter((o) => outboxed.includes(o.id)) }]);
  const busC = new MemoryBus();
  const publishedC = await opportunities(busC);
  const { store: counting, refused } = countingRefusals(store);
  const third = await planner(active, busC, counting, new HandedPartition(true));
  await third.onPrice(price(active, 80, '2022-01-01T06:00:02Z'));
  await busC.settle();
  assert.deepEqual(publishedC, outboxed, 'the copies reached the coordinator');
  assert.deepEqual(refused, outboxed, 'which found each already recorded (a duplicate, not a new order)');
  assert.equal((await store.listExecutions()).length, executionsBefore, 'and none executed again');
  assert.deepEqual((await store.listOrders({ strategy: 'grid' })).map((r) => r.order.id).sort(), [...outboxed].sort());
  await third.stop();
});

for (const { name, open } of STORES.filter((s) => !s.service)) {
  test(`${name}: the outbox of a strategy removed from the config is not published: its orders are recorded as expired with the reason, the outbox cleared, with a warning`, async () => {
    const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
    const active = built.active!;
    const { store, drop } = await open();
    try {
      const { outboxed, before } = await killedAfterStoring(active, store);
      // The planner restarted on a config without the grid (the user removed it while the killed planner's outbox held its orders).
      const { grid: _removed, ...others } = active.strategies.strategies;
      const withoutGrid: ActiveConfig = { ...active, strategies: { ...active.strategies, strategies: others } };
      const lines: Array<Record<string, unknown>> = [];
      const captured = createLogger({ level: 'warn', format: 'json', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
      const bus = new MemoryBus();
      const published = await opportunities(bus);
      const engine = await composeEngine({ holder: new ConfigHolder(withoutGrid), bus, store, log: captured, partition: new HandedPartition(true) });
      await engine.start();
      await engine.onPrice(price(active, 80, '2022-01-01T06:00:01Z'));
      await bus.settle();
      assert.deepEqual(published.filter((id) => outboxed.includes(id)), [], 'none of the removed strategy\'s orders was published');
      assert.deepEqual(await store.outboxStrategies(), [], 'its outbox is cleared');
      for (const id of outboxed) {
        const row = (await store.getOrder(id))!;
        assert.equal(row?.status, 'expired', `order ${id} recorded as expired`);
        assert.match(row.reason ?? '', /strategy 'grid' is no longer planned/);
        assert.equal((await store.listExecutions(id)).length, 0, 'and never executed');
      }
      const warning = lines.find((l) => l.strategy === 'grid' && /NOT published/.test(String(l.msg)));
      assert.ok(warning, `a warning names the strategy: ${JSON.stringify(lines)}`);
      assert.deepEqual(warning.orders, outboxed, 'and its orders');
      assert.equal(warning.level, 'warn');
      assert.ok((await store.listOrders()).filter((r) => before.includes(r.order.id)).every((r) => r.status !== 'expired'), 'the orders recorded before are left as they were');
      await engine.stop();
      // A second start finds nothing left to report.
      lines.length = 0;
      const again = await composeEngine({ holder: new ConfigHolder(withoutGrid), bus: new MemoryBus(), store, log: captured, partition: new HandedPartition(true) });
      await again.start();
      assert.deepEqual(lines.filter((l) => /NOT published/.test(String(l.msg))), [], 'reported once: the next start has nothing to say');
      await again.stop();
    } finally {
      await store.close();
      await drop();
    }
  });
}

/** Polls `check` until it holds (a generous hang guard, not a timing assert). */
async function eventually(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('NATS JetStream and PostgreSQL: the survivor on its own connection publishes the killed planner\'s outbox once; a copy inside the bus window dies at the msgId', async (t) => {
  if (!(await requireService(t, 'nats')) || !(await requireService(t, 'postgres'))) return;
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const active = built.active!;
  const ns = testNamespace('outbox');
  const db = await createTestDatabase('outboxnats');
  const store = await openPostgresStore(db.url);
  const buses: Bus[] = [];
  const bus = async () => {
    const b = await openTestBus(SERVICES.nats.url, ns);
    buses.push(b);
    return b;
  };
  try {
    const busA = await bus();
    const kill = killable(store, 'write');
    const a = await planner(active, busA, kill.store, new HandedPartition(true));
    await a.onPrice(price(active, 100, '2022-01-01T00:00:00Z'));
    await busA.settle();
    const before = (await store.listOrders()).map((r) => r.order.id);
    kill.arm();
    await assert.rejects(a.onPrice(price(active, 80, '2022-01-01T06:00:00Z')), Killed);
    await busA.close(); // the planner is dead: its connection, consumers and coordinator go with it
    const outboxed = (await store.listOutbox('grid')).map((o) => o.id);
    assert.ok(outboxed.length >= 1, 'killed with orders in the outbox');
    assert.deepEqual((await store.listOrders()).map((r) => r.order.id).sort(), [...before].sort(), 'none of them reached a coordinator');

    const share = new HandedPartition(false);
    const busB = await bus();
    const b = await planner(active, busB, store, share);
    share.takeOver();
    await b.onPrice(price(active, 80, '2022-01-01T06:00:01Z'));
    await eventually('the outboxed orders filled', async () => {
      const rows = await Promise.all(outboxed.map((id) => store.getOrder(id)));
      return rows.every((r) => r?.status === 'filled');
    });
    // The fills reach the new owner over NATS after the store has them: its state is saved when they arrive.
    await eventually('the new owner saw the fills', async () => Object.keys((await store.loadStrategyState<GridState>('grid'))?.allocations ?? { open: 1 }).length === 0);
    await busB.settle();
    await settledOnce(store, outboxed);
    const executions = (await store.listExecutions()).length;

    // The outbox put back as a planner killed after publishing leaves it; a planner restarted within
    // JetStream's duplicate window publishes it again on its own connection: the stream drops the copies.
    await store.writeOutbox([{ strategy: 'grid', state: await store.loadStrategyState('grid'), orders: (await store.listOrders({ strategy: 'grid' })).map((r) => r.order) }]);
    const { store: counting, refused } = countingRefusals(store);
    await b.stop();
    const busC = await bus();
    const c = await planner(active, busC, counting, new HandedPartition(true));
    await c.onPrice(price(active, 80, '2022-01-01T06:00:02Z'));
    await busC.settle();
    assert.deepEqual(await store.listOutbox('grid'), [], 'published again and cleared');
    assert.deepEqual(refused, [], 'no copy reached a coordinator: JetStream dropped them by msgId');
    assert.equal((await store.listExecutions()).length, executions, 'nothing executed again');
    await settledOnce(store, outboxed);
    await c.stop();
  } finally {
    for (const b of buses) await b.close();
    await deleteNamespace(SERVICES.nats.url, ns);
    await store.close();
    await db.drop();
  }
});

/**
 * Split roles, the outbox group-committed (engine/app/outbox-pipeline.ts): a planner stores the
 * decisions of a tick — of every strategy that decided in it, and of the ticks evaluated while the
 * previous write was in flight — with the states that count them, in one store write, and
 * publishes them only once that write returned. Here: no order reaches the bus while its write is
 * held, and a write of several strategies' decisions, the planner killed right after it, leaves
 * every one of them for the next owner to publish, once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type Bus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { orderFromJson, type OrderJson } from '../../engine/orders/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { MemoryStore, type OutboxEntry, type Store } from '../../engine/infra/store/index.ts';
import type { GridState, DcaState } from '../../engine/strategies/index.ts';
import { requireService } from '../support/services.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { until } from '../support/topology.ts';
import { HandedPartition, outboxStores, planner, price } from './support/planners.ts';

const T0 = '2022-01-01T00:00:00Z';
/** A week later: the weekly DCA is due again, and the fall from 100 to 80 crosses grid levels: both decide at this tick. */
const WEEK = '2022-01-08T00:00:00Z';
const WEEK_1S = '2022-01-08T00:00:01Z';

class Killed extends Error {}

/** Order ids published for the coordinator on `bus`, in order. */
async function opportunities(bus: Bus): Promise<string[]> {
  const seen: string[] = [];
  await bus.subscribe<OrderJson>('trade.opportunities.>', async (m) => void seen.push(orderFromJson(m.data).id));
  return seen;
}

test('no order is published before the write storing it with its strategy\'s state has returned; ticks evaluated meanwhile join the next write', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const active = built.active!;
  const store = new MemoryStore();
  // The store's writes wait at a gate the test opens; each returned write's order ids are durable.
  let open: () => void = () => undefined;
  let gate = Promise.resolve();
  const hold = () => (gate = new Promise<void>((r) => (open = r)));
  const durable = new Set<string>();
  const writes: Array<{ entries: readonly OutboxEntry[]; published: readonly string[] }> = [];
  const gated = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'writeOutbox') return typeof value === 'function' ? value.bind(target) : value;
      return async (entries: readonly OutboxEntry[], published: readonly string[] = []) => {
        writes.push({ entries, published });
        await gate;
        await target.writeOutbox(entries, published);
        for (const e of entries) for (const o of e.orders) durable.add(o.id);
      };
    },
  }) as Store;
  // The bus records any order published before the write that stores it returned.
  const inner = new MemoryBus();
  const early: string[] = [];
  const bus: Bus = Object.assign(Object.create(inner) as Bus, {
    publish: (subject: string, data: unknown, opts?: { msgId?: string }) => {
      if (subject.startsWith('trade.opportunities.') && !durable.has(String(opts?.msgId))) early.push(String(opts?.msgId));
      return inner.publish(subject, data, opts);
    },
  });
  const published = await opportunities(inner);
  const a = await planner(active, bus, gated, new HandedPartition(true));

  hold();
  const first = a.onPrice(price(active, 100, T0));
  await until('the first tick\'s decisions are at the store', () => writes.some((w) => w.entries.some((e) => e.orders.length > 0)), 10_000);
  const firstWrite = writes.length;
  const held = writes.at(-1)!.entries.flatMap((e) => e.orders.map((o) => o.id));
  assert.ok(held.length >= 1, 'the DCA buys at the first tick');
  // A second tick while the write is held: evaluated at once, its decisions wait for the next write.
  const second = a.onPrice(price(active, 80, WEEK));
  await until('the second tick is evaluated', () => a.stats.ticks === 2, 10_000);
  await inner.settle();
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(published.length, 0, `nothing published while the write is held: ${published.join(', ')}`);
  assert.equal(writes.length, firstWrite, 'and no second write started: one write is in flight at a time');

  open();
  await Promise.all([first, second]);
  await inner.settle();
  await a.flushOutbox();
  assert.deepEqual(early, [], 'every order was published after the write storing it returned');
  assert.deepEqual(published.slice(0, held.length), held, 'the held write\'s orders went out first, in decision order');
  const secondWrite = writes[firstWrite]!;
  const decidedAtWeek = secondWrite.entries.flatMap((e) => e.orders.map((o) => o.id));
  assert.ok(new Set(secondWrite.entries.filter((e) => e.orders.length).map((e) => e.strategy)).size >= 2, `the next write carries the second tick's decisions of several strategies: ${JSON.stringify(secondWrite.entries.map((e) => [e.strategy, e.orders.length]))}`);
  for (const id of decidedAtWeek) assert.ok(published.includes(id), `order ${id} of the second tick published`);
  assert.deepEqual(await store.outboxStrategies(), [], 'every published order removed from the outbox (by a later write, not awaited by the tick)');
  await a.stop();
  await inner.close();
});

const STORES = outboxStores('outboxgroup');

for (const { name, service, open } of STORES) {
  test(`${name}: killed right after the group write of a tick where several strategies decided: every state counts its orders, every order is published once by the next owner`, async (t) => {
    if (service && !(await requireService(t, service))) return;
    const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
    const active = built.active!;
    const { store, drop } = await open();
    try {
      let armed = false;
      let killedWrite: readonly OutboxEntry[] | undefined;
      const killable = new Proxy(store, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target) as unknown;
          if (prop !== 'writeOutbox') return typeof value === 'function' ? value.bind(target) : value;
          return async (entries: readonly OutboxEntry[], published: readonly string[] = []) => {
            await target.writeOutbox(entries, published);
            if (armed && entries.some((e) => e.orders.length > 0)) {
              armed = false;
              killedWrite = entries;
              throw new Killed('killed after the group write');
            }
          };
        },
      }) as Store;
      const busA = new MemoryBus();
      const publishedA = await opportunities(busA);
      const a = await planner(active, busA, killable, new HandedPartition(true));
      await a.onPrice(price(active, 100, T0));
      await busA.settle();
      await a.flushOutbox();
      const before = [...publishedA];
      assert.deepEqual(await store.outboxStrategies(), [], 'the first tick\'s orders published and removed');
      armed = true;
      await assert.rejects(a.onPrice(price(active, 80, WEEK)), Killed);
      await busA.settle();
      assert.ok(killedWrite, 'killed after a write carrying orders');
      const deciders = [...new Set(killedWrite.filter((e) => e.orders.length).map((e) => e.strategy))].sort();
      assert.deepEqual(deciders, ['dca', 'grid'], 'the grid and the DCA decided at this tick, in one write');
      assert.deepEqual(publishedA, before, 'killed before publishing: nothing more went out');
      const outboxed = new Map<string, string[]>();
      for (const strategy of deciders) {
        const ids: string[] = killedWrite.filter((e) => e.strategy === strategy).flatMap((e) => e.orders.map((o) => o.id));
        outboxed.set(strategy, ids);
        assert.deepEqual((await store.listOutbox(strategy)).map((o) => o.id), ids, `${strategy}: its orders are in its outbox, in the order decided`);
      }
      const grid = (await store.loadStrategyState<GridState>('grid'))!;
      assert.deepEqual(Object.keys(grid.allocations).sort(), [...outboxed.get('grid')!].sort(), 'the stored grid state counts exactly its outboxed orders as sent');
      const dca = (await store.loadStrategyState<DcaState>('dca'))!;
      assert.deepEqual(Object.keys(dca.pending).sort(), [...outboxed.get('dca')!].sort(), 'the stored DCA state counts exactly its outboxed buy as pending');
      assert.equal(dca.lastBuyAt, Date.parse(WEEK) / 1000, 'and its schedule moved to this tick');

      // The survivor takes both strategies over: it publishes both outboxes, and decides neither again.
      const busB = new MemoryBus();
      const publishedB = await opportunities(busB);
      const share = new HandedPartition(false);
      const b = await planner(active, busB, store, share);
      share.takeOver();
      await b.onPrice(price(active, 80, WEEK_1S));
      await busB.settle();
      await b.flushOutbox();
      const all = [...outboxed.values()].flat();
      assert.deepEqual([...publishedB].sort(), [...all].sort(), 'the outboxed orders of both strategies, published by the new owner, and nothing decided again');
      for (const strategy of deciders) {
        const ids = (await store.listOrders({ strategy })).map((r) => r.order.id).filter((id) => !before.includes(id));
        assert.deepEqual(ids.sort(), [...outboxed.get(strategy)!].sort(), `${strategy}: each outboxed order recorded once, no other`);
        for (const id of ids) assert.equal((await store.listExecutions(id)).length, 1, `order ${id} executed once`);
      }
      assert.deepEqual(await store.outboxStrategies(), [], 'both outboxes empty');
      await b.stop();
    } finally {
      await store.close();
      await drop();
    }
  });
}

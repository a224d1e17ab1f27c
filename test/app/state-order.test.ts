/**
 * A strategy's stored state never goes back in time: results arrive concurrently (a NATS consumer
 * hands several to their handlers at once) and each saves the planner's snapshot, but a save that
 * started earlier can commit later (PostgreSQL runs them on different pool connections). The
 * engine writes one strategy's state in the order the snapshots were taken, so the last stored
 * state is the planner's latest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { MemoryStore, type Store } from '../../engine/infra/store/index.ts';
import type { GridState } from '../../engine/strategies/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { HandedPartition, planner, price } from './support/planners.ts';

/**
 * The store with the grid's first plain state write after `arm()` held for `holdMs`: it would commit
 * after the writes that follow it if they did not wait for it. A partitioned planner writes states
 * through its outbox lane (`writeOutbox`; a plain save is an entry without orders), one process
 * through `saveStrategyState`: both are held.
 */
function slowFirstGridWrite(store: Store, holdMs: number): { store: Store; arm(): void; held(): number } {
  let armed = false;
  let held = 0;
  const proxy = new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      if (prop === 'writeOutbox') {
        return async (entries: Parameters<Store['writeOutbox']>[0], published?: readonly string[]) => {
          if (armed && entries.some((e) => e.strategy === 'grid' && e.orders.length === 0)) {
            armed = false;
            held++;
            const copy = structuredClone(entries);
            await new Promise((r) => setTimeout(r, holdMs));
            return target.writeOutbox(copy, published);
          }
          return target.writeOutbox(entries, published);
        };
      }
      if (prop !== 'saveStrategyState') return value.bind(target);
      return async (...args: unknown[]) => {
        if (armed && args[0] === 'grid') {
          armed = false;
          held++;
          // The snapshot is taken now (by the caller); it is written later, as a slow connection would.
          const copy = structuredClone(args[1]);
          await new Promise((r) => setTimeout(r, holdMs));
          return (value as (...a: unknown[]) => Promise<void>).apply(target, [args[0], copy, ...args.slice(2)]);
        }
        return (value as (...a: unknown[]) => Promise<void>).apply(target, args);
      };
    },
  });
  return { store: proxy, arm: () => (armed = true), held: () => held };
}

test('concurrent results: the stored state of a strategy is its latest snapshot, not the one whose write committed last', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const active = built.active!;
  const store = new MemoryStore();
  const slow = slowFirstGridWrite(store, 150);
  const bus = new MemoryBus();
  const engine = await planner(active, bus, slow.store, new HandedPartition(true));
  try {
    await engine.onPrice(price(active, 100, '2022-01-01T00:00:00Z'));
    await bus.settle();
    // The fall decides grid orders; the state write after the first fill (the second still open) is held while the next goes first.
    slow.arm();
    await engine.onPrice(price(active, 80, '2022-01-01T06:00:00Z'));
    await bus.settle();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(slow.held(), 1, 'a grid state write was held');
    const grid = await store.listOrders({ strategy: 'grid' });
    assert.ok(grid.length >= 1 && grid.every((r) => r.status === 'filled'), 'the grid decided orders at the fall and they filled');
    const stored = (await store.loadStrategyState<GridState>('grid'))!;
    assert.deepEqual(Object.keys(stored.allocations), [], 'the stored state has seen every fill (an earlier snapshot did not overwrite it)');
  } finally {
    await engine.stop();
    await bus.close();
  }
});

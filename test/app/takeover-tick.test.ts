/**
 * Split roles: a planner that takes a strategy over (its owner stopped) evaluates it at once on the
 * last price tick it saw, not first on the next one. The owner may have died after a swap and
 * before that swap's tick reached it, while the survivor, not owning the strategy yet, passed the
 * tick by: waiting for the next tick decides the same grid level one tick late, at another price
 * (another min-out) than one process decides it (test/app/split-roles found exactly that under load).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { MemoryStore, type Store } from '../../engine/infra/store/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { HandedPartition, planner, price } from './support/planners.ts';
import { until } from '../support/topology.ts';



const T0 = '2022-01-01T00:00:00Z';
const TH = '2022-01-01T03:00:00Z';
const T1 = '2022-01-01T06:00:00Z';


/** The grid's decisions in `store`: time, rule, side, amounts. */
async function gridDecisions(store: Store): Promise<string[]> {
  return (await store.listOrders({ strategy: 'grid' })).map((r) => `${r.order.createdAt} ${r.order.rule} ${r.order.side} ${r.order.amountIn} min ${r.order.minAmountOut}`).sort();
}

test('a planner taking the grid over decides on the last tick its stopped owner never evaluated, as one process does, and not twice', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const active = built.active!;

  // One process: the grid centres at 100, buys at 90 and again at the fall to 80.
  const single = new MemoryStore();
  const busS = new MemoryBus();
  const s = await planner(active, busS, single, new HandedPartition(true));
  for (const [usd, time] of [[100, T0], [90, TH], [80, T1]] as const) {
    await s.onPrice(price(active, usd, time));
    await busS.settle();
  }
  await s.stop();
  const expected = await gridDecisions(single);
  const atFall = expected.filter((d) => d.startsWith(new Date(T1).toISOString()));
  assert.ok(atFall.length >= 1 && atFall.length < expected.length, `one process: the grid buys at 90 and at the fall (${expected.join('; ')})`);

  // Split: the owner sees 100 and 90 and dies; the survivor sees 100, 90 and 80 before the membership hands it the grid.
  const store = new MemoryStore();
  const busA = new MemoryBus();
  const a = await planner(active, busA, store, new HandedPartition(true));
  for (const [usd, time] of [[100, T0], [90, TH]] as const) {
    await a.onPrice(price(active, usd, time));
    await busA.settle();
  }
  const busB = new MemoryBus();
  const share = new HandedPartition(false);
  const b = await planner(active, busB, store, share);
  for (const [usd, time] of [[100, T0], [90, TH], [80, T1]] as const) await b.onPrice(price(active, usd, time));
  await busB.settle();
  assert.equal((await gridDecisions(store)).length, expected.length - atFall.length, 'not its strategy yet: the survivor decided nothing for the grid at 80');
  share.takeOver();
  await until('the survivor decides the grid on the tick at 80', async () => (await gridDecisions(store)).length >= expected.length, 10_000).catch(() => undefined);
  await busB.settle();
  assert.deepEqual(await gridDecisions(store), expected, 'the survivor decides on the missed tick what one process decided on it, at its price');
  // The same price again (the next tick): nothing decided twice.
  await b.onPrice(price(active, 80, '2022-01-01T06:00:01Z'));
  await busB.settle();
  assert.deepEqual(await gridDecisions(store), expected, 'and nothing twice at the next tick');
  await b.stop();
});

/**
 * A run that stopped between deciding and filling orders leaves them unfinished in the store,
 * and the strategy waiting on them. The next start expires them and releases the strategy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { orderFromJson } from '../../engine/orders/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { composeEngine, type TradingEngine } from '../../engine/app/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import type { GridState } from '../../engine/strategies/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const log = createLogger({ level: 'silent' });

test('orders left unfinished by a stopped run are expired at the next start and the grid levels they held are free again', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  assert.ok(built.active);
  const store = new MemoryStore();
  const SOL = built.active.strategies.market.base;
  const price = (usd: number, time: string) => ({ mint: SOL.mint, symbol: 'SOL', usd, time, source: 'test' });

  // First run: a bus that never delivers to the coordinator, as if the process died right after deciding.
  const bus1 = new MemoryBus();
  const first = await composeEngine({ holder: new ConfigHolder(built.active), bus: bus1, store, log });
  const decided: string[] = [];
  await bus1.subscribe<unknown>('trade.opportunities.>', async (m) => {
    const order = orderFromJson(m.data as never);
    await store.insertOrder(order, 'routed'); // the coordinator got as far as routing it
    decided.push(order.id);
  });
  await first.onPrice(price(100, '2022-01-01T00:00:00Z'));
  await first.onPrice(price(80, '2022-01-01T06:00:00Z')); // falls through grid levels: a buy
  await bus1.settle();
  assert.ok(decided.length >= 1, 'the first run decided a grid buy');
  await first.stop();
  const stuck = (await store.loadStrategyState<GridState>('grid'))!;
  assert.ok(Object.keys(stuck.allocations).length >= 1, 'the grid waits for the buy to fill');

  // Next start: the unfinished orders are expired and the grid released.
  const second = await composeEngine({ holder: new ConfigHolder(built.active), bus: new MemoryBus(), store, log });
  const expired = await second.expireOrphanedPaperOrders();
  assert.deepEqual(expired.sort(), decided.sort());
  for (const id of decided) {
    const row = (await store.getOrder(id))!;
    assert.equal(row.status, 'expired');
    assert.match(row.reason!, /nothing was sent/);
  }
  const released = (await store.loadStrategyState<GridState>('grid'))!;
  assert.deepEqual(released.allocations, {});
  // Everything else of the grid is as the first run left it (its levels, its base price).
  assert.deepEqual({ ...released, allocations: {} }, { ...stuck, allocations: {} });
  assert.deepEqual(await second.expireOrphanedPaperOrders(), [], 'nothing left the second time');
});

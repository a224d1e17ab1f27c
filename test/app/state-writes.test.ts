import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrategyStateWrites } from '../../engine/app/state-writes.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';

/** A memory store whose writes each take `ms` and are logged in the order they start. */
function slowStore(ms: number): { store: MemoryStore; writes: string[] } {
  const store = new MemoryStore();
  const writes: string[] = [];
  const save = store.saveStrategyState.bind(store);
  store.saveStrategyState = async (strategy, state) => {
    writes.push(`state ${strategy} ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, ms));
    await save(strategy, state);
  };
  return { store, writes };
}

test('plain saves queued behind a write collapse into the latest; strategies do not wait for each other', async () => {
  const { store, writes } = slowStore(20);
  const w = new StrategyStateWrites(store);
  const first = w.save('a', 1);
  await new Promise((r) => setImmediate(r)); // the first write has started
  const all = [first, w.save('a', 2), w.save('a', 3), w.save('b', 1)];
  await Promise.all(all);
  assert.deepEqual(writes, ['state a 1', 'state b 1', 'state a 3'], 'the first runs, the two waiting behind it become one write of the latest');
  assert.equal(await store.loadStrategyState('a'), 3);
});

test('a failed write does not stop the ones after it, and its caller sees the failure', async () => {
  const store = new MemoryStore();
  let first = true;
  const save = store.saveStrategyState.bind(store);
  store.saveStrategyState = async (s, v) => {
    if (first) {
      first = false;
      throw new Error('connection lost');
    }
    await save(s, v);
  };
  const w = new StrategyStateWrites(store);
  const failed = w.save('a', 1);
  await new Promise((r) => setImmediate(r)); // the first write has started
  const next = w.save('a', 2);
  await assert.rejects(failed, /connection lost/);
  await next;
  assert.equal(await store.loadStrategyState('a'), 2);
});

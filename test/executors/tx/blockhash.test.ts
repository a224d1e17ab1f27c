/**
 * The blockhash cache: the first `get()` waits for a fetch, later ones within `maxAgeMs` are
 * answered from the cache, the background refresh replaces the blockhash without anyone waiting,
 * concurrent callers share one fetch, a failing refresh keeps serving a young blockhash and an
 * old one is fetched again (its error reaching the caller).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockhashCache } from '../../../engine/executors/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';

function fakeChain() {
  const chain = {
    calls: 0,
    fail: false,
    gate: undefined as Promise<void> | undefined,
    async getLatestBlockhash() {
      chain.calls += 1;
      const n = chain.calls;
      if (chain.gate) await chain.gate;
      if (chain.fail) throw new Error('rpc down');
      return { blockhash: `hash-${n}`, lastValidBlockHeight: 1000 + n };
    },
  };
  return chain;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('blockhash cache: first get waits, later gets are hits, the background refresh moves it on', async () => {
  const chain = fakeChain();
  const cache = new BlockhashCache(chain, { refreshMs: 30, maxAgeMs: 10_000 });
  try {
    const first = await cache.get();
    assert.equal(first.blockhash, 'hash-1');
    assert.equal(first.lastValidBlockHeight, 1001);
    const again = await cache.get();
    assert.equal(again.blockhash, 'hash-1');
    assert.equal(cache.stats.hits, 1);
    // The background refresh runs without a caller.
    const deadline = Date.now() + 5_000;
    while (chain.calls < 3 && Date.now() < deadline) await sleep(10);
    assert.ok(chain.calls >= 3, `refreshed in the background (${chain.calls} fetches)`);
    const later = await cache.get();
    assert.notEqual(later.blockhash, 'hash-1');
    assert.equal(cache.stats.waits, 1, 'only the very first get waited');
  } finally {
    cache.close();
  }
  const calls = chain.calls;
  await sleep(100);
  assert.ok(chain.calls <= calls + 1, 'closed: no more refreshes');
});

test('blockhash cache: concurrent gets share one fetch; an old blockhash is fetched again, a failing fetch reaches the caller', async () => {
  let now = 0;
  const chain = fakeChain();
  const cache = new BlockhashCache(chain, { refreshMs: 60_000, maxAgeMs: 60_000, now: () => now });
  try {
    let open!: () => void;
    chain.gate = new Promise((r) => (open = r));
    const gets = [cache.get(), cache.get(), cache.get()];
    open();
    chain.gate = undefined;
    const got = await Promise.all(gets);
    assert.deepEqual(got.map((g) => g.blockhash), ['hash-1', 'hash-1', 'hash-1']);
    assert.equal(chain.calls, 1, 'one fetch for three callers');
    now += 59_000; // still young: served even though the chain is down
    chain.fail = true;
    assert.equal((await cache.get()).blockhash, 'hash-1');
    now += 2_000; // too old: fetched again, and the failure is the caller's
    await assert.rejects(cache.get(), /rpc down/);
    assert.equal(cache.stats.errors, 1);
    chain.fail = false;
    assert.equal((await cache.get()).blockhash, `hash-${chain.calls}`);
  } finally {
    cache.close();
  }
  assert.throws(() => new BlockhashCache(chain, { refreshMs: 500, maxAgeMs: 100 }), (e: unknown) => isSolrulesError(e, 'EXEC_BAD_POLICY'));
});

test('blockhash cache: once an attempt expired at a block height, a held blockhash valid only up to it is never served (a rebuild gets a fresh one)', async () => {
  const chain = fakeChain();
  const cache = new BlockhashCache(chain, { refreshMs: 60_000, maxAgeMs: 60_000 });
  try {
    const first = await cache.get(); // hash-1, valid until 1001
    assert.equal((await cache.get()).blockhash, first.blockhash, 'young and not known expired: a hit');
    cache.noteBlockHeight(first.lastValidBlockHeight); // the chain passed it (an attempt expired at this height)
    const rebuilt = await cache.get();
    assert.notEqual(rebuilt.blockhash, first.blockhash, 'an expired blockhash is not served again, however young');
    assert.ok(rebuilt.lastValidBlockHeight > first.lastValidBlockHeight);
    assert.equal(chain.calls, 2);
  } finally {
    cache.close();
  }
});

/** The cache contract: the in-memory cache and Redis behave the same. `open` returns a fresh, empty cache. */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Cache } from '../../../engine/infra/cache/index.ts';
import { requireService, type ServiceName } from '../../support/services.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Registers the contract suite for one cache; each case first requires `service` (fails under CI=true when it is down). */
export function cacheContract(name: string, open: () => Promise<{ cache: Cache; cleanup(): Promise<void> }>, service?: ServiceName): void {
  describe(`cache contract: ${name}`, () => {
    let sut: { cache: Cache; cleanup(): Promise<void> } | undefined;
    let c: Cache;
    after(async () => {
      if (sut) {
        await sut.cache.close();
        await sut.cleanup();
      }
    });
    const test = (title: string, fn: () => Promise<void>) =>
      it(title, async (t) => {
        if (service && !(await requireService(t, service))) return;
        sut ??= await open();
        c = sut.cache;
        await fn();
      });

    test('values round-trip as JSON; delete removes; a missing key is undefined', async () => {
      const v = { quote: { outAtoms: '123456789012345678901234567890', venue: 'orca' }, list: [1, null, 'x'] };
      await c.set('quote:SOL:USDC', v);
      assert.deepEqual(await c.get('quote:SOL:USDC'), v);
      await c.delete('quote:SOL:USDC');
      assert.equal(await c.get('quote:SOL:USDC'), undefined);
      assert.equal(await c.get('never-set'), undefined);
    });

    test('a TTL expires the value', async () => {
      await c.set('price:SOL', { usd: 150.25 }, 120);
      assert.deepEqual(await c.get('price:SOL'), { usd: 150.25 });
      await sleep(260);
      assert.equal(await c.get('price:SOL'), undefined);
    });

    test('setIfAbsent is a dedup window: first caller wins until the TTL passes', async () => {
      assert.equal(await c.setIfAbsent('seen:evt1', 1, 150), true);
      assert.equal(await c.setIfAbsent('seen:evt1', 2, 150), false);
      assert.equal(await c.get('seen:evt1'), 1);
      await sleep(300);
      assert.equal(await c.setIfAbsent('seen:evt1', 3, 150), true);
      const racers = await Promise.all(Array.from({ length: 20 }, (_, i) => c.setIfAbsent('seen:evt2', i, 5_000)));
      assert.equal(racers.filter(Boolean).length, 1);
    });

    test('token bucket: capacity, then a wait that matches the refill rate', async () => {
      for (let i = 0; i < 5; i++) assert.equal(await c.takeTokens('jupiter', 1, 5, 10), 0, `token ${i + 1} of 5`);
      const wait = await c.takeTokens('jupiter', 1, 5, 10);
      assert.ok(wait > 0 && wait <= 100, `wait ${wait} ms for one token at 10/s`);
      await sleep(wait + 30);
      assert.equal(await c.takeTokens('jupiter', 1, 5, 10), 0);
      assert.ok((await c.takeTokens('jupiter', 3, 5, 10)) >= 200, 'three tokens need about 300 ms');
    });

    test('locks: one holder, growing fencing tokens, release only by the holder, expiry', async () => {
      const a = await c.acquireLock('wallet:W1', 5_000);
      assert.ok(a);
      assert.equal(await c.acquireLock('wallet:W1', 5_000), undefined);
      await a.release();
      const b = await c.acquireLock('wallet:W1', 150);
      assert.ok(b && b.fencingToken > a.fencingToken);
      await sleep(300);
      const d = await c.acquireLock('wallet:W1', 5_000);
      assert.ok(d && d.fencingToken > b.fencingToken, 'an expired lease lets the next holder in, with a newer token');
      await b.release(); // stale: must not free d's lock
      assert.equal(await c.acquireLock('wallet:W1', 5_000), undefined);
      await d.release();
      const racers = await Promise.all(Array.from({ length: 20 }, () => c.acquireLock('wallet:W2', 5_000)));
      assert.equal(racers.filter(Boolean).length, 1);
    });

    test('a renewed lease outlives its first TTL; a lost one cannot be renewed', async () => {
      const a = await c.acquireLock('order:long', 200);
      assert.ok(a);
      for (let i = 0; i < 4; i++) {
        await sleep(100);
        assert.equal(await a.renew(200), true, `renewal ${i + 1} while held`);
      }
      // 400 ms after acquiring, twice its first TTL: still held thanks to the renewals.
      assert.equal(await c.acquireLock('order:long', 5_000), undefined);
      await sleep(350);
      const b = await c.acquireLock('order:long', 5_000);
      assert.ok(b && b.fencingToken > a.fencingToken, 'once renewals stop it expires and the next holder gets a newer token');
      assert.equal(await a.renew(5_000), false, 'the old lease cannot take the lock back');
      assert.equal(await c.acquireLock('order:long', 5_000), undefined, 'the failed renewal left the new holder in place');
      await b.release();
      assert.equal(await b.renew(5_000), false, 'a released lease cannot be renewed');
    });

    test('hash updates: exact integer arithmetic beyond 2^63 and 2^64, init, set, delete', async () => {
      const U64_MAX = 2n ** 64n - 1n;
      const I64_MAX = 2n ** 63n - 1n;
      const h = 'balances';
      const cases: [string, bigint, bigint][] = [
        ['i64-edge', I64_MAX, 1n],
        ['u64-edge', U64_MAX, 1n],
        ['u64-twice', U64_MAX, U64_MAX],
        ['to-zero', U64_MAX, -U64_MAX],
        ['below-zero', 5n, -(U64_MAX + 10n)],
        ['neg-plus', -1_000_000n, 999_999n],
        ['borrow', 10n ** 30n, -1n],
        ['small', 0n, 0n],
      ];
      for (const [field, a, b] of cases) {
        assert.equal(await c.updateHashes({ ops: [{ op: 'add', key: h, field, atoms: a }] }), 'applied');
        await c.updateHashes({ ops: [{ op: 'add', key: h, field, atoms: b }] });
      }
      const got = await c.readHash(h);
      for (const [field, a, b] of cases) assert.equal(got[field], (a + b).toString(), `${field}: ${a} + ${b}`);
      await c.updateHashes({ ops: [{ op: 'init', key: h, field: 'small', atoms: 7n }, { op: 'init', key: h, field: 'fresh', atoms: U64_MAX }, { op: 'set', key: 'holds', field: 'w1', value: '{"x":1}' }, { op: 'delete', key: h, field: 'borrow' }] });
      const after = await c.readHash(h);
      assert.equal(after['small'], '0', 'init leaves a present field alone');
      assert.equal(after['fresh'], U64_MAX.toString());
      assert.equal(after['borrow'], undefined);
      assert.deepEqual(await c.readHash('holds'), { w1: '{"x":1}' });
      assert.deepEqual(await c.readHash('never-written'), {});
    });

    test('hash updates: once-markers and unless apply a settlement once; a sequence guard refuses a stale replay', async () => {
      const settle = () => c.updateHashes({ once: { key: 'settled:sig1', ttlMs: 60_000 }, ops: [{ op: 'add', key: 'exp', field: 'w|SOL', atoms: -5_000n }, { op: 'delete', key: 'pending', field: 'sig1' }] });
      await c.updateHashes({ ops: [{ op: 'init', key: 'exp', field: 'w|SOL', atoms: 1_000_000n }, { op: 'set', key: 'pending', field: 'sig1', value: '{}' }] });
      const racers = await Promise.all(Array.from({ length: 10 }, settle));
      assert.equal(racers.filter((r) => r === 'applied').length, 1);
      assert.equal(racers.filter((r) => r === 'duplicate').length, 9);
      assert.equal((await c.readHash('exp'))['w|SOL'], '995000');
      assert.equal(await c.updateHashes({ unless: 'settled:sig1', ops: [{ op: 'set', key: 'pending', field: 'sig1', value: '{}' }] }), 'duplicate', 'a send replayed after its settlement is not in flight again');
      assert.deepEqual(await c.readHash('pending'), {});
      const line = (expect: string, next: string) => c.updateHashes({ sequence: { key: 'journal:a', expect, next }, ops: [{ op: 'add', key: 'exp', field: 'w|SOL', atoms: 1n }] });
      assert.equal(await line('0', '120'), 'applied');
      assert.equal(await line('0', '120'), 'stale', 'the same journal line again: nothing');
      assert.equal(await line('120', '250'), 'applied');
      assert.equal((await c.readHash('exp'))['w|SOL'], '995002');
      assert.equal(await c.updateHashes({ sequence: { key: 'journal:a', expect: '250', next: '300' }, once: { key: 'settled:sig1', ttlMs: 60_000 }, ops: [{ op: 'add', key: 'exp', field: 'w|SOL', atoms: 1n }] }), 'duplicate');
      assert.equal(await line('250', '310'), 'stale', 'a duplicate still advanced the sequence');
      await assert.rejects(c.updateHashes({ ops: [{ op: 'add', key: 'exp', field: 'w|SOL', atoms: 1n }, { op: 'add', key: 'exp', field: 'x', atoms: '1.5' as unknown as bigint }] }));
      assert.equal((await c.readHash('exp'))['w|SOL'], '995002', 'a refused update wrote nothing');
    });
  });
}

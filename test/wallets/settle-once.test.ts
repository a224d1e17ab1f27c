/**
 * A send settled by one host is not settled again by another after the cache lost its settled
 * marker (Redis data loss: a failover to a replica without the last writes, a flush): the run's
 * store records which journal line settled each signature, and the ledger asks it before adding a
 * settlement's deltas. Two ledgers on one Redis, each its own journal, as two hosts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisCache } from '../../engine/infra/cache/redis/index.ts';
import { openPgliteStore } from '../../engine/infra/store/pglite/index.ts';
import type { WalletSettlements } from '../../engine/infra/store/index.ts';
import { WalletLedger } from '../../engine/wallets/index.ts';
import { requireService, SERVICES } from '../support/services.ts';

const W = 'Wor1111111111111111111111111111111111111111';
const NS = 'Trea111111111111111111111111111111111111111';
const at = () => new Date().toISOString();

/** Host A settles `sig`; the cache loses the settled marker; host B settles it again. B's view of W's expected SOL after. */
async function settleTwiceAcrossLostMarker(t: import('node:test').TestContext, settlements: WalletSettlements | undefined): Promise<{ afterA: bigint | undefined; afterB: bigint | undefined; pendingB: number }> {
  const prefix = `solrules-settle-once-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}:`;
  const caches = [await RedisCache.connect(SERVICES.redis.url, { keyPrefix: prefix }), await RedisCache.connect(SERVICES.redis.url, { keyPrefix: prefix })];
  t.after(async () => {
    const keys = await caches[0]!.client.keys(`${prefix}*`);
    if (keys.length) await caches[0]!.client.del(...keys.map((k) => k.slice(prefix.length)));
    for (const c of caches) await c.close();
  });
  const journal = (host: string) => join(mkdtempSync(join(tmpdir(), `solrules-settle-${host}-`)), 'journal.jsonl');
  const a = new WalletLedger(journal('a'), caches[0], NS, settlements);
  const b = new WalletLedger(journal('b'), caches[1], NS, settlements);
  await a.record({ kind: 'baseline', at: at(), balances: [{ address: W, asset: 'SOL', atoms: '1000000' }] });
  await a.record({ kind: 'sent', at: at(), op: 'execution', planId: 'ord_1', signature: 'sigX', lastValidBlockHeight: 100, transfers: [], touches: [W] });
  await b.sync();
  assert.equal(b.pending().length, 1, 'B sees the send in flight');
  // A's executor settles it: the fee and the trade's legs, exact.
  await a.record({ kind: 'confirmed', at: at(), signature: 'sigX', fee: '5000', deltas: [{ address: W, asset: 'SOL', atoms: '-105000' }] });
  const afterA = a.expected(W, 'SOL');
  // Redis loses the settled marker (the expected balances survive: a partial loss).
  assert.equal(await caches[0]!.client.del(`wallets:${NS}:settled:sigX`), 1, 'the marker was there to lose');
  // B (a rebalancer's resolvePending, on the pending it saw) settles the same signature again.
  await b.record({ kind: 'confirmed', at: at(), signature: 'sigX', fee: '5000', deltas: [{ address: W, asset: 'SOL', atoms: '-105000' }] });
  await a.sync();
  return { afterA, afterB: b.expected(W, 'SOL'), pendingB: b.pending().length };
}

test('settled once across hosts after the cache lost its settled marker: the store refuses the second settlement', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const store = await openPgliteStore();
  t.after(() => store.close());
  const r = await settleTwiceAcrossLostMarker(t, store);
  assert.equal(r.afterA, 895_000n);
  assert.equal(r.afterB, 895_000n, 'the second settlement added nothing');
  assert.equal(r.pendingB, 0, 'and the send is no longer in flight');
});

test('without the store the cache marker alone decides: losing it settles twice (the defect the store closes)', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const r = await settleTwiceAcrossLostMarker(t, undefined);
  assert.equal(r.afterA, 895_000n);
  assert.equal(r.afterB, 790_000n, 'counted twice');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { RedisCache } from '../../../../engine/infra/cache/redis/index.ts';
import { requireService, SERVICES } from '../../../support/services.ts';
import { cacheContract } from '../contract.ts';

const url = SERVICES.redis.url;
const prefix = () => `solrules-test-${randomBytes(4).toString('hex')}:`;

/** Removes every key under `keyPrefix` (only ours: the prefix is unique to this run). */
async function dropPrefix(keyPrefix: string): Promise<void> {
  const c = await RedisCache.connect(url);
  const keys = await c.client.keys(`${keyPrefix}*`);
  if (keys.length) await c.client.del(...keys);
  await c.close();
}

cacheContract('Redis', async () => {
  const keyPrefix = prefix();
  return { cache: await RedisCache.connect(url, { keyPrefix }), cleanup: () => dropPrefix(keyPrefix) };
}, 'redis');

test('two engine instances share one token bucket and one lock through Redis', async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const keyPrefix = prefix();
  const [a, b] = [await RedisCache.connect(url, { keyPrefix }), await RedisCache.connect(url, { keyPrefix })];
  try {
    const taken = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).takeTokens('rpc', 1, 6, 1)));
    assert.equal(taken.filter((w) => w === 0).length, 6, 'six tokens between both instances, not six each');
    const lease = await a.acquireLock('wallet:W9', 5_000);
    assert.ok(lease);
    assert.equal(await b.acquireLock('wallet:W9', 5_000), undefined);
    await lease.release();
    assert.ok(await b.acquireLock('wallet:W9', 5_000));
  } finally {
    await a.close();
    await b.close();
    await dropPrefix(keyPrefix);
  }
});

test('an unreachable Redis is a clear CACHE_CONNECT error', async () => {
  await assert.rejects(RedisCache.connect('redis://127.0.0.1:1', { connectTimeoutMs: 500 }), (e: Error & { code?: string }) => e.code === 'CACHE_CONNECT' && /127\.0\.0\.1:1/.test(e.message));
});

/** Cache selection: SOLRULES_CACHE picks the in-memory cache by default or Redis with a key prefix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MemoryCache, openCache, resolveCacheConfig } from '../../../engine/infra/cache/index.ts';
import { RedisCache } from '../../../engine/infra/cache/redis/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { requireService, SERVICES } from '../../support/services.ts';

test('selection: memory by default; redis:// with a key prefix (default solrules:); anything else refused', () => {
  assert.equal(resolveCacheConfig({ url: '' }).kind, 'memory');
  const c = resolveCacheConfig({ url: 'redis://:pw@h:6380/2?prefix=prod' });
  assert.equal(c.kind, 'redis');
  if (c.kind !== 'redis') return;
  assert.equal(c.keyPrefix, 'prod:');
  assert.equal(c.url, 'redis://:pw@h:6380/2');
  assert.ok(!c.display.includes('pw'));
  assert.equal((resolveCacheConfig({ url: 'redis://h' }) as { keyPrefix: string }).keyPrefix, 'solrules:');
  assert.throws(() => resolveCacheConfig({ url: 'memcached://h' }), (e: unknown) => isSolrulesError(e, 'CACHE_CONFIG'));
});

test('openCache gives the in-memory cache, or Redis with keys under the prefix', async (t) => {
  assert.ok((await openCache({ url: 'memory' })) instanceof MemoryCache);
  if (!(await requireService(t, 'redis'))) return;
  const prefix = `solrules-test-${randomBytes(4).toString('hex')}`;
  const cache = await openCache({ url: `${SERVICES.redis.url}?prefix=${prefix}` });
  try {
    assert.ok(cache instanceof RedisCache);
    await cache.set('k', { v: 1 }, 10_000);
    const raw = await RedisCache.connect(SERVICES.redis.url);
    assert.equal(await raw.client.get(`${prefix}:k`), '{"v":1}');
    await raw.client.del(`${prefix}:k`);
    await raw.close();
  } finally {
    await cache.close();
  }
});

/** The Redis cache (ioredis): TTL caches, dedup window, shared token buckets, fenced locks. */
export { RedisCache, type RedisCacheOptions } from './cache.ts';

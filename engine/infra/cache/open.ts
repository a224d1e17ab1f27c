/**
 * Cache selection: `SOLRULES_CACHE` (or an explicit setting) picks the implementation.
 *
 *   unset / `memory`                         in-memory (the embedded default; one process)
 *   `redis://[user:pass@]host:port[/db][?prefix=NAME]`   Redis, keys prefixed `NAME:`
 */
import { SolrulesError } from '../../errors/index.ts';
import { redactUrl } from '../health/index.ts';
import type { Cache } from './cache.ts';

export type CacheConfig = { kind: 'memory'; display: string } | { kind: 'redis'; url: string; keyPrefix: string; display: string };

export interface OpenCacheOptions {
  /** Overrides SOLRULES_CACHE. */
  url?: string;
}

/** Which cache the options and environment select, without connecting. */
export function resolveCacheConfig(opts: OpenCacheOptions = {}): CacheConfig {
  const raw = (opts.url ?? process.env.SOLRULES_CACHE ?? '').trim();
  if (raw === '' || raw === 'memory') return { kind: 'memory', display: 'in-memory cache (embedded, this process only)' };
  if (raw.startsWith('redis://') || raw.startsWith('rediss://')) {
    const u = new URL(raw);
    const prefix = u.searchParams.get('prefix') ?? 'solrules';
    u.search = '';
    const url = u.toString();
    return { kind: 'redis', url, keyPrefix: `${prefix}:`, display: `Redis at ${redactUrl(url)} (keys ${prefix}:*)` };
  }
  throw new SolrulesError('CACHE_CONFIG', `SOLRULES_CACHE must be 'memory' or a redis:// URL; got '${redactUrl(raw)}'`, { field: 'SOLRULES_CACHE', value: redactUrl(raw) });
}

/** Opens the selected cache (in-memory by default). */
export async function openCache(opts: OpenCacheOptions = {}): Promise<Cache> {
  const cfg = resolveCacheConfig(opts);
  if (cfg.kind === 'memory') {
    const { MemoryCache } = await import('./memory.ts');
    return new MemoryCache();
  }
  const { RedisCache } = await import('./redis/index.ts');
  return RedisCache.connect(cfg.url, { keyPrefix: cfg.keyPrefix });
}

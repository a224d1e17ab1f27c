/** `solrules doctor` for the cache: is the configured Redis reachable, authenticated, scriptable, and not evicting locks. */
import { tcpProbe, unusableSetting, type ServiceReport } from '../health/index.ts';
import { resolveCacheConfig, type OpenCacheOptions } from './open.ts';

/** Checks the cache the options / environment select; writes only a short-lived probe key. */
export async function checkCache(opts: OpenCacheOptions = {}): Promise<ServiceReport> {
  let cfg;
  try {
    cfg = resolveCacheConfig(opts);
  } catch (err) {
    return unusableSetting(opts.url ?? process.env.SOLRULES_CACHE, err, 'set SOLRULES_CACHE to redis://host:6379 or unset it for the in-memory cache');
  }
  if (cfg.kind === 'memory') return { target: cfg.display, ok: true, details: ['nothing to check: rate limits and wallet locks hold for this process only (set SOLRULES_CACHE=redis://… when several processes run)'] };
  const u = new URL(cfg.url);
  const host = u.hostname;
  const port = Number(u.port || 6379);
  const probe = await tcpProbe(host, port);
  if (!probe.ok) return { target: cfg.display, ok: false, details: [], problem: probe.reason, fix: `start Redis (redis-server --port ${port}), or fix the host/port in SOLRULES_CACHE` };
  const { RedisCache } = await import('./redis/index.ts');
  let cache;
  try {
    cache = await RedisCache.connect(cfg.url, { keyPrefix: cfg.keyPrefix, connectTimeoutMs: 3_000 });
  } catch (err) {
    const msg = (err as Error).message;
    const auth = /NOAUTH|WRONGPASS|invalid password|AUTH/i.test(msg);
    return { target: cfg.display, ok: false, details: [], problem: `Redis refused us: ${msg}`, fix: auth ? 'put the password in the URL: redis://:password@host:6379 (or redis://user:password@…)' : 'check the Redis log' };
  }
  const details: string[] = [];
  try {
    const info = await cache.client.info('server');
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? '?';
    details.push(`Redis ${version}`);
    if (Number(version.split('.')[0]) < 5) return { target: cfg.display, ok: false, details, problem: `Redis ${version} is too old (need 5 or later for the scripts we run)`, fix: 'upgrade Redis' };
    const wait = await cache.takeTokens('doctor-probe', 1, 1, 1);
    details.push(`Lua scripts run (token bucket probe: ${wait === 0 ? 'token taken' : `wait ${wait} ms`})`);
    const policy = ((await cache.client.config('GET', 'maxmemory-policy').catch(() => [])) as string[])[1];
    if (policy) details.push(`maxmemory-policy ${policy}`);
    if (policy && policy.startsWith('allkeys-')) {
      return { target: cfg.display, ok: false, details, problem: `maxmemory-policy is ${policy}: under memory pressure Redis may evict wallet locks and fencing counters`, fix: 'use noeviction or a volatile-* policy (CONFIG SET maxmemory-policy noeviction)' };
    }
    return { target: cfg.display, ok: true, details };
  } catch (err) {
    return { target: cfg.display, ok: false, details, problem: `Redis did not answer our checks: ${(err as Error).message}`, fix: 'check that scripting (EVAL) is allowed for this user' };
  } finally {
    await cache.close();
  }
}

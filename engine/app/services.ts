/**
 * The servers a run depends on (NATS, Redis, PostgreSQL): checked before anything opens them, so a
 * dead one ends the start in one line naming the service and the fix (what `solrules doctor`
 * says) instead of a stack trace after the drivers' retries; registered as /readyz checks while
 * the engine runs; and a setting that cannot take effect is warned about.
 */
import { checkBus, resolveBusConfig, type BusConfig } from '../infra/bus/index.ts';
import { checkCache, resolveCacheConfig, type CacheConfig } from '../infra/cache/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { tcpProbe, type ServiceReport } from '../infra/health/index.ts';
import { checkStore, resolveStoreConfig, type StoreConfig } from '../infra/store/index.ts';
import { serviceCheck, type Health } from '../infra/telemetry/index.ts';

/** The services the environment selects for a project. */
export interface ServiceConfigs {
  bus: BusConfig;
  cache: CacheConfig;
  store: StoreConfig;
}

export function serviceConfigs(projectDir: string): ServiceConfigs {
  return { bus: resolveBusConfig(), cache: resolveCacheConfig(), store: resolveStoreConfig({ projectDir }) };
}

function hostPort(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(u.port || defaultPort) };
}

async function anyAnswers(urls: readonly string[], defaultPort: number): Promise<boolean> {
  const probes = await Promise.all(urls.map((u) => hostPort(u, defaultPort)).map((t) => tcpProbe(t.host, t.port, 1_500)));
  return probes.some((p) => p.ok);
}

function unavailable(service: 'bus' | 'cache' | 'store', name: string, r: ServiceReport): SolrulesError {
  return new SolrulesError('SERVICE_UNAVAILABLE', `${name} is not reachable (${r.target}): ${r.problem ?? 'no answer'}; fix: ${r.fix ?? 'start it, or unset the setting that selects it'}`, { service, target: r.target });
}

/**
 * Throws SERVICE_UNAVAILABLE (one line: the service, what is wrong, the fix) when a configured
 * server does not answer; embedded services (in-process bus, memory cache, PGlite) need nothing.
 * The cache is checked only where it is used (a shared bus).
 */
export async function preflightServices(cfg: ServiceConfigs): Promise<void> {
  if (cfg.bus.kind === 'nats' && !(await anyAnswers(cfg.bus.servers, 4222))) throw unavailable('bus', 'NATS (SOLRULES_BUS)', await checkBus({ url: cfg.bus.url }));
  if (cfg.bus.kind === 'nats' && cfg.cache.kind === 'redis' && !(await anyAnswers([cfg.cache.url], 6379))) throw unavailable('cache', 'Redis (SOLRULES_CACHE)', await checkCache({ url: cfg.cache.url }));
  if (cfg.store.kind === 'postgres' && !(await anyAnswers([cfg.store.url], 5432))) throw unavailable('store', 'PostgreSQL (SOLRULES_STORE)', await checkStore({ url: cfg.store.url }));
}

/** Settings that cannot do what they say in this combination, as warnings. */
export function serviceWarnings(cfg: ServiceConfigs): string[] {
  const out: string[] = [];
  if (cfg.bus.kind === 'memory' && cfg.cache.kind !== 'memory') {
    out.push(`warning: SOLRULES_CACHE is set (${cfg.cache.display}) but the bus is in-process (SOLRULES_BUS is not set): this engine claims its orders itself and does not use the cache; set SOLRULES_BUS=nats://… to run several engines on it, or unset SOLRULES_CACHE`);
  }
  return out;
}

/** Registers a /readyz check for each server the run depends on (embedded services have none). */
export function registerServiceChecks(health: Health, cfg: ServiceConfigs, opts: { cacheInUse: boolean }): void {
  if (cfg.bus.kind === 'nats') health.register('bus', serviceCheck(cfg.bus.servers, 4222));
  // Orders are claimed through the cache: while Redis is down the engine cannot execute any.
  if (opts.cacheInUse && cfg.cache.kind === 'redis') health.register('cache', serviceCheck([cfg.cache.url], 6379));
  if (cfg.store.kind === 'postgres') health.register('store', serviceCheck([cfg.store.url], 5432));
}

/**
 * `compose`: the running system from config — bus, cache, store, control, the engine (planners,
 * coordinator, executors), hot reload, telemetry and the fact source. `solrules run` and the tests
 * call it; a chain fact source (scanners) plugs in beside the replay one.
 */
import { instrumentBus, openBus, type Bus } from '../infra/bus/index.ts';
import { openCache, type Cache } from '../infra/cache/index.ts';
import { ConfigHolder, Reloader, type ActiveConfig, type ReloadOutcome } from '../config/index.ts';
import { ControlState, controlAdmin } from '../control/index.ts';
import type { RunMode } from '../facts/index.ts';
import type { PoolProvider } from '../quotes/index.ts';
import type { LiveContext } from '../executors/index.ts';
import { openStore, type Store } from '../infra/store/index.ts';
import { canonicalJson, type EvaluatorFactory } from '../rules/index.ts';
import { health, reportRuleSet, startTelemetryServer, type Logger, type TelemetryServer } from '../infra/telemetry/index.ts';
import { composeEngine } from './compose.ts';
import type { EngineRole, TradingEngine } from './engine.ts';
import type { Partition } from '../cluster/index.ts';
import { FactWatch, unproducedReads, type UnproducedRead } from './facts-watch.ts';
import { settingsNeedingRestart } from './restart.ts';
import { preflightServices, registerServiceChecks, serviceConfigs, serviceWarnings } from './services.ts';

/** Where the engine's market facts come from: a replayed series or a chain. */
export interface FactSource {
  readonly mode: RunMode;
  /** Human description for the start banner ("replayed price series …"). */
  readonly description: string;
  /** Publishes market events on the bus until done (a replay) or stopped. */
  run(bus: Bus, engine: TradingEngine): Promise<void>;
  stop?(): Promise<void>;
  /** Live pool state (a chain source's scanners): the engine trades on it (arbitrage, fills on pool state). */
  readonly market?: PoolProvider;
}

export interface ComposeOptions {
  /** Project directory (strategies.yaml, rules/, .solrules/). */
  root: string;
  /** The validated config to start with. */
  active: ActiveConfig;
  /** Evaluator for reloads (the same kind the active set was built with). */
  factory: EvaluatorFactory;
  log: Logger;
  source: FactSource;
  /** The store, already open (a run that read its history from it); compose closes it. Default: openStore(). */
  store?: Store;
  /** Paper balances to continue from (a stored run). */
  portfolio?: Record<string, string>;
  /** Watch strategies.yaml and rules/ and apply valid edits (default true). */
  watch?: boolean;
  /** Serve /metrics, /healthz, /readyz and admin actions on 127.0.0.1:port (0 = any). */
  metricsPort?: number;
  /** A --live run's chain context (wallets, RPC, route source, monitor): routes to live executors send. */
  live?: LiveContext;
  /** Said when a reload is applied or refused; `needsRestart` lists applied settings that take effect only on a restart. */
  onReload?: (outcome: ReloadOutcome, needsRestart: string[]) => void;
  /** `--role planner|executor`: the stages this process runs, its planner share, and the bus its market facts stay on. */
  split?: SplitRole;
}

/** A process of a split deployment (`run --role planner|executor`). */
export interface SplitRole {
  role: EngineRole;
  partition?: Partition;
  /** Wraps the shared bus (the process's market facts stay local; see `localMarketBus`). */
  wrapBus?: (shared: Bus) => Bus;
  /** Stopped after the engine, so a clean stop stores state before the share moves. */
  membership?: { stop(): Promise<void> };
}

/** The running system; `close()` stops everything in order. */
export interface App {
  bus: Bus;
  store: Store;
  cache?: Cache;
  control: ControlState;
  holder: ConfigHolder;
  engine: TradingEngine;
  reloader: Reloader;
  server?: TelemetryServer;
  source: FactSource;
  /** Rules that read facts this run's mode does not produce (they cannot fire in this run). */
  unproduced: UnproducedRead[];
  /** Whether several engines share the bus (NATS): orphaned paper orders are then not this process's to expire. */
  shared: boolean;
  close(): Promise<void>;
}

/** Builds and starts everything but the fact source (call `app.source.run(app.bus, app.engine)`). */
export async function compose(opts: ComposeOptions): Promise<App> {
  const holder = new ConfigHolder(opts.active);
  const services = serviceConfigs(opts.root);
  await preflightServices(services);
  for (const w of serviceWarnings(services)) console.warn(w);
  const store = opts.store ?? (await openStore({ projectDir: opts.root }));
  const busConfig = services.bus;
  const opened = instrumentBus(await openBus());
  const bus = opts.split?.wrapBus ? opts.split.wrapBus(opened) : opened;
  const shared = busConfig.kind !== 'memory';
  // Engines sharing a bus claim each order through the shared cache (SOLRULES_CACHE), so it runs once.
  let cache: Cache | undefined;
  if (shared) {
    if (services.cache.kind === 'memory') console.warn('warning: SOLRULES_CACHE is not set: orders are claimed in this process only; several engines on one bus need SOLRULES_CACHE=redis://… to execute each order once');
    cache = await openCache();
  }
  const control = new ControlState();
  // Over NATS other instances may be running: ask them for the control state, so an engine started
  // while the kill switch is on starts killed. On the in-process bus there is no one to ask.
  await control.attach(bus, shared ? {} : { syncTimeoutMs: 0 });
  // What this mode cannot produce is said once at start (the caller prints it); the watch does not repeat it.
  const unproduced = unproducedReads(opts.active, opts.source.mode);
  const engine = await composeEngine({
    holder,
    factWatch: new FactWatch(opts.log, new Set(unproduced.map((r) => `${r.file}:${r.fact}`))),
    bus,
    store,
    log: opts.log,
    control: () => control.fact(),
    ...(opts.source.market ? { market: opts.source.market } : {}),
    ...(opts.live ? { live: opts.live } : {}),
    ...(opts.portfolio ? { portfolio: opts.portfolio } : {}),
    ...(cache ? { group: { cache } } : {}),
    ...(opts.split ? { role: opts.split.role, ...(opts.split.partition ? { partition: opts.split.partition } : {}) } : {}),
  });
  if (!shared) {
    // One instance on the in-process bus: orders a previous run left half-way are its own.
    const expired = await engine.expireOrphanedPaperOrders();
    if (expired.length) console.log(`expired ${expired.length} paper order(s) the previous run left unfinished (nothing had been sent)`);
  }
  await engine.start();
  reportRuleSet(opts.active.ruleSet, opts.active.appliedAt);
  health.register('rules', () => ({ ok: true, detail: `rule set ${holder.current.ruleSet.hash.slice(0, 12)}` }));
  // /readyz also needs the servers this run depends on (the embedded bus, cache and stores have none)
  registerServiceChecks(health, services, { cacheInUse: cache !== undefined });
  // Every rule set this engine applies is versioned in the store (what ran when, for audits, diffs and rollbacks).
  const recordRuleSet = (a: ActiveConfig) =>
    store.recordRuleSet({ hash: a.ruleSet.hash, content: canonicalJson({ files: a.ruleSet.files, params: a.ruleSet.params, strategies: a.strategies }), source: a.source, appliedAt: a.appliedAt.toISOString() });
  await recordRuleSet(opts.active);
  // What the running engine built at start (market, executors, planners…) does not follow a reload: say so.
  const started = holder.current.strategies;
  const onOutcome = async (o: ReloadOutcome) => {
    let needsRestart: string[] = [];
    if (o.applied) {
      await recordRuleSet(holder.current);
      needsRestart = settingsNeedingRestart(started, holder.current.strategies);
      if (needsRestart.length) opts.log.warn({ settings: needsRestart }, `reload applied, but these settings need a restart to take effect: ${needsRestart.join(', ')}`);
    }
    opts.onReload?.(o, needsRestart);
  };
  const reloader = new Reloader({ root: opts.root, factory: opts.factory, holder, log: opts.log, onOutcome });
  control.onReload(async () => {
    const o = await reloader.reload('admin');
    const refused = o.diagnostics.length + o.testFailures.length;
    return { ok: !refused, hash: holder.current.ruleSet.hash, detail: o.applied ? 'applied' : refused ? `refused: ${refused} error(s); the previous rule set keeps serving` : 'nothing changed' };
  });
  if (opts.watch ?? true) await reloader.start();
  let server: TelemetryServer | undefined;
  if (opts.metricsPort !== undefined) server = await startTelemetryServer({ port: opts.metricsPort, admin: controlAdmin(control, () => ({ ruleSetHash: holder.current.ruleSet.hash, ticks: engine.stats.ticks })) });
  let closed = false;
  return {
    bus,
    store,
    ...(cache ? { cache } : {}),
    control,
    holder,
    engine,
    reloader,
    ...(server ? { server } : {}),
    source: opts.source,
    unproduced,
    shared,
    async close() {
      if (closed) return;
      closed = true;
      await opts.source.stop?.();
      await reloader.stop();
      await engine.stop();
      await opts.split?.membership?.stop();
      await control.detach();
      await bus.close();
      await cache?.close();
      await store.close();
      await server?.close();
    },
  };
}

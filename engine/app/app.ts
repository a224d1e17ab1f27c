/**
 * `compose`: the running system from config — bus, cache, store, control, the engine (planners,
 * coordinator, executors), hot reload, telemetry and the fact source. `solrules run` and the tests
 * call it; a chain fact source (scanners) plugs in beside the replay one.
 */
import { instrumentBus, openBus, type Bus } from '../infra/bus/index.ts';
import { openCache, type Cache } from '../infra/cache/index.ts';
import { ConfigHolder, Reloader, rollbackTarget, rollbackTo, ruleSetContent, type ActiveConfig, type ReloadOutcome } from '../config/index.ts';
import { ControlState, controlAdmin } from '../control/index.ts';
import type { RunMode } from '../facts/index.ts';
import type { PoolProvider } from '../quotes/index.ts';
import type { LiveContext } from '../executors/index.ts';
import type { ExecutionReport } from '../orders/index.ts';
import { openStore, type Store } from '../infra/store/index.ts';
import type { EvaluatorFactory } from '../rules/index.ts';
import { health, reportRuleSet, startTelemetryServer, type Logger, type TelemetryServer } from '../infra/telemetry/index.ts';
import { composeEngine } from './compose.ts';
import { analyzeOnDemand, type AiEngineOptions } from './ai.ts';
import { dirname, join } from 'node:path';
import type { EngineRole, MarketSync, TradingEngine } from './engine.ts';
import type { Partition } from '../cluster/index.ts';
import { FactWatch, unproducedReads, type UnproducedRead } from './facts-watch.ts';
import { settingsNeedingRestart } from './restart.ts';
import { declareCompletionReasons } from './completion-reasons.ts';
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
  /** How strategies declaring `ai:` get answers (default: the model SOLRULES_AI_* configures, answers recorded). */
  ai?: AiEngineOptions;
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
  /** The process's market copy fed by the scanner processes (see `MarketSync`). */
  marketSync?: MarketSync;
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
  /** --live: the orders a previous run left `submitted`, resumed from the journal; settles when each has its outcome. */
  recovery: Promise<{ resumed: string[]; reports: (ExecutionReport | undefined)[] }>;
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
    ai: opts.ai ?? { mode: 'live', baseDir: dirname(opts.active.project.strategies?.src.file ?? join(opts.root, 'strategies.yaml')) },
    ...(opts.split ? { role: opts.split.role, ...(opts.split.partition ? { partition: opts.split.partition } : {}), ...(opts.split.marketSync ? { marketSync: opts.split.marketSync } : {}) } : {}),
  });
  if (!shared) {
    // One instance on the in-process bus: orders a previous run left half-way are its own. Those
    // not yet submitted were never sent; --live leaves the submitted ones to the journal's recovery.
    const expired = opts.live
      ? await engine.expireOrphanedPaperOrders('the engine stopped before sending it (nothing was sent)', { keepSubmitted: true })
      : await engine.expireOrphanedPaperOrders();
    if (expired.length) console.log(`expired ${expired.length} order(s) the previous run left unfinished before sending (nothing had been sent)`);
  }
  await engine.start();
  // --live, one instance: orders the previous run left `submitted` (it stopped mid-send) are resumed
  // from the submission journal and checked on chain; in a queue group they come back by redelivery.
  const recovery = opts.live && !shared ? engine.recoverSubmittedOrders() : Promise.resolve({ resumed: [], reports: [] });
  reportRuleSet(opts.active.ruleSet, opts.active.appliedAt);
  declareCompletionReasons(opts.active, opts.log);
  health.register('rules', () => ({ ok: true, detail: `rule set ${holder.current.ruleSet.hash.slice(0, 12)}` }));
  // /readyz also needs the servers this run depends on (the embedded bus, cache and stores have none)
  registerServiceChecks(health, services, { cacheInUse: cache !== undefined });
  // Every rule set this engine applies is versioned in the store (what ran when, for audits, diffs and rollbacks).
  // With the source text of its files, so `admin rollback` can rebuild and re-validate it.
  const recordRuleSet = (a: ActiveConfig) => store.recordRuleSet({ hash: a.ruleSet.hash, content: ruleSetContent(a), source: a.source, appliedAt: a.appliedAt.toISOString() });
  await recordRuleSet(opts.active);
  // What the running engine built at start (market, executors, planners…) does not follow a reload: say so.
  const started = holder.current.strategies;
  const onOutcome = async (o: ReloadOutcome) => {
    let needsRestart: string[] = [];
    if (o.applied) {
      await recordRuleSet(holder.current);
      declareCompletionReasons(holder.current, opts.log);
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
  // admin rollback: back to a stored version (default the previous one), rebuilt from its sources and put through a reload's checks.
  control.onRollback(async (hash) => {
    const target = rollbackTarget(await store.listRuleSets(), holder.current.ruleSet.hash, hash);
    const o = await rollbackTo(reloader, { root: opts.root, factory: opts.factory, version: target });
    const refused = [...o.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${d.code}: ${d.message}`), ...o.testFailures.map((f) => `rule test failed: ${f}`)];
    if (refused.length) return { ok: false, hash: holder.current.ruleSet.hash, code: o.diagnostics[0]?.code ?? 'CONFIG_ROLLBACK_UNUSABLE', detail: `rollback to ${target.hash.slice(0, 12)} refused; the running rule set stays: ${refused.join('; ')}` };
    if (!o.applied) return { ok: true, hash: holder.current.ruleSet.hash, detail: `rule set ${target.hash.slice(0, 12)} is already running` };
    opts.log.warn({ hash: target.hash }, `rolled back to rule set ${target.hash.slice(0, 12)}; the files on disk are unchanged (the next edit reloads from them)`);
    return { ok: true, hash: holder.current.ruleSet.hash, detail: `rolled back to rule set ${target.hash.slice(0, 12)} (applied ${target.appliedAt}, ${target.source}); the files on disk are unchanged` };
  });
  if (opts.watch ?? true) await reloader.start();
  let server: TelemetryServer | undefined;
  if (opts.metricsPort !== undefined) server = await startTelemetryServer({ port: opts.metricsPort, admin: { ...controlAdmin(control, () => ({ ruleSetHash: holder.current.ruleSet.hash, ticks: engine.stats.ticks }), async () => (await store.listRuleSets()).map((v) => ({ hash: v.hash, source: v.source, appliedAt: v.appliedAt, running: v.hash === holder.current.ruleSet.hash }))), analyze: (market) => analyzeOnDemand(engine, market) } });
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
    recovery,
    async close() {
      if (closed) return;
      closed = true;
      // Recovered orders settle before the store closes (their results are recorded in it).
      await recovery.catch((err) => opts.log.error({ err }, 'recovering submitted orders failed'));
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

/**
 * `solrules run --rpc URL`: the engine on a chain. The scanners watch the pools of the scanner
 * config (--scanner FILE, default scanner.yaml beside strategies.yaml) on the given RPC /
 * WebSocket and publish prices; every enabled strategy (grid, DCA, arbitrage) evaluates on them.
 * Default DRY RUN: fills are the venues' exact quote on the current pool state and nothing is sent.
 * With --live (after the gate) routes go to the live executors, signed by wallets.yaml's workers.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostname } from 'node:os';
import { buildLiveContext, flashLoansFromReserves, BusMarketSource, ChainSource, compose, holdsOf, localMarketBus, maxQuoteShortfallBps, openRunWallets, startScannerRole, WalletWatch, type EngineLiveContext, type FactSource, type SplitRole } from '../app/index.ts';
import { Membership } from '../cluster/index.ts';
import { openBus, resolveBusConfig } from '../infra/bus/index.ts';
import { openCache } from '../infra/cache/index.ts';
import { Keystore } from '../wallets/index.ts';
import { HttpTipFloor, StoreSubmissionJournal } from '../executors/index.ts';
import { openStore, resolveStoreConfig } from '../infra/store/index.ts';
import type { ActiveConfig } from '../config/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { describeReadiness, loadScannerConfig, routeHistoryFromStore, type MarketReadiness, type ScannerConfig } from '../market/index.ts';
import type { EvaluatorFactory } from '../rules/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { TradingEngine } from '../app/index.ts';
import { UsageError } from './args.ts';

export interface ChainRunArgs {
  rpc: string;
  ws?: string;
  scanner?: string;
  seconds?: number;
  quiet: boolean;
  watch: boolean;
  metricsPort?: number;
  /** Send: wallets.yaml's workers sign, strategies.yaml's live executors send (the gate has passed). */
  live?: boolean;
  /** `--role`: the stages this process runs (default all). */
  role?: RunRole;
  /** This process's name in its group (default host:pid). */
  member?: string;
}

export const RUN_ROLES = ['all', 'scanner', 'planner', 'executor'] as const;
export type RunRole = (typeof RUN_ROLES)[number];

/** The scanner config for a chain run: the file's pools, oracles and tokens, with the command line's endpoints. */
export function chainScannerConfig(root: string, args: { rpc: string; ws?: string; scanner?: string }): ScannerConfig {
  const file = args.scanner ?? join(root, 'scanner.yaml');
  if (!existsSync(file)) throw new UsageError(`--rpc needs the pools to watch: no scanner config at ${file} (pass --scanner FILE; see docs/market-data.md)`);
  if (!/^https?:\/\//.test(args.rpc)) throw new UsageError(`--rpc must be an http(s) URL; got '${args.rpc}'`);
  if (args.ws !== undefined && !/^wss?:\/\//.test(args.ws)) throw new UsageError(`--ws must be a ws(s) URL; got '${args.ws}'`);
  const config = loadScannerConfig(file);
  config.rpcUrl = args.rpc;
  if (args.ws !== undefined) config.wsUrl = args.ws;
  else delete config.wsUrl; // derived from --rpc (port + 1), not the file's endpoint for another chain
  return config;
}

/** One progress line: price, orders decided / filled / failed (an executor process: what its worker executed). */
export function progressLine(engine: TradingEngine, elapsedS: number, role: RunRole = 'all'): string {
  // An executor process decides nothing and follows no results: its own executions are the news.
  if (role === 'executor') return `  ${elapsedS.toFixed(0).padStart(4)} s  executor: executed ${workerLine(engine)}`;
  const rows = [...engine.stats.orders.values()];
  const sum = (k: 'decided' | 'filled' | 'failed' | 'blocked') => rows.reduce((a, r) => a + r[k], 0);
  const price = engine.price?.usd;
  return `  ${elapsedS.toFixed(0).padStart(4)} s  SOL ${price === undefined ? '   —   ' : '$' + price.toFixed(4)}  ticks ${String(engine.stats.ticks).padStart(5)}  orders ${sum('decided')}  filled ${sum('filled')}  failed ${sum('failed')}  blocked ${sum('blocked')}`;
}

/** What this process's executor worker did: executed, already done elsewhere, fenced, leases lost. */
function workerLine(engine: TradingEngine): string {
  const w = engine.worker.stats;
  return `${w.executed}  already done ${w.alreadyDone}  fenced ${w.fenced}  leases lost ${w.leasesLost}`;
}

/** Runs the engine on the chain in dry run until Ctrl+C or `seconds`; prints progress and a summary. */
export async function runOnChain(root: string, active: ActiveConfig, factory: EvaluatorFactory, log: Logger, args: ChainRunArgs): Promise<number> {
  let config: ScannerConfig;
  try {
    config = chainScannerConfig(root, args);
  } catch (err) {
    if (isSolrulesError(err)) {
      console.error(`${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
  const write = (s: string) => {
    if (!args.quiet) console.log(s);
  };
  const role = args.role ?? 'all';
  const member = args.member ?? `${role}-${hostname()}-${process.pid}`;
  if (role !== 'all' && resolveBusConfig().kind === 'memory') {
    console.error(`--role ${role} talks to the other roles over the bus: set SOLRULES_BUS=nats://… (and SOLRULES_CACHE, SOLRULES_STORE) shared by every process (docs/infrastructure.md "Scale-out")`);
    return 1;
  }
  if (role === 'scanner') return runScanner(config, member, args, log, write);
  // A dry run keeps no state: the stored one belongs to the replay, and its paper balances start
  // from strategies.yaml each time. A --live run keeps its orders and its submission journal in the
  // store (PGlite in the project by default, PostgreSQL when SOLRULES_STORE says so): every attempt
  // is written there before it is sent, so a restart resumes what was in flight, checked on chain.
  const store = process.env.SOLRULES_STORE;
  if (!store && !args.live) process.env.SOLRULES_STORE = 'memory';
  const opened = args.live ? await openStore({ projectDir: root }) : undefined;
  const started = performance.now();
  const duration = args.seconds !== undefined ? { durationMs: args.seconds * 1000 } : {};
  const onProgress = (engine: TradingEngine) => write(progressLine(engine, (performance.now() - started) / 1000, role));
  let live: EngineLiveContext | undefined;
  // A --live run borrows from the reserves of scanner.yaml the initializer found ready (read before the scanners start, so before any trade).
  const beforeTrading = async (readiness: MarketReadiness) => {
    if (!live || !config.reserves.length) return;
    const { providers, refused } = await flashLoansFromReserves(readiness, config.reserves, args.rpc);
    live.roundTrips.addFlashLoans(providers);
    for (const p of providers) write(`flash loans: Kamino reserve ${p.reserve.reserve} lends ${p.mint} (fee ${p.fee(1_000_000_000n)} atoms per 10^9)`);
    for (const r of refused) write(`WARNING: flash loans: reserve ${r.address} (${r.mint}) lends nothing in this run — ${r.why}`);
    const borrowing = strategiesAskingForFlashLoans(active.strategies.strategies);
    const lent = new Set(live.roundTrips.flashLoanMints);
    const quote = active.strategies.market.quote.mint;
    if (borrowing.length && !lent.has(quote)) write(`WARNING: ${borrowing.join(', ')} ask${borrowing.length === 1 ? 's' : ''} for flash loans of ${active.strategies.market.quote.symbol} and no ready reserve lends it: those round trips will be refused (EXEC_FLASH_UNAVAILABLE).`);
  };
  const chainSource = role === 'all' ? new ChainSource({ config, log, ...duration, progressMs: 5000, onProgress, beforeTrading, onReady: (r) => describeReadiness(r, { symbols: new Map(config.tokens.map((t) => [t.mint, t.symbol])) }).forEach((l) => write(l)) }) : undefined;
  const busSource = chainSource ? undefined : new BusMarketSource({ config, member, log, ...duration, progressMs: 5000, onProgress });
  const source: FactSource & { stop(): Promise<void> } = chainSource ?? busSource!;
  let split: SplitRole | undefined;
  if (role === 'planner' || role === 'executor') {
    // Planners share the strategies: membership has its own connection, up before the engine plans.
    const membershipBus = role === 'planner' ? await openBus({ name: `${member}-membership` }) : undefined;
    const membership = membershipBus ? new Membership(membershipBus, { group: 'planner', member, log }) : undefined;
    await membership?.start();
    split = {
      role: { plan: role === 'planner', execute: role === 'executor' },
      ...(membership ? { partition: membership, membership: { stop: async () => (await membership.stop(), await membershipBus!.close()) } } : {}),
      wrapBus: localMarketBus,
      ...(busSource ? { marketSync: busSource } : {}),
    };
    write(`role ${role} (${member}): ${role === 'planner' ? 'evaluates the strategies of its share and routes their orders' : 'executes routed orders from the queue group'}; market state from the scanner processes over the bus`);
  }
  let attached: ChainSource | undefined;
  let tipFloor: HttpTipFloor | undefined;
  let params = () => active.ruleSet.params;
  // The balance scanner watches wallets.yaml's wallets in every chain run; only --live rebalances and sends.
  // Expected balances, sends in flight and holds live in the cache SOLRULES_CACHE selects (Redis: every process of the deployment sees the same).
  const walletCache = active.project.wallets ? await openCache() : undefined;
  const manager = await openRunWallets({ wallets: active.project.wallets, rpcUrl: args.rpc, live: args.live === true, say: write, ...(walletCache ? { cache: walletCache } : {}), ...(opened ? { settlements: opened } : {}) });
  if (args.live) {
    const wallets = active.project.wallets!;
    const workers = Keystore.load(wallets.config, { baseDir: dirname(wallets.src.file) }).byTier('worker');
    // A live send is quoted on state read from the chain now (the executor role reads the chain for that alone).
    const fresh = chainSource ?? (attached = new ChainSource({ config, log }));
    if (attached) await attached.attach();
    // Jito's tip floor, when a jito executor names its endpoint (strategies.yaml executors.<name>.tipFloorUrl): the `tip` fact follows it.
    const floorAt = Object.entries(active.strategies.executors ?? {}).find(([, e]) => e.type === 'jito' && typeof (e as Record<string, unknown>).tipFloorUrl === 'string');
    if (floorAt) {
      const e = floorAt[1] as Record<string, unknown>;
      tipFloor = await new HttpTipFloor(e.tipFloorUrl as string, { refreshMs: (e.tipFloorRefreshMs as number | undefined) ?? 10_000 }).start();
      write(`tip floor: ${tipFloor.url} (executors.${floorAt[0]}.tipFloorUrl)${tipFloor.current() ? '' : ` — NOT READ YET: ${tipFloor.lastError ?? 'no answer'}; the tip fact waits for it`}`);
    } else write('tip floor: none configured (executors.<jito>.tipFloorUrl): no `tip` fact in this run; tips come from the routing params alone');
    live = buildLiveContext({ rpcUrl: args.rpc, workers, pools: { statesFor: (a, b, o) => fresh.freshStatesFor(a, b, o) }, maxShortfallBps: () => maxQuoteShortfallBps(params()), journal: new StoreSubmissionJournal(opened!), log, ...(tipFloor ? { tipFloor } : {}), ...(manager ? { holds: holdsOf(manager), wallets: manager.executionHooks() } : {}) });
  }
  const app = await compose({ root, active, factory, log, source, watch: args.watch, ...(opened ? { store: opened } : {}), ...(live ? { live } : {}), ...(split ? { split } : {}), ...(args.metricsPort !== undefined ? { metricsPort: args.metricsPort } : {}) });
  const walletWatch = manager && new WalletWatch({ manager, bus: app.bus, store: app.store, engine: app.engine, holder: app.holder, live: args.live === true, ...(args.ws ? { wsUrl: args.ws } : {}), log });
  await walletWatch?.start();
  params = () => app.holder.current.ruleSet.params;
  if (chainSource) chainSource.history = routeHistoryFromStore(app.store);
  const cfg = active.strategies;
  if (live) {
    // Flash loans come from scanner.yaml's reserves (checked by the initializer); without any, say so before an arbitrage that asks for one is refused.
    const borrowing = strategiesAskingForFlashLoans(cfg.strategies);
    if (borrowing.length && !config.reserves.length) write(`WARNING: ${borrowing.join(', ')} ask${borrowing.length === 1 ? 's' : ''} for flash loans (params.flashLoan, default true) and this run has no flash-loan provider (no reserves: in the scanner config): every round trip will be refused (EXEC_FLASH_UNAVAILABLE). Add the Kamino reserve under reserves:, or set flashLoan: false to trade with the workers' own funds.`);
    else if (borrowing.length && !chainSource) write(`WARNING: ${borrowing.join(', ')} ask${borrowing.length === 1 ? 's' : ''} for flash loans and this ${role} process does not run the market-data initializer that checks the reserves: no flash-loan provider here, round trips asking for one are refused (EXEC_FLASH_UNAVAILABLE).`);
  }
  if (live) write(`solrules run — LIVE on ${source.description}: orders are signed by the worker wallets of wallets.yaml and SENT by the executors each route names; a guard simulates every send first (maxQuoteShortfallBps ${maxQuoteShortfallBps(params())}).`);
  else write(`solrules run — DRY RUN on ${source.description}: fills are simulated by the exact local quote on the current pool state; nothing is sent to any chain.`);
  if (live) write(`state and submission journal: ${resolveStoreConfig({ projectDir: root }).display} (each send is journaled before it leaves; a restart resumes in-flight sends by signature status)`);
  else if (!store) write('state: in memory for this dry run (set SOLRULES_STORE to keep it)');
  void app.recovery.then(({ resumed, reports }) => {
    if (!resumed.length) return;
    const by = new Map<string, number>();
    for (const r of reports) by.set(r?.status ?? 'unsettled', (by.get(r?.status ?? 'unsettled') ?? 0) + 1);
    write(`recovered ${resumed.length} order(s) the previous run left in flight, checked on chain: ${[...by].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  }, (err) => console.error(`recovering in-flight orders failed: ${err instanceof Error ? err.message : String(err)}`));
  write(`strategies: ${Object.entries(cfg.strategies).filter(([, s]) => s.enabled).map(([n]) => n).join(', ')}; rule set ${active.ruleSet.hash.slice(0, 12)}${args.seconds !== undefined ? `; for ${args.seconds} s` : '; until Ctrl+C'}`);
  if (app.unproduced.length) {
    write(`note: ${app.unproduced.length} rule condition(s) read facts this chain run does not produce, so they cannot hold here:`);
    for (const u of app.unproduced) write(`  ${u.file}/${u.rule}: ${u.fact}${u.path ? '.' + u.path : ''} — ${u.why}`);
  }
  const onSignal = () => void source.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await source.run(app.bus, app.engine);
  } catch (err) {
    await walletWatch?.stop();
    await app.close();
    await walletCache?.close();
    if (isSolrulesError(err)) {
      console.error(`${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const { engine } = app;
  const { base, quote } = cfg.market;
  const start = { base: BigInt(cfg.paper?.startingBalances?.base ?? '0'), quote: BigInt(cfg.paper?.startingBalances?.quote ?? '0') };
  console.log(live
    ? `\nLIVE summary (${((performance.now() - started) / 1000).toFixed(1)} s, ${engine.stats.ticks} price events; guard: ${live.guard.stats.passed} passed, ${live.guard.stats.refused.wouldFail} refused as failing, ${live.guard.stats.refused.shortfall} refused for shortfall; quote accuracy: ${live.accuracy.fact().samples} confirmation(s), mean shortfall ${live.accuracy.fact().meanShortfallBps.toFixed(2)} bps)`
    : `\nDRY RUN summary (${((performance.now() - started) / 1000).toFixed(1)} s, ${engine.stats.ticks} price events; simulated fills, nothing sent)`);
  if (role === 'executor') console.log(`  executor worker: executed ${workerLine(engine)}`);
  for (const [key, r] of engine.stats.orders) console.log(`  ${key.padEnd(28)} decided ${r.decided}  filled ${r.filled}  failed ${r.failed}  blocked ${r.blocked}  expired ${r.expired}`);
  console.log(`  routes: ${[...engine.stats.routes].map(([k, n]) => `${k} ${n}`).join(', ') || 'none'}${live ? '' : ' (executed on paper)'}`);
  console.log(`  ${live ? 'tracked' : 'paper'} balances: ${base.symbol} ${start.base} -> ${engine.portfolio.balance(base.mint)} atoms; ${quote.symbol} ${start.quote} -> ${engine.portfolio.balance(quote.mint)} atoms`);
  if (walletWatch) {
    await walletWatch.stop();
    const holds = manager!.ledger.holds();
    console.log(`  wallets: ${walletWatch.scanner.scans.length} scan(s), ${holds.length} on hold${holds.length ? ` (${holds.map((h) => h.wallet).join(', ')})` : ''}, ${walletWatch.rebalances} rebalancing transfer(s), ${walletWatch.snapshots} P&L snapshot row(s) stored`);
  }
  await engine.stop();
  await app.close();
  await walletCache?.close();
  tipFloor?.close();
  live?.monitor.close();
  await attached?.stop();
  return 0;
}

/** `run --role scanner`: forwards this member's share of the market on the bus until Ctrl+C or --seconds. */
async function runScanner(config: ScannerConfig, member: string, args: ChainRunArgs, log: Logger, write: (s: string) => void): Promise<number> {
  const bus = await openBus({ name: member });
  const role = await startScannerRole({ config, bus, member, log });
  const share = () => config.pools.filter((p) => role.membership.owns(p)).length;
  write(`role scanner (${member}): watching ${share()} of ${config.pools.length} pool(s) on ${config.rpcUrl}, forwarding their accounts on the bus (members: ${role.membership.members().join(', ')})`);
  const unwatch = role.membership.onChange((members) => write(`  share changed: ${share()} of ${config.pools.length} pool(s); members ${members.join(', ')}`));
  await new Promise<void>((resolve) => {
    // A referenced timer: unreferenced, a process with nothing else keeping it up would exit here
    // silently, without the clean stop (leaving the group at once) and its "stopped" line.
    const timer = args.seconds !== undefined ? setTimeout(() => done(), args.seconds * 1000) : undefined;
    const done = () => {
      clearTimeout(timer);
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  unwatch(); // leaving empties the member list: that is this process stopping, not a share change
  await role.stop();
  await bus.close();
  write(`scanner ${member} stopped: ${role.forwarder.lastSeq} message(s) forwarded`);
  return 0;
}

/** Enabled arbitrage strategies whose round trips ask for a flash loan (params.flashLoan, default true). */
export function strategiesAskingForFlashLoans(strategies: Readonly<Record<string, { enabled: boolean; kind: string; params?: unknown }>>): string[] {
  return Object.entries(strategies).filter(([, s]) => s.enabled && s.kind === 'arbitrage' && (s.params as Record<string, unknown> | undefined)?.flashLoan !== false).map(([n]) => n);
}

/**
 * The chain fact source: the market scanners (WebSocket, polling or shredstream) run against a
 * chain's RPC and publish pool, price and volume facts on the engine's bus; the scanners' market
 * state is the `PoolProvider` the engine reads (arbitrage routes, fills on pool state). It runs
 * until stopped or for a set time.
 */
import { Connection } from '@solana/web3.js';
import { MemoryBus, type Bus } from '../infra/bus/index.ts';
import { MemoryCache, openCache, type Cache } from '../infra/cache/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { fetchAccounts, initializeMarket, MarketScanner, recordReadinessMetrics, type MarketReadiness, type ReserveWatch, type RouteHistory, type ScannerConfig } from '../market/index.ts';
import type { PoolState } from '../venues/index.ts';

const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111';
import type { PoolEntry, PoolProvider } from '../quotes/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { FactSource } from './app.ts';
import type { TradingEngine } from './engine.ts';
import { untilStopped } from './until-stopped.ts';

export interface ChainSourceOptions {
  config: ScannerConfig;
  /** Dedup cache shared by scanners (default in-memory). */
  cache?: Cache;
  log?: Logger;
  /** Stop after this many ms (default: run until `stop()`). */
  durationMs?: number;
  /** Called every `progressMs` (default 1000) while it runs. */
  onProgress?: (engine: TradingEngine, source: ChainSource) => void;
  progressMs?: number;
  /** Kamino reserves flash loans draw on: read and checked with the pools before trading (default: the scanner config's `reserves`). */
  reserves?: readonly ReserveWatch[];
  /** Told the market-data initializer's report before trading starts (the run prints it). */
  onReady?: (readiness: MarketReadiness) => void;
  /** Awaited with the initializer's report before the scanners start (a --live run builds its flash-loan providers from the ready reserves). */
  beforeTrading?: (readiness: MarketReadiness) => Promise<void>;
  /**
   * Live sends are built on the scanners' state when a slot was vouched for within this many ms
   * (and the other conditions of `scannerStatesFor` hold); 0: always read from the chain.
   * Default 1000.
   */
  scannerStateMaxAgeMs?: number;
  /**
   * When the scanners fall behind the chain (updates queued behind a closing slot), a mint's price
   * event is held and published once on the newest state — at the latest this many ms after it was
   * first held — instead of the engine evaluating every stale slot in turn (`MarketScanner`
   * `conflatePricesMs`; pool, trade and volume facts still go out per slot). 0: every slot's price
   * event is published. Default 50; always 0 with `batching: slot` (one batch per slot is what
   * lets split processes decide as one process does).
   */
  conflatePricesMs?: number;
}

/** What a live send's state read must reflect. */
export interface FreshStateOptions {
  /** Slot our own last landed transaction is in: the state must be at least this new. */
  landedSlot?: number;
}

export class ChainSource implements FactSource, PoolProvider {
  readonly mode = 'chain' as const;
  scanner: MarketScanner | undefined;
  /** The market-data initializer's report (set once `run` has read the pools). */
  readiness: MarketReadiness | undefined;
  /** Routes that made money before (set by the run from its store before `run`). */
  history: RouteHistory | undefined;
  /** How many of the routes from history each planner keeping route templates took (strategy → count). */
  readonly routesLearned = new Map<string, number>();
  private markWatching: () => void = () => undefined;
  /** Resolves once the scanners watch (subscribed, read, published) every ready pool. */
  readonly watching = new Promise<void>((resolve) => (this.markWatching = resolve));
  private stopRequested: (() => void) | undefined;
  private stopped = false;
  private clock: { slot: number; unixTimestamp: bigint } | undefined;
  private clockTimer: NodeJS.Timeout | undefined;
  private clockReading = false;
  /** How live sends' state was served: rebuilt from the scanners' accounts, or read from the chain. */
  readonly freshStats = { fromScanner: 0, read: 0 };

  constructor(private readonly opts: ChainSourceOptions) {}

  get description(): string {
    const c = this.opts.config;
    return `the chain at ${c.rpcUrl} (${c.subscriptionMode} scanner, ${c.pools.length} pool(s), ${c.oracles.length} oracle(s))`;
  }

  /** The pool state the engine trades on: the scanners' market state (empty before `run`). */
  get market(): PoolProvider {
    return this;
  }

  poolsFor(mintA: string, mintB: string): readonly PoolEntry[] {
    return this.scanner?.market.poolsFor(mintA, mintB) ?? [];
  }

  currentSlot(): number | undefined {
    return this.scanner?.market.currentSlot();
  }

  /** Pool states for a pair as the scanners hold them (the dry run's fills). */
  async statesFor(inputMint: string, outputMint: string): Promise<PoolState[]> {
    return this.poolsFor(inputMint, outputMint).map((e) => e.state);
  }

  /**
   * Pool states for a pair current as of the call: what a live send is quoted and built on. When
   * the scanners' state is current (`scannerStatesFor`) it is rebuilt from the accounts they hold
   * — no round trip; otherwise the pool, the tick / bin arrays and vaults it needs and the Clock
   * are read from the chain now. Either way the send guard simulates the plan on the chain's
   * state before anything is signed, so a state that moved since is refused, never sent.
   */
  async freshStatesFor(inputMint: string, outputMint: string, opts: FreshStateOptions = {}): Promise<PoolState[]> {
    const scanner = this.scanner;
    if (!scanner) return [];
    const held = this.scannerStatesFor(inputMint, outputMint, opts);
    if (held) {
      this.freshStats.fromScanner += 1;
      return held;
    }
    this.freshStats.read += 1;
    const read = async (addresses: string[]) => (await fetchAccounts(scanner.connection, addresses, { commitment: 'processed', via: 'initial' })).updates;
    // The pools are read side by side: a send waits for the slowest read, not for their sum.
    const states = await Promise.all(scanner.market.poolsFor(inputMint, outputMint).map(async (entry): Promise<PoolState | undefined> => {
      const [pool, clock] = await read([entry.state.address, CLOCK_SYSVAR]);
      if (!pool || pool.account.data.length === 0) return undefined;
      const poolAccount = { ...pool.account, address: pool.address, slot: pool.slot };
      const deps = [...new Set([...entry.venue.requiredAccounts(poolAccount), ...entry.venue.vaults(entry.state)])];
      const accounts = new Map(scanner.market.accounts);
      for (const u of await read(deps)) if (u.account.data.length) accounts.set(u.address, { ...u.account, address: u.address, slot: u.slot });
      const unixTimestamp = clock ? this.noteClock(clock.slot, clock.account.data) : undefined;
      return entry.venue.buildState(poolAccount, accounts, { unixTimestamp: unixTimestamp ?? BigInt(Math.floor(Date.now() / 1000)) });
    }));
    return states.filter((st): st is PoolState => st !== undefined);
  }

  /**
   * The pair's pool states rebuilt from the accounts the scanners hold — or undefined when they
   * may not be current: the source is not live, no slot was vouched for within
   * `scannerStateMaxAgeMs`, an account a pool needs is not held, an account is older than our
   * own last landed transaction (`landedSlot`: a slot notification vouches for the slots before
   * it), or the chain's Clock is not known yet. The Clock's unix time is the last one read
   * (background, every slot) carried forward by the slots since at `slotMs` each.
   */
  scannerStatesFor(inputMint: string, outputMint: string, opts: FreshStateOptions = {}): PoolState[] | undefined {
    const scanner = this.scanner;
    const maxAge = this.opts.scannerStateMaxAgeMs ?? 1000;
    if (!scanner || maxAge <= 0 || !scanner.source.stats().connected) return undefined;
    const market = scanner.market;
    const vouched = market.vouched;
    const clock = this.clock;
    if (!vouched || !clock || Date.now() - vouched.at > maxAge) return undefined;
    const landed = opts.landedSlot ?? 0;
    const entries = market.poolsFor(inputMint, outputMint);
    if (!entries.length) return undefined;
    const current = (address: string) => {
      const a = market.accounts.get(address);
      return a !== undefined && Math.max(a.slot ?? 0, vouched.slot - 1) >= landed;
    };
    const states: PoolState[] = [];
    for (const entry of entries) {
      const poolAccount = market.accounts.get(entry.state.address);
      if (!poolAccount || poolAccount.data.length === 0 || !current(entry.state.address)) return undefined;
      for (const dep of new Set([...entry.venue.requiredAccounts(poolAccount), ...entry.venue.vaults(entry.state)])) if (!current(dep)) return undefined;
      const slotsSince = Math.max(0, vouched.slot - clock.slot);
      const unixTimestamp = clock.unixTimestamp + BigInt(Math.floor((slotsSince * this.opts.config.slotMs) / 1000));
      states.push(entry.venue.buildState(poolAccount, market.accounts, { unixTimestamp }));
    }
    return states;
  }

  /** Records a Clock sysvar read; returns its unix time. */
  private noteClock(slot: number, data: Uint8Array): bigint | undefined {
    if (data.length < 40) return undefined;
    const unixTimestamp = Buffer.from(data.buffer, data.byteOffset, data.byteLength).readBigInt64LE(32);
    if (!this.clock || slot >= this.clock.slot) this.clock = { slot, unixTimestamp };
    return unixTimestamp;
  }

  /** Reads the Clock in the background while running (the scanner-state path's unix time). */
  private startClock(): void {
    const scanner = this.scanner;
    if (!scanner || this.clockTimer) return;
    const tick = async () => {
      if (this.clockReading) return;
      this.clockReading = true;
      try {
        const [clock] = (await fetchAccounts(scanner.connection, [CLOCK_SYSVAR], { commitment: 'processed', via: 'initial' })).updates;
        if (clock) this.noteClock(clock.slot, clock.account.data);
      } catch {
        // The next tick tries again; meanwhile an old Clock only ages the scanner path out.
      } finally {
        this.clockReading = false;
      }
    };
    void tick();
    this.clockTimer = setInterval(() => void tick(), this.opts.config.slotMs);
    this.clockTimer.unref?.();
  }

  /**
   * Reads and follows the pools for `freshStatesFor` alone, publishing nothing: an executor
   * process of a split deployment, which sends, reads the chain it sends to.
   */
  async attach(): Promise<void> {
    if (this.scanner) return;
    this.scanner = new MarketScanner({ config: this.opts.config, bus: new MemoryBus(), cache: new MemoryCache(), publishFacts: false, ...(this.opts.log ? { log: this.opts.log } : {}) });
    await this.scanner.start();
  }

  /**
   * Reads, checks and reports every configured pool (the market-data initializer), starts the
   * scanners on the ready ones only, then runs until stopped. Not-ready pools are warned about
   * one by one and counted (`solrules_market_pools_not_ready`); none ready is `MARKET_NO_POOLS`.
   */
  async run(bus: Bus, engine: TradingEngine): Promise<void> {
    if (this.scanner) throw new SolrulesError('MARKET_SOURCE_RUNNING', 'this chain source is already running', {});
    const cfg = this.opts.config;
    const connection = new Connection(cfg.rpcUrl, { commitment: cfg.commitment, ...(cfg.wsUrl ? { wsEndpoint: cfg.wsUrl } : {}), disableRetryOnRateLimit: true });
    const cache = this.opts.cache ?? (await openCache());
    let readiness: MarketReadiness;
    try {
      readiness = await initializeMarket({ connection, commitment: cfg.commitment, pools: cfg.pools, oracles: cfg.oracles, batchSize: cfg.polling.batchSize, cache, reserves: this.opts.reserves ?? cfg.reserves, ...(this.history ? { history: this.history } : {}) });
    } finally {
      if (!this.opts.cache) await cache.close();
    }
    this.readiness = readiness;
    recordReadinessMetrics(readiness);
    for (const p of readiness.pools) if (!p.ready) this.opts.log?.warn({ pool: p.address, venue: p.venue, reason: p.reason, code: p.code }, `pool ${p.address} NOT READY, excluded from trading: ${p.detail}`);
    this.opts.onReady?.(readiness);
    await this.opts.beforeTrading?.(readiness);
    // The routes that made money before become the planners' route templates: the first opportunity on one is rebuilt, not searched.
    if (readiness.routes.length) {
      for (const [strategy, planner] of engine.planners) {
        const taken = planner.learnRoutes?.(readiness.routes);
        if (taken !== undefined) this.routesLearned.set(strategy, taken);
      }
      this.opts.log?.info({ routes: readiness.routes.length, taken: Object.fromEntries(this.routesLearned) }, 'routes from history given to the planners');
    }
    if (readiness.ready.length === 0) {
      throw new SolrulesError('MARKET_NO_POOLS', `none of the ${cfg.pools.length} configured pool(s) is ready on ${cfg.rpcUrl}: ${readiness.pools.map((p) => `${p.address} ${p.reason} (${p.code})`).join('; ')}`, { rpcUrl: cfg.rpcUrl, pools: cfg.pools, reasons: readiness.pools.map((p) => p.reason) });
    }
    // Facts timed by the chain (each slot's block time), as the scanner and planner processes of a split run time them.
    this.scanner = new MarketScanner({ config: { ...cfg, pools: readiness.ready }, connection, bus, cache: this.opts.cache ?? new MemoryCache(), chainTime: true, conflatePricesMs: cfg.batching === 'slot' ? 0 : (this.opts.conflatePricesMs ?? 50), ...(this.opts.log ? { log: this.opts.log } : {}) });
    // Handed over, not kept: the scanner's market state holds these accounts from now on (a second
    // reference here would keep every account's first bytes alive after it changes).
    await this.scanner.start(readiness.updates.splice(0));
    this.markWatching();
    const decoded = this.scanner.market.entries().length;
    if (decoded === 0) throw new SolrulesError('MARKET_NO_POOLS', `none of the ${readiness.ready.length} ready pool(s) decoded from ${cfg.rpcUrl}: check the addresses and that the chain holds them`, { rpcUrl: cfg.rpcUrl, pools: readiness.ready });
    if (this.stopped) return;
    this.startClock();
    const { durationMs, onProgress, progressMs } = this.opts;
    await untilStopped({ ...(durationMs !== undefined ? { durationMs } : {}), ...(onProgress ? { onProgress: () => onProgress(engine, this) } : {}), ...(progressMs !== undefined ? { progressMs } : {}) }, (stop) => (this.stopRequested = stop));
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.clockTimer = undefined;
    await this.scanner.idle();
    await bus.settle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.stopRequested?.();
    await this.scanner?.stop();
  }
}

/**
 * The chain fact source: the market scanners (WebSocket, polling or shredstream) run against a
 * chain's RPC and publish pool, price and volume facts on the engine's bus; the scanners' market
 * state is the `PoolProvider` the engine reads (arbitrage routes, fills on pool state). It runs
 * until stopped or for a set time.
 */
import { MemoryBus, type Bus } from '../infra/bus/index.ts';
import { MemoryCache, type Cache } from '../infra/cache/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { fetchAccounts, MarketScanner, type ScannerConfig } from '../market/index.ts';
import type { PoolState } from '../venues/index.ts';

const CLOCK_SYSVAR = 'SysvarC1ock11111111111111111111111111111111';
import type { PoolEntry, PoolProvider } from '../quotes/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { FactSource } from './app.ts';
import type { TradingEngine } from './engine.ts';

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
}

export class ChainSource implements FactSource, PoolProvider {
  readonly mode = 'chain' as const;
  scanner: MarketScanner | undefined;
  private stopRequested: (() => void) | undefined;
  private stopped = false;

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
   * Pool states for a pair read from the chain now (pool, the tick / bin arrays and vaults it
   * needs, the Clock's unix time): what a live send is quoted and built on. The scanners' state
   * may trail our own last transaction by a notification; a quote on it would be refused by the
   * guard, or worse, land short of what the order expected.
   */
  async freshStatesFor(inputMint: string, outputMint: string): Promise<PoolState[]> {
    const scanner = this.scanner;
    if (!scanner) return [];
    const read = async (addresses: string[]) => (await fetchAccounts(scanner.connection, addresses, { commitment: 'processed', via: 'initial' })).updates;
    const out: PoolState[] = [];
    for (const entry of scanner.market.poolsFor(inputMint, outputMint)) {
      const [pool, clock] = await read([entry.state.address, CLOCK_SYSVAR]);
      if (!pool || pool.account.data.length === 0) continue;
      const poolAccount = { ...pool.account, address: pool.address, slot: pool.slot };
      const deps = [...new Set([...entry.venue.requiredAccounts(poolAccount), ...entry.venue.vaults(entry.state)])];
      const accounts = new Map(scanner.market.accounts);
      for (const u of await read(deps)) if (u.account.data.length) accounts.set(u.address, { ...u.account, address: u.address, slot: u.slot });
      const data = clock?.account.data;
      const unixTimestamp = data && data.length >= 40 ? Buffer.from(data.buffer, data.byteOffset, data.byteLength).readBigInt64LE(32) : BigInt(Math.floor(Date.now() / 1000));
      out.push(entry.venue.buildState(poolAccount, accounts, { unixTimestamp }));
    }
    return out;
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

  /** Starts the scanner on `bus` (initial state read and published), then runs until stopped. */
  async run(bus: Bus, engine: TradingEngine): Promise<void> {
    if (this.scanner) throw new SolrulesError('MARKET_SOURCE_RUNNING', 'this chain source is already running', {});
    this.scanner = new MarketScanner({ config: this.opts.config, bus, cache: this.opts.cache ?? new MemoryCache(), ...(this.opts.log ? { log: this.opts.log } : {}) });
    await this.scanner.start();
    const decoded = this.scanner.market.entries().length;
    if (decoded === 0) throw new SolrulesError('MARKET_NO_POOLS', `none of the ${this.opts.config.pools.length} configured pool(s) decoded from ${this.opts.config.rpcUrl}: check the addresses and that the chain holds them`, { rpcUrl: this.opts.config.rpcUrl, pools: this.opts.config.pools });
    if (this.stopped) return;
    await new Promise<void>((resolve) => {
      const timers: NodeJS.Timeout[] = [];
      const done = () => {
        for (const t of timers) clearTimeout(t), clearInterval(t);
        resolve();
      };
      this.stopRequested = done;
      if (this.opts.durationMs !== undefined) timers.push(setTimeout(done, this.opts.durationMs));
      if (this.opts.onProgress) timers.push(setInterval(() => this.opts.onProgress!(engine, this), this.opts.progressMs ?? 1000));
    });
    await this.scanner.idle();
    await bus.settle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopRequested?.();
    await this.scanner?.stop();
  }
}

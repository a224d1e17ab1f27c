/**
 * The fact source of a planner or executor process in a split deployment (`run --role planner`):
 * no chain connection; the scanner processes forward the accounts of their share on the bus and a
 * local scanner pipeline (`BusAccountSource`) decodes them into the same pool state and facts a
 * chain run has. The facts stay in this process (see `localMarketBus`).
 */
import type { Bus } from '../infra/bus/index.ts';
import { MemoryCache } from '../infra/cache/index.ts';
import { BusAccountSource, MarketScanner, type ScannerConfig } from '../market/index.ts';
import type { PoolEntry, PoolProvider } from '../quotes/index.ts';
import type { PoolState } from '../venues/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import type { FactSource } from './app.ts';
import type { MarketSync, TradingEngine } from './engine.ts';
import { untilStopped } from './until-stopped.ts';

export interface BusMarketSourceOptions {
  config: ScannerConfig;
  /** This process's name in resync requests. */
  member: string;
  log?: Logger;
  durationMs?: number;
  heartbeatMs?: number;
  onProgress?: (engine: TradingEngine) => void;
  progressMs?: number;
}

export class BusMarketSource implements FactSource, PoolProvider, MarketSync {
  readonly mode = 'chain' as const;
  scanner: MarketScanner | undefined;
  source: BusAccountSource | undefined;
  private stopRequested: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly opts: BusMarketSourceOptions) {}

  get description(): string {
    return `the market the scanner processes forward on the bus (${this.opts.config.pools.length} pool(s); no chain connection here)`;
  }

  get market(): PoolProvider {
    return this;
  }

  poolsFor(mintA: string, mintB: string): readonly PoolEntry[] {
    return this.scanner?.market.poolsFor(mintA, mintB) ?? [];
  }

  currentSlot(): number | undefined {
    return this.scanner?.market.currentSlot();
  }

  stateSlot(): number | undefined {
    return this.scanner?.stateSlot;
  }

  async holds(slot: number, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while ((this.scanner?.stateSlot ?? -Infinity) < slot) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    await this.scanner?.idle();
    return true;
  }

  async statesFor(inputMint: string, outputMint: string): Promise<PoolState[]> {
    return this.poolsFor(inputMint, outputMint).map((e) => e.state);
  }

  async run(bus: Bus, engine: TradingEngine): Promise<void> {
    const log = this.opts.log;
    this.source = new BusAccountSource({ bus, member: this.opts.member, ...(this.opts.heartbeatMs ? { heartbeatMs: this.opts.heartbeatMs } : {}), ...(log ? { log } : {}) });
    this.scanner = new MarketScanner({ config: this.opts.config, bus, cache: new MemoryCache(), source: this.source, readChain: false, chainTime: true, awaitWholeMarket: true, ...(log ? { log } : {}) });
    await this.scanner.start();
    if (this.stopped) return;
    const { durationMs, onProgress, progressMs } = this.opts;
    await untilStopped({ ...(durationMs !== undefined ? { durationMs } : {}), ...(onProgress ? { onProgress: () => onProgress(engine) } : {}), ...(progressMs !== undefined ? { progressMs } : {}) }, (stop) => (this.stopRequested = stop));
    await this.scanner.idle();
    await bus.settle();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopRequested?.();
    await this.scanner?.stop();
  }
}

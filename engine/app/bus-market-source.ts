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
import type { MarketMark, MarketSync, TradingEngine } from './engine.ts';
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

  mark(): MarketMark | undefined {
    const slot = this.scanner?.stateSlot;
    if (slot === undefined) return undefined;
    const digest = this.scanner?.stateDigest;
    return { slot, ...(digest !== undefined ? { digest } : {}) };
  }

  async holds(mark: MarketMark, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!this.reached(mark)) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 5));
    }
    return true;
  }

  /**
   * The states here are the decision's: the same fingerprint. The same or a newer slot with another
   * fingerprint is not enough: a process applies a resync at once and a slot's updates only when it
   * closes the slot, so it can reach the decision's slot (or pass it) while still lacking a slot's
   * updates that the decision saw. Only once every slot up to the decision's is closed here and the
   * states are newer has the market here moved on (a live market: the decision's states are gone).
   * Without a fingerprint (an older planner), a slot as new suffices.
   */
  private reached(mark: MarketMark): boolean {
    const slot = this.scanner?.stateSlot ?? -Infinity;
    if (mark.digest === undefined) return slot >= mark.slot;
    if (this.scanner?.stateDigest === mark.digest) return true;
    return slot > mark.slot && (this.source?.closedThrough ?? -Infinity) >= mark.slot;
  }

  async statesFor(inputMint: string, outputMint: string): Promise<PoolState[]> {
    return this.poolsFor(inputMint, outputMint).map((e) => e.state);
  }

  async run(bus: Bus, engine: TradingEngine): Promise<void> {
    const log = this.opts.log;
    this.source = new BusAccountSource({ bus, member: this.opts.member, ...(this.opts.heartbeatMs ? { heartbeatMs: this.opts.heartbeatMs } : {}), ...(log ? { log } : {}) });
    this.scanner = new MarketScanner({ config: this.opts.config, bus, cache: new MemoryCache(), source: this.source, readChain: false, chainTime: true, awaitWholeMarket: true, digestState: true, ...(log ? { log } : {}) });
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

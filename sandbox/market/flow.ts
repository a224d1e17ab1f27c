/**
 * SIMULATED market flow: other traders swapping through the real programs so prices move and the
 * venues drift apart. The traders are simulated (their decisions come from a seeded random walk,
 * or from one mainnet day's recorded swaps); their transactions are real — our quote, our
 * `Venue.swapInstruction`, executed by the DEX program on the sandbox chain.
 *
 * `step()` / `run(n)` are synchronous and repeatable: the same market seed, flow seed and chain
 * clock (`genesisUnixMs`) give the same transactions and the same final state. `start()` paces the
 * same steps on timers (rate, or the recorded timing sped up) for a live demo.
 */
import { SolrulesError, isSolrulesError } from '../../engine/errors/index.ts';
import { decodeLbPair, decodeWhirlpool } from '../../engine/venues/index.ts';
import type { Market, MarketVenue } from './market.ts';
import { loadRecordedDay, type RecordedSwap } from './replay.ts';
import { SeededRandom } from './rng.ts';
import { readPoolState } from './state.ts';
import { swapExactIn } from './swap.ts';
import { associatedTokenAddress, tokenBalance } from './tokens.ts';

export type FlowMode = 'random-walk' | 'replay';

export interface FlowOptions {
  mode?: FlowMode;
  /** Seed of every decision (trader, venue, direction, size, shocks). Default: the market's seed. */
  seed?: number;
  /** Venues the simulated traders use (default every pool of the market). */
  venues?: readonly MarketVenue[];
  /** Random walk: swaps per second when started on timers (default 5). */
  ratePerSecond?: number;
  /** Random walk: typical swap size in lamports of SOL (default 2 SOL; sizes spread log-normally around it). */
  meanSizeLamports?: bigint;
  /** Random walk: standard deviation of the traders' target price per swap, bps (default 15). */
  volatilityBps?: number;
  /** Random walk: chance per swap of a shock (default 0.02): the target jumps by `shockBps` (default 300) and that swap is `shockSizeMultiplier` (default 50) times larger. */
  shockProbability?: number;
  shockBps?: number;
  shockSizeMultiplier?: number;
  /** Replay: recorded seconds per real second when started on timers (default 60). */
  replaySpeed?: number;
  /** Replay: multiplier on the sizes fitted to each pool's depth (default 1). */
  replayScale?: number;
  /** Slots the chain advances after each swap in `step()` (default 1; use 0 when the sandbox's slot clock runs on its own). */
  slotsPerSwap?: number;
  /** Called after every landed simulated swap. */
  onSwap?: (swap: FlowSwap) => void;
  /** Called when a timed step fails (it is counted as skipped and the flow goes on). */
  onError?: (err: unknown) => void;
}

/** One landed swap of a simulated trader. */
export interface FlowSwap {
  simulated: true;
  seq: number;
  kind: 'walk' | 'shock' | 'replay';
  trader: string;
  traderIndex: number;
  venue: MarketVenue;
  pool: string;
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  slot: number;
  signature: string;
  /** Replay: the mainnet transaction this swap re-enacts. */
  recorded?: string;
}

export interface FlowStats {
  swaps: number;
  skipped: number;
  byVenue: Record<string, number>;
  lastSkip?: string;
}

const MAX_HALVINGS = 6;

/** USDC per SOL of a pool as the chain holds it now (display and steering only; amounts stay exact). */
export function poolPrice(market: Market, venue: MarketVenue): number {
  const pool = market.pool(venue);
  const acct = market.chain.getAccount(pool.address)!;
  if (venue === 'orca-whirlpool') {
    const w = decodeWhirlpool({ address: pool.address, ...acct, rentEpoch: null });
    const s = Number(w.sqrtPrice) / 2 ** 64;
    return s * s * 1000;
  }
  const pair = decodeLbPair(acct.data, pool.address);
  return Math.pow(1 + pair.binStep / 10_000, pair.activeId) * 1000;
}

/** A line for logs: always starts with SIMULATED. */
export function describeFlowSwap(s: FlowSwap, market: Market): string {
  const sol = (v: bigint) => `${v / 1_000_000_000n}.${(v % 1_000_000_000n).toString().padStart(9, '0').slice(0, 4)} SOL`;
  const usdc = (v: bigint) => `${v / 1_000_000n}.${(v % 1_000_000n).toString().padStart(6, '0').slice(0, 2)} USDC`;
  const fmt = (mint: string, v: bigint) => (mint === market.mints.sol ? sol(v) : usdc(v));
  return `SIMULATED ${s.kind} #${s.seq} trader ${s.traderIndex}: ${fmt(s.inputMint, s.amountIn)} → ${fmt(s.outputMint, s.amountOut)} on ${s.venue} (slot ${s.slot})`;
}

export class MarketFlow {
  readonly mode: FlowMode;
  private readonly rng: SeededRandom;
  private readonly venues: readonly MarketVenue[];
  private readonly opts: FlowOptions;
  private target: number;
  private seq = 0;
  private recorded: RecordedSwap[] | undefined;
  private replayIndex = 0;
  private replayFit = new Map<MarketVenue, number>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  readonly stats: FlowStats = { swaps: 0, skipped: 0, byVenue: {} };

  constructor(
    readonly market: Market,
    opts: FlowOptions = {},
  ) {
    this.opts = opts;
    this.mode = opts.mode ?? 'random-walk';
    if (this.mode !== 'random-walk' && this.mode !== 'replay') throw new SolrulesError('MARKET_BAD_OPTION', `flow mode must be random-walk or replay, got ${String(this.mode)}`, { field: 'mode', value: this.mode });
    this.rng = new SeededRandom(opts.seed ?? market.seed);
    this.venues = opts.venues ?? market.pools.map((p) => p.venue);
    for (const v of this.venues) market.pool(v);
    for (const [field, value] of [['ratePerSecond', opts.ratePerSecond], ['replaySpeed', opts.replaySpeed], ['replayScale', opts.replayScale]] as const) {
      if (value !== undefined && !(value > 0)) throw new SolrulesError('MARKET_BAD_OPTION', `flow ${field} must be positive, got ${value}`, { field, value });
    }
    const p = opts.shockProbability;
    if (p !== undefined && !(p >= 0 && p <= 1)) throw new SolrulesError('MARKET_BAD_OPTION', `flow shockProbability must be within 0..1, got ${p}`, { field: 'shockProbability', value: p });
    this.target = this.venues.reduce((a, v) => a + poolPrice(market, v), 0) / this.venues.length;
    if (this.mode === 'replay') this.recorded = loadRecordedDay();
  }

  /** The price (USDC per SOL) the simulated traders are pushing toward. */
  get targetPrice(): number {
    return this.target;
  }

  /** Whether a replay has run out of recorded swaps. */
  get finished(): boolean {
    return this.mode === 'replay' && this.replayIndex >= this.recorded!.length;
  }

  /** Executes the next simulated swap now; null when it was skipped (no size the pool could fill) or the replay is over. */
  step(): FlowSwap | null {
    const swap = this.mode === 'replay' ? this.replayStep() : this.walkStep();
    const slots = this.opts.slotsPerSwap ?? 1;
    if (slots > 0) this.market.chain.advanceSlots(slots);
    return swap;
  }

  /** Runs `n` steps; returns the swaps that landed. */
  run(n: number): FlowSwap[] {
    const out: FlowSwap[] = [];
    for (let i = 0; i < n && !this.finished; i++) {
      const s = this.step();
      if (s) out.push(s);
    }
    return out;
  }

  /** Starts stepping on timers: `ratePerSecond` (random walk) or the recorded timing ÷ `replaySpeed` (replay). */
  start(): void {
    if (this.timer) return;
    const schedule = (ms: number) => {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        const before = this.mode === 'replay' ? this.recorded![this.replayIndex]?.time : undefined;
        try {
          this.step();
        } catch (err) {
          // A failed transaction must not end a live flow: count it, report it, go on.
          this.stats.skipped++;
          this.stats.lastSkip = err instanceof Error ? err.message : String(err);
          this.opts.onError?.(err);
        }
        if (this.finished || this.stopped) return;
        schedule(this.nextDelayMs(before));
      }, ms);
    };
    this.stopped = false;
    schedule(0);
  }

  /** Stops the timers (idempotent); a step in progress completes. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private nextDelayMs(previousTime: number | undefined): number {
    if (this.mode === 'replay') {
      const next = this.recorded![this.replayIndex];
      if (!next || previousTime === undefined) return 0;
      return Math.min(10_000, ((next.time - previousTime) * 1000) / (this.opts.replaySpeed ?? 60));
    }
    return 1000 / (this.opts.ratePerSecond ?? 5);
  }

  private walkStep(): FlowSwap | null {
    const vol = (this.opts.volatilityBps ?? 15) / 10_000;
    this.target *= Math.exp(vol * this.rng.normal());
    let kind: FlowSwap['kind'] = 'walk';
    let size = Number(this.opts.meanSizeLamports ?? 2_000_000_000n) * Math.exp(0.7 * this.rng.normal());
    if (this.rng.chance(this.opts.shockProbability ?? 0.02)) {
      kind = 'shock';
      const jump = (this.opts.shockBps ?? 300) / 10_000;
      this.target *= Math.exp(this.rng.chance(0.5) ? jump : -jump);
      size *= this.opts.shockSizeMultiplier ?? 50;
    }
    const venue = this.venues[this.rng.int(this.venues.length)]!;
    const price = poolPrice(this.market, venue);
    const towardTarget = this.rng.chance(0.75);
    // Below the target, buying SOL (paying USDC) pushes the pool's price up toward it.
    const buySol = price < this.target ? towardTarget : !towardTarget;
    const traderIndex = this.rng.int(this.market.traders.length);
    const lamports = BigInt(Math.max(1, Math.round(size)));
    const amount = buySol ? BigInt(Math.max(1, Math.round((Number(lamports) * price) / 1000))) : lamports;
    return this.execute(kind, venue, traderIndex, buySol ? this.market.mints.usdc : this.market.mints.sol, amount);
  }

  private replayStep(): FlowSwap | null {
    const rec = this.recorded![this.replayIndex++];
    if (!rec) return null;
    const venue = this.venues[this.rng.int(this.venues.length)]!;
    const traderIndex = this.rng.int(this.market.traders.length);
    const scaled = BigInt(Math.max(1, Math.round(Number(rec.amountIn) * this.fitFor(venue, rec) * (this.opts.replayScale ?? 1))));
    return this.execute('replay', venue, traderIndex, rec.solIn ? this.market.mints.sol : this.market.mints.usdc, scaled, rec.signature);
  }

  /** Our pool's depth over the recorded pool's, both in USDC atoms (SOL valued at each pool's price), fitted once per venue. */
  private fitFor(venue: MarketVenue, rec: RecordedSwap): number {
    const known = this.replayFit.get(venue);
    if (known !== undefined) return known;
    const recordedPrice = rec.solIn ? Number(rec.amountOut) / Number(rec.amountIn) : Number(rec.amountIn) / Number(rec.amountOut);
    const recordedDepth = Number(rec.vaultUsdc) + Number(rec.vaultSol) * recordedPrice;
    const { venue: v, state, accounts } = readPoolState(this.market.chain, venue, this.market.pool(venue).address);
    const reserves = v.reserves(state, accounts)!;
    const ourDepth = Number(reserves.reserveB) + (Number(reserves.reserveA) * poolPrice(this.market, venue)) / 1000;
    const fit = ourDepth / recordedDepth;
    this.replayFit.set(venue, fit);
    return fit;
  }

  private execute(kind: FlowSwap['kind'], venue: MarketVenue, traderIndex: number, inputMint: string, amount: bigint, recorded?: string): FlowSwap | null {
    const trader = this.market.traders[traderIndex]!;
    const pool = this.market.pool(venue).address;
    const balance = tokenBalance(this.market.chain, associatedTokenAddress(inputMint, trader.publicKey));
    let size = amount > balance ? balance : amount;
    for (let attempt = 0; attempt <= MAX_HALVINGS && size > 0n; attempt++, size /= 2n) {
      try {
        const o = swapExactIn(this.market.chain, trader, venue, pool, inputMint, size, undefined, `solrules SIMULATED flow ${kind} #${this.seq + 1}`);
        const swap: FlowSwap = {
          simulated: true,
          seq: ++this.seq,
          kind,
          trader: trader.publicKey.toBase58(),
          traderIndex,
          venue,
          pool,
          inputMint,
          outputMint: o.quote.outputMint,
          amountIn: o.realizedIn,
          amountOut: o.realizedOut,
          slot: o.record.slot,
          signature: o.record.signature,
        };
        if (recorded) swap.recorded = recorded;
        this.stats.swaps++;
        this.stats.byVenue[venue] = (this.stats.byVenue[venue] ?? 0) + 1;
        this.market.postOraclePrice();
        this.opts.onSwap?.(swap);
        return swap;
      } catch (err) {
        // A size the pool cannot fill (liquidity, tick arrays, zero output): try half of it.
        if (!isSolrulesError(err) || !/^(DEX_|EXEC_ZERO_OUTPUT)/.test(err.code)) throw err;
        this.stats.lastSkip = `${venue} ${size}: ${err.code}`;
      }
    }
    this.stats.skipped++;
    return null;
  }
}

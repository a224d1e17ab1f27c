/**
 * Volume monitor: trades inferred from pool reserves, rolled into 24 h volume, trade count,
 * average trade size and spike detection per token (the `volume` fact).
 *
 * A pool's reserves are compared slot by slot (a swap moves both vaults in one slot, but their
 * notifications arrive one at a time): when one reserve rose and the other fell, that is a trade
 * of the rise into the pool; both rising or both falling is liquidity being added or removed.
 * Trades that net out within one slot are invisible, and so is a trade coinciding with a deposit
 * in the same pool and slot: this is an estimate from state, not a parse of swap transactions.
 */
import type { PoolChange } from './market.ts';

export interface InferredTrade {
  pool: string;
  venue: string;
  slot: number;
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  usd: number;
}

export interface VolumeFact {
  mint: string;
  volume24hUsd: number;
  trades24h: number;
  averageTradeUsd: number;
  spikeRatio: number;
  spike: boolean;
}

interface Bucket {
  start: number;
  usd: number;
  trades: number;
}

const DAY_MS = 86_400_000;

export class VolumeMonitor {
  private readonly settled = new Map<string, { reserveA: bigint; reserveB: bigint }>();
  private readonly pending = new Map<string, { slot: number; change: PoolChange; reserves: { reserveA: bigint; reserveB: bigint } }>();
  private readonly buckets = new Map<string, Bucket[]>();
  private readonly startedAt: number;

  constructor(
    private readonly opts: { bucketMs: number; spikeWindowMs: number; spikeRatio: number; usd: (mint: string) => number | undefined; decimals: (mint: string) => number | undefined },
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  /** A pool was rebuilt at `slot`: trades of earlier slots of this pool are settled and returned. */
  observe(change: PoolChange, slot: number): InferredTrade[] {
    const reserves = change.pool.reserves;
    if (!reserves) return [];
    const address = change.pool.address;
    const out: InferredTrade[] = [];
    const pend = this.pending.get(address);
    if (pend && pend.slot !== slot) out.push(...this.settle(address));
    if (!this.settled.has(address) && !this.pending.has(address)) {
      // First sight of the pool: its reserves before this change are the baseline.
      this.settled.set(address, change.previousReserves ?? reserves);
      if (!change.previousReserves) return out;
    }
    this.pending.set(address, { slot, change, reserves });
    return out;
  }

  /** Settles every pool whose pending slot is before `slot` (the chain moved on). */
  settleBefore(slot: number): InferredTrade[] {
    const out: InferredTrade[] = [];
    for (const [address, p] of this.pending) if (p.slot < slot) out.push(...this.settle(address));
    return out;
  }

  private settle(address: string): InferredTrade[] {
    const p = this.pending.get(address);
    if (!p) return [];
    this.pending.delete(address);
    const before = this.settled.get(address)!;
    this.settled.set(address, p.reserves);
    const dA = p.reserves.reserveA - before.reserveA;
    const dB = p.reserves.reserveB - before.reserveB;
    if (!((dA > 0n && dB < 0n) || (dA < 0n && dB > 0n))) return [];
    const s = p.change.state;
    const aIn = dA > 0n;
    const inputMint = aIn ? s.mintA : s.mintB;
    const outputMint = aIn ? s.mintB : s.mintA;
    const amountIn = aIn ? dA : dB;
    const amountOut = aIn ? -dB : -dA;
    const value = (mint: string, atoms: bigint) => {
      const usd = this.opts.usd(mint);
      const dec = this.opts.decimals(mint);
      return usd === undefined || dec === undefined ? undefined : (Number(atoms) / 10 ** dec) * usd;
    };
    const usd = value(inputMint, amountIn) ?? value(outputMint, amountOut) ?? 0;
    const trade: InferredTrade = { pool: address, venue: p.change.pool.venue.id, slot: p.slot, inputMint, outputMint, amountIn, amountOut, usd };
    this.record(inputMint, usd);
    this.record(outputMint, usd);
    return [trade];
  }

  private record(mint: string, usd: number): void {
    const now = this.now();
    const start = now - (now % this.opts.bucketMs);
    let list = this.buckets.get(mint);
    if (!list) this.buckets.set(mint, (list = []));
    let last = list[list.length - 1];
    if (!last || last.start !== start) list.push((last = { start, usd: 0, trades: 0 }));
    last.usd += usd;
    last.trades += 1;
    while (list.length && list[0]!.start <= now - DAY_MS) list.shift();
  }

  /** The `volume` fact of a mint. */
  fact(mint: string): VolumeFact {
    const now = this.now();
    const list = (this.buckets.get(mint) ?? []).filter((b) => b.start > now - DAY_MS);
    let volume = 0;
    let trades = 0;
    let recent = 0;
    for (const b of list) {
      volume += b.usd;
      trades += b.trades;
      if (b.start + this.opts.bucketMs > now - this.opts.spikeWindowMs) recent += b.usd;
    }
    // The last window against an average window of the period observed (at most 24 h); with no
    // more history than one window there is nothing to compare with.
    const span = Math.min(DAY_MS, now - this.startedAt);
    const expected = span > this.opts.spikeWindowMs ? (volume * this.opts.spikeWindowMs) / span : 0;
    const spikeRatio = expected > 0 ? recent / expected : 0;
    return {
      mint,
      volume24hUsd: volume,
      trades24h: trades,
      averageTradeUsd: trades ? volume / trades : 0,
      spikeRatio: Math.round(spikeRatio * 1000) / 1000,
      spike: spikeRatio >= this.opts.spikeRatio,
    };
  }
}

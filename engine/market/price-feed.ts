/**
 * Price feed: turns decoded pools and Pyth prices into the `price`, `pool` and `spread` facts.
 *
 * A pool's bid and ask for a token come from exact quotes of a small probe (10 USD of the side
 * whose USD price is known, fees included): sell the token → bid, buy it → ask; the mid is their
 * geometric mean. A token's price is the median of its venues' mids (Pyth when no venue trades
 * it), its bid / ask the best across venues, its confidence Pyth's. USD references are the
 * configured fixed prices (stablecoins) and Pyth. Prices are display and comparison figures in
 * floating point; amounts stay exact atoms.
 */
import type { PoolState, PythPrice, Quote, Venue } from '../venues/index.ts';
import { priceFact, type PriceFact } from '../facts/index.ts';
import type { PoolRecord, MarketState } from './market.ts';
import type { TokenSpec } from './config.ts';

export interface PoolFact {
  address: string;
  venue: string;
  mintA: string;
  mintB: string;
  reserveA: string;
  reserveB: string;
  priceUsd: number;
  liquidityUsd: number;
  feeBps: number;
  slot: number;
  ageSlots: number;
}

export interface SpreadFact {
  mint: string;
  spreadBps: number;
  bestBidVenue: string;
  bestAskVenue: string;
  venues: string[];
}

export interface VenueQuote {
  venue: string;
  pool: string;
  bidUsd: number;
  askUsd: number;
  midUsd: number;
  /** Price impact (bps) of selling each configured USD size of the token on this pool; null when it cannot fill. */
  impactBps: Record<string, number | null>;
}

const PROBE_USD = 10;

function atomsOf(human: number, decimals: number): bigint {
  const v = Math.floor(human * 10 ** decimals);
  return BigInt(Math.max(1, v));
}

function human(atoms: bigint, decimals: number): number {
  return Number(atoms) / 10 ** decimals;
}

function pythUsd(p: PythPrice | undefined): { usd: number; conf: number; slot: number } | undefined {
  if (!p || p.status !== 'trading') return undefined;
  const scale = 10 ** p.exponent;
  return { usd: Number(p.price) * scale, conf: Number(p.conf) * scale, slot: Number(p.slot) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function tryQuote(venue: Venue, state: PoolState, input: string, amount: bigint): Quote | undefined {
  try {
    const q = venue.quoteExactIn(state, input, amount);
    return q.amountOut > 0n ? q : undefined;
  } catch {
    return undefined;
  }
}

export class PriceFeed {
  readonly tokens: Map<string, TokenSpec>;
  private readonly history = new Map<string, number[]>();

  constructor(
    private readonly market: MarketState,
    private readonly opts: { tokens: readonly TokenSpec[]; impactSizesUsd: readonly number[]; historySize: number },
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = new Map(opts.tokens.map((t) => [t.mint, t]));
  }

  /** The first trading Pyth price of a mint. */
  private pyth(mint: string): ReturnType<typeof pythUsd> {
    for (const o of this.market.oracles.values()) {
      const p = o.mint === mint ? pythUsd(o.price) : undefined;
      if (p) return p;
    }
    return undefined;
  }

  /** USD price of a mint from a reference: Pyth when trading, else the configured fixed price. */
  referenceUsd(mint: string): number | undefined {
    return this.pyth(mint)?.usd ?? this.tokens.get(mint)?.usd;
  }

  /** Bid / ask / mid of `mint` in USD on one pool, from exact probe quotes. */
  venueQuote(pool: PoolRecord, mint: string): VenueQuote | undefined {
    const state = pool.state;
    if (!state) return undefined;
    const counter = state.mintA === mint ? state.mintB : state.mintB === mint ? state.mintA : undefined;
    const tm = this.tokens.get(mint);
    const tc = counter ? this.tokens.get(counter) : undefined;
    if (!counter || !tm || !tc) return undefined;
    const counterUsd = this.referenceUsd(counter);
    // Priced against a counter token with a USD reference; the reference token itself is not priced through pools.
    if (counterUsd === undefined) return undefined;
    const spend = atomsOf(PROBE_USD / counterUsd, tc.decimals);
    const buy = tryQuote(pool.venue, state, counter, spend);
    if (!buy) return undefined;
    const sell = tryQuote(pool.venue, state, mint, buy.amountOut);
    if (!sell) return undefined;
    const ask = (human(spend, tc.decimals) / human(buy.amountOut, tm.decimals)) * counterUsd;
    const bid = (human(sell.amountOut, tc.decimals) / human(buy.amountOut, tm.decimals)) * counterUsd;
    const mid = Math.sqrt(bid * ask);
    const impactBps: Record<string, number | null> = {};
    for (const size of this.opts.impactSizesUsd) {
      const q = tryQuote(pool.venue, state, mint, atomsOf(size / mid, tm.decimals));
      impactBps[String(size)] = q ? q.priceImpactBps : null;
    }
    return { venue: pool.venue.id, pool: pool.address, bidUsd: bid, askUsd: ask, midUsd: mid, impactBps };
  }

  /** Every pool quote of a mint. */
  venueQuotes(mint: string): VenueQuote[] {
    const out: VenueQuote[] = [];
    for (const p of this.market.pools.values()) {
      if (!p.state || (p.state.mintA !== mint && p.state.mintB !== mint)) continue;
      const v = this.venueQuote(p, mint);
      if (v) out.push(v);
    }
    return out;
  }

  /** The `pool` fact of one pool. */
  poolFact(pool: PoolRecord): PoolFact | undefined {
    const s = pool.state;
    if (!s) return undefined;
    const ta = this.tokens.get(s.mintA);
    const tb = this.tokens.get(s.mintB);
    const priceA = this.venueQuote(pool, s.mintA)?.midUsd ?? this.referenceUsd(s.mintA) ?? 0;
    const usdB = this.referenceUsd(s.mintB) ?? this.venueQuote(pool, s.mintB)?.midUsd ?? 0;
    const r = pool.reserves;
    const liquidityUsd = r && ta && tb ? human(r.reserveA, ta.decimals) * priceA + human(r.reserveB, tb.decimals) * usdB : 0;
    let feeBps = 0;
    if (ta) {
      const q = tryQuote(pool.venue, s, s.mintA, atomsOf(1, ta.decimals));
      if (q) {
        const feeMint = q.feeMint ?? q.inputMint;
        feeBps = feeMint === q.inputMint ? (Number(q.feeAmount) / Number(q.amountIn)) * 10_000 : (Number(q.feeAmount) / Number(q.amountOut + q.feeAmount)) * 10_000;
      }
    }
    const slot = this.market.asOfSlot(pool) ?? 0;
    const current = this.market.currentSlot() ?? slot;
    return {
      address: pool.address,
      venue: pool.venue.id,
      mintA: s.mintA,
      mintB: s.mintB,
      reserveA: (r?.reserveA ?? 0n).toString(),
      reserveB: (r?.reserveB ?? 0n).toString(),
      priceUsd: priceA,
      liquidityUsd,
      feeBps: Math.round(feeBps * 100) / 100,
      slot,
      ageSlots: Math.max(0, current - slot),
    };
  }

  private current(mint: string): { token: TokenSpec; usd: number; venues: VenueQuote[]; pyth: ReturnType<typeof pythUsd> } | undefined {
    const token = this.tokens.get(mint);
    if (!token) return undefined;
    // A token with a fixed USD price (a stablecoin) is a reference: its price is the peg.
    const venues = token.usd === undefined ? this.venueQuotes(mint) : [];
    const pyth = this.pyth(mint);
    const usd = token.usd ?? (venues.length ? median(venues.map((v) => v.midUsd)) : pyth?.usd);
    if (usd === undefined || !Number.isFinite(usd)) return undefined;
    return { token, usd, venues, pyth };
  }

  /** The aggregated USD price of a mint now, without recording it in the history. */
  usdOf(mint: string): number | undefined {
    return this.current(mint)?.usd;
  }

  /** The `price` and `spread` facts of a mint (undefined when nothing prices it), with the per-venue quotes; records the price in the history. */
  priceOf(mint: string): { price: PriceFact; spread: SpreadFact | undefined; venues: VenueQuote[] } | undefined {
    const now = this.current(mint);
    if (!now) return undefined;
    const { token, usd, venues, pyth } = now;
    const recent = this.history.get(mint) ?? [];
    if (recent[recent.length - 1] !== usd) recent.push(usd);
    while (recent.length > this.opts.historySize) recent.shift();
    this.history.set(mint, recent);
    const price = priceFact({
      mint,
      symbol: token.symbol,
      recentUsd: recent,
      time: new Date(this.now()),
      source: token.usd !== undefined ? 'fixed' : venues.length ? (pyth ? 'venues+pyth' : 'venues') : 'pyth',
      slot: this.market.currentSlot() ?? pyth?.slot ?? 0,
    });
    if (venues.length) {
      price.bidUsd = Math.max(...venues.map((v) => v.bidUsd));
      price.askUsd = Math.min(...venues.map((v) => v.askUsd));
    }
    if (pyth) price.confidenceUsd = pyth.conf;
    let spread: SpreadFact | undefined;
    if (venues.length > 1) {
      const dearest = venues.reduce((a, b) => (b.midUsd > a.midUsd ? b : a));
      const cheapest = venues.reduce((a, b) => (b.midUsd < a.midUsd ? b : a));
      spread = {
        mint,
        spreadBps: Math.round(((dearest.midUsd - cheapest.midUsd) / cheapest.midUsd) * 10_000 * 100) / 100,
        bestBidVenue: venues.reduce((a, b) => (b.bidUsd > a.bidUsd ? b : a)).venue,
        bestAskVenue: venues.reduce((a, b) => (b.askUsd < a.askUsd ? b : a)).venue,
        // Sorted: the pools' order is the order they were first decoded, which differs between a
        // process reading the chain and one fed by scanner processes (a fact, so an order id, must not).
        venues: [...new Set(venues.map((v) => v.venue))].sort(),
      };
    }
    return { price, spread, venues };
  }
}

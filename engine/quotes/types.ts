/**
 * Shapes shared by the quote optimizer, its sources (local venues, Jupiter) and its callers
 * (arbitrage planner, executors). Amounts are bigint atoms; `routeQuoteToJson` gives the JSON form.
 */
import type { PoolState, Quote, Venue } from '../venues/index.ts';

export type SwapMode = 'exact-in' | 'exact-out';

export interface QuoteRequest {
  inputMint: string;
  outputMint: string;
  /** Exact-in: atoms of the input sold. Exact-out: atoms of the output bought. */
  amount: bigint;
  mode: SwapMode;
  /** Slippage the caller will accept (Jupiter computes `otherAmountThreshold` from it). Default 50. */
  slippageBps?: number;
}

/**
 * One swap of a route: a venue's `Quote`, with the venue as free text (Jupiter's AMM labels) and
 * the fee mint always given. `accounts` are what the leg read (local) or its pool (Jupiter's ammKey).
 */
export interface RouteLeg extends Omit<Quote, 'venue' | 'feeMint'> {
  venue: string;
  /** Mint `feeAmount` is in. */
  feeMint: string;
}

/**
 * A venue's quote as a route leg (fee in the input mint unless the venue said otherwise). Fields
 * are copied one by one: venue quotes carry extras (bigint diagnostics) that must not reach the JSON.
 */
export function routeLeg(q: Quote): RouteLeg {
  return {
    venue: q.venue,
    pool: q.pool,
    inputMint: q.inputMint,
    outputMint: q.outputMint,
    amountIn: q.amountIn,
    amountOut: q.amountOut,
    feeAmount: q.feeAmount,
    feeMint: q.feeMint ?? q.inputMint,
    priceImpactBps: q.priceImpactBps,
    accounts: [...q.accounts],
  };
}

export interface RouteQuote {
  source: 'local' | 'jupiter';
  mode: SwapMode;
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  /** Price impact of the whole route, compounded over its legs. */
  priceImpactBps: number;
  legs: RouteLeg[];
  /** Union of the legs' accounts: an update to any of them invalidates the quote. */
  accounts: string[];
  /** Slot of the oldest state the quote read (local) or Jupiter's `contextSlot`. */
  slot: number | undefined;
  /** When the quote was computed, ms since the epoch. */
  quotedAt: number;
  /** Jupiter only: minimum out (exact-in) / maximum in (exact-out) after slippage, and the raw response for /swap-instructions. */
  otherAmountThreshold?: bigint;
  jupiter?: unknown;
}

/** A pool the local router may quote from: its venue, decoded state and the slot it was read at. */
export interface PoolEntry {
  venue: Venue;
  state: PoolState;
}

/** Where the local router finds pool state (the scanners' pool tracker; a fixed list in tests and the CLI). */
export interface PoolProvider {
  /** Pools trading both mints (either order). */
  poolsFor(mintA: string, mintB: string): readonly PoolEntry[];
  /** The latest slot the provider has seen, undefined when it does not track slots (files). */
  currentSlot(): number | undefined;
}

/** A source of route quotes (local venues, an aggregator). */
export interface QuoteSource {
  readonly name: 'local' | 'jupiter';
  quote(req: QuoteRequest): Promise<RouteQuote>;
  /** Whether a quote this source gave earlier may still be served (absent: always). */
  isCurrent?(q: RouteQuote): boolean;
}

/**
 * The staleness guard: state read at `slot` may be quoted at `currentSlot` when it is at most
 * `maxAgeSlots` behind. An unknown slot is too old whenever the current slot is known; with no
 * current slot (state from files) nothing is judged stale.
 */
export function withinStateAge(slot: number | undefined, currentSlot: number | undefined, maxAgeSlots: number): boolean {
  if (currentSlot === undefined) return true;
  return slot !== undefined && currentSlot - slot <= maxAgeSlots;
}

export interface RouteLegJson extends Omit<RouteLeg, 'amountIn' | 'amountOut' | 'feeAmount'> {
  amountIn: string;
  amountOut: string;
  feeAmount: string;
}

export interface RouteQuoteJson extends Omit<RouteQuote, 'amountIn' | 'amountOut' | 'legs' | 'otherAmountThreshold'> {
  amountIn: string;
  amountOut: string;
  legs: RouteLegJson[];
  otherAmountThreshold?: string;
}

/** A leg's JSON form (atoms as decimal strings). */
export function routeLegToJson(l: RouteLeg): RouteLegJson {
  return { ...l, amountIn: l.amountIn.toString(), amountOut: l.amountOut.toString(), feeAmount: l.feeAmount.toString() };
}

/** JSON form (atoms as decimal strings) for the cache and the bus. */
export function routeQuoteToJson(q: RouteQuote): RouteQuoteJson {
  const { amountIn, amountOut, legs, otherAmountThreshold, ...rest } = q;
  return {
    ...rest,
    amountIn: amountIn.toString(),
    amountOut: amountOut.toString(),
    legs: legs.map(routeLegToJson),
    ...(otherAmountThreshold !== undefined ? { otherAmountThreshold: otherAmountThreshold.toString() } : {}),
  };
}

export function routeQuoteFromJson(j: RouteQuoteJson): RouteQuote {
  const { amountIn, amountOut, legs, otherAmountThreshold, ...rest } = j;
  return {
    ...rest,
    slot: rest.slot ?? undefined,
    amountIn: BigInt(amountIn),
    amountOut: BigInt(amountOut),
    legs: legs.map((l) => ({ ...l, amountIn: BigInt(l.amountIn), amountOut: BigInt(l.amountOut), feeAmount: BigInt(l.feeAmount) })),
    ...(otherAmountThreshold !== undefined ? { otherAmountThreshold: BigInt(otherAmountThreshold) } : {}),
  };
}

/** Price impact of legs in sequence: 1 − Π(1 − impactᵢ), in bps. */
export function compoundImpactBps(legs: readonly { priceImpactBps: number }[]): number {
  const kept = legs.reduce((acc, l) => acc * (1 - l.priceImpactBps / 10_000), 1);
  return Math.max(0, Math.round((1 - kept) * 10_000 * 10_000) / 10_000);
}

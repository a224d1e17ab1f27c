/**
 * Shapes shared by the quote optimizer, its sources (local venues, Jupiter) and its callers
 * (arbitrage planner, executors). Amounts are bigint atoms; `routeQuoteToJson` gives the JSON form.
 */
import type { PoolState, Venue } from '../dex/index.ts';

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

/** One swap of a route. */
export interface RouteLeg {
  venue: string;
  pool: string;
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  /** Swap fee of this leg, in `feeMint` atoms. */
  feeAmount: bigint;
  feeMint: string;
  priceImpactBps: number;
  /** Accounts this leg read (local) or its pool (Jupiter's ammKey). */
  accounts: string[];
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

/** JSON form (atoms as decimal strings) for the cache and the bus. */
export function routeQuoteToJson(q: RouteQuote): RouteQuoteJson {
  const { amountIn, amountOut, legs, otherAmountThreshold, ...rest } = q;
  return {
    ...rest,
    amountIn: amountIn.toString(),
    amountOut: amountOut.toString(),
    legs: legs.map((l) => ({ ...l, amountIn: l.amountIn.toString(), amountOut: l.amountOut.toString(), feeAmount: l.feeAmount.toString() })),
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

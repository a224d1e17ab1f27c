/**
 * A two-leg round trip: sell `inputMint` for `midMint` on one pool, buy it back on another, both
 * quoted exactly by the venues. Net profit (input atoms) = out − in − flash-loan fee − tip −
 * priority fee, the last two converted from lamports. Profit is concave in size (the first leg's
 * price worsens and the second's too as size grows), so the best size is searched: first the
 * sizes both venues accept, then golden-section over them. At the atom scale integer rounding
 * makes the top a slightly jittery plateau: the size found is within a few atoms of profit of
 * the true optimum (measured against brute force in test/strategies/arbitrage.test.ts).
 */
import { isSolrulesError } from '../../errors/index.ts';
import type { Quote } from '../../venues/index.ts';
import { routeLeg, type PoolEntry, type RouteLeg } from '../../quotes/index.ts';
import { feasibleRange, maximizeUnimodal } from './search.ts';

export interface CostModel {
  /** The input is borrowed for the trade (flash loan) and repaid with the fee. */
  flashLoan: boolean;
  flashLoanFeeBps: number;
  tipLamports: bigint;
  priorityFeeLamports: bigint;
  /** Input atoms worth these lamports (rounded up: costs are never underestimated). */
  lamportsToInput(lamports: bigint): bigint;
}

export interface RoundTrip {
  inputMint: string;
  midMint: string;
  first: PoolEntry;
  second: PoolEntry;
  amountIn: bigint;
  /** Input atoms back after both legs (swap fees taken by the venues). */
  expectedOut: bigint;
  legs: [RouteLeg, RouteLeg];
  flashLoanFee: bigint;
  /** Tip and priority fee in input atoms. */
  fixedCosts: bigint;
  netProfit: bigint;
  /** Swap fees of both legs expressed in input atoms (for the gross figure). */
  swapFeesInInput: bigint;
  /** Sizes quoted (each a two-leg round trip). */
  evaluations: number;
}

/** Flash-loan fee in atoms, rounded up (hundredths of a bps). */
export function flashLoanFee(amount: bigint, costs: CostModel): bigint {
  if (!costs.flashLoan || costs.flashLoanFeeBps <= 0) return 0n;
  const hundredths = BigInt(Math.round(costs.flashLoanFeeBps * 100));
  return (amount * hundredths + 999_999n) / 1_000_000n;
}

/** Both legs for one size, or undefined when a venue refuses it. */
export function quoteRoundTrip(first: PoolEntry, second: PoolEntry, inputMint: string, amountIn: bigint): [Quote, Quote] | undefined {
  try {
    const q1 = first.venue.quoteExactIn(first.state, inputMint, amountIn);
    if (q1.amountOut === 0n) return undefined;
    const q2 = second.venue.quoteExactIn(second.state, q1.outputMint, q1.amountOut);
    if (q2.outputMint !== inputMint) return undefined;
    return [q1, q2];
  } catch (err) {
    if (isSolrulesError(err)) return undefined;
    throw err;
  }
}

/** The round trip at one given size (a route template re-filled with an amount): one two-leg quote, no search. */
export function roundTripAt(first: PoolEntry, second: PoolEntry, inputMint: string, amountIn: bigint, costs: CostModel): RoundTrip | undefined {
  const midMint = first.state.mintA === inputMint ? first.state.mintB : first.state.mintA;
  const qs = quoteRoundTrip(first, second, inputMint, amountIn);
  if (!qs) return undefined;
  return tripOf(first, second, inputMint, midMint, amountIn, qs, costs, 1);
}

function tripOf(first: PoolEntry, second: PoolEntry, inputMint: string, midMint: string, x: bigint, [q1, q2]: [Quote, Quote], costs: CostModel, evaluations: number): RoundTrip {
  const fixedCosts = costs.lamportsToInput(costs.tipLamports + costs.priorityFeeLamports);
  const legs: [RouteLeg, RouteLeg] = [routeLeg(q1), routeLeg(q2)];
  // Fees in input atoms: leg 1's at its input side, leg 2's through its own rate (mid → input).
  const toInput = (mint: string, atoms: bigint): bigint => {
    if (mint === inputMint) return atoms;
    if (mint === midMint) return q2.amountIn === 0n ? 0n : (atoms * q2.amountOut) / q2.amountIn;
    return 0n;
  };
  const fee = flashLoanFee(x, costs);
  return {
    inputMint,
    midMint,
    first,
    second,
    amountIn: x,
    expectedOut: q2.amountOut,
    legs,
    flashLoanFee: fee,
    fixedCosts,
    netProfit: q2.amountOut - x - fee - fixedCosts,
    swapFeesInInput: toInput(legs[0].feeMint, legs[0].feeAmount) + toInput(legs[1].feeMint, legs[1].feeAmount),
    evaluations,
  };
}

/**
 * The feasible range last found per ordered pool pair and input: the next search verifies its
 * edges (two quotes each) before bisecting (~30). Only a hint — a stale one is bisected as before —
 * so the search returns what it would without it (`feasibleRange`). Bounded: cleared when full.
 */
const rangeHints = new Map<string, { lo: bigint; hi: bigint }>();
const RANGE_HINTS_MAX = 4096;

/** The most profitable size for this ordered pool pair, searched in [minIn, maxIn]. */
export function bestRoundTrip(first: PoolEntry, second: PoolEntry, inputMint: string, minIn: bigint, maxIn: bigint, costs: CostModel): RoundTrip | undefined {
  const midMint = first.state.mintA === inputMint ? first.state.mintB : first.state.mintA;
  if (first.state.address === second.state.address) return undefined;
  if (![second.state.mintA, second.state.mintB].includes(midMint) || ![second.state.mintA, second.state.mintB].includes(inputMint)) return undefined;
  const fixedCosts = costs.lamportsToInput(costs.tipLamports + costs.priorityFeeLamports);
  // Each size is quoted once: the bracketing, the search and the result share the quotes.
  const trips = new Map<bigint, [Quote, Quote] | undefined>();
  const tripAt = (x: bigint) => {
    if (!trips.has(x)) trips.set(x, quoteRoundTrip(first, second, inputMint, x));
    return trips.get(x);
  };
  const profit = (x: bigint): bigint | undefined => {
    const qs = tripAt(x);
    return qs ? qs[1].amountOut - x - flashLoanFee(x, costs) - fixedCosts : undefined;
  };
  const hintKey = `${first.state.address}>${second.state.address}:${inputMint}:${minIn}:${maxIn}`;
  const range = feasibleRange((x) => tripAt(x) !== undefined, minIn, maxIn, rangeHints.get(hintKey));
  if (!range) return undefined;
  if (rangeHints.size >= RANGE_HINTS_MAX) rangeHints.clear();
  rangeHints.set(hintKey, range);
  const best = maximizeUnimodal(profit, range.lo, range.hi);
  if (!best) return undefined;
  return tripOf(first, second, inputMint, midMint, best.x, tripAt(best.x)!, costs, trips.size);
}

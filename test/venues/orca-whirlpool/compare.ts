/**
 * Runs one quote through our venue and through `@orca-so/whirlpools-core` and classifies the
 * outcome. Equal amounts are the rule; every accepted difference is a place where the core SDK and
 * the on-chain program disagree and we follow the program (each is shown by a named test).
 */
import * as core from '@orca-so/whirlpools-core';
import type { TickArrayFacade, WhirlpoolFacade } from '@orca-so/whirlpools-core';
import { orcaWhirlpool, type OrcaWhirlpoolQuote, type OrcaWhirlpoolState } from '../../../engine/venues/orca-whirlpool/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { NOW, coreOracle, coreTickArrays, coreTransferFee, coreWhirlpool, programSequenceStarts, type GenPool } from './generate.ts';

export type Outcome =
  | 'equal'
  | 'both-rejected'
  /** Program rejects exact-out swaps it cannot fill (PartialFillError); core returns the partial quote. */
  | 'program-rejects-partial-fill'
  /** b→a: crossing the last tick (offset 87) of the third array moves the program past its sequence; core continues. */
  | 'program-rejects-after-last-tick'
  /** Exact-in with an input transfer fee, fully filled: the program takes the whole amount; core reverse-applies the fee. */
  | 'program-charges-full-amount'
  /** liquidity × Δsqrt_price (or × sqrt_price) ≥ 2^192: the program fails (MultiplicationOverflow); core's U256 shift drops bits. */
  | 'program-rejects-overflow';

export interface Comparison {
  outcome: Outcome;
  ours: OrcaWhirlpoolQuote | { error: string; reason?: unknown };
  core: { amountIn: bigint; amountOut: bigint; fee: bigint } | { error: string };
  ticksCrossed: number;
}

export class Mismatch extends Error {}

export function compareQuote(p: GenPool, state: OrcaWhirlpoolState, aToB: boolean, exactIn: boolean, amount: bigint): Comparison {
  const mint = aToB ? p.mintA : p.mintB;
  let ours: Comparison['ours'];
  try {
    ours = exactIn ? orcaWhirlpool.quoteExactIn(state, mint, amount) : orcaWhirlpool.quoteExactOut(state, mint, amount);
  } catch (err) {
    if (!isSolrulesError(err) || !err.code.startsWith('DEX_')) throw err;
    ours = { error: err.code, reason: err.context.reason };
  }
  const feeA = coreTransferFee(p.transferFeeA);
  const feeB = coreTransferFee(p.transferFeeB);
  let theirs: Comparison['core'];
  try {
    if (exactIn) {
      const q = core.swapQuoteByInputToken(amount, aToB, 0, coreWhirlpool(p), coreOracle(p), coreTickArrays(p, aToB), NOW, feeA, feeB);
      theirs = { amountIn: q.tokenIn, amountOut: q.tokenEstOut, fee: q.tradeFee };
    } else {
      const q = core.swapQuoteByOutputToken(amount, !aToB, 0, coreWhirlpool(p), coreOracle(p), coreTickArrays(p, aToB), NOW, feeA, feeB);
      theirs = { amountIn: q.tokenEstIn, amountOut: q.tokenOut, fee: q.tradeFee };
    }
  } catch (err) {
    theirs = { error: String(err) };
  }
  const result = (outcome: Outcome): Comparison => ({ outcome, ours, core: theirs, ticksCrossed: 'error' in ours ? 0 : ours.ticksCrossed });
  const fail = (why: string): never => {
    throw new Mismatch(`${why}: aToB=${aToB} exactIn=${exactIn} amount=${amount} ours=${show(ours)} core=${show(theirs)}`);
  };

  if ('error' in ours && 'error' in theirs) return result('both-rejected');
  if (!('error' in ours) && !('error' in theirs)) {
    if (ours.amountIn === theirs.amountIn && ours.amountOut === theirs.amountOut && ours.feeAmount === theirs.fee) return result('equal');
    const inputFee = aToB ? p.transferFeeA : p.transferFeeB;
    if (
      exactIn &&
      inputFee &&
      ours.amountIn === amount &&
      theirs.amountIn <= amount &&
      ours.amountOut === theirs.amountOut &&
      ours.feeAmount === theirs.fee
    ) {
      return result('program-charges-full-amount');
    }
    return fail('amounts differ');
  }
  if ('error' in ours && !('error' in theirs)) {
    if (!exactIn && ours.reason === 'PartialFillError' && theirs.amountOut < amount) return result('program-rejects-partial-fill');
    if (ours.reason === 'MultiplicationOverflow') return result('program-rejects-overflow');
    if (ours.reason === 'TickArraySequenceInvalidIndex' && !aToB) {
      const starts = programSequenceStarts(p.tickCurrentIndex, p.tickSpacing, false);
      const last = starts[starts.length - 1]!;
      if (starts.length === 3 && p.ticks.has(last + 87 * p.tickSpacing)) return result('program-rejects-after-last-tick');
    }
    return fail('only we rejected');
  }
  return fail('only core rejected');
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)).slice(0, 400);
}

/** The core's whirlpool facade for a state our decoders built from real accounts (the fixture pools). */
export function coreWhirlpoolOf(state: OrcaWhirlpoolState): WhirlpoolFacade {
  const w = state.whirlpool;
  return {
    feeTierIndexSeed: new Uint8Array([w.feeTierIndex & 0xff, w.feeTierIndex >> 8]),
    tickSpacing: w.tickSpacing,
    feeRate: w.feeRate,
    protocolFeeRate: w.protocolFeeRate,
    liquidity: w.liquidity,
    sqrtPrice: w.sqrtPrice,
    tickCurrentIndex: w.tickCurrentIndex,
    feeGrowthGlobalA: w.feeGrowthGlobalA,
    feeGrowthGlobalB: w.feeGrowthGlobalB,
    rewardLastUpdatedTimestamp: w.rewardLastUpdatedTimestamp,
    rewardInfos: w.rewardInfos.map((x) => ({ emissionsPerSecondX64: x.emissionsPerSecondX64, growthGlobalX64: x.growthGlobalX64 })),
  };
}

/** The tick arrays the state's swap reads in this direction, as core facades (an array not loaded: no ticks). */
export function coreTickArraysOf(state: OrcaWhirlpoolState, aToB: boolean): TickArrayFacade[] {
  return (aToB ? state.sequenceAToB : state.sequenceBToA).map((s) => ({ startTickIndex: s.start, ticks: s.status === 'loaded' ? s.data.ticks : [] }));
}

/**
 * The Whirlpool swap loop (`manager/swap_manager.rs::swap`) over the tick-array sequence one
 * instruction reads (`util/sparse_swap.rs`, `util/swap_tick_sequence.rs`): at most three arrays
 * starting at the current one, missing-on-chain arrays acting as empty ones.
 */
import { dexError } from '../codec/index.ts';
import { U128_MAX, U64_MAX } from '../math/index.ts';
import { staticFeeRate, type FeeRateManager } from './fee-rate.ts';
import type { Tick, TickArray, Whirlpool } from './layout.ts';
import { PROTOCOL_FEE_RATE_MUL_VALUE, computeSwapStep } from './swap-math.ts';
import {
  MAX_SQRT_PRICE,
  MAX_TICK_INDEX,
  MIN_SQRT_PRICE,
  MIN_TICK_INDEX,
  TICK_ARRAY_SIZE,
  isValidStartTick,
  sqrtPriceFromTickIndex,
  tickArrayStartIndex,
  tickIndexFromSqrtPrice,
} from './tick-math.ts';


/** One slot of the sequence: a decoded array, an array known not to exist (zeroed), or one we were not given. */
export type SequenceArray =
  | { start: number; address: string; status: 'loaded'; data: TickArray }
  | { start: number; address: string; status: 'zeroed' }
  | { start: number; address: string; status: 'unknown' };

export interface SwapResult {
  /** Pool-side amounts (transfer fees excluded). */
  amountA: bigint;
  amountB: bigint;
  /** LP + protocol fee, in input atoms. */
  feeAmount: bigint;
  protocolFee: bigint;
  nextSqrtPrice: bigint;
  nextTickIndex: number;
  nextLiquidity: bigint;
  ticksCrossed: number;
  /** Sequence slots the swap read (0…2). */
  arraysUsed: number;
}

function rejected(reason: string, detail: string, extra: Record<string, unknown> = {}): never {
  throw dexError('DEX_SWAP_REJECTED', `orca-whirlpool would reject the swap: ${reason} (${detail})`, { venue: 'orca-whirlpool', reason, ...extra });
}

/** `get_start_tick_indexes`: the three array starts a swap in this direction reads. */
export function sequenceStartIndexes(tickCurrentIndex: number, tickSpacing: number, aToB: boolean): number[] {
  const ticksInArray = TICK_ARRAY_SIZE * tickSpacing;
  const base = tickArrayStartIndex(tickCurrentIndex, tickSpacing);
  let offsets: number[];
  if (aToB) offsets = [0, -1, -2];
  else offsets = tickCurrentIndex + tickSpacing >= base + ticksInArray ? [1, 2, 3] : [0, 1, 2];
  return offsets.map((o) => base + o * ticksInArray).filter((s) => isValidStartTick(s, tickSpacing));
}

function tickOffset(start: number, tick: number, spacing: number): number {
  return Math.floor((tick - start) / spacing);
}

function inSearchRange(start: number, tick: number, spacing: number, shifted: boolean): boolean {
  let lower = start;
  let upper = start + TICK_ARRAY_SIZE * spacing;
  if (shifted) {
    lower -= spacing;
    upper -= spacing;
  }
  return tick >= lower && tick < upper;
}

function missing(slot: SequenceArray, pool: string): never {
  throw dexError(
    'DEX_TICK_ARRAY_MISSING',
    `orca-whirlpool pool ${pool}: the swap reaches tick array ${slot.address} (start ${slot.start}), which was not provided (pass it, or a system-owned empty snapshot if it does not exist)`,
    { venue: 'orca-whirlpool', account: slot.address, field: 'tickArray', startTickIndex: slot.start, pool },
  );
}

/** Next initialized tick in one array from `tick` (inclusive going left, exclusive going right); null if none. */
function nextInitInArray(slot: SequenceArray, tick: number, spacing: number, aToB: boolean): number | null {
  if (!inSearchRange(slot.start, tick, spacing, !aToB)) rejected('InvalidTickArraySequence', `tick ${tick} is outside array ${slot.start}`);
  if (slot.status !== 'loaded') return null;
  const offsets = slot.data.initializedOffsets;
  let offset = tickOffset(slot.start, tick, spacing);
  if (aToB) {
    for (let i = offsets.length - 1; i >= 0; i--) if (offsets[i]! <= offset) return offsets[i]! * spacing + slot.start;
  } else {
    offset += 1;
    for (let i = 0; i < offsets.length; i++) if (offsets[i]! >= offset) return offsets[i]! * spacing + slot.start;
  }
  return null;
}

interface NextTick {
  arrayIndex: number;
  tickIndex: number;
  /** True when the target is only the edge of what we know (the next array was not provided). */
  provisional: boolean;
}

/** `SwapTickSequence::get_next_initialized_tick_index`, with unknown arrays stopping the search provisionally. */
function nextInitializedTick(seq: SequenceArray[], tick: number, spacing: number, aToB: boolean, startArray: number, pool: string): NextTick {
  const ticksInArray = TICK_ARRAY_SIZE * spacing;
  let search = tick;
  let i = startArray;
  for (;;) {
    const slot = seq[i];
    if (!slot) rejected('TickArraySequenceInvalidIndex', 'the swap needs more than the three tick arrays one instruction can read');
    if (slot.status === 'unknown') {
      const prev = seq[i - 1];
      if (i === startArray || !prev) missing(slot, pool);
      // everything before this array is known to hold no initialized tick in the swap's path
      return { arrayIndex: i - 1, tickIndex: aToB ? prev.start : prev.start + ticksInArray - 1, provisional: true };
    }
    const next = nextInitInArray(slot, search, spacing, aToB);
    if (next !== null) return { arrayIndex: i, tickIndex: next, provisional: false };
    if (aToB && slot.start <= MIN_TICK_INDEX) return { arrayIndex: i, tickIndex: MIN_TICK_INDEX, provisional: false };
    if (!aToB && slot.start + ticksInArray > MAX_TICK_INDEX) return { arrayIndex: i, tickIndex: MAX_TICK_INDEX, provisional: false };
    if (i + 1 === seq.length) return { arrayIndex: i, tickIndex: aToB ? slot.start : slot.start + ticksInArray - 1, provisional: false };
    search = aToB ? slot.start - 1 : slot.start + ticksInArray - 1;
    i += 1;
  }
}

/** `get_tick`: the tick at `tick` in sequence slot `i`, or null where the program's lookup fails. */
function tickAt(seq: SequenceArray[], i: number, tick: number, spacing: number): Tick | null {
  const slot = seq[i];
  if (!slot) return null;
  if (tick < slot.start || tick >= slot.start + TICK_ARRAY_SIZE * spacing) return null;
  if (tick < MIN_TICK_INDEX || tick > MAX_TICK_INDEX || tick % spacing !== 0) return null;
  const offset = tickOffset(slot.start, tick, spacing);
  if (offset < 0) return null;
  return slot.status === 'loaded' ? slot.data.ticks[offset]! : null;
}

/**
 * Runs the program's swap with no explicit price limit. `amount` is the pool-side amount (transfer
 * fees already removed). Exact-out swaps that cannot be filled completely are rejected (PartialFillError).
 */
export function swapWhirlpool(
  pool: Whirlpool,
  poolLabel: string,
  seq: SequenceArray[],
  amount: bigint,
  specifiedInput: boolean,
  aToB: boolean,
  feeManager: FeeRateManager = staticFeeRate(pool.feeRate),
): SwapResult {
  const limit = aToB ? MIN_SQRT_PRICE : MAX_SQRT_PRICE;
  if ((aToB && limit >= pool.sqrtPrice) || (!aToB && limit <= pool.sqrtPrice)) {
    rejected('InvalidSqrtPriceLimitDirection', `the price is already at the ${aToB ? 'minimum' : 'maximum'}`);
  }
  if (amount === 0n) rejected('ZeroTradableAmount', 'amount after transfer fee is 0');
  if (seq.length === 0) rejected('InvalidTickArraySequence', 'no valid tick array start for this direction');
  const spacing = pool.tickSpacing;
  const protocolFeeRate = BigInt(pool.protocolFeeRate);
  let amountRemaining = amount;
  let amountCalculated = 0n;
  let currSqrt = pool.sqrtPrice;
  let currTick = pool.tickCurrentIndex;
  let currLiquidity = pool.liquidity;
  let protocolFee = 0n;
  let feeSum = 0n;
  let arrayIndex = 0;
  let arraysUsed = 0;
  let ticksCrossed = 0;

  while (amountRemaining > 0n && currSqrt !== limit) {
    const next = nextInitializedTick(seq, currTick, spacing, aToB, arrayIndex, poolLabel);
    if (next.arrayIndex + 1 > arraysUsed) arraysUsed = next.arrayIndex + 1;
    const nextTickSqrt = sqrtPriceFromTickIndex(next.tickIndex);
    const target = aToB ? (nextTickSqrt > limit ? nextTickSqrt : limit) : nextTickSqrt < limit ? nextTickSqrt : limit;
    for (;;) {
      feeManager.updateVolatilityAccumulator();
      const feeRate = feeManager.totalFeeRate();
      const [bounded, skipped] = feeManager.boundedTarget(target, currLiquidity);
      const step = computeSwapStep(amountRemaining, BigInt(feeRate), currLiquidity, currSqrt, bounded, specifiedInput, aToB);
      if (next.provisional && step.nextSqrtPrice === nextTickSqrt) missing(seq[next.arrayIndex + 1]!, poolLabel);
      if (specifiedInput) {
        amountRemaining -= step.amountIn + step.feeAmount;
        if (amountRemaining < 0n) rejected('AmountRemainingOverflow', 'step consumed more than remained');
        amountCalculated += step.amountOut;
      } else {
        amountRemaining -= step.amountOut;
        if (amountRemaining < 0n) rejected('AmountRemainingOverflow', 'step produced more than remained');
        amountCalculated += step.amountIn + step.feeAmount;
      }
      if (amountCalculated > U64_MAX) rejected('AmountCalcOverflow', 'amount exceeds u64');
      feeSum += step.feeAmount;
      if (feeSum > U64_MAX) rejected('AmountCalcOverflow', 'fee exceeds u64');
      if (protocolFeeRate > 0n) protocolFee += (step.feeAmount * protocolFeeRate) / PROTOCOL_FEE_RATE_MUL_VALUE;

      if (step.nextSqrtPrice === nextTickSqrt) {
        const tick = tickAt(seq, next.arrayIndex, next.tickIndex, spacing);
        if (tick?.initialized) {
          const net = aToB ? -tick.liquidityNet : tick.liquidityNet;
          const updated = currLiquidity + net;
          if (updated < 0n) rejected('LiquidityUnderflow', `crossing tick ${next.tickIndex}`);
          if (updated > U128_MAX) rejected('LiquidityOverflow', `crossing tick ${next.tickIndex}`);
          currLiquidity = updated;
          ticksCrossed += 1;
        }
        const offset = tickOffset(seq[next.arrayIndex]!.start, next.tickIndex, spacing);
        arrayIndex = (aToB && offset === 0) || (!aToB && offset === TICK_ARRAY_SIZE - 1) ? next.arrayIndex + 1 : next.arrayIndex;
        currTick = aToB ? next.tickIndex - 1 : next.tickIndex;
      } else if (step.nextSqrtPrice !== currSqrt) {
        currTick = tickIndexFromSqrtPrice(step.nextSqrtPrice);
      }
      currSqrt = step.nextSqrtPrice;
      if (!skipped) feeManager.advanceTickGroup();
      else feeManager.advanceTickGroupAfterSkip(currSqrt, nextTickSqrt, next.tickIndex);
      if (amountRemaining === 0n || currSqrt === target) break;
    }
  }

  if (amountRemaining > 0n && !specifiedInput) {
    throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `orca-whirlpool pool ${poolLabel}: only ${amount - amountRemaining} of ${amount} can be bought (PartialFillError)`, {
      venue: 'orca-whirlpool',
      reason: 'PartialFillError',
      account: poolLabel,
      requested: amount,
      available: amount - amountRemaining,
    });
  }
  const swapped = amount - amountRemaining;
  const [amountA, amountB] = aToB === specifiedInput ? [swapped, amountCalculated] : [amountCalculated, swapped];
  return {
    amountA,
    amountB,
    feeAmount: feeSum,
    protocolFee,
    nextSqrtPrice: currSqrt,
    nextTickIndex: currTick,
    nextLiquidity: currLiquidity,
    ticksCrossed,
    arraysUsed,
  };
}

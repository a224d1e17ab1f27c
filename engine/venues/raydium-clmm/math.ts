/**
 * Raydium CLMM integer math, ported from the program (`programs/amm/src/libraries/*`): tick ↔
 * sqrt price, next sqrt price from an amount, token deltas, and one swap step (`compute_swap`).
 *
 * bigint is unbounded, so each Rust width (u64, u128, U256) is modelled by a range check at the
 * point where the program would fail (`None` → CalculateOverflow, a panicking cast, MaxTokenOverflow).
 */
import { Q64, U128_MAX, U256_MAX, U64_MAX } from '../math/index.ts';
import { swapRejected } from './errors.ts';

export { Q64, U64_MAX, U128_MAX, U256_MAX };

export const MIN_TICK = -443636;
export const MAX_TICK = 443636;
export const MIN_SQRT_PRICE_X64 = 4295048016n;
export const MAX_SQRT_PRICE_X64 = 79226673521066979257578248091n;

export const FEE_RATE_DENOMINATOR = 1_000_000n;
export const MAX_FEE_RATE_NUMERATOR = 100_000;
export const TICK_ARRAY_SIZE = 60;

/** `ceil(a * b / d)` with the result bounded by `max` (the program's `mul_div_ceil` → None). */
export function mulDivCeil(a: bigint, b: bigint, d: bigint, max: bigint, what: string): bigint {
  if (d === 0n) throw swapRejected('CalculateOverflow', `${what}: division by zero`);
  const r = (a * b + d - 1n) / d;
  if (r > max) throw swapRejected('CalculateOverflow', `${what}: result overflows`);
  return r;
}

/** `floor(a * b / d)` with the result bounded by `max`. */
export function mulDivFloor(a: bigint, b: bigint, d: bigint, max: bigint, what: string): bigint {
  if (d === 0n) throw swapRejected('CalculateOverflow', `${what}: division by zero`);
  const r = (a * b) / d;
  if (r > max) throw swapRejected('CalculateOverflow', `${what}: result overflows`);
  return r;
}

// Magic factors 2^64 / 1.0001^(2^(i-1)) from tick_math.rs, bits 1..18 (bit 0 is the start value).
const TICK_FACTORS: readonly bigint[] = [
  0xfffcb933bd6fb800n,
  0xfff97272373d4000n,
  0xfff2e50f5f657000n,
  0xffe5caca7e10f000n,
  0xffcb9843d60f7000n,
  0xff973b41fa98e800n,
  0xff2ea16466c9b000n,
  0xfe5dee046a9a3800n,
  0xfcbe86c7900bb000n,
  0xf987a7253ac65800n,
  0xf3392b0822bb6000n,
  0xe7159475a2caf000n,
  0xd097f3bdfd2f2000n,
  0xa9f746462d9f8000n,
  0x70d869a156f31c00n,
  0x31be135f97ed3200n,
  0x9aa508b5b85a500n,
  0x5d6af8dedc582cn,
  0x2216e584f5fan,
];

const SQRT_CACHE = new Map<number, bigint>();
const SQRT_CACHE_LIMIT = 200_000;

/** 1.0001^(tick/2) as Q64.64 (`get_sqrt_price_at_tick`); fails outside [MIN_TICK, MAX_TICK]. */
export function getSqrtPriceAtTick(tick: number): bigint {
  const cached = SQRT_CACHE.get(tick);
  if (cached !== undefined) return cached;
  if (!Number.isInteger(tick) || tick < MIN_TICK || tick > MAX_TICK) {
    throw swapRejected('TickUpperOverflow', `tick ${tick} is outside [${MIN_TICK}, ${MAX_TICK}]`);
  }
  const absTick = Math.abs(tick);
  let ratio = absTick & 1 ? TICK_FACTORS[0]! : Q64;
  for (let bit = 1; bit <= 18; bit++) {
    if (absTick & (1 << bit)) ratio = (ratio * TICK_FACTORS[bit]!) >> 64n;
  }
  if (tick > 0) ratio = U128_MAX / ratio;
  if (SQRT_CACHE.size >= SQRT_CACHE_LIMIT) SQRT_CACHE.clear();
  SQRT_CACHE.set(tick, ratio);
  return ratio;
}

function bitLength(x: bigint): number {
  // x > 0 and below 2^128 here
  const hi = x >> 64n;
  if (hi > 0n) return 64 + bitLength64(hi);
  return bitLength64(x);
}

function bitLength64(x: bigint): number {
  const hi = Number(x >> 32n);
  if (hi > 0) return 64 - Math.clz32(hi);
  return 32 - Math.clz32(Number(x & 0xffffffffn));
}

/** Greatest tick whose sqrt price is ≤ `sqrtPriceX64` (`get_tick_at_sqrt_price`, 16-bit log refinement). */
export function getTickAtSqrtPrice(sqrtPriceX64: bigint): number {
  if (sqrtPriceX64 < MIN_SQRT_PRICE_X64 || sqrtPriceX64 >= MAX_SQRT_PRICE_X64) {
    throw swapRejected('SqrtPriceX64', `sqrt price ${sqrtPriceX64} is outside the valid range`);
  }
  const msb = bitLength(sqrtPriceX64) - 1;
  const log2pIntegerX32 = BigInt(msb - 64) << 32n;
  let bit = 0x8000_0000_0000_0000n;
  let log2pFractionX64 = 0n;
  let r = msb >= 64 ? sqrtPriceX64 >> BigInt(msb - 63) : sqrtPriceX64 << BigInt(63 - msb);
  for (let precision = 0; precision < 16; precision++) {
    r *= r;
    const isRMoreThanTwo = r >> 127n;
    r >>= 63n + isRMoreThanTwo;
    if (isRMoreThanTwo) log2pFractionX64 += bit;
    bit >>= 1n;
  }
  const log2pX32 = log2pIntegerX32 + (log2pFractionX64 >> 32n);
  const logSqrt10001X64 = log2pX32 * 59543866431248n;
  const tickLow = Number((logSqrt10001X64 - 184467440737095516n) >> 64n);
  const tickHigh = Number((logSqrt10001X64 + 15793534762490258745n) >> 64n);
  if (tickLow === tickHigh) return tickLow;
  return getSqrtPriceAtTick(tickHigh) <= sqrtPriceX64 ? tickHigh : tickLow;
}

/** Token-0 price (Q64.64) from a sqrt price (`get_price_from_sqrt_price`); fails above u128. */
export function getPriceFromSqrtPrice(sqrtPriceX64: bigint, roundUp: boolean): bigint {
  let prod = sqrtPriceX64 * sqrtPriceX64;
  if (roundUp) prod += Q64 - 1n;
  const price = prod >> 64n;
  if (price > U128_MAX) throw swapRejected('CalculateOverflow', 'price from sqrt price overflows u128');
  return price;
}

function divRoundingUp(x: bigint, y: bigint): bigint {
  const q = x / y;
  return q * y === x ? q : q + 1n;
}

/** √P' after adding (`add`) or removing token 0, rounded up (`get_next_sqrt_price_from_amount_0_rounding_up`). */
export function nextSqrtPriceFromAmount0RoundingUp(sqrtPriceX64: bigint, liquidity: bigint, amount: bigint, add: boolean): bigint {
  if (amount === 0n) return sqrtPriceX64;
  const numerator1 = liquidity << 64n;
  const product = amount * sqrtPriceX64;
  let result: bigint;
  if (add) {
    // U256 never overflows here (192-bit operands), so the program always takes the first branch.
    const denominator = numerator1 + product;
    result = (numerator1 * sqrtPriceX64 + denominator - 1n) / denominator;
  } else {
    if (product > numerator1) throw swapRejected('CalculateOverflow', 'amount 0 exceeds the liquidity in range');
    const denominator = numerator1 - product;
    if (denominator === 0n) throw swapRejected('CalculateOverflow', 'amount 0 drains the liquidity in range');
    result = (numerator1 * sqrtPriceX64 + denominator - 1n) / denominator;
    if (result > U256_MAX) throw swapRejected('CalculateOverflow', 'next sqrt price overflows U256');
  }
  if (result > U128_MAX) throw swapRejected('CalculateOverflow', 'next sqrt price overflows u128');
  return result;
}

/** √P' after adding (`add`) or removing token 1, rounded down (`get_next_sqrt_price_from_amount_1_rounding_down`). */
export function nextSqrtPriceFromAmount1RoundingDown(sqrtPriceX64: bigint, liquidity: bigint, amount: bigint, add: boolean): bigint {
  if (amount === 0n) return sqrtPriceX64;
  if (add) {
    const r = sqrtPriceX64 + (amount << 64n) / liquidity;
    if (r > U128_MAX) throw swapRejected('CalculateOverflow', 'next sqrt price overflows u128');
    return r;
  }
  const quotient = divRoundingUp(amount << 64n, liquidity);
  if (quotient > sqrtPriceX64) throw swapRejected('CalculateOverflow', 'amount 1 exceeds the liquidity in range');
  return sqrtPriceX64 - quotient;
}

function requireSqrtPriceAndLiquidity(sqrtPriceX64: bigint, liquidity: bigint): void {
  if (sqrtPriceX64 < MIN_SQRT_PRICE_X64 || sqrtPriceX64 >= MAX_SQRT_PRICE_X64) {
    throw swapRejected('SqrtPriceX64', `sqrt price ${sqrtPriceX64} is outside the valid range`);
  }
  if (liquidity <= 0n) throw swapRejected('ZeroLiquidity', 'no liquidity in range');
}

/** `get_next_sqrt_price_from_input`. */
export function nextSqrtPriceFromInput(sqrtPriceX64: bigint, liquidity: bigint, amountIn: bigint, zeroForOne: boolean): bigint {
  requireSqrtPriceAndLiquidity(sqrtPriceX64, liquidity);
  return zeroForOne
    ? nextSqrtPriceFromAmount0RoundingUp(sqrtPriceX64, liquidity, amountIn, true)
    : nextSqrtPriceFromAmount1RoundingDown(sqrtPriceX64, liquidity, amountIn, true);
}

/** `get_next_sqrt_price_from_output`. */
export function nextSqrtPriceFromOutput(sqrtPriceX64: bigint, liquidity: bigint, amountOut: bigint, zeroForOne: boolean): bigint {
  requireSqrtPriceAndLiquidity(sqrtPriceX64, liquidity);
  return zeroForOne
    ? nextSqrtPriceFromAmount1RoundingDown(sqrtPriceX64, liquidity, amountOut, false)
    : nextSqrtPriceFromAmount0RoundingUp(sqrtPriceX64, liquidity, amountOut, false);
}

/**
 * `(amount_in, amount_out)` to move between two sqrt prices (`get_delta_amounts_for_swap`): input
 * rounded up, output down. `null` stands for the program's MaxTokenOverflow (either side above u64).
 */
export function deltaAmountsForSwap(sqrtA: bigint, sqrtB: bigint, liquidity: bigint, zeroForOne: boolean): [bigint, bigint] | null {
  let a = sqrtA;
  let b = sqrtB;
  if (a > b) {
    a = sqrtB;
    b = sqrtA;
  }
  if (a <= 0n) throw swapRejected('ZeroSqrtPrice', 'sqrt price is zero');
  const amount1X64 = liquidity * (b - a);
  const product = a * b;
  let amountIn: bigint;
  let amountOut: bigint;
  if (zeroForOne) {
    amountIn = ((amount1X64 << 64n) + product - 1n) / product;
    amountOut = amount1X64 >> 64n;
  } else {
    amountIn = (amount1X64 + U64_MAX) >> 64n;
    amountOut = (amount1X64 << 64n) / product;
  }
  if (amountIn > U64_MAX || amountOut > U64_MAX) return null;
  return [amountIn, amountOut];
}

export interface SwapStep {
  sqrtPriceNextX64: bigint;
  amountIn: bigint;
  amountOut: bigint;
  feeAmount: bigint;
}

/**
 * One swap step toward `sqrtPriceTargetX64` (`swap_math::compute_swap`), with the fee taken from
 * the input or the output side as the pool's `fee_on` says.
 */
export function computeSwapStep(
  sqrtPriceCurrentX64: bigint,
  sqrtPriceTargetX64: bigint,
  liquidity: bigint,
  amountRemaining: bigint,
  feeRate: number,
  isBaseInput: boolean,
  zeroForOne: boolean,
  isFeeOnInput: boolean,
): SwapStep {
  const rate = BigInt(feeRate);
  const keep = FEE_RATE_DENOMINATOR - rate;
  if (keep < 0n) throw swapRejected('CalculateOverflow', `fee rate ${feeRate} exceeds the fee denominator`);
  let amountForPriceCalc: bigint;
  if (isBaseInput) {
    amountForPriceCalc = isFeeOnInput ? (amountRemaining * keep) / FEE_RATE_DENOMINATOR : amountRemaining;
  } else if (isFeeOnInput) {
    amountForPriceCalc = amountRemaining;
  } else {
    amountForPriceCalc = mulDivCeil(amountRemaining, FEE_RATE_DENOMINATOR, keep, U64_MAX, 'gross output');
  }

  let sqrtPriceNextX64: bigint;
  let amountIn: bigint;
  let amountOut: bigint;
  const atTarget = deltaAmountsForSwap(sqrtPriceTargetX64, sqrtPriceCurrentX64, liquidity, zeroForOne);
  if (atTarget !== null && amountForPriceCalc >= (isBaseInput ? atTarget[0] : atTarget[1])) {
    sqrtPriceNextX64 = sqrtPriceTargetX64;
    amountIn = atTarget[0];
    amountOut = atTarget[1];
  } else {
    sqrtPriceNextX64 = isBaseInput
      ? nextSqrtPriceFromInput(sqrtPriceCurrentX64, liquidity, amountForPriceCalc, zeroForOne)
      : nextSqrtPriceFromOutput(sqrtPriceCurrentX64, liquidity, amountForPriceCalc, zeroForOne);
    const amounts = deltaAmountsForSwap(sqrtPriceNextX64, sqrtPriceCurrentX64, liquidity, zeroForOne);
    if (amounts === null) throw swapRejected('MaxTokenOverflow', 'swap step amount exceeds u64');
    amountIn = amounts[0];
    amountOut = amounts[1];
  }

  if (zeroForOne ? sqrtPriceNextX64 < sqrtPriceTargetX64 : sqrtPriceTargetX64 < sqrtPriceNextX64) {
    throw swapRejected('RequireGteViolated', 'swap step moved past its target price');
  }

  let feeAmount: bigint;
  const reached = sqrtPriceNextX64 === sqrtPriceTargetX64;
  if (isBaseInput) {
    if (isFeeOnInput) {
      if (!reached) {
        if (amountIn > amountRemaining) throw swapRejected('CalculateOverflow', 'fee below zero');
        feeAmount = amountRemaining - amountIn;
      } else {
        feeAmount = mulDivCeil(amountIn, rate, keep, U64_MAX, 'fee');
      }
    } else {
      feeAmount = mulDivCeil(amountOut, rate, FEE_RATE_DENOMINATOR, U64_MAX, 'fee');
      if (feeAmount > amountOut) throw swapRejected('CalculateOverflow', 'fee exceeds output');
      amountOut -= feeAmount;
      // The dust the price move cannot absorb is charged to the taker (it would stall the loop).
      if (!reached) amountIn = amountRemaining;
    }
  } else if (isFeeOnInput) {
    if (amountOut > amountRemaining) amountOut = amountRemaining;
    feeAmount = mulDivCeil(amountIn, rate, keep, U64_MAX, 'fee');
  } else {
    feeAmount = mulDivCeil(amountOut, rate, FEE_RATE_DENOMINATOR, U64_MAX, 'fee');
    if (feeAmount > amountOut) throw swapRejected('CalculateOverflow', 'fee exceeds output');
    const netOutput = amountOut - feeAmount;
    if (netOutput > amountRemaining) {
      feeAmount = amountOut - amountRemaining;
      amountOut = amountRemaining;
    } else {
      amountOut = netOutput;
    }
  }
  return { sqrtPriceNextX64, amountIn, amountOut, feeAmount };
}

/** Start index of the tick array holding `tick` (`TickArrayState::get_array_start_index`). */
export function tickArrayStartIndex(tick: number, tickSpacing: number): number {
  const ticksInArray = TICK_ARRAY_SIZE * tickSpacing;
  let start = Math.trunc(tick / ticksInArray);
  if (tick < 0 && tick % ticksInArray !== 0) start -= 1;
  return start * ticksInArray;
}

/** `tick_spacing_index_from_tick`: floor(tick / spacing). */
export function tickSpacingIndexFromTick(tick: number, tickSpacing: number): number {
  return Math.floor(tick / tickSpacing);
}

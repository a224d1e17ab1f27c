/**
 * One swap step, as the Whirlpool program computes it (`math/token_math.rs`, `math/swap_math.rs`,
 * `math/bit_math.rs`). U256 intermediates are bigints; every place the program would fail on width
 * (u64 / u128 / U256-word overflow) is checked and turned into `DEX_SWAP_REJECTED`.
 */
import { dexError } from '../codec/index.ts';
import { Q64_MASK, U128_MAX, U64_MAX } from '../math/index.ts';
import { MAX_SQRT_PRICE, MIN_SQRT_PRICE } from './tick-math.ts';

const U192 = 1n << 192n;
export const FEE_RATE_MUL_VALUE = 1_000_000n;
export const PROTOCOL_FEE_RATE_MUL_VALUE = 10_000n;
/** Sentinel for the program's `AmountDeltaU64::ExceedsMax`. */
const EXCEEDS = -1n;

function fail(reason: string, detail: string): never {
  throw dexError('DEX_SWAP_REJECTED', `orca-whirlpool would reject the swap: ${reason} (${detail})`, { venue: 'orca-whirlpool', reason });
}

/** `try_get_amount_delta_a`: token A between two sqrt prices; EXCEEDS (-1n) when > u64. */
function tryAmountDeltaA(p0: bigint, p1: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const lower = p0 < p1 ? p0 : p1;
  const upper = p0 < p1 ? p1 : p0;
  const product = liquidity * (upper - lower);
  if (product >= U192) fail('MultiplicationOverflow', 'liquidity × Δsqrt_price does not fit 192 bits');
  const numerator = product << 64n;
  const denominator = upper * lower;
  let q = numerator / denominator;
  if (roundUp && q * denominator !== numerator) q += 1n;
  return q > U64_MAX ? EXCEEDS : q;
}

/** `try_get_amount_delta_b`: token B between two sqrt prices; EXCEEDS (-1n) when > u64. */
function tryAmountDeltaB(p0: bigint, p1: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const diff = p0 < p1 ? p1 - p0 : p0 - p1;
  if (liquidity === 0n || diff === 0n) return 0n;
  const p = liquidity * diff;
  if (p > U128_MAX) return EXCEEDS;
  const result = p >> 64n;
  const shouldRound = roundUp && (p & Q64_MASK) > 0n;
  if (shouldRound && result === U64_MAX) return EXCEEDS;
  return shouldRound ? result + 1n : result;
}

function amountDeltaA(p0: bigint, p1: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const v = tryAmountDeltaA(p0, p1, liquidity, roundUp);
  if (v === EXCEEDS) fail('TokenMaxExceeded', 'token A delta exceeds u64');
  return v;
}

function amountDeltaB(p0: bigint, p1: bigint, liquidity: bigint, roundUp: boolean): bigint {
  const v = tryAmountDeltaB(p0, p1, liquidity, roundUp);
  if (v === EXCEEDS) fail('MultiplicationShiftRightOverflow', 'token B delta exceeds u64');
  return v;
}

/** `get_next_sqrt_price_from_a_round_up`. */
function nextSqrtPriceFromA(sqrtPrice: bigint, liquidity: bigint, amount: bigint, isInput: boolean): bigint {
  if (amount === 0n) return sqrtPrice;
  const product = sqrtPrice * amount;
  const lp = liquidity * sqrtPrice;
  if (lp >= U192) fail('MultiplicationOverflow', 'liquidity × sqrt_price does not fit 192 bits');
  const numerator = lp << 64n;
  const liquidityShifted = liquidity << 64n;
  if (!isInput && liquidityShifted <= product) fail('DivideByZero', 'exact-out amount of A exceeds what the liquidity holds');
  const denominator = isInput ? liquidityShifted + product : liquidityShifted - product;
  let price = numerator / denominator;
  if (price * denominator !== numerator) price += 1n;
  if (price > U128_MAX) fail('NumberDownCastError', 'next sqrt price exceeds u128');
  if (price < MIN_SQRT_PRICE) fail('TokenMinSubceeded', 'next sqrt price below the minimum');
  if (price > MAX_SQRT_PRICE) fail('TokenMaxExceeded', 'next sqrt price above the maximum');
  return price;
}

/** `get_next_sqrt_price_from_b_round_down`. */
function nextSqrtPriceFromB(sqrtPrice: bigint, liquidity: bigint, amount: bigint, isInput: boolean): bigint {
  if (liquidity === 0n) fail('DivideByZero', 'zero liquidity');
  const amountX64 = amount << 64n;
  let delta = amountX64 / liquidity;
  if (!isInput && delta * liquidity !== amountX64) delta += 1n;
  if (isInput) {
    const next = sqrtPrice + delta;
    if (next > U128_MAX) fail('SqrtPriceOutOfBounds', 'sqrt price overflows u128');
    return next;
  }
  if (delta > sqrtPrice) fail('SqrtPriceOutOfBounds', 'sqrt price underflows');
  return sqrtPrice - delta;
}

export interface SwapStep {
  amountIn: bigint;
  amountOut: bigint;
  nextSqrtPrice: bigint;
  feeAmount: bigint;
}

/** `compute_swap`: one step from `current` toward `target` with `amountRemaining` left (fee rate in 1e-6). */
export function computeSwapStep(
  amountRemaining: bigint,
  feeRate: bigint,
  liquidity: bigint,
  current: bigint,
  target: bigint,
  specifiedInput: boolean,
  aToB: boolean,
): SwapStep {
  const fixedIsA = aToB === specifiedInput;
  const initialFixed = fixedIsA
    ? tryAmountDeltaA(current, target, liquidity, specifiedInput)
    : tryAmountDeltaB(current, target, liquidity, specifiedInput);
  const amountCalc = specifiedInput ? (amountRemaining * (FEE_RATE_MUL_VALUE - feeRate)) / FEE_RATE_MUL_VALUE : amountRemaining;
  let nextSqrtPrice: bigint;
  if (initialFixed !== EXCEEDS && initialFixed <= amountCalc) nextSqrtPrice = target;
  else nextSqrtPrice = fixedIsA ? nextSqrtPriceFromA(current, liquidity, amountCalc, specifiedInput) : nextSqrtPriceFromB(current, liquidity, amountCalc, specifiedInput);
  const isMaxSwap = nextSqrtPrice === target;
  const unfixed = fixedIsA
    ? amountDeltaB(current, nextSqrtPrice, liquidity, !specifiedInput)
    : amountDeltaA(current, nextSqrtPrice, liquidity, !specifiedInput);
  let fixed: bigint;
  if (!isMaxSwap || initialFixed === EXCEEDS) {
    fixed = fixedIsA ? amountDeltaA(current, nextSqrtPrice, liquidity, specifiedInput) : amountDeltaB(current, nextSqrtPrice, liquidity, specifiedInput);
  } else fixed = initialFixed;
  const amountIn = specifiedInput ? fixed : unfixed;
  let amountOut = specifiedInput ? unfixed : fixed;
  if (!specifiedInput && amountOut > amountRemaining) amountOut = amountRemaining;
  let feeAmount: bigint;
  if (specifiedInput && !isMaxSwap) feeAmount = amountRemaining - amountIn;
  else {
    const n = amountIn * feeRate;
    const d = FEE_RATE_MUL_VALUE - feeRate;
    feeAmount = n / d;
    if (feeAmount * d !== n) feeAmount += 1n;
    if (feeAmount > U64_MAX) fail('NumberDownCastError', 'fee exceeds u64');
  }
  return { amountIn, amountOut, nextSqrtPrice, feeAmount };
}

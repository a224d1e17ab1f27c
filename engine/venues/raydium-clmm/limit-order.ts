/**
 * Limit orders resting on a Raydium CLMM tick, matched when the swap reaches the tick's price
 * (`TickState::match_limit_order_with_sqrt_price`, `states/tick_array.rs`).
 */
import { swapRejected } from './errors.ts';
import { FEE_RATE_DENOMINATOR, Q64, U128_MAX, U64_MAX, getPriceFromSqrtPrice, mulDivCeil, mulDivFloor } from './math.ts';
import type { ClmmTick } from './layout.ts';

/** A fill against the tick's orders, and the tick's order amounts after it. */
export interface LimitOrderMatch {
  amountIn: bigint;
  amountOut: bigint;
  ammFeeAmount: bigint;
  ordersAmount: bigint;
  partFilledOrdersRemaining: bigint;
}

/** `TickState::match_limit_order_with_sqrt_price`, returning the tick's limit-order amounts after the fill. */
export function matchLimitOrder(
  tick: ClmmTick,
  swapAmount: bigint,
  zeroForOne: boolean,
  isBaseInput: boolean,
  feeRate: number,
  isFeeOnInput: boolean,
  sqrtPriceX64: bigint,
): LimitOrderMatch {
  let orders = tick.ordersAmount;
  let part = tick.partFilledOrdersRemaining;
  const unfilled = orders + part;
  if (unfilled > U64_MAX) throw swapRejected('CalculateOverflow', `limit orders at tick ${tick.tick} overflow u64`);
  const result: LimitOrderMatch = { amountIn: 0n, amountOut: 0n, ammFeeAmount: 0n, ordersAmount: orders, partFilledOrdersRemaining: part };
  if (swapAmount === 0n || unfilled === 0n) return result;

  const rate = BigInt(feeRate);
  const keep = FEE_RATE_DENOMINATOR - rate;
  const price = getPriceFromSqrtPrice(sqrtPriceX64, !zeroForOne);
  // Input needed for `out` resting-order atoms (the order sells the swap's output token), rounded up.
  const inputFor = (out: bigint): bigint =>
    zeroForOne ? mulDivCeil(out, Q64, price, U128_MAX, 'limit order input') : mulDivCeil(out, price, Q64, U128_MAX, 'limit order input');
  const checkedInput = (out: bigint): bigint => {
    const v = inputFor(out);
    if (v > U64_MAX) throw swapRejected('CalculateOverflow', 'limit order input exceeds u64');
    return v;
  };

  if (isBaseInput) {
    if (isFeeOnInput) {
      result.ammFeeAmount = mulDivCeil(swapAmount, rate, FEE_RATE_DENOMINATOR, U64_MAX, 'limit order fee');
      result.amountIn = swapAmount - result.ammFeeAmount;
    } else {
      result.amountIn = swapAmount;
    }
    const matched = zeroForOne
      ? mulDivFloor(result.amountIn, price, Q64, U128_MAX, 'limit order output')
      : mulDivFloor(result.amountIn, Q64, price, U128_MAX, 'limit order output');
    if (matched > unfilled) {
      result.amountOut = unfilled;
      result.amountIn = checkedInput(unfilled);
      if (isFeeOnInput) result.ammFeeAmount = mulDivCeil(result.amountIn, rate, keep, U64_MAX, 'limit order fee');
    } else {
      result.amountOut = matched;
    }
  } else {
    const net = swapAmount < unfilled ? swapAmount : unfilled;
    if (isFeeOnInput) {
      result.amountOut = net;
    } else {
      const gross = mulDivCeil(net, FEE_RATE_DENOMINATOR, keep, U64_MAX, 'limit order gross output');
      result.amountOut = gross < unfilled ? gross : unfilled;
    }
    result.amountIn = checkedInput(result.amountOut);
    if (isFeeOnInput) result.ammFeeAmount = mulDivCeil(result.amountIn, rate, keep, U64_MAX, 'limit order fee');
  }

  // Partially filled cohort first (FIFO), then fresh orders.
  let fromPart = 0n;
  if (part > 0n) {
    fromPart = part < result.amountOut ? part : result.amountOut;
    part -= fromPart;
  }
  const rest = result.amountOut > fromPart ? result.amountOut - fromPart : 0n;
  if (rest > 0n) {
    if (part !== 0n) throw swapRejected('RequireEqViolated', `limit orders at tick ${tick.tick}: partial cohort not drained`);
    if (orders < rest) throw swapRejected('InvalidLimitOrderAmount', `limit orders at tick ${tick.tick} hold less than the fill`);
    part = orders - rest;
    orders = 0n;
  }
  if (!isFeeOnInput) {
    result.ammFeeAmount = mulDivCeil(result.amountOut, rate, FEE_RATE_DENOMINATOR, U64_MAX, 'limit order fee');
    if (result.ammFeeAmount > result.amountOut) throw swapRejected('CalculateOverflow', 'limit order fee exceeds output');
    result.amountOut -= result.ammFeeAmount;
  }
  result.ordersAmount = orders;
  result.partFilledOrdersRemaining = part;
  return result;
}


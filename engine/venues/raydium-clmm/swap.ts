/**
 * The Raydium CLMM swap loop (`instructions/swap.rs` `swap_internal`) replayed off chain: walk
 * initialized ticks through the tick arrays the bitmap points to, one `compute_swap` step at a time,
 * with the pool's `fee_on` side, the dynamic (volatility) fee and limit orders resting on ticks,
 * exactly as the program does. Nothing here mutates the decoded state.
 */
import { requireU64Amount } from '../math/index.ts';
import { dexError, swapRejected } from './errors.ts';
import {
  FEE_RATE_DENOMINATOR,
  MAX_FEE_RATE_NUMERATOR,
  MAX_SQRT_PRICE_X64,
  MAX_TICK,
  MIN_SQRT_PRICE_X64,
  MIN_TICK,
  U128_MAX,
  U64_MAX,
  computeSwapStep,
  getSqrtPriceAtTick,
  getTickAtSqrtPrice,
  tickArrayStartIndex,
  tickSpacingIndexFromTick,
} from './math.ts';
import type { AmmConfig, ClmmPoolState, ClmmTick } from './layout.ts';
import { dynamicFeeRate, startDynamicFee, updateVolatilityAccumulator } from './dynamic-fee.ts';
import { matchLimitOrder } from './limit-order.ts';
import type { TickArrayIndex } from './bitmap.ts';

/** A decoded tick array with its initialized ticks listed for fast search. */
export interface ClmmTickArray {
  address: string;
  startTickIndex: number;
  ticks: ClmmTick[];
  /** Offsets (0..59) of initialized ticks (liquidity or resting limit orders), ascending. */
  initializedOffsets: number[];
  initializedTickCount: number;
}

/** Everything `simulateSwap` reads. */
export interface ClmmSwapContext {
  poolAddress: string;
  pool: ClmmPoolState;
  config: AmmConfig;
  bitmap: TickArrayIndex;
  tickArrays: ReadonlyMap<number, ClmmTickArray>;
}

export interface ClmmSwapResult {
  /** Specified amount not swapped (0 unless the price limit stopped the swap). */
  amountSpecifiedRemaining: bigint;
  /** Output (exact in) or input (exact out) computed by the swap. */
  amountCalculated: bigint;
  /** Trade fee charged (LP + protocol + fund), in the fee token. */
  feeAmount: bigint;
  /**
   * Part of `feeAmount` charged while no liquidity was in range (a limit-order fill or a step across
   * an empty range): its LP share goes to the protocol. The SDK leaves this share out of its fee.
   */
  lpShareWithoutLiquidity: bigint;
  sqrtPriceX64: bigint;
  tick: number;
  liquidity: bigint;
  /** Tick arrays the swap walked through, in order. */
  tickArrays: string[];
}

/**
 * More swap steps than any transaction can run: the program spends thousands of compute units per
 * step and a transaction has 1.4 M. A swap needing more is refused instead of simulated for seconds.
 */
export const MAX_SWAP_STEPS = 5000;
const I32_MAX = 2_147_483_647;
const I32_MIN = -2_147_483_648;

/** `is_initialized`: liquidity referencing the tick, or limit orders resting on it. */
export function tickIsInitialized(t: ClmmTick): boolean {
  return t.liquidityGross > 0n || t.ordersAmount > 0n || t.partFilledOrdersRemaining > 0n;
}

/** Lists the initialized offsets of a decoded tick array. */
export function initializedOffsets(ticks: readonly ClmmTick[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < ticks.length; i++) if (tickIsInitialized(ticks[i]!)) out.push(i);
  return out;
}

/** Whether a pool's fee is taken from the swap input (`is_fee_on_input`). */
export function isFeeOnInput(feeOn: number, zeroForOne: boolean): boolean {
  if (feeOn === 1) return zeroForOne;
  if (feeOn === 2) return !zeroForOne;
  return true;
}

/** Whether a pool's fee is taken in token 0 (`is_fee_on_token0`). */
export function isFeeOnToken0(feeOn: number, zeroForOne: boolean): boolean {
  if (feeOn === 1) return true;
  if (feeOn === 2) return false;
  return zeroForOne;
}

function saturatingI32(x: number): number {
  return x > I32_MAX ? I32_MAX : x < I32_MIN ? I32_MIN : x;
}

/** Next initialized tick within one array (`next_initialized_tick`), or undefined. */
function nextInitializedTickInArray(arr: ClmmTickArray, currentTick: number, tickSpacing: number, zeroForOne: boolean): ClmmTick | undefined {
  if (tickArrayStartIndex(currentTick, tickSpacing) !== arr.startTickIndex) return undefined;
  const offset = Math.trunc((currentTick - arr.startTickIndex) / tickSpacing);
  const list = arr.initializedOffsets;
  if (zeroForOne) {
    for (let i = list.length - 1; i >= 0; i--) if (list[i]! <= offset) return arr.ticks[list[i]!];
  } else {
    for (let i = 0; i < list.length; i++) if (list[i]! > offset) return arr.ticks[list[i]!];
  }
  return undefined;
}

/** First initialized tick of an array in the swap direction (`first_initialized_tick`). */
function firstInitializedTick(arr: ClmmTickArray, zeroForOne: boolean): ClmmTick {
  const list = arr.initializedOffsets;
  if (list.length === 0) {
    throw swapRejected('InvalidTickArray', `tick array ${arr.address} (start ${arr.startTickIndex}) has no initialized tick`, { account: arr.address });
  }
  return arr.ticks[zeroForOne ? list[list.length - 1]! : list[0]!]!;
}

export interface SimulateSwapOptions {
  /** Unix time (seconds) the swap runs at: drives the dynamic fee. */
  unixTimestamp: number;
  /** Price limit; 0 means none (the program then uses MIN+1 / MAX−1). */
  sqrtPriceLimitX64?: bigint;
}

/** Replays `swap_internal` for `amountSpecified` (exact in when `isBaseInput`) in direction `zeroForOne`. */
export function simulateSwap(ctx: ClmmSwapContext, amountSpecified: bigint, zeroForOne: boolean, isBaseInput: boolean, opts: SimulateSwapOptions): ClmmSwapResult {
  const { pool, config, bitmap } = ctx;
  requireU64Amount(amountSpecified, 'amount');
  if ((pool.status & (1 << 4)) !== 0) {
    throw dexError('DEX_POOL_NOT_TRADING', `Raydium CLMM pool ${ctx.poolAddress} has swaps disabled (status ${pool.status})`, {
      account: ctx.poolAddress,
      field: 'status',
      value: pool.status,
      reason: 'NotApproved',
    });
  }
  let limit = opts.sqrtPriceLimitX64 ?? 0n;
  if (limit === 0n) limit = zeroForOne ? MIN_SQRT_PRICE_X64 + 1n : MAX_SQRT_PRICE_X64 - 1n;
  if (zeroForOne ? !(limit < pool.sqrtPriceX64 && limit > MIN_SQRT_PRICE_X64) : !(limit > pool.sqrtPriceX64 && limit < MAX_SQRT_PRICE_X64)) {
    throw swapRejected('SqrtPriceLimitOverflow', `price limit ${limit} is not beyond the pool price ${pool.sqrtPriceX64} in the swap direction`);
  }

  const tickSpacing = pool.tickSpacing;
  const first = bitmap.first(pool.tickCurrent, zeroForOne);
  let firstContainsPoolTick = first.containsPoolTick;
  let currentValidStart = first.startIndex;
  const arrayAt = (start: number): ClmmTickArray => {
    const arr = ctx.tickArrays.get(start);
    if (!arr) {
      throw dexError('DEX_TICK_ARRAY_MISSING', `Raydium CLMM pool ${ctx.poolAddress}: tick array with start index ${start} is needed but was not provided`, {
        account: ctx.poolAddress,
        startTickIndex: start,
        reason: 'NotEnoughTickArrayAccount',
      });
    }
    return arr;
  };
  let arr = arrayAt(currentValidStart);
  const touched = [arr.address];
  const feeOnInput = isFeeOnInput(pool.feeOn, zeroForOne);
  const baseFeeRate = config.tradeFeeRate;
  const checkFeeSplit = config.protocolFeeRate + config.fundFeeRate > 1_000_000;
  const protocolRate = BigInt(config.protocolFeeRate);
  const fundRate = BigInt(config.fundFeeRate);

  let remaining = amountSpecified;
  let calculated = 0n;
  let feeTotal = 0n;
  let lpShareWithoutLiquidity = 0n;
  let sqrtPrice = pool.sqrtPriceX64;
  let tick = pool.tickCurrent;
  let liquidity = pool.liquidity;
  let tickSpacingIndex = 0;
  const dyn = pool.dynamicFeeInfo.disabled ? undefined : startDynamicFee(pool.dynamicFeeInfo, tickSpacingIndexFromTick(tick, tickSpacing), opts.unixTimestamp);
  if (dyn) tickSpacingIndex = tickSpacingIndexFromTick(tick, tickSpacing);
  let countChanges: Map<number, number> | undefined;
  let steps = 0;

  const apply = (amountIn: bigint, amountOut: bigint, fee: bigint): void => {
    const consumed = feeOnInput ? amountIn + fee : amountIn;
    if (consumed > U64_MAX) throw swapRejected('CalculateOverflow', 'input plus fee exceeds u64');
    if (isBaseInput) {
      if (consumed > remaining) throw swapRejected('CalculateOverflow', 'step consumed more than the remaining input');
      remaining -= consumed;
      calculated += amountOut;
    } else {
      if (amountOut > remaining) throw swapRejected('CalculateOverflow', 'step produced more than the remaining output');
      remaining -= amountOut;
      calculated += consumed;
    }
    if (calculated > U64_MAX) throw swapRejected('CalculateOverflow', 'swap amount exceeds u64');
    if (checkFeeSplit && fee > 0n && (fee * protocolRate) / FEE_RATE_DENOMINATOR + (fee * fundRate) / FEE_RATE_DENOMINATOR > fee) {
      throw swapRejected('CalculateOverflow', 'protocol + fund fee exceed the trade fee');
    }
    feeTotal += fee;
    if (feeTotal > U64_MAX) throw swapRejected('CalculateOverflow', 'fee total exceeds u64');
    if (liquidity === 0n && fee > 0n) {
      lpShareWithoutLiquidity += fee - (fee * protocolRate) / FEE_RATE_DENOMINATOR - (fee * fundRate) / FEE_RATE_DENOMINATOR;
    }
  };

  while (remaining !== 0n && sqrtPrice !== limit) {
    let next = nextInitializedTickInArray(arr, tick, tickSpacing, zeroForOne);
    if (!next) {
      if (!firstContainsPoolTick) {
        firstContainsPoolTick = true;
        next = firstInitializedTick(arr, zeroForOne);
      } else {
        const nextStart = bitmap.next(currentValidStart, zeroForOne);
        if (nextStart === undefined) {
          throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `Raydium CLMM pool ${ctx.poolAddress}: not enough liquidity for the swap`, {
            account: ctx.poolAddress,
            reason: 'LiquidityInsufficient',
          });
        }
        arr = arrayAt(nextStart);
        touched.push(arr.address);
        currentValidStart = nextStart;
        next = firstInitializedTick(arr, zeroForOne);
      }
    }

    // get_target_price_based_on_next_tick
    let tickNext = next.tick;
    if (tickNext < MIN_TICK) tickNext = MIN_TICK;
    else if (tickNext > MAX_TICK) tickNext = MAX_TICK;
    const sqrtPriceNext = getSqrtPriceAtTick(tickNext);
    const target = zeroForOne ? (sqrtPriceNext < limit ? limit : sqrtPriceNext) : sqrtPriceNext > limit ? limit : sqrtPriceNext;
    if (zeroForOne ? !(tick >= tickNext && sqrtPrice >= sqrtPriceNext && sqrtPrice >= target) : !(tickNext > tick && sqrtPriceNext >= sqrtPrice && target >= sqrtPrice)) {
      throw swapRejected('RequireViolated', `next initialized tick ${tickNext} is not ahead of the current tick ${tick}`);
    }

    let liquidityNext = liquidity;
    for (;;) {
      if (++steps > MAX_SWAP_STEPS) {
        throw swapRejected('ComputeBudgetExceeded', `the swap needs more than ${MAX_SWAP_STEPS} steps, beyond what one transaction can compute`);
      }
      let feeRate = baseFeeRate;
      let skipped = true;
      let bounded = target;
      let boundedTick: number | undefined;
      if (dyn) {
        updateVolatilityAccumulator(dyn, tickSpacingIndex);
        const total = baseFeeRate + dynamicFeeRate(dyn, tickSpacing);
        if (total > 0xffffffff) throw swapRejected('CalculateOverflow', 'fee rate overflows u32');
        feeRate = Math.min(total, MAX_FEE_RATE_NUMERATOR);
        if (!(liquidity === 0n || dyn.volatilityAccumulator === dyn.maxVolatilityAccumulator)) {
          skipped = false;
          const raw = zeroForOne ? saturatingI32(tickSpacingIndex * tickSpacing) : saturatingI32(saturatingI32(tickSpacingIndex + 1) * tickSpacing);
          const clamped = raw < MIN_TICK ? MIN_TICK : raw > MAX_TICK ? MAX_TICK : raw;
          const boundedSqrt = getSqrtPriceAtTick(clamped);
          if (zeroForOne ? !(target > boundedSqrt) : !(target < boundedSqrt)) {
            bounded = boundedSqrt;
            boundedTick = clamped;
          }
        }
      }

      let stepSqrt = bounded;
      if (sqrtPrice !== bounded) {
        const step = computeSwapStep(sqrtPrice, bounded, liquidity, remaining, feeRate, isBaseInput, zeroForOne, feeOnInput);
        apply(step.amountIn, step.amountOut, step.feeAmount);
        stepSqrt = step.sqrtPriceNextX64;
      }

      const unfilledBefore = next.ordersAmount + next.partFilledOrdersRemaining;
      if (unfilledBefore > U64_MAX) throw swapRejected('CalculateOverflow', `limit orders at tick ${next.tick} overflow u64`);
      let unfilledAfter = unfilledBefore;
      if (sqrtPriceNext === stepSqrt) {
        const lo = matchLimitOrder(next, remaining, zeroForOne, isBaseInput, feeRate, feeOnInput, sqrtPriceNext);
        if (lo.amountIn !== 0n || lo.amountOut !== 0n || lo.ammFeeAmount !== 0n) apply(lo.amountIn, lo.amountOut, lo.ammFeeAmount);
        unfilledAfter = lo.ordersAmount + lo.partFilledOrdersRemaining;
        const hasLimitOrders = unfilledAfter > 0n;
        const hasLiquidity = next.liquidityGross > 0n;
        if (!hasLiquidity && !hasLimitOrders) {
          // The tick became uninitialized: the program decrements the array's count (and flips the
          // bitmap bit at zero, which no later search in this swap can see).
          countChanges ??= new Map();
          const count = countChanges.get(arr.startTickIndex) ?? arr.initializedTickCount;
          if (count === 0) throw swapRejected('CalculateOverflow', `tick array ${arr.address} initialized tick count underflows`);
          countChanges.set(arr.startTickIndex, count - 1);
        }
        if (hasLiquidity && !hasLimitOrders) {
          const net = zeroForOne ? -next.liquidityNet : next.liquidityNet;
          if (net < 0n) {
            if (-net > liquidity) throw swapRejected('LiquiditySubValueErr', `crossing tick ${next.tick} removes more liquidity than is in range`);
            liquidityNext = liquidity + net;
          } else {
            liquidityNext = liquidity + net;
            if (liquidityNext > U128_MAX) throw swapRejected('LiquidityAddValueErr', `crossing tick ${next.tick} overflows liquidity`);
          }
        }
        if (tickArrayStartIndex(next.tick, tickSpacing) !== arr.startTickIndex) {
          throw swapRejected('InvalidTickArray', `tick ${next.tick} does not belong to tick array ${arr.address}`, { account: arr.address });
        }
        tick = (zeroForOne && !hasLimitOrders) || (!zeroForOne && hasLimitOrders) ? tickNext - 1 : tickNext;
      } else if (sqrtPrice !== stepSqrt) {
        tick = boundedTick !== undefined && stepSqrt === bounded ? boundedTick : getTickAtSqrtPrice(stepSqrt);
      }
      sqrtPrice = stepSqrt;

      // update_dynamic_fee_index
      if (dyn) {
        if (skipped) {
          const tickIndex = sqrtPrice === sqrtPriceNext ? tickNext : tick;
          let idx = tickSpacingIndexFromTick(tickIndex, tickSpacing);
          if (!zeroForOne && tickIndex % tickSpacing === 0) idx -= 1;
          tickSpacingIndex = idx;
          if (dyn.volatilityAccumulator !== dyn.maxVolatilityAccumulator) updateVolatilityAccumulator(dyn, tickSpacingIndex);
        }
        tickSpacingIndex += zeroForOne ? -1 : 1;
      }

      if (remaining === 0n || sqrtPrice === target) {
        if (remaining !== 0n && unfilledAfter !== unfilledBefore && unfilledAfter !== 0n) {
          throw swapRejected('RequireEqViolated', `limit orders at tick ${next.tick} left unfilled while the swap continues`);
        }
        break;
      }
    }
    liquidity = liquidityNext;
  }

  return { amountSpecifiedRemaining: remaining, amountCalculated: calculated, feeAmount: feeTotal, lpShareWithoutLiquidity, sqrtPriceX64: sqrtPrice, tick, liquidity, tickArrays: touched };
}

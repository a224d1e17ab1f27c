/**
 * Fee rate during a swap: static (the pool's `fee_rate`) or adaptive (static + a volatility fee
 * from the pool's Oracle), as the program's `manager/fee_rate_manager.rs` and `state/oracle.rs`.
 */
import { dexError } from '../codec/index.ts';
import { floorDiv } from '../math/index.ts';
import { MAX_TICK_INDEX, MIN_TICK_INDEX, sqrtPriceFromTickIndex, tickIndexFromSqrtPrice } from './tick-math.ts';

export const FEE_RATE_HARD_LIMIT = 100_000;
export const VOLATILITY_ACCUMULATOR_SCALE_FACTOR = 10_000;
export const REDUCTION_FACTOR_DENOMINATOR = 10_000;
export const ADAPTIVE_FEE_CONTROL_FACTOR_DENOMINATOR = 100_000;
export const MAX_REFERENCE_AGE = 3_600n;

export interface AdaptiveFeeConstants {
  filterPeriod: number;
  decayPeriod: number;
  reductionFactor: number;
  adaptiveFeeControlFactor: number;
  maxVolatilityAccumulator: number;
  tickGroupSize: number;
  majorSwapThresholdTicks: number;
}

export interface AdaptiveFeeVariables {
  lastReferenceUpdateTimestamp: bigint;
  lastMajorSwapTimestamp: bigint;
  volatilityReference: number;
  tickGroupIndexReference: number;
  volatilityAccumulator: number;
}

export interface AdaptiveFeeInfo {
  constants: AdaptiveFeeConstants;
  variables: AdaptiveFeeVariables;
}

export interface FeeRateManager {
  /** Total fee rate (1e-6 units) for the next step. */
  totalFeeRate(): number;
  updateVolatilityAccumulator(): void;
  /** `[bounded target, skipped]` (adaptive pools stop at tick-group boundaries). */
  boundedTarget(target: bigint, liquidity: bigint): [bigint, boolean];
  advanceTickGroup(): void;
  advanceTickGroupAfterSkip(sqrtPrice: bigint, nextTickSqrtPrice: bigint, nextTickIndex: number): void;
}

const STATIC_RESULT_CACHE: [bigint, boolean] = [0n, false];

/** One stateless manager per fee rate: built per swap it cost more than the swap's fee math (each arrow is named at creation under tsx's keepNames). */
const STATIC_MANAGERS = new Map<number, FeeRateManager>();

/** Fee manager of a pool without an initialized Oracle. */
export function staticFeeRate(feeRate: number): FeeRateManager {
  let m = STATIC_MANAGERS.get(feeRate);
  if (!m) {
    m = staticFeeRateOf(feeRate);
    if (STATIC_MANAGERS.size < 256) STATIC_MANAGERS.set(feeRate, m);
  }
  return m;
}

function staticFeeRateOf(feeRate: number): FeeRateManager {
  return {
    totalFeeRate: () => feeRate,
    updateVolatilityAccumulator: () => {},
    boundedTarget: (target) => {
      STATIC_RESULT_CACHE[0] = target;
      return STATIC_RESULT_CACHE;
    },
    advanceTickGroup: () => {},
    advanceTickGroupAfterSkip: () => {},
  };
}

function rejected(reason: string, detail: string): never {
  throw dexError('DEX_SWAP_REJECTED', `orca-whirlpool would reject the swap: ${reason} (${detail})`, { venue: 'orca-whirlpool', reason });
}

/** `AdaptiveFeeVariables::update_reference` on a copy. */
function updateReference(v: AdaptiveFeeVariables, tickGroupIndex: number, now: bigint, c: AdaptiveFeeConstants): void {
  const max = v.lastReferenceUpdateTimestamp > v.lastMajorSwapTimestamp ? v.lastReferenceUpdateTimestamp : v.lastMajorSwapTimestamp;
  if (now < max) rejected('InvalidTimestamp', `clock ${now} is before the oracle's last update ${max}`);
  const referenceAge = now - v.lastReferenceUpdateTimestamp;
  if (referenceAge > MAX_REFERENCE_AGE) {
    v.tickGroupIndexReference = tickGroupIndex;
    v.volatilityReference = 0;
    v.lastReferenceUpdateTimestamp = now;
    return;
  }
  const elapsed = now - max;
  if (elapsed < BigInt(c.filterPeriod)) return;
  if (elapsed < BigInt(c.decayPeriod)) {
    v.tickGroupIndexReference = tickGroupIndex;
    v.volatilityReference = Math.floor((v.volatilityAccumulator * c.reductionFactor) / REDUCTION_FACTOR_DENOMINATOR);
    v.lastReferenceUpdateTimestamp = now;
  } else {
    v.tickGroupIndexReference = tickGroupIndex;
    v.volatilityReference = 0;
    v.lastReferenceUpdateTimestamp = now;
  }
}

function updateVolatility(v: AdaptiveFeeVariables, tickGroupIndex: number, c: AdaptiveFeeConstants): void {
  const indexDelta = Math.abs(v.tickGroupIndexReference - tickGroupIndex);
  const acc = v.volatilityReference + indexDelta * VOLATILITY_ACCUMULATOR_SCALE_FACTOR;
  v.volatilityAccumulator = Math.min(acc, c.maxVolatilityAccumulator);
}

const ADAPTIVE_DENOMINATOR =
  BigInt(ADAPTIVE_FEE_CONTROL_FACTOR_DENOMINATOR) * BigInt(VOLATILITY_ACCUMULATOR_SCALE_FACTOR) * BigInt(VOLATILITY_ACCUMULATOR_SCALE_FACTOR);

function adaptiveFeeRate(c: AdaptiveFeeConstants, v: AdaptiveFeeVariables): number {
  // u32 × u16 fits u32 on chain (validate_constants bounds max_va × tick_group_size)
  const crossed = BigInt(v.volatilityAccumulator) * BigInt(c.tickGroupSize);
  const n = BigInt(c.adaptiveFeeControlFactor) * crossed * crossed;
  let rate = n / ADAPTIVE_DENOMINATOR;
  if (rate * ADAPTIVE_DENOMINATOR !== n) rate += 1n;
  return rate > BigInt(FEE_RATE_HARD_LIMIT) ? FEE_RATE_HARD_LIMIT : Number(rate);
}

/** Fee manager of a pool with an initialized Oracle (adaptive fee), at clock `now`. */
export function adaptiveFeeRateManager(
  aToB: boolean,
  currentTickIndex: number,
  now: bigint,
  staticFee: number,
  info: AdaptiveFeeInfo,
): FeeRateManager {
  const c = info.constants;
  if (c.tickGroupSize === 0) rejected('InvalidAdaptiveFeeConstants', 'tick group size is 0');
  const v: AdaptiveFeeVariables = { ...info.variables };
  let tickGroupIndex = floorDiv(currentTickIndex, c.tickGroupSize);
  updateReference(v, tickGroupIndex, now, c);
  if (v.volatilityReference > c.maxVolatilityAccumulator) rejected('ArithmeticOverflow', 'volatility reference above the maximum accumulator');
  const maxDelta = Math.ceil((c.maxVolatilityAccumulator - v.volatilityReference) / VOLATILITY_ACCUMULATOR_SCALE_FACTOR);
  const lowerIndex = v.tickGroupIndexReference - maxDelta;
  const upperIndex = v.tickGroupIndexReference + maxDelta;
  const lowerBoundTick = lowerIndex * c.tickGroupSize;
  const upperBoundTick = upperIndex * c.tickGroupSize + c.tickGroupSize;
  const lower: [number, bigint] | null = lowerBoundTick > MIN_TICK_INDEX ? [lowerIndex, sqrtPriceFromTickIndex(lowerBoundTick)] : null;
  const upper: [number, bigint] | null = upperBoundTick < MAX_TICK_INDEX ? [upperIndex, sqrtPriceFromTickIndex(upperBoundTick)] : null;

  return {
    totalFeeRate(): number {
      const total = staticFee + adaptiveFeeRate(c, v);
      return total > FEE_RATE_HARD_LIMIT ? FEE_RATE_HARD_LIMIT : total;
    },
    updateVolatilityAccumulator(): void {
      updateVolatility(v, tickGroupIndex, c);
    },
    boundedTarget(target: bigint, liquidity: bigint): [bigint, boolean] {
      if (c.adaptiveFeeControlFactor === 0) return [target, true];
      if (liquidity === 0n) return [target, true];
      if (lower && tickGroupIndex < lower[0]) {
        return aToB ? [target, true] : [target < lower[1] ? target : lower[1], true];
      }
      if (upper && tickGroupIndex > upper[0]) {
        return aToB ? [target > upper[1] ? target : upper[1], true] : [target, true];
      }
      const boundaryTick = aToB ? tickGroupIndex * c.tickGroupSize : tickGroupIndex * c.tickGroupSize + c.tickGroupSize;
      const boundary = sqrtPriceFromTickIndex(Math.min(MAX_TICK_INDEX, Math.max(MIN_TICK_INDEX, boundaryTick)));
      if (aToB) return [target > boundary ? target : boundary, false];
      return [target < boundary ? target : boundary, false];
    },
    advanceTickGroup(): void {
      tickGroupIndex += aToB ? -1 : 1;
    },
    advanceTickGroupAfterSkip(sqrtPrice: bigint, nextTickSqrtPrice: bigint, nextTickIndex: number): void {
      let tickIndex: number;
      let onBoundary: boolean;
      if (sqrtPrice === nextTickSqrtPrice) {
        tickIndex = nextTickIndex;
        onBoundary = nextTickIndex % c.tickGroupSize === 0;
      } else {
        tickIndex = tickIndexFromSqrtPrice(sqrtPrice);
        onBoundary = tickIndex % c.tickGroupSize === 0 && sqrtPrice === sqrtPriceFromTickIndex(tickIndex);
      }
      const lastTraversed = onBoundary && !aToB ? Math.trunc(tickIndex / c.tickGroupSize) - 1 : floorDiv(tickIndex, c.tickGroupSize);
      if ((aToB && lastTraversed < tickGroupIndex) || (!aToB && lastTraversed > tickGroupIndex)) {
        tickGroupIndex = lastTraversed;
        updateVolatility(v, tickGroupIndex, c);
      }
      tickGroupIndex += aToB ? -1 : 1;
    },
  };
}

/**
 * The Raydium CLMM dynamic (volatility) fee (`states/pool_fee.rs`, `SwapState` in `swap.rs`):
 * reference update on the clock, volatility accumulator per tick-spacing group, fee rate.
 */
import { swapRejected } from './errors.ts';
import { MAX_FEE_RATE_NUMERATOR } from './math.ts';
import type { DynamicFeeInfo } from './layout.ts';

const VOLATILITY_ACCUMULATOR_SCALE = 10_000;
const REDUCTION_FACTOR_DENOMINATOR = 10_000n;
const DYNAMIC_FEE_DENOMINATOR = 100_000n * 10_000n * 10_000n;
const I32_MAX = 2_147_483_647;

/** The swap's working copy of the pool's dynamic-fee state. */
export interface DynamicFee {
  filterPeriod: number;
  decayPeriod: number;
  reductionFactor: number;
  dynamicFeeControl: bigint;
  maxVolatilityAccumulator: number;
  tickSpacingIndexReference: number;
  volatilityReference: number;
  volatilityAccumulator: number;
}

/** Copies the pool's dynamic-fee info and applies `update_reference` at `now`. */
export function startDynamicFee(info: DynamicFeeInfo, tickSpacingIndex: number, now: number): DynamicFee {
  const d: DynamicFee = {
    filterPeriod: info.filterPeriod,
    decayPeriod: info.decayPeriod,
    reductionFactor: info.reductionFactor,
    dynamicFeeControl: BigInt(info.dynamicFeeControl),
    maxVolatilityAccumulator: info.maxVolatilityAccumulator,
    tickSpacingIndexReference: info.tickSpacingIndexReference,
    volatilityReference: info.volatilityReference,
    volatilityAccumulator: info.volatilityAccumulator,
  };
  // update_reference: time since the last reference update decides keep / decay / reset.
  const last = info.lastUpdateTimestamp;
  const nowBig = BigInt(now);
  const elapsed = nowBig > last ? nowBig - last : 0n;
  if (elapsed < BigInt(d.filterPeriod)) {
    // high-frequency window: references stay
  } else if (elapsed < BigInt(d.decayPeriod)) {
    d.tickSpacingIndexReference = tickSpacingIndex;
    d.volatilityReference = Number((BigInt(d.volatilityAccumulator) * BigInt(d.reductionFactor)) / REDUCTION_FACTOR_DENOMINATOR);
  } else {
    d.tickSpacingIndexReference = tickSpacingIndex;
    d.volatilityReference = 0;
  }
  return d;
}

/** `update_volatility_accumulator` for the group `tickSpacingIndex`. */
export function updateVolatilityAccumulator(d: DynamicFee, tickSpacingIndex: number): void {
  const delta = Math.abs(d.tickSpacingIndexReference - tickSpacingIndex);
  if (delta > I32_MAX) throw swapRejected('CalculateOverflow', 'tick spacing index delta overflows i32');
  const acc = d.volatilityReference + delta * VOLATILITY_ACCUMULATOR_SCALE;
  d.volatilityAccumulator = Math.min(acc, d.maxVolatilityAccumulator);
}

/** `compute_dynamic_fee_rate`: ⌈control × (acc × spacing)² / 10¹³⌉, capped at 10 %. */
export function dynamicFeeRate(d: DynamicFee, tickSpacing: number): number {
  const crossed = d.volatilityAccumulator * tickSpacing;
  if (crossed > 0xffffffff) throw swapRejected('CalculateOverflow', 'volatility accumulator × tick spacing overflows u32');
  const c = BigInt(crossed);
  const rate = (d.dynamicFeeControl * c * c + DYNAMIC_FEE_DENOMINATOR - 1n) / DYNAMIC_FEE_DENOMINATOR;
  return rate > BigInt(MAX_FEE_RATE_NUMERATOR) ? MAX_FEE_RATE_NUMERATOR : Number(rate);
}


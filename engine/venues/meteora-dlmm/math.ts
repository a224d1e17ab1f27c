/**
 * Meteora DLMM integer math as the program and its reference quoter compute it
 * (`commons/src/math/*`, `extensions/lb_pair.rs`, `extensions/bin.rs`): bin prices (Q64.64),
 * amounts across a bin at its price, base + variable fee. Rust widths are range checks where the
 * program would fail ("overflow" → `DEX_SWAP_REJECTED`).
 */
import { Q64 as ONE_Q64, Q64_MASK as MASK_64, U128_MAX, U64_MAX } from '../math/index.ts';
import { swapRejected } from './errors.ts';

export { ONE_Q64, U64_MAX, U128_MAX };
export const BASIS_POINT_MAX = 10_000n;
export const FEE_PRECISION = 1_000_000_000n;
export const MAX_FEE_RATE = 100_000_000n;
export const LIMIT_ORDER_FEE_SHARE = 5_000n;
export const MIN_BIN_ID = -443636;
export const MAX_BIN_ID = 443636;

function overflow(what: string): never {
  throw swapRejected('MathOverflow', `${what} overflows`);
}

/** `(x × y) >> 64` rounded as asked, then the u64 cast (`safe_mul_shr_cast`). */
function mulShr64(x: bigint, y: bigint, roundUp: boolean, what: string): bigint {
  const p = x * y;
  let q = p >> 64n;
  if (roundUp && (p & MASK_64) !== 0n) q += 1n;
  if (q > U64_MAX) overflow(what);
  return q;
}

/** `(x << 64) / y` rounded as asked, then the u64 cast (`safe_shl_div_cast`). */
function shlDiv64(x: bigint, y: bigint, roundUp: boolean, what: string): bigint {
  if (y === 0n) overflow(what);
  const p = x << 64n;
  let q = p / y;
  if (roundUp && q * y !== p) q += 1n;
  if (q > U64_MAX) overflow(what);
  return q;
}

/**
 * Input for `amountOut` of the bin's output token at `price` (`Bin::get_amount_in`): X→Y divides
 * by the price, Y→X multiplies.
 */
export function getAmountIn(amountOut: bigint, price: bigint, swapForY: boolean, roundUp: boolean): bigint {
  return swapForY ? shlDiv64(amountOut, price, roundUp, 'amount in') : mulShr64(amountOut, price, roundUp, 'amount in');
}

/** Output for `amountIn` at `price`, rounded down (`Bin::get_amount_out`). */
export function getAmountOut(amountIn: bigint, price: bigint, swapForY: boolean): bigint {
  return swapForY ? mulShr64(price, amountIn, false, 'amount out') : shlDiv64(amountIn, price, false, 'amount out');
}

const PRICE_CACHE = new Map<string, bigint>();

/** Q64.64 price of bin `id` for `binStep` bps: (1 + binStep/10000)^id (`get_price_from_id`, 19-bit binary exponentiation). */
export function getPriceFromId(id: number, binStep: number): bigint {
  const key = `${binStep}:${id}`;
  const cached = PRICE_CACHE.get(key);
  if (cached !== undefined) return cached;
  const bps = (BigInt(binStep) << 64n) / BASIS_POINT_MAX;
  const base = ONE_Q64 + bps;
  const result = pow(base, id);
  if (result === undefined) overflow(`price of bin ${id}`);
  if (PRICE_CACHE.size > 200_000) PRICE_CACHE.clear();
  PRICE_CACHE.set(key, result);
  return result;
}

function pow(base: bigint, exp: number): bigint | undefined {
  let invert = exp < 0;
  if (exp === 0) return ONE_Q64;
  const e = Math.abs(exp);
  if (e >= 0x80000) return undefined;
  let squared = base;
  let result = ONE_Q64;
  if (squared >= result) {
    squared = U128_MAX / squared;
    invert = !invert;
  }
  for (let bit = 0; bit < 19; bit++) {
    if (bit > 0) {
      squared = squared * squared;
      if (squared > U128_MAX) return undefined;
      squared >>= 64n;
    }
    if (e & (1 << bit)) {
      result = result * squared;
      if (result > U128_MAX) return undefined;
      result >>= 64n;
    }
  }
  if (result === 0n) return undefined;
  if (invert) result = U128_MAX / result;
  return result;
}

/** Fee parameters of a pair at one moment (volatility accumulator included). */
export interface FeeParams {
  baseFactor: number;
  binStep: number;
  baseFeePowerFactor: number;
  variableFeeControl: number;
  volatilityAccumulator: number;
}

/** The base fee rate over `FEE_PRECISION`: base_factor × bin_step × 10 × 10^power (`get_base_fee`). */
export function baseFeeRate(p: FeeParams): bigint {
  if (p.baseFeePowerFactor > 38) overflow('base fee');
  const base = BigInt(p.baseFactor) * BigInt(p.binStep) * 10n * 10n ** BigInt(p.baseFeePowerFactor);
  if (base > U128_MAX) overflow('base fee');
  return base;
}

/** Total fee rate over `FEE_PRECISION` (base + variable, capped at 10 %) (`get_total_fee`); `base` from `baseFeeRate`. */
export function totalFeeRate(p: FeeParams, base: bigint = baseFeeRate(p)): bigint {
  let variable = 0n;
  if (p.variableFeeControl > 0) {
    const v = BigInt(p.volatilityAccumulator * p.binStep);
    const vFee = BigInt(p.variableFeeControl) * v * v;
    if (vFee + 99_999_999_999n > U128_MAX) overflow('variable fee');
    variable = (vFee + 99_999_999_999n) / 100_000_000_000n;
  }
  const total = base + variable;
  if (total > U128_MAX) overflow('total fee');
  return total < MAX_FEE_RATE ? total : MAX_FEE_RATE;
}

/** Fee to add on top of a fee-excluded `amount` (`compute_fee`, rounded up). */
export function computeFee(amount: bigint, rate: bigint): bigint {
  const denominator = FEE_PRECISION - rate;
  const fee = (amount * rate + denominator - 1n) / denominator;
  if (fee > U64_MAX) overflow('fee');
  return fee;
}

/** Fee contained in a fee-included `amount` (`compute_fee_from_amount`, rounded up). */
export function computeFeeFromAmount(amount: bigint, rate: bigint): bigint {
  const fee = (amount * rate + FEE_PRECISION - 1n) / FEE_PRECISION;
  if (fee > U64_MAX) overflow('fee');
  return fee;
}

/** Bin array index holding bin `id` (floor division by 70). */
export function binIdToBinArrayIndex(id: number): number {
  return Math.floor(id / 70);
}

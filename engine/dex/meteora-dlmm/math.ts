/**
 * Meteora DLMM integer math as the program and its reference quoter compute it
 * (`commons/src/math/*`, `extensions/lb_pair.rs`, `extensions/bin.rs`): bin prices (Q64.64),
 * amounts across a bin at its price, base + variable fee. Rust widths are range checks where the
 * program would fail ("overflow" → `DEX_SWAP_REJECTED`).
 */
import { swapRejected } from './errors.ts';

export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
export const ONE_Q64 = 1n << 64n;
export const BASIS_POINT_MAX = 10_000n;
export const FEE_PRECISION = 1_000_000_000n;
export const MAX_FEE_RATE = 100_000_000n;
export const LIMIT_ORDER_FEE_SHARE = 5_000n;
export const MIN_BIN_ID = -443636;
export const MAX_BIN_ID = 443636;

function overflow(what: string): never {
  throw swapRejected('MathOverflow', `${what} overflows`);
}

/** `mul_div` (U256, result must fit u128) then the u64 cast of `safe_*_cast`. */
function mulDivU64(x: bigint, y: bigint, d: bigint, roundUp: boolean, what: string): bigint {
  if (d === 0n) overflow(what);
  const p = x * y;
  let q = p / d;
  if (roundUp && q * d !== p) q += 1n;
  if (q > U64_MAX) overflow(what);
  return q;
}

/**
 * Input for `amountOut` of the bin's output token at `price` (`Bin::get_amount_in`): X→Y divides
 * by the price, Y→X multiplies.
 */
export function getAmountIn(amountOut: bigint, price: bigint, swapForY: boolean, roundUp: boolean): bigint {
  return swapForY ? mulDivU64(amountOut, ONE_Q64, price, roundUp, 'amount in') : mulDivU64(amountOut, price, ONE_Q64, roundUp, 'amount in');
}

/** Output for `amountIn` at `price`, rounded down (`Bin::get_amount_out`). */
export function getAmountOut(amountIn: bigint, price: bigint, swapForY: boolean): bigint {
  return swapForY ? mulDivU64(price, amountIn, ONE_Q64, false, 'amount out') : mulDivU64(amountIn, ONE_Q64, price, false, 'amount out');
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

/** Total fee rate over `FEE_PRECISION` (base + variable, capped at 10 %) (`get_total_fee`). */
export function totalFeeRate(p: FeeParams): bigint {
  if (p.baseFeePowerFactor > 38) overflow('base fee');
  const base = BigInt(p.baseFactor) * BigInt(p.binStep) * 10n * 10n ** BigInt(p.baseFeePowerFactor);
  if (base > U128_MAX) overflow('base fee');
  let variable = 0n;
  if (p.variableFeeControl > 0) {
    const v = BigInt(p.volatilityAccumulator) * BigInt(p.binStep);
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

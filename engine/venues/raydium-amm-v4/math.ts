/**
 * Raydium AMM v4 swap math as `process_swap_base_in` / `process_swap_base_out` (and the v2 variants)
 * compute it in raydium-amm `program/src/processor.rs` + `math.rs`:
 *
 *   base in : fee = ceilDiv(in × swapFeeNum, swapFeeDen); out = floor(reserveOut × (in − fee) / (reserveIn + (in − fee)))
 *   base out: before = ceilDiv(reserveIn × out, reserveOut − out); in = ceilDiv(before × den, den − num)
 *
 * where ceilDiv is the program's `U128::checked_ceil_div` (`math.rs`), which is NOT a plain ceiling:
 * when the quotient is 0 it rounds to the nearest integer (1 if 2·a ≥ b, else 0). So at 25 / 10 000
 * an input under 200 atoms pays no fee and one of 200…399 pays 1 atom (the SDK's plain ceiling
 * charges 1 atom to every input under 400).
 *
 * with reserves = vault amount − need_take_pnl. Where the program fails, these throw `DEX_` errors.
 */
import { dexError } from '../codec/index.ts';
import { U64_MAX } from '../math/index.ts';


export interface BaseInResult {
  amountOut: bigint;
  /** Swap fee in input atoms. */
  fee: bigint;
}

export interface BaseOutResult {
  amountIn: bigint;
  fee: bigint;
  /** Input before the fee is added (what the curve needs). */
  amountInBeforeFee: bigint;
}

/** `U128::checked_ceil_div(a, b).0` of raydium-amm `math.rs`: ceiling, except a zero quotient rounds to nearest. */
export function programCeilDiv(a: bigint, b: bigint): bigint {
  const quotient = a / b;
  if (quotient === 0n) return 2n * a >= b ? 1n : 0n;
  return a % b === 0n ? quotient : quotient + 1n;
}

function rejected(reason: string, message: string, context: Record<string, unknown>): never {
  throw dexError('DEX_SWAP_REJECTED', `raydium-amm-v4 would reject the swap: ${message}`, { venue: 'raydium-amm-v4', reason, ...context });
}

/** Exact-in: `amountIn` (u64, > 0) of the input side against reserves in / out. */
export function swapBaseIn(amountIn: bigint, reserveIn: bigint, reserveOut: bigint, feeNumerator: bigint, feeDenominator: bigint): BaseInResult {
  const fee = programCeilDiv(amountIn * feeNumerator, feeDenominator);
  const inAfterFee = amountIn - fee;
  const denominator = reserveIn + inAfterFee;
  if (denominator === 0n) rejected('DivideByZero', 'empty input reserve and the fee takes the whole input', { amountIn });
  const amountOut = (reserveOut * inAfterFee) / denominator;
  if (amountOut === 0n) rejected('InvalidInput', `amount in ${amountIn} buys 0 atoms`, { amountIn });
  if (amountOut >= reserveOut) {
    throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `raydium-amm-v4: output ${amountOut} would empty the reserve ${reserveOut}`, {
      venue: 'raydium-amm-v4',
      reason: 'InsufficientFunds',
      amountOut,
      reserveOut,
    });
  }
  return { amountOut, fee };
}

/** Exact-out: the input needed to receive exactly `amountOut` (u64, > 0). */
export function swapBaseOut(amountOut: bigint, reserveIn: bigint, reserveOut: bigint, feeNumerator: bigint, feeDenominator: bigint): BaseOutResult {
  if (amountOut >= reserveOut) {
    throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `raydium-amm-v4: cannot buy ${amountOut}, the reserve holds ${reserveOut}`, {
      venue: 'raydium-amm-v4',
      reason: 'InsufficientFunds',
      amountOut,
      reserveOut,
    });
  }
  const before = programCeilDiv(reserveIn * amountOut, reserveOut - amountOut);
  const amountIn = programCeilDiv(before * feeDenominator, feeDenominator - feeNumerator);
  if (amountIn > U64_MAX) rejected('Overflow', `input ${amountIn} does not fit a u64`, { amountOut, amountIn });
  if (amountIn === 0n) rejected('InvalidInput', `buying ${amountOut} costs 0 atoms`, { amountOut });
  return { amountIn, fee: amountIn - before, amountInBeforeFee: before };
}

/**
 * Raydium AMM v4 swap math as `process_swap_base_in` / `process_swap_base_out` (and the v2 variants)
 * compute it in raydium-amm `program/src/processor.rs` + `math.rs`:
 *
 *   base in : fee = ceil(in × swapFeeNum / swapFeeDen); out = floor(reserveOut × (in − fee) / (reserveIn + (in − fee)))
 *   base out: before = ceil(reserveIn × out / (reserveOut − out)); in = ceil(before × den / (den − num))
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

function rejected(reason: string, message: string, context: Record<string, unknown>): never {
  throw dexError('DEX_SWAP_REJECTED', `raydium-amm-v4 would reject the swap: ${message}`, { venue: 'raydium-amm-v4', reason, ...context });
}

/** Exact-in: `amountIn` (u64, > 0) of the input side against reserves in / out. */
export function swapBaseIn(amountIn: bigint, reserveIn: bigint, reserveOut: bigint, feeNumerator: bigint, feeDenominator: bigint): BaseInResult {
  const product = amountIn * feeNumerator;
  let fee = product / feeDenominator;
  if (fee * feeDenominator !== product) fee += 1n;
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
  const numerator = reserveIn * amountOut;
  const denominator = reserveOut - amountOut;
  let before = numerator / denominator;
  if (before * denominator !== numerator) before += 1n;
  const feeBase = feeDenominator - feeNumerator;
  const scaled = before * feeDenominator;
  let amountIn = scaled / feeBase;
  if (amountIn * feeBase !== scaled) amountIn += 1n;
  if (amountIn > U64_MAX) rejected('Overflow', `input ${amountIn} does not fit a u64`, { amountOut, amountIn });
  if (amountIn === 0n) rejected('InvalidInput', `buying ${amountOut} costs 0 atoms`, { amountOut });
  return { amountIn, fee: amountIn - before, amountInBeforeFee: before };
}

/**
 * Typed `DEX_` errors for the Raydium CLMM venue. Codes match the shared DEX codes
 * (`DEX_ACCOUNT_*`, `DEX_SWAP_REJECTED` …); the context names the account and field, or the
 * program error the simulated swap would have failed with (`reason`).
 */
import { SolrulesError } from '../../errors/index.ts';

export type ClmmErrorCode =
  | 'DEX_ACCOUNT_TOO_SHORT'
  | 'DEX_ACCOUNT_WRONG_OWNER'
  | 'DEX_ACCOUNT_BAD_DISCRIMINATOR'
  | 'DEX_ACCOUNT_BAD_VALUE'
  | 'DEX_ACCOUNT_MISSING'
  | 'DEX_ACCOUNT_MISMATCH'
  | 'DEX_MINT_NOT_IN_POOL'
  | 'DEX_AMOUNT_INVALID'
  | 'DEX_POOL_NOT_TRADING'
  | 'DEX_INSUFFICIENT_LIQUIDITY'
  | 'DEX_TICK_ARRAY_MISSING'
  | 'DEX_SWAP_REJECTED';

export function dexError(code: ClmmErrorCode, message: string, context: Record<string, unknown>): SolrulesError<ClmmErrorCode> {
  return new SolrulesError(code, message, { venue: 'raydium-clmm', ...context });
}

/** The swap would fail on chain with program error `reason` (CalculateOverflow, SqrtPriceX64 …). */
export function swapRejected(reason: string, message: string, context: Record<string, unknown> = {}): SolrulesError<ClmmErrorCode> {
  return dexError('DEX_SWAP_REJECTED', `Raydium CLMM swap rejected (${reason}): ${message}`, { reason, ...context });
}

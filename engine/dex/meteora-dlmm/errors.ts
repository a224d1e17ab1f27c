/**
 * Typed `DEX_` errors for the Meteora DLMM venue. Codes match the shared DEX codes
 * (`DEX_ACCOUNT_*`, `DEX_SWAP_REJECTED` …); the context names the account and field, or the
 * program error the simulated swap would have failed with (`reason`).
 */
import { SolrulesError } from '../../errors/index.ts';

export type DlmmErrorCode =
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
  | 'DEX_BIN_ARRAY_MISSING'
  | 'DEX_TRANSFER_FEE_EPOCH_REQUIRED'
  | 'DEX_SWAP_REJECTED';

export function dexError(code: DlmmErrorCode, message: string, context: Record<string, unknown>): SolrulesError<DlmmErrorCode> {
  return new SolrulesError(code, message, { venue: 'meteora-dlmm', ...context });
}

/** The swap would fail on chain with program error `reason` (CalculateOverflow, SqrtPriceX64 …). */
export function swapRejected(reason: string, message: string, context: Record<string, unknown> = {}): SolrulesError<DlmmErrorCode> {
  return dexError('DEX_SWAP_REJECTED', `Meteora DLMM swap rejected (${reason}): ${message}`, { reason, ...context });
}

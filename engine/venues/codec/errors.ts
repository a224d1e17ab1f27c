/**
 * Typed errors for decoders and quotes. Every code is prefixed `DEX_`; the context names the
 * account (address or file) and the field, so a bad byte can be found without a debugger.
 */
import { SolrulesError } from '../../errors/index.ts';

export type DexErrorCode =
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
  | 'DEX_SWAP_REJECTED'
  | 'DEX_TICK_ARRAY_MISSING'
  | 'DEX_BIN_ARRAY_MISSING'
  | 'DEX_TRANSFER_FEE_EPOCH_REQUIRED'
  | 'DEX_TOKEN_NOT_TRANSFERABLE'
  | 'DEX_UNKNOWN_VENUE';

/** The account an error is about: its address when known, else the file it came from. */
export function accountLabel(account: { address?: string | undefined; source?: string | undefined } | undefined): string {
  return account?.address ?? account?.source ?? '<unknown account>';
}

/** Builds a `SolrulesError` with a `DEX_` code. */
export function dexError(code: DexErrorCode, message: string, context: Record<string, unknown>, cause?: unknown): SolrulesError<DexErrorCode> {
  return new SolrulesError(code, message, context, cause === undefined ? undefined : { cause });
}

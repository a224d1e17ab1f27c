/** SPL Token and Token-2022: mint and token-account decoders, extensions, transfer-fee math. */
export {
  TOKEN_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
  NATIVE_MINT,
  MINT_LEN,
  TOKEN_ACCOUNT_LEN,
  EXTENSION_NAMES,
  decodeMint,
  decodeTokenAccount,
} from './layout.ts';
export type {
  MintInfo,
  TokenAccountInfo,
  TokenAccountState,
  TokenExtension,
  TokenProgram,
  TransferFee,
  TransferFeeConfig,
} from './layout.ts';
export {
  epochTransferFee,
  calculateTransferFee,
  calculatePreFeeAmount,
  calculateInverseTransferFee,
  effectiveTransferFee,
  requireTransferable,
} from './transfer-fee.ts';
export type { EffectiveTransferFee } from './transfer-fee.ts';

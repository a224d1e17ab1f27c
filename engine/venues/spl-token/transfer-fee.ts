/**
 * Token-2022 transfer-fee arithmetic as spl-token-2022 computes it (`TransferFee::calculate_fee`,
 * `calculate_pre_fee_amount`, `calculate_inverse_fee`, `TransferFeeConfig::get_epoch_fee`).
 */
import { dexError } from '../codec/index.ts';
import { U64_MAX } from '../math/index.ts';
import type { MintInfo, TransferFee, TransferFeeConfig } from './layout.ts';

const ONE_IN_BASIS_POINTS = 10_000n;

/** The fee in force at `epoch`. */
export function epochTransferFee(config: TransferFeeConfig, epoch: bigint): TransferFee {
  return epoch >= config.newer.epoch ? config.newer : config.older;
}

/** Fee withheld when `preFeeAmount` is sent: ceil(amount × bps / 10000), capped at the maximum. */
export function calculateTransferFee(fee: TransferFee, preFeeAmount: bigint): bigint {
  if (fee.basisPoints === 0 || preFeeAmount === 0n) return 0n;
  const numerator = preFeeAmount * BigInt(fee.basisPoints);
  const raw = (numerator + ONE_IN_BASIS_POINTS - 1n) / ONE_IN_BASIS_POINTS;
  return raw < fee.maximumFee ? raw : fee.maximumFee;
}

/** Smallest amount to send so that `postFeeAmount` arrives; `null` where spl-token-2022 returns None (u64 overflow). */
export function calculatePreFeeAmount(fee: TransferFee, postFeeAmount: bigint): bigint | null {
  const bps = BigInt(fee.basisPoints);
  if (bps === 0n) return postFeeAmount;
  if (postFeeAmount === 0n) return 0n;
  if (bps === ONE_IN_BASIS_POINTS) {
    const v = fee.maximumFee + postFeeAmount;
    return v > U64_MAX ? null : v;
  }
  const numerator = postFeeAmount * ONE_IN_BASIS_POINTS;
  const denominator = ONE_IN_BASIS_POINTS - bps;
  const raw = (numerator + denominator - 1n) / denominator;
  if (raw - postFeeAmount >= fee.maximumFee) {
    const v = postFeeAmount + fee.maximumFee;
    return v > U64_MAX ? null : v;
  }
  return raw > U64_MAX ? null : raw;
}

/** The fee that `calculatePreFeeAmount` implies (`calculate_inverse_fee`); `null` on overflow. */
export function calculateInverseTransferFee(fee: TransferFee, postFeeAmount: bigint): bigint | null {
  const pre = calculatePreFeeAmount(fee, postFeeAmount);
  return pre === null ? null : calculateTransferFee(fee, pre);
}

/** What the swap programs need to know about one mint's transfer fee at the quote's epoch. */
export interface EffectiveTransferFee {
  mint: string;
  fee: TransferFee;
}

/**
 * The transfer fee of `mint` at `epoch`, or `null` when the mint charges none. Without an epoch the
 * answer is only certain when both scheduled fees agree (or the newer one started at epoch 0);
 * otherwise this refuses with `DEX_TRANSFER_FEE_EPOCH_REQUIRED` rather than guess.
 */
export function effectiveTransferFee(mint: MintInfo, epoch: bigint | undefined): EffectiveTransferFee | null {
  const config = mint.transferFeeConfig;
  if (!config) return null;
  const label = mint.address ?? '<mint>';
  let fee: TransferFee;
  if (epoch !== undefined) fee = epochTransferFee(config, epoch);
  else if (config.newer.epoch === 0n) fee = config.newer;
  else if (config.older.basisPoints === config.newer.basisPoints && config.older.maximumFee === config.newer.maximumFee) fee = config.newer;
  else {
    throw dexError(
      'DEX_TRANSFER_FEE_EPOCH_REQUIRED',
      `mint ${label} changes its transfer fee at epoch ${config.newer.epoch} (${config.older.basisPoints} → ${config.newer.basisPoints} bps); give the current epoch to quote it`,
      { account: label, field: 'TransferFeeConfig.newerTransferFee.epoch', value: config.newer.epoch },
    );
  }
  if (fee.basisPoints === 0) return null;
  return { mint: label, fee };
}

/**
 * Refuses mints no swap can move: Token-2022 NonTransferable, or Pausable while paused.
 */
export function requireTransferable(mint: MintInfo): void {
  const label = mint.address ?? '<mint>';
  if (mint.nonTransferable) {
    throw dexError('DEX_TOKEN_NOT_TRANSFERABLE', `mint ${label} is NonTransferable`, { account: label, field: 'NonTransferable' });
  }
  if (mint.paused === true) {
    throw dexError('DEX_TOKEN_NOT_TRANSFERABLE', `mint ${label} is paused (Pausable extension)`, { account: label, field: 'Pausable.paused', value: true });
  }
}

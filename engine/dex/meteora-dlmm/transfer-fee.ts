/**
 * Token-2022 transfer fees on the pair's mints (the `TransferFeeConfig` extension), applied the way
 * the DLMM program and its quoter do (`commons/src/token_2022.rs`): the pool receives the input
 * minus the fee, and an exact output needs the fee added back (inverse fee).
 */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { dexError, swapRejected } from './errors.ts';

export const TOKEN_PROGRAM_ID = 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
export const TOKEN_2022_PROGRAM_ID = 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb';
const MAX_FEE_BASIS_POINTS = 10_000n;
const U64_MAX = (1n << 64n) - 1n;

export interface TransferFee {
  epoch: bigint;
  maximumFee: bigint;
  transferFeeBasisPoints: number;
}

/** A mint's transfer-fee schedule (older applies before `newer.epoch`). */
export interface TransferFeeConfig {
  mint: string;
  older: TransferFee;
  newer: TransferFee;
}

function feeAt(data: Uint8Array, o: number): TransferFee {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return { epoch: view.getBigUint64(o, true), maximumFee: view.getBigUint64(o + 8, true), transferFeeBasisPoints: view.getUint16(o + 16, true) };
}

/**
 * Reads the TransferFeeConfig of a Token-2022 mint (undefined for SPL Token mints and Token-2022
 * mints without the extension). Bad TLV data raises `DEX_ACCOUNT_BAD_VALUE`.
 */
export function readTransferFeeConfig(mint: AccountSnapshot, address: string): TransferFeeConfig | undefined {
  if (mint.owner !== TOKEN_2022_PROGRAM_ID) return undefined;
  const data = mint.data;
  if (data.length <= 82) return undefined;
  const bad = (field: string, offset: number, value: unknown, expected: string): never => {
    throw dexError('DEX_ACCOUNT_BAD_VALUE', `Token-2022 mint ${address}: field '${field}' = ${String(value)}, expected ${expected}`, {
      account: address,
      layout: 'Mint',
      field,
      offset,
      value,
      expected,
    });
  };
  // Extensions follow the 165-byte base (mint padded to the account size) and a one-byte account type.
  if (data.length < 166) bad('account_type', 165, data.length, 'a Token-2022 mint with extensions (≥ 166 bytes)');
  if (data[165] !== 1) bad('account_type', 165, data[165], '1 (mint)');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let o = 166;
  while (o + 4 <= data.length) {
    const type = view.getUint16(o, true);
    const length = view.getUint16(o + 2, true);
    if (type === 0) break; // uninitialized tail
    if (o + 4 + length > data.length) bad(`extension[${type}].length`, o + 2, length, 'to fit in the account');
    if (type === 1) {
      if (length !== 108) bad('transfer_fee_config.length', o + 2, length, '108');
      return { mint: address, older: feeAt(data, o + 4 + 72), newer: feeAt(data, o + 4 + 90) };
    }
    o += 4 + length;
  }
  return undefined;
}

function epochFee(config: TransferFeeConfig, epoch: bigint | undefined): TransferFee {
  if (config.older.epoch === config.newer.epoch || (config.older.transferFeeBasisPoints === config.newer.transferFeeBasisPoints && config.older.maximumFee === config.newer.maximumFee)) {
    return config.newer;
  }
  if (epoch === undefined) {
    throw dexError('DEX_TRANSFER_FEE_EPOCH_REQUIRED', `mint ${config.mint} changes its transfer fee at epoch ${config.newer.epoch}; give the current epoch to quote`, {
      account: config.mint,
      field: 'transfer_fee_config',
    });
  }
  return epoch >= config.newer.epoch ? config.newer : config.older;
}

/** `TransferFee::calculate_fee`: fee on a transfer of `amount` (rounded up, capped at the maximum). */
function calculateFee(fee: TransferFee, amount: bigint): bigint {
  const bps = BigInt(fee.transferFeeBasisPoints);
  if (bps === 0n || amount === 0n) return 0n;
  const raw = (amount * bps + MAX_FEE_BASIS_POINTS - 1n) / MAX_FEE_BASIS_POINTS;
  if (raw > U64_MAX) throw swapRejected('MathOverflow', 'transfer fee overflows');
  return raw < fee.maximumFee ? raw : fee.maximumFee;
}

/** Amount that arrives when `amount` is sent (`calculate_transfer_fee_excluded_amount`). */
export function transferFeeExcluded(config: TransferFeeConfig | undefined, amount: bigint, epoch: bigint | undefined): bigint {
  if (!config) return amount;
  const fee = calculateFee(epochFee(config, epoch), amount);
  return amount - fee;
}

/** Amount to send so that `amount` arrives (`calculate_transfer_fee_included_amount`). */
export function transferFeeIncluded(config: TransferFeeConfig | undefined, amount: bigint, epoch: bigint | undefined): bigint {
  if (!config || amount === 0n) return amount;
  const fee = epochFee(config, epoch);
  const bps = BigInt(fee.transferFeeBasisPoints);
  let transferFee: bigint;
  if (bps === MAX_FEE_BASIS_POINTS) {
    transferFee = fee.maximumFee;
  } else {
    // calculate_inverse_fee: fee of the pre-fee amount that nets `amount`.
    let preFee: bigint;
    if (bps === 0n) preFee = amount;
    else {
      const denominator = MAX_FEE_BASIS_POINTS - bps;
      const raw = (amount * MAX_FEE_BASIS_POINTS + denominator - 1n) / denominator;
      if (raw - amount >= fee.maximumFee) {
        preFee = amount + fee.maximumFee;
        if (preFee > U64_MAX) throw swapRejected('MathOverflow', 'transfer fee overflows');
      } else {
        if (raw > U64_MAX) throw swapRejected('MathOverflow', 'transfer fee overflows');
        preFee = raw;
      }
    }
    transferFee = calculateFee(fee, preFee);
  }
  const total = amount + transferFee;
  if (total > U64_MAX) throw swapRejected('MathOverflow', 'amount plus transfer fee overflows u64');
  return total;
}

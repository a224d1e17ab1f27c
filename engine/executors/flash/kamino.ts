/**
 * Kamino Lending (klend) flash loans: `flash_borrow_reserve_liquidity` first and
 * `flash_repay_reserve_liquidity` last, in one transaction; the repay names the borrow's
 * instruction index, which klend checks through the instructions sysvar. Accounts follow the
 * klend IDL (absent optional referrer accounts are the program id, as Anchor encodes them).
 * The reserve's keys and flash-loan fee are read from the reserve account (`decodeKaminoReserve`,
 * klend 1.7 layout: the program the sandbox runs, `kamino-lending.mainnet-id-2024-10.so`).
 */
import { PublicKey, SYSVAR_INSTRUCTIONS_PUBKEY, TransactionInstruction, type AddressLookupTableAccount } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { accountMeta as k, TOKEN_PROGRAM, u64 } from '../../venues/index.ts';
import type { FlashLoanProvider, FlashLoanRequest } from './provider.ts';

export const KLEND_PROGRAM_ID = new PublicKey('KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD');
/** sha256("global:flash_borrow_reserve_liquidity")[0..8], as in the klend IDL. */
export const FLASH_BORROW_DISCRIMINATOR = Buffer.from([135, 231, 52, 167, 7, 52, 212, 193]);
/** sha256("global:flash_repay_reserve_liquidity")[0..8]. */
export const FLASH_REPAY_DISCRIMINATOR = Buffer.from([185, 117, 0, 203, 96, 245, 180, 186]);
/** sha256("account:Reserve")[0..8]. */
export const RESERVE_DISCRIMINATOR = Buffer.from([43, 242, 204, 202, 26, 247, 59, 127]);
/** klend's Reserve account: 8-byte discriminator + 8,616 bytes (RESERVE_SIZE). */
export const RESERVE_ACCOUNT_LEN = 8624;
/** klend stores fee rates as U68F60 fixed-point bits: 1.0 = 2^60. */
export const FRACTION_ONE_SF = 1n << 60n;
/** flash_loan_fee_sf = u64::MAX means flash loans are disabled on the reserve. */
export const FLASH_LOANS_DISABLED_SF = (1n << 64n) - 1n;

export interface KaminoReserveKeys {
  lendingMarket: string;
  reserve: string;
  liquidityMint: string;
  /** The reserve's liquidity supply vault (source of the loan, destination of the repay). */
  liquiditySupplyVault: string;
  /** The reserve's fee receiver. */
  feeReceiver: string;
  tokenProgram?: string;
  /** The reserve's `config.fees.flash_loan_fee_sf`: the fee rate as U68F60 bits (2^60 = 100 %). */
  flashLoanFeeSf: bigint;
}

/** What a Kamino reserve account says about flash loans (and how much it can lend). */
export interface KaminoReserve extends KaminoReserveKeys {
  /** Reserve layout version (klend's PROGRAM_VERSION at init; flash loans need it to match the program's). */
  version: bigint;
  /** Liquidity the reserve can lend now, atoms. */
  availableAmount: bigint;
  mintDecimals: number;
  /** 0 active, 1 obsolete, 2 hidden (klend ReserveStatus). */
  status: number;
  depositLimit: bigint;
  /** Pyth price account the reserve's config names (the default key when none). */
  pythOracle: string;
}

// Offsets in the Reserve account (klend 1.7 IDL): liquidity at 128, config at 4856.
const LIQ = 128;
const CONFIG = 4856;

/** Decodes a klend Reserve account; KAMINO_BAD_RESERVE when it is not one. */
export function decodeKaminoReserve(address: string, data: Uint8Array): KaminoReserve {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (b.length !== RESERVE_ACCOUNT_LEN || !b.subarray(0, 8).equals(RESERVE_DISCRIMINATOR)) {
    throw new SolrulesError('EXEC_FLASH_BAD_RESERVE', `account ${address} is not a klend Reserve (${b.length} bytes, discriminator ${b.subarray(0, 8).toString('hex')})`, { field: 'reserve', value: address });
  }
  const key = (o: number) => new PublicKey(b.subarray(o, o + 32)).toBase58();
  return {
    reserve: address,
    version: b.readBigUInt64LE(8),
    lendingMarket: key(32),
    liquidityMint: key(LIQ),
    liquiditySupplyVault: key(LIQ + 32),
    feeReceiver: key(LIQ + 64),
    availableAmount: b.readBigUInt64LE(LIQ + 96),
    mintDecimals: Number(b.readBigUInt64LE(LIQ + 144)),
    tokenProgram: key(LIQ + 280),
    status: b[CONFIG]!,
    flashLoanFeeSf: b.readBigUInt64LE(CONFIG + 48),
    depositLimit: b.readBigUInt64LE(CONFIG + 160),
    pythOracle: key(CONFIG + 176 + 192),
  };
}

/** A fee rate in bps as klend fee bits (truncated, as `Fraction::from_bps` would be stored by an admin tool). */
export function feeSfFromBps(bps: bigint): bigint {
  return (bps * FRACTION_ONE_SF) / 10_000n;
}

/**
 * klend's flash-loan fee on `amount` (ReserveFees::calculate_fees, exclusive): amount × rate in
 * U68F60 (exact: the amount is whole), at least 1 atom when the rate is not zero, rounded to the
 * nearest atom (ties up). Checked against the program on the sandbox (test/sandbox/kamino.test.ts).
 */
export function kaminoFlashLoanFee(amount: bigint, flashLoanFeeSf: bigint): bigint {
  if (flashLoanFeeSf === 0n || amount === 0n) return 0n;
  let bits = amount * flashLoanFeeSf;
  if (bits < FRACTION_ONE_SF) bits = FRACTION_ONE_SF;
  return (bits + FRACTION_ONE_SF / 2n) / FRACTION_ONE_SF;
}

/** The lending market authority PDA (seeds "lma", market). */
export function lendingMarketAuthority(market: string): PublicKey {
  return PublicKey.findProgramAddressSync([Buffer.from('lma'), new PublicKey(market).toBuffer()], KLEND_PROGRAM_ID)[0];
}

function amountData(amount: bigint): Buffer {
  if (amount <= 0n) throw new SolrulesError('EXEC_BAD_AMOUNT', `flash loan amount must be 1..2^64-1 atoms; got ${amount}`, { field: 'amount', value: amount.toString() });
  return u64(amount, 'amount');
}

export class KaminoFlashLoan implements FlashLoanProvider {
  readonly name = 'kamino';

  readonly lookupTables: readonly AddressLookupTableAccount[];

  /** `lookupTables`: tables holding the reserve's fixed accounts (a flash-wrapped two-venue route does not fit 1,232 bytes without one). */
  constructor(readonly reserve: KaminoReserveKeys, opts: { lookupTables?: readonly AddressLookupTableAccount[] } = {}) {
    this.lookupTables = opts.lookupTables ?? [];
    if (reserve.flashLoanFeeSf === FLASH_LOANS_DISABLED_SF) {
      throw new SolrulesError('EXEC_FLASH_DISABLED', `Kamino reserve ${reserve.reserve} has flash loans disabled (flash_loan_fee_sf = u64::MAX)`, { reserve: reserve.reserve, field: 'flashLoanFeeSf', value: reserve.flashLoanFeeSf.toString() });
    }
  }

  /** The mint this reserve lends. */
  get mint(): string {
    return this.reserve.liquidityMint;
  }

  fee(amount: bigint): bigint {
    return kaminoFlashLoanFee(amount, this.reserve.flashLoanFeeSf);
  }

  private keys(req: FlashLoanRequest) {
    const r = this.reserve;
    if (req.mint.toBase58() !== r.liquidityMint) {
      throw new SolrulesError('EXEC_FLASH_MINT', `reserve ${r.reserve} lends ${r.liquidityMint}, not ${req.mint.toBase58()}`, { reserve: r.reserve, field: 'mint', value: req.mint.toBase58() });
    }
    const absent = k(KLEND_PROGRAM_ID, false);
    return [
      k(req.borrower, false, true),
      k(lendingMarketAuthority(r.lendingMarket), false),
      k(r.lendingMarket, false),
      k(r.reserve, true),
      k(r.liquidityMint, false),
      // borrow: reserve_source_liquidity, user_destination_liquidity; repay: reserve_destination_liquidity, user_source_liquidity.
      k(r.liquiditySupplyVault, true),
      k(req.userTokenAccount, true),
      k(r.feeReceiver, true),
      absent, // referrer token state
      absent, // referrer account
      k(SYSVAR_INSTRUCTIONS_PUBKEY, false),
      k(r.tokenProgram ?? TOKEN_PROGRAM, false),
    ];
  }

  borrow(req: FlashLoanRequest): TransactionInstruction[] {
    const fee = this.fee(req.amount);
    if (fee >= req.amount) {
      // klend refuses it too (BorrowTooSmall, 6012): a loan must be larger than its fee.
      throw new SolrulesError('EXEC_BAD_AMOUNT', `a Kamino flash loan of ${req.amount} atoms is not larger than its fee ${fee}`, { field: 'amount', value: req.amount.toString() });
    }
    return [new TransactionInstruction({ programId: KLEND_PROGRAM_ID, keys: this.keys(req), data: Buffer.concat([FLASH_BORROW_DISCRIMINATOR, amountData(req.amount)]) })];
  }

  repay(req: FlashLoanRequest, borrowIndex: number): TransactionInstruction[] {
    if (!Number.isInteger(borrowIndex) || borrowIndex < 0 || borrowIndex > 255) throw new SolrulesError('EXEC_FLASH_INDEX', `borrow instruction index must be 0..255; got ${borrowIndex}`, { field: 'borrowIndex', value: borrowIndex });
    return [new TransactionInstruction({ programId: KLEND_PROGRAM_ID, keys: this.keys(req), data: Buffer.concat([FLASH_REPAY_DISCRIMINATOR, amountData(req.amount), Buffer.from([borrowIndex])]) })];
  }
}

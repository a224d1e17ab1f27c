/**
 * Kamino Lending (klend) flash loans: `flash_borrow_reserve_liquidity` first and
 * `flash_repay_reserve_liquidity` last, in one transaction; the repay names the borrow's
 * instruction index, which klend checks through the instructions sysvar. Accounts follow the
 * klend IDL (absent optional referrer accounts are the program id, as Anchor encodes them).
 * Reserve keys come from the reserve account (liquidity mint, supply vault, fee vault); they are
 * configuration here — the reserve decoder is not part of this module.
 */
import { PublicKey, SYSVAR_INSTRUCTIONS_PUBKEY, TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { accountMeta as k, TOKEN_PROGRAM, u64 } from '../../venues/index.ts';
import type { FlashLoanProvider, FlashLoanRequest } from './provider.ts';

export const KLEND_PROGRAM_ID = new PublicKey('KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD');
/** sha256("global:flash_borrow_reserve_liquidity")[0..8], as in the klend IDL. */
export const FLASH_BORROW_DISCRIMINATOR = Buffer.from([135, 231, 52, 167, 7, 52, 212, 193]);
/** sha256("global:flash_repay_reserve_liquidity")[0..8]. */
export const FLASH_REPAY_DISCRIMINATOR = Buffer.from([185, 117, 0, 203, 96, 245, 180, 186]);

export interface KaminoReserveKeys {
  lendingMarket: string;
  reserve: string;
  liquidityMint: string;
  /** The reserve's liquidity supply vault (source of the loan, destination of the repay). */
  liquiditySupplyVault: string;
  /** The reserve's fee receiver. */
  feeReceiver: string;
  tokenProgram?: string;
  /** Flash-loan fee, in hundredths of a bp (klend's flash_loan_fee_sf as a rate); e.g. 9 = 0.09 bp. */
  feeHundredthsOfBps: number;
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

  constructor(private readonly reserve: KaminoReserveKeys) {}

  fee(amount: bigint): bigint {
    // klend rounds the flash fee up.
    return (amount * BigInt(this.reserve.feeHundredthsOfBps) + 999_999n) / 1_000_000n;
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
    return [new TransactionInstruction({ programId: KLEND_PROGRAM_ID, keys: this.keys(req), data: Buffer.concat([FLASH_BORROW_DISCRIMINATOR, amountData(req.amount)]) })];
  }

  repay(req: FlashLoanRequest, borrowIndex: number): TransactionInstruction[] {
    if (!Number.isInteger(borrowIndex) || borrowIndex < 0 || borrowIndex > 255) throw new SolrulesError('EXEC_FLASH_INDEX', `borrow instruction index must be 0..255; got ${borrowIndex}`, { field: 'borrowIndex', value: borrowIndex });
    return [new TransactionInstruction({ programId: KLEND_PROGRAM_ID, keys: this.keys(req), data: Buffer.concat([FLASH_REPAY_DISCRIMINATOR, amountData(req.amount), Buffer.from([borrowIndex])]) })];
  }
}

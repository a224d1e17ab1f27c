/**
 * FlashLoanProvider: borrow at the start of a transaction, repay at its end. The transaction
 * builder places the borrow first and the repay last and tells the provider where the borrow
 * landed (some programs, Kamino's among them, check the pair by instruction index).
 */
import type { AddressLookupTableAccount, PublicKey, TransactionInstruction } from '@solana/web3.js';

export interface FlashLoanRequest {
  /** The wallet that borrows, signs and repays. */
  borrower: PublicKey;
  /** Token mint borrowed. */
  mint: PublicKey;
  /** Atoms borrowed. */
  amount: bigint;
  /** Borrower's token account that receives the loan and pays it back. */
  userTokenAccount: PublicKey;
}

export interface FlashLoanProvider {
  readonly name: string;
  /** The mint it lends. */
  readonly mint: string;
  /** Lookup tables holding its fixed accounts (a wrapped route needs the room), if any. */
  readonly lookupTables?: readonly AddressLookupTableAccount[];
  /** The fee on `amount`, in atoms of the borrowed mint. */
  fee(amount: bigint): bigint;
  /** Instructions that borrow; they go first. */
  borrow(req: FlashLoanRequest): TransactionInstruction[];
  /** Instructions that repay; they go last. `borrowIndex` is the index of the borrow instruction in the transaction. */
  repay(req: FlashLoanRequest, borrowIndex: number): TransactionInstruction[];
}

/**
 * The instructions of a flash-loan-wrapped plan: `before` (e.g. compute budget), the borrow, the
 * swaps, the repay naming the borrow's index in the whole transaction (klend checks it against the
 * instructions sysvar: an index off by the instructions in front of the borrow fails InvalidFlashRepay).
 */
export function flashWrapped(flash: { provider: FlashLoanProvider; request: FlashLoanRequest }, instructions: readonly TransactionInstruction[], before: readonly TransactionInstruction[] = []): TransactionInstruction[] {
  const borrow = flash.provider.borrow(flash.request);
  return [...before, ...borrow, ...instructions, ...flash.provider.repay(flash.request, before.length + borrow.length - 1)];
}

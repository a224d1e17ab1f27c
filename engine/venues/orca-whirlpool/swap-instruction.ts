/**
 * Orca Whirlpool `swap_v2` from a decoded whirlpool state: 15 accounts (both token programs, memo,
 * authority, pool, both mints, owner accounts and vaults, three tick arrays in swap direction,
 * oracle) and args amount, other_amount_threshold, sqrt_price_limit, amount_specified_is_input,
 * a_to_b, remaining_accounts_info (None: no transfer hooks). Tick arrays are the first three of
 * the sequence the quote walked (repeated at the end of the range, as the SDK does).
 */
import { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { WHIRLPOOL_PROGRAM_ID } from './layout.ts';
import type { OrcaWhirlpoolState } from './venue.ts';

const WHIRLPOOL_PROGRAM = new PublicKey(WHIRLPOOL_PROGRAM_ID);

/** Whirlpool oracle PDA (seeds "oracle", pool), memoized. */
function oracleAddressOf(pool: string): PublicKey {
  return new PublicKey(oracleAddress(pool));
}
import { oracleAddress } from './pda.ts';
import { accountMeta as k, ata, bool, MEMO_PROGRAM, requireMint, tokenProgramOf, u128, u64, type SwapRequest } from '../codec/swap.ts';
import { instructionDiscriminator } from '../codec/anchor.ts';

/** sqrt price bounds of the program (MIN_SQRT_PRICE, MAX_SQRT_PRICE): no limit. */
export const WHIRLPOOL_MIN_SQRT_PRICE = 4295048016n;
export const WHIRLPOOL_MAX_SQRT_PRICE = 79226673515401279992447579055n;

const SWAP_V2 = instructionDiscriminator('swap_v2');

export function whirlpoolSwapInstruction(state: OrcaWhirlpoolState, req: SwapRequest & { sqrtPriceLimit?: bigint }): TransactionInstruction {
  const w = state.whirlpool;
  requireMint([w.tokenMintA, w.tokenMintB], req.inputMint, 'orca-whirlpool', state.address);
  const aToB = req.inputMint === w.tokenMintA;
  const exactIn = req.exactIn ?? true;
  const progA = tokenProgramOf(state.mintInfoA.programId);
  const progB = tokenProgramOf(state.mintInfoB.programId);
  const ownerA = aToB ? req.userInputAccount ?? ata(w.tokenMintA, req.owner, progA) : req.userOutputAccount ?? ata(w.tokenMintA, req.owner, progA);
  const ownerB = aToB ? req.userOutputAccount ?? ata(w.tokenMintB, req.owner, progB) : req.userInputAccount ?? ata(w.tokenMintB, req.owner, progB);
  const sequence = (aToB ? state.sequenceAToB : state.sequenceBToA).map((s) => s.address);
  if (sequence.length === 0) throw new SolrulesError('EXEC_NO_TICK_ARRAYS', `whirlpool ${state.address} has no tick array in the swap direction`, { pool: state.address });
  const tickArrays = [0, 1, 2].map((i) => new PublicKey(sequence[Math.min(i, sequence.length - 1)]!));
  const limit = req.sqrtPriceLimit ?? (aToB ? WHIRLPOOL_MIN_SQRT_PRICE : WHIRLPOOL_MAX_SQRT_PRICE);
  const data = Buffer.concat([SWAP_V2, u64(req.amount, 'amount'), u64(req.otherAmountThreshold, 'otherAmountThreshold'), u128(limit, 'sqrtPriceLimit'), bool(exactIn), bool(aToB), Buffer.from([0])]);
  return new TransactionInstruction({
    programId: WHIRLPOOL_PROGRAM,
    keys: [
      k(progA, false),
      k(progB, false),
      k(MEMO_PROGRAM, false),
      k(req.owner, false, true),
      k(state.address, true),
      k(w.tokenMintA, false),
      k(w.tokenMintB, false),
      k(ownerA, true),
      k(w.tokenVaultA, true),
      k(ownerB, true),
      k(w.tokenVaultB, true),
      k(tickArrays[0]!, true),
      k(tickArrays[1]!, true),
      k(tickArrays[2]!, true),
      k(oracleAddressOf(state.address), true),
    ],
    data,
  });
}

/**
 * Meteora DLMM `swap2` (exact in) from a decoded lb pair: pair, bitmap extension (or the program
 * id in its place when absent, as Anchor encodes a missing optional account), reserves, owner's
 * input and output accounts, both mints, oracle, host fee account (absent: the program id), user,
 * both token programs, memo, the event authority and the program; then the bin arrays the quote
 * crosses. Args: amount_in, min_amount_out, remaining_accounts_info (no transfer-hook slices).
 */
import { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { METEORA_DLMM_PROGRAM_ID } from './layout.ts';
import type { MeteoraDlmmState } from './venue.ts';

const METEORA_DLMM_PROGRAM = new PublicKey(METEORA_DLMM_PROGRAM_ID);
import { accountMeta as k, ata, MEMO_PROGRAM, requireMint, TOKEN_2022_PROGRAM, TOKEN_PROGRAM, u64, type SwapRequest } from '../codec/swap.ts';
import { instructionDiscriminator } from '../codec/anchor.ts';

const SWAP2 = instructionDiscriminator('swap2');

/** The program's event authority PDA (seed "__event_authority"). */
export function dlmmEventAuthority(): PublicKey {
  return PublicKey.findProgramAddressSync([Buffer.from('__event_authority')], METEORA_DLMM_PROGRAM)[0];
}

export interface DlmmSwapRequest extends SwapRequest {
  /** Bin arrays the swap crosses, in order (the quote's). */
  binArrays: readonly string[];
  hostFeeIn?: PublicKey;
}

export function meteoraDlmmSwapInstruction(state: MeteoraDlmmState, req: DlmmSwapRequest): TransactionInstruction {
  const l = state.lbPair;
  requireMint([l.tokenXMint, l.tokenYMint], req.inputMint, 'meteora-dlmm', state.address);
  if (req.exactIn === false) throw new SolrulesError('EXEC_UNSUPPORTED', 'meteora-dlmm: exact-out swaps are not built (swap_exact_out2); quote exact in', { venue: 'meteora-dlmm' });
  if (req.binArrays.length === 0) throw new SolrulesError('EXEC_NO_BIN_ARRAYS', `meteora-dlmm swap on ${state.address} needs the bin arrays it crosses`, { pool: state.address });
  const progX = l.tokenMintXProgramFlag === 1 ? TOKEN_2022_PROGRAM : TOKEN_PROGRAM;
  const progY = l.tokenMintYProgramFlag === 1 ? TOKEN_2022_PROGRAM : TOKEN_PROGRAM;
  const xIn = req.inputMint === l.tokenXMint;
  const userIn = req.userInputAccount ?? ata(req.inputMint, req.owner, xIn ? progX : progY);
  const userOut = req.userOutputAccount ?? ata(xIn ? l.tokenYMint : l.tokenXMint, req.owner, xIn ? progY : progX);
  const absent = k(METEORA_DLMM_PROGRAM, false);
  return new TransactionInstruction({
    programId: METEORA_DLMM_PROGRAM,
    keys: [
      k(state.address, true),
      state.extension ? k(state.extension.address, true) : absent,
      k(l.reserveX, true),
      k(l.reserveY, true),
      k(userIn, true),
      k(userOut, true),
      k(l.tokenXMint, false),
      k(l.tokenYMint, false),
      k(l.oracle, true),
      req.hostFeeIn ? k(req.hostFeeIn, true) : absent,
      k(req.owner, false, true),
      k(progX, false),
      k(progY, false),
      k(MEMO_PROGRAM, false),
      k(dlmmEventAuthority(), false),
      k(METEORA_DLMM_PROGRAM, false),
      ...req.binArrays.map((b) => k(b, true)),
    ],
    // remaining_accounts_info: a Vec of slices, empty (u32 length 0).
    data: Buffer.concat([SWAP2, u64(req.amount, 'amountIn'), u64(req.otherAmountThreshold, 'minAmountOut'), Buffer.alloc(4)]),
  });
}

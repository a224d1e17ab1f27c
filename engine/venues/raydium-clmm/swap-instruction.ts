/**
 * Raydium CLMM `swap_v2` from a decoded pool state: payer, amm config, pool, owner's input and
 * output accounts, the pool's input and output vaults, observation, both token programs, memo,
 * both vault mints; then remaining accounts: the tick-array bitmap extension PDA and the tick arrays the quote walked, in order. Args: amount, other_amount_threshold,
 * sqrt_price_limit_x64 (default one step inside the program's bounds), is_base_input.
 */
import { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { RAYDIUM_CLMM_PROGRAM_ID } from './layout.ts';
import type { RaydiumClmmState } from './venue.ts';

const RAYDIUM_CLMM_PROGRAM = new PublicKey(RAYDIUM_CLMM_PROGRAM_ID);
import { accountMeta as k, ata, bool, MEMO_PROGRAM, requireMint, TOKEN_2022_PROGRAM, TOKEN_PROGRAM, tokenProgramOf, u128, u64, type SwapRequest } from '../codec/swap.ts';
import { instructionDiscriminator } from '../codec/anchor.ts';

/** PDA of a pool's tick-array bitmap extension (seeds "pool_tick_array_bitmap_extension", pool). */
export function clmmBitmapExtension(pool: string): PublicKey {
  return PublicKey.findProgramAddressSync([Buffer.from('pool_tick_array_bitmap_extension'), new PublicKey(pool).toBuffer()], RAYDIUM_CLMM_PROGRAM)[0];
}

export const CLMM_MIN_SQRT_PRICE_X64 = 4295048016n;
export const CLMM_MAX_SQRT_PRICE_X64 = 79226673521066979257578248091n;

const SWAP_V2 = instructionDiscriminator('swap_v2');

export interface ClmmSwapRequest extends SwapRequest {
  /** Tick arrays the swap crosses, in order (the quote's); default: those of the quote accounts known to the state. */
  tickArrays: readonly string[];
  sqrtPriceLimitX64?: bigint;
  /** Token programs of mint 0 / mint 1 (default SPL Token). */
  mintPrograms?: [string, string];
}

export function raydiumClmmSwapInstruction(state: RaydiumClmmState, req: ClmmSwapRequest): TransactionInstruction {
  const p = state.pool;
  requireMint([p.tokenMint0, p.tokenMint1], req.inputMint, 'raydium-clmm', state.address);
  if (req.tickArrays.length === 0) throw new SolrulesError('EXEC_NO_TICK_ARRAYS', `raydium-clmm swap on ${state.address} needs the tick arrays it crosses`, { pool: state.address });
  const zeroForOne = req.inputMint === p.tokenMint0;
  const exactIn = req.exactIn ?? true;
  const [prog0, prog1] = (req.mintPrograms ?? [TOKEN_PROGRAM.toBase58(), TOKEN_PROGRAM.toBase58()]).map(tokenProgramOf) as [PublicKey, PublicKey];
  const [inMint, outMint, inVault, outVault, inProg, outProg] = zeroForOne
    ? [p.tokenMint0, p.tokenMint1, p.tokenVault0, p.tokenVault1, prog0, prog1]
    : [p.tokenMint1, p.tokenMint0, p.tokenVault1, p.tokenVault0, prog1, prog0];
  const userIn = req.userInputAccount ?? ata(inMint, req.owner, inProg);
  const userOut = req.userOutputAccount ?? ata(outMint, req.owner, outProg);
  const limit = req.sqrtPriceLimitX64 ?? (zeroForOne ? CLMM_MIN_SQRT_PRICE_X64 + 1n : CLMM_MAX_SQRT_PRICE_X64 - 1n);
  return new TransactionInstruction({
    programId: RAYDIUM_CLMM_PROGRAM,
    keys: [
      k(req.owner, false, true),
      k(state.configAddress, false),
      k(state.address, true),
      k(userIn, true),
      k(userOut, true),
      k(inVault, true),
      k(outVault, true),
      k(p.observationKey, true),
      k(TOKEN_PROGRAM, false),
      k(TOKEN_2022_PROGRAM, false),
      k(MEMO_PROGRAM, false),
      k(inMint, false),
      k(outMint, false),
      // The bitmap extension goes first always (the SDK does so; the program skips it when the swap stays in the pool bitmap).
      k(clmmBitmapExtension(state.address), true),
      ...req.tickArrays.map((t) => k(t, true)),
    ],
    data: Buffer.concat([SWAP_V2, u64(req.amount, 'amount'), u64(req.otherAmountThreshold, 'otherAmountThreshold'), u128(limit, 'sqrtPriceLimitX64'), bool(exactIn)]),
  });
}

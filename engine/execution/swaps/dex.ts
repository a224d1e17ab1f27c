/** What the swap builders use from the DEX venues (one import point, so engine/dex is read through its index). */
import { PublicKey } from '@solana/web3.js';
import { WHIRLPOOL_PROGRAM_ID, RAYDIUM_AMM_V4_PROGRAM_ID } from '../../dex/index.ts';
export type { OrcaWhirlpoolState, RaydiumAmmV4State } from '../../dex/index.ts';

export const WHIRLPOOL_PROGRAM = new PublicKey(WHIRLPOOL_PROGRAM_ID);
export const RAYDIUM_AMM_V4_PROGRAM = new PublicKey(RAYDIUM_AMM_V4_PROGRAM_ID);

/** Whirlpool oracle PDA (seeds "oracle", pool). */
export function oracleAddressOf(pool: string): PublicKey {
  return PublicKey.findProgramAddressSync([Buffer.from('oracle'), new PublicKey(pool).toBuffer()], WHIRLPOOL_PROGRAM)[0];
}
import { RAYDIUM_CLMM_PROGRAM_ID, METEORA_DLMM_PROGRAM_ID } from '../../dex/index.ts';
export type { RaydiumClmmState, MeteoraDlmmState, Quote } from '../../dex/index.ts';
export const RAYDIUM_CLMM_PROGRAM = new PublicKey(RAYDIUM_CLMM_PROGRAM_ID);
export const METEORA_DLMM_PROGRAM = new PublicKey(METEORA_DLMM_PROGRAM_ID);

/**
 * Raydium AMM v4 swaps from a decoded AmmInfo. Two forms of the program's instruction:
 * - `swap_base_in_v2` / `swap_base_out_v2` (tags 16 / 17): 8 accounts, no OpenBook market —
 *   what we build by default;
 * - `swap_base_in` / `swap_base_out` (tags 9 / 11): the 18-account form with the market's
 *   bids, asks, event queue, vaults and vault signer, when those are given (from the market
 *   account: see `decodeSerumMarketKeys`).
 * Data: tag then (amount_in, minimum_amount_out) or (max_amount_in, amount_out), little-endian u64.
 */
import { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { RAYDIUM_AMM_V4_PROGRAM_ID } from './layout.ts';
import type { RaydiumAmmV4State } from './venue.ts';

const RAYDIUM_AMM_V4_PROGRAM = new PublicKey(RAYDIUM_AMM_V4_PROGRAM_ID);
import { accountMeta as k, ata, requireMint, TOKEN_PROGRAM, u64, type SwapRequest } from '../codec/swap.ts';

/** The AMM's authority PDA (seed "amm authority"). */
export const RAYDIUM_AMM_V4_AUTHORITY = new PublicKey('5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1');

export interface SerumMarketKeys {
  bids: string;
  asks: string;
  eventQueue: string;
  baseVault: string;
  quoteVault: string;
  vaultSigner: string;
}

/** Reads the accounts the 18-account swap needs from an OpenBook/Serum v3 market account. */
export function decodeSerumMarketKeys(market: string, marketProgram: string, data: Uint8Array): SerumMarketKeys {
  if (data.length < 388) throw new SolrulesError('EXEC_BAD_MARKET', `market ${market} is ${data.length} bytes; a Serum v3 market is 388`, { account: market, field: 'length', value: data.length });
  const b = Buffer.from(data);
  const key = (o: number) => new PublicKey(b.subarray(o, o + 32)).toBase58();
  const nonce = b.readBigUInt64LE(45);
  const nonceBytes = Buffer.alloc(8);
  nonceBytes.writeBigUInt64LE(nonce);
  const vaultSigner = PublicKey.createProgramAddressSync([new PublicKey(market).toBuffer(), nonceBytes], new PublicKey(marketProgram)).toBase58();
  return { baseVault: key(117), quoteVault: key(165), eventQueue: key(253), bids: key(285), asks: key(317), vaultSigner };
}

export function raydiumAmmV4SwapInstruction(state: RaydiumAmmV4State, req: SwapRequest & { market?: SerumMarketKeys }): TransactionInstruction {
  const a = state.amm;
  requireMint([a.coinMint, a.pcMint], req.inputMint, 'raydium-amm-v4', state.address);
  const outputMint = req.inputMint === a.coinMint ? a.pcMint : a.coinMint;
  const exactIn = req.exactIn ?? true;
  const userIn = req.userInputAccount ?? ata(req.inputMint, req.owner, TOKEN_PROGRAM);
  const userOut = req.userOutputAccount ?? ata(outputMint, req.owner, TOKEN_PROGRAM);
  // swap_base_in: (amount_in, minimum_amount_out); swap_base_out: (max_amount_in, amount_out).
  const amounts = exactIn
    ? Buffer.concat([u64(req.amount, 'amountIn'), u64(req.otherAmountThreshold, 'minAmountOut')])
    : Buffer.concat([u64(req.otherAmountThreshold, 'maxAmountIn'), u64(req.amount, 'amountOut')]);
  if (!req.market) {
    return new TransactionInstruction({
      programId: RAYDIUM_AMM_V4_PROGRAM,
      keys: [k(TOKEN_PROGRAM, false), k(state.address, true), k(RAYDIUM_AMM_V4_AUTHORITY, false), k(a.coinVault, true), k(a.pcVault, true), k(userIn, true), k(userOut, true), k(req.owner, false, true)],
      data: Buffer.concat([Buffer.from([exactIn ? 16 : 17]), amounts]),
    });
  }
  const m = req.market;
  return new TransactionInstruction({
    programId: RAYDIUM_AMM_V4_PROGRAM,
    keys: [
      k(TOKEN_PROGRAM, false),
      k(state.address, true),
      k(RAYDIUM_AMM_V4_AUTHORITY, false),
      k(a.openOrders, true),
      k(a.targetOrders, true),
      k(a.coinVault, true),
      k(a.pcVault, true),
      k(a.marketProgram, false),
      k(a.market, true),
      k(m.bids, true),
      k(m.asks, true),
      k(m.eventQueue, true),
      k(m.baseVault, true),
      k(m.quoteVault, true),
      k(m.vaultSigner, false),
      k(userIn, true),
      k(userOut, true),
      k(req.owner, false, true),
    ],
    data: Buffer.concat([Buffer.from([exactIn ? 9 : 11]), amounts]),
  });
}

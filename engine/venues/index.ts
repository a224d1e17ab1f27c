/**
 * DEX venues: account decoders and exact swap math, one folder per venue behind `Venue`.
 *
 * `VENUES` is the registry the CLI and the quote engine look pools up in, by owner program:
 * adding a venue is adding its folder and one line to that list.
 */
import type { AccountSnapshot } from '../accounts/index.ts';
import { accountLabel, dexError } from './codec/index.ts';
import { meteoraDlmm } from './meteora-dlmm/index.ts';
import { orcaWhirlpool } from './orca-whirlpool/index.ts';
import { raydiumAmmV4 } from './raydium-amm-v4/index.ts';
import { raydiumClmm } from './raydium-clmm/index.ts';
import type { PoolState, Venue, VenueId } from './venue.ts';

export type { Venue, VenueId, PoolState, Quote, QuoteContext } from './venue.ts';
export { instructionDiscriminator } from './codec/anchor.ts';
export { arraysFromQuote, accountMeta, ata as associatedTokenAddress, TOKEN_PROGRAM, TOKEN_2022_PROGRAM, u64, type SwapRequest } from './codec/swap.ts';
export * as swaps from './swaps.ts';

/** Every quotable venue. One line per venue. */
export const VENUES: readonly Venue[] = [
  raydiumAmmV4,
  orcaWhirlpool,
  raydiumClmm,
  meteoraDlmm,
];

/** The venue whose program owns pools with this owner, if any. */
export function venueForProgram(programId: string): Venue | undefined {
  return VENUES.find((v) => v.programId === programId);
}

/** The venue by id, if registered. */
export function venueById(id: VenueId | string): Venue | undefined {
  return VENUES.find((v) => v.id === id);
}

/** The venue for a pool account (by its owner), or `DEX_UNKNOWN_VENUE`. */
export function venueForPool(pool: AccountSnapshot): Venue<PoolState> {
  const venue = venueForProgram(pool.owner);
  if (!venue) {
    throw dexError('DEX_UNKNOWN_VENUE', `account ${accountLabel(pool)} is owned by ${pool.owner}, which is not a registered venue (${VENUES.map((v) => `${v.id} ${v.programId}`).join(', ')})`, {
      account: accountLabel(pool),
      field: 'owner',
      value: pool.owner,
      expected: VENUES.map((v) => v.programId),
    });
  }
  return venue;
}

export { raydiumAmmV4, decodeAmmInfo, RAYDIUM_AMM_V4_PROGRAM_ID } from './raydium-amm-v4/index.ts';
export type { RaydiumAmmV4State, AmmInfo } from './raydium-amm-v4/index.ts';
export { orcaWhirlpool, decodeWhirlpool, decodeTickArray, decodeOracle, WHIRLPOOL_PROGRAM_ID, tickArrayAddress as whirlpoolTickArrayAddress } from './orca-whirlpool/index.ts';
export type { OrcaWhirlpoolState, OrcaWhirlpoolQuote, Whirlpool, TickArray, Oracle } from './orca-whirlpool/index.ts';
export {
  raydiumClmm,
  decodePoolState as decodeClmmPoolState,
  decodeAmmConfig as decodeClmmAmmConfig,
  decodeTickArrayState as decodeClmmTickArrayState,
  decodeTickArrayBitmapExtension as decodeClmmTickArrayBitmapExtension,
  decodeObservationState as decodeClmmObservationState,
  decodeProtocolPositionState as decodeClmmProtocolPositionState,
  RAYDIUM_CLMM_PROGRAM_ID,
} from './raydium-clmm/index.ts';
export type { RaydiumClmmState, RaydiumClmmQuote, ClmmPoolState } from './raydium-clmm/index.ts';
export {
  meteoraDlmm,
  decodeLbPair,
  decodeBinArray,
  decodeBinArrayBitmapExtension,
  decodeOracle as decodeDlmmOracle,
  decodePresetParameter,
  METEORA_DLMM_PROGRAM_ID,
  binArrayAddress as dlmmBinArrayAddress,
  getPriceFromId as dlmmPriceFromId,
} from './meteora-dlmm/index.ts';
export type { MeteoraDlmmState, MeteoraDlmmQuote, LbPair, BinArray } from './meteora-dlmm/index.ts';
export { decodePythPrice, scaledToDecimal, PYTH_MAGIC, PYTH_PROGRAM_ID, decodePythPriceUpdate, encodePythPriceUpdate, PYTH_RECEIVER_PROGRAM_ID } from './pyth/index.ts';
export type { PythPrice, PythPriceStatus, PythPriceUpdate } from './pyth/index.ts';
export {
  decodeMint,
  decodeTokenAccount,
  effectiveTransferFee,
  calculateTransferFee,
  calculatePreFeeAmount,
  calculateInverseTransferFee,
  TOKEN_PROGRAM_ID,
  TOKEN_2022_PROGRAM_ID,
  NATIVE_MINT,
} from './spl-token/index.ts';
export type { MintInfo, TokenAccountInfo, TransferFee, TransferFeeConfig } from './spl-token/index.ts';

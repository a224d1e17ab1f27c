/** Raydium CLMM: account decoders and exact swap quotes (limit orders, dynamic fee, fee side) as the program computes them. */
export { raydiumClmm, tickArrayAddress, tickArrayAddressesAround, bitmapExtensionAddress, makeClmmState } from './venue.ts';
export type { RaydiumClmmState, RaydiumClmmQuote, ClmmQuoteOptions } from './venue.ts';
export {
  RAYDIUM_CLMM_PROGRAM_ID,
  decodePoolState,
  decodeAmmConfig,
  decodeTickArrayState,
  decodeTickArrayBitmapExtension,
  decodeObservationState,
  decodeProtocolPositionState,
} from './layout.ts';
export type {
  ClmmPoolState,
  AmmConfig,
  ClmmTick,
  TickArrayState,
  TickArrayBitmapExtension,
  ObservationState,
  ProtocolPositionState,
  DynamicFeeInfo,
} from './layout.ts';
export { simulateSwap } from './swap.ts';
export type { ClmmSwapResult, ClmmTickArray } from './swap.ts';
export { getSqrtPriceAtTick, getTickAtSqrtPrice, computeSwapStep, tickArrayStartIndex, MIN_TICK, MAX_TICK, MIN_SQRT_PRICE_X64, MAX_SQRT_PRICE_X64 } from './math.ts';

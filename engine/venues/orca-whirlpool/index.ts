/** Orca Whirlpool (concentrated liquidity, program whirLbMi…): decoders and the program's exact swap. */
export { orcaWhirlpool } from './venue.ts';
export type { OrcaWhirlpoolState, OrcaWhirlpoolQuote, OrcaWhirlpoolVenue } from './venue.ts';
export {
  decodeWhirlpool,
  decodeTickArray,
  decodeOracle,
  decodePosition,
  WHIRLPOOL_PROGRAM_ID,
  POSITION_DISCRIMINATOR,
  WHIRLPOOL_DISCRIMINATOR,
  FIXED_TICK_ARRAY_DISCRIMINATOR,
  DYNAMIC_TICK_ARRAY_DISCRIMINATOR,
  ORACLE_DISCRIMINATOR,
  MAX_FEE_RATE,
  MAX_PROTOCOL_FEE_RATE,
} from './layout.ts';
export type { Whirlpool, WhirlpoolRewardInfo, Tick, TickArray, Oracle, Position } from './layout.ts';
export type { AdaptiveFeeConstants, AdaptiveFeeVariables, AdaptiveFeeInfo } from './fee-rate.ts';
export { tickArrayAddress, oracleAddress } from './pda.ts';
export {
  sqrtPriceFromTickIndex,
  tickIndexFromSqrtPrice,
  tickArrayStartIndex,
  MIN_TICK_INDEX,
  MAX_TICK_INDEX,
  MIN_SQRT_PRICE,
  MAX_SQRT_PRICE,
  TICK_ARRAY_SIZE,
} from './tick-math.ts';
export { sequenceStartIndexes, swapWhirlpool } from './swap.ts';
export type { SequenceArray, SwapResult } from './swap.ts';
export { computeSwapStep } from './swap-math.ts';

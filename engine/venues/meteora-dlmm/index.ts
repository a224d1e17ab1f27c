/** Meteora DLMM: account decoders and exact bin-by-bin quotes (base + variable fee, limit orders, fee side, Token-2022 transfer fees via ../spl-token). */
export { meteoraDlmm, makeDlmmState, binArrayAddress, binArrayBitmapExtensionAddress } from './venue.ts';
export type { MeteoraDlmmState, MeteoraDlmmQuote, DlmmQuoteOptions } from './venue.ts';
export {
  METEORA_DLMM_PROGRAM_ID,
  decodeLbPair,
  decodeBinArray,
  BinArrayBins,
  decodeBinArrayBitmapExtension,
  decodeOracle,
  decodePresetParameter,
} from './layout.ts';
export type { LbPair, BinArray, DlmmBin, DlmmBinLiquidity, BinArrayBitmapExtension, Oracle, PresetParameter, StaticParameters, VariableParameters } from './layout.ts';
export { quoteExactIn, quoteExactOut, supportsLimitOrders, feeOnInput } from './quote.ts';
export type { DlmmQuoteResult, DlmmBinArray, DlmmClock } from './quote.ts';
export { getPriceFromId, totalFeeRate } from './math.ts';

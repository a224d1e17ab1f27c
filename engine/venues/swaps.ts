/** Swap instructions per venue, built from decoded pool state. */
export { whirlpoolSwapInstruction, WHIRLPOOL_MIN_SQRT_PRICE, WHIRLPOOL_MAX_SQRT_PRICE } from './orca-whirlpool/swap-instruction.ts';
export { raydiumAmmV4SwapInstruction, decodeSerumMarketKeys, RAYDIUM_AMM_V4_AUTHORITY, type SerumMarketKeys } from './raydium-amm-v4/swap-instruction.ts';
export { raydiumClmmSwapInstruction, clmmBitmapExtension, CLMM_MIN_SQRT_PRICE_X64, CLMM_MAX_SQRT_PRICE_X64, type ClmmSwapRequest } from './raydium-clmm/swap-instruction.ts';
export { meteoraDlmmSwapInstruction, dlmmEventAuthority, type DlmmSwapRequest } from './meteora-dlmm/swap-instruction.ts';
export { instructionDiscriminator } from './codec/anchor.ts';
export { arraysFromQuote, type SwapRequest } from './codec/swap.ts';

/**
 * A SOL/USDC market on the sandbox held by the real DEX programs (Orca Whirlpool, Meteora DLMM;
 * and a Kamino lending reserve it can create for flash loans), and the SIMULATED flow of other traders that moves it. See docs/sandbox.md.
 */
export { createMarket, seededKeypair, MARKET_VENUES, type Market, type MarketOptions, type MarketPool, type MarketVenue } from './market.ts';
export { loadPrograms, PROGRAMS, type ProgramName } from './programs.ts';
export { readPoolState, snapshotOf, chainContext } from './state.ts';
export { fundTokenAccount, tokenBalance, associatedTokenAddress, mintDecimals } from './tokens.ts';
export { sendInstructions, buildTransaction, type SendOptions } from './send.ts';
export { WHIRLPOOL_SOL_USDC, USDC_MINT } from './whirlpool.ts';
export { customizablePairAddress, binIdForPrice, type CreatedDlmmPair } from './dlmm.ts';
export { swapExactIn, type SwapOutcome } from './swap.ts';
export { MarketFlow, describeFlowSwap, poolPrice, type FlowOptions, type FlowSwap, type FlowStats, type FlowMode } from './flow.ts';
export { loadRecordedDay, REPLAY_POOL, type RecordedSwap } from './replay.ts';
export { SeededRandom } from './rng.ts';
export { postPythSolUsd, poolPriceE8, PYTH_SOL_USD_ACCOUNT, PYTH_SOL_USD_FEED } from './oracle.ts';
export { createKaminoReserve, readKaminoReserve, refreshReserveInstruction, postPythLegacyUsdcUsd, encodeReserveConfig, pythLegacyPriceData, PYTH_LEGACY_USDC_USD_ACCOUNT, type SandboxKaminoReserve, type KaminoReserveOptions } from './kamino.ts';

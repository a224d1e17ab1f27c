/** Raydium AMM v4 (constant product, program 675kPX9M…): `AmmInfo` decoder and exact swap math. */
export { raydiumAmmV4 } from './venue.ts';
export type { RaydiumAmmV4State } from './venue.ts';
export { decodeAmmInfo, RAYDIUM_AMM_V4_PROGRAM_ID, AMM_INFO_LEN, AMM_STATUS_NAMES } from './layout.ts';
export type { AmmInfo, Fraction } from './layout.ts';
export { programCeilDiv, swapBaseIn, swapBaseOut } from './math.ts';
export type { BaseInResult, BaseOutResult } from './math.ts';

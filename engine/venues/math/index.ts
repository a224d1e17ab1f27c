/**
 * Shared integer math for DEX quotes: bigint stand-ins for u64/u128/U256 with explicit rounding,
 * Q64.64 helpers, price impact, and bitmap search. Venues (and the CLMM / DLMM venues) build on these.
 */
export {
  U16_MAX,
  U32_MAX,
  U64_MAX,
  U128_MAX,
  U256_MAX,
  I128_MIN,
  I128_MAX,
  divCeil,
  div,
  mulDiv,
  msb,
  floorDiv,
  requireU64Amount,
} from './int.ts';
export type { Rounding } from './int.ts';
export { Q64, Q64_MASK, mulShiftRight, q64ToNumber } from './q64.ts';
export { priceImpactBps } from './impact.ts';
export { setBits, floorSearch, ceilSearch } from './bits.ts';

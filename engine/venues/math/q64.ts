/** Q64.64 fixed point (the format of Orca / Raydium CLMM sqrt prices and DLMM bin prices). */
import type { Rounding } from './int.ts';

export const Q64 = 1n << 64n;
export const Q64_MASK = Q64 - 1n;

/** `(a × b) >> shift`, rounded as named. */
export function mulShiftRight(a: bigint, b: bigint, shift: bigint, rounding: Rounding): bigint {
  const p = a * b;
  const q = p >> shift;
  if (rounding === 'ceil' && (p & ((1n << shift) - 1n)) !== 0n) return q + 1n;
  return q;
}

/** A Q64.64 value as a float, for display only (never for amounts). */
export function q64ToNumber(x: bigint): number {
  return Number(x >> 32n) / 2 ** 32;
}

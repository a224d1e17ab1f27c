/**
 * Integer helpers for on-chain math ported to bigint. Rust's fixed widths (u64, u128, U256) are
 * modelled by explicit range checks at the points where the program would fail; rounding is always
 * named at the call site (`floor` / `ceil`), never implied.
 */
import { dexError } from '../codec/index.ts';

export const U16_MAX = 0xffffn;
export const U32_MAX = 0xffff_ffffn;
export const U64_MAX = (1n << 64n) - 1n;
export const U128_MAX = (1n << 128n) - 1n;
export const U256_MAX = (1n << 256n) - 1n;
export const I128_MIN = -(1n << 127n);
export const I128_MAX = (1n << 127n) - 1n;

export type Rounding = 'floor' | 'ceil';

/** `ceil(n / d)` for n ≥ 0, d > 0. */
export function divCeil(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n ? q : q + 1n;
}

/** `n / d` rounded as named; a zero divisor is the program's DivideByZero. */
export function div(n: bigint, d: bigint, rounding: Rounding): bigint {
  if (d === 0n) throw dexError('DEX_SWAP_REJECTED', 'division by zero in swap math', { reason: 'DivideByZero' });
  return rounding === 'ceil' ? divCeil(n, d) : n / d;
}

/** `a * b / d` rounded as named (no intermediate overflow: bigint is unbounded; width checks are the caller's). */
export function mulDiv(a: bigint, b: bigint, d: bigint, rounding: Rounding): bigint {
  return div(a * b, d, rounding);
}

/** Index of the most significant set bit (x > 0). */
export function msb(x: bigint): number {
  let bits = 0;
  let v = x;
  while (v >= 1n << 64n) {
    v >>= 64n;
    bits += 64;
  }
  const hi = Number(v >> 32n);
  if (hi > 0) return bits + 32 + 31 - Math.clz32(hi);
  return bits + 31 - Math.clz32(Number(v & 0xffff_ffffn));
}

/** Floor division for JS integers (Rust's `div_floor` / Orca's `floor_division`). */
export function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Fails with `DEX_AMOUNT_INVALID` unless `amount` is a u64 (> 0 when `positive`). */
export function requireU64Amount(amount: bigint, field: string, positive = true): void {
  if (typeof amount !== 'bigint' || amount < (positive ? 1n : 0n) || amount > U64_MAX) {
    throw dexError('DEX_AMOUNT_INVALID', `${field} must be an integer in [${positive ? 1 : 0}, 2^64-1] atoms, found ${String(amount)}`, {
      field,
      value: amount,
    });
  }
}

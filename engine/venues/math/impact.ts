/**
 * Price impact: how much worse the execution price is than the marginal price before the swap.
 * Computed from exact integers; the result is a display figure in basis points (4 decimals).
 */

const SCALE = 100_000_000n; // 1e4 bps × 1e4 for four decimals

/**
 * `10000 × (1 − exec / spot)` with exec = execOut / execIn and spot = spotNum / spotDen (both in
 * output atoms per input atom, fees excluded), floored at 0, rounded to 1e-4 bps.
 */
export function priceImpactBps(execOut: bigint, execIn: bigint, spotNum: bigint, spotDen: bigint): number {
  if (execIn <= 0n || spotNum <= 0n || spotDen <= 0n) return 0;
  const ratio = (execOut * spotDen * SCALE) / (execIn * spotNum);
  if (ratio >= SCALE) return 0;
  return Number(SCALE - ratio) / 10_000;
}

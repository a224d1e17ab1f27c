/**
 * Priority-fee policy: a percentile of `getRecentPrioritizationFees` over the accounts the
 * transaction writes (the fee markets it competes in), clamped between a floor and a cap.
 */
import { SolrulesError } from '../../errors/index.ts';

export interface PriorityFeePolicy {
  /** Percentile of recent fees (0–100, nearest rank). */
  percentile: number;
  /** Never pay more than this (micro-lamports per compute unit). */
  capMicroLamports: bigint;
  /** Never pay less than this (default 0). */
  floorMicroLamports?: bigint;
}

export const DEFAULT_PRIORITY_FEE_POLICY: PriorityFeePolicy = { percentile: 75, capMicroLamports: 1_000_000n, floorMicroLamports: 0n };

/** Nearest-rank percentile of fees (0 for an empty list). */
export function percentileFee(fees: readonly bigint[], percentile: number): bigint {
  if (!(percentile >= 0 && percentile <= 100)) throw new SolrulesError('EXEC_BAD_POLICY', `priority fee percentile must be 0..100; got ${percentile}`, { field: 'percentile', value: percentile });
  if (fees.length === 0) return 0n;
  const sorted = [...fees].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rank = Math.max(1, Math.ceil((percentile / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The compute-unit price the policy picks for these recent fees. */
export function computeUnitPrice(recent: readonly { prioritizationFee: number | bigint }[], policy: PriorityFeePolicy): { microLamports: bigint; observed: bigint; capped: boolean } {
  const observed = percentileFee(recent.map((r) => BigInt(r.prioritizationFee)), policy.percentile);
  const floor = policy.floorMicroLamports ?? 0n;
  let price = observed < floor ? floor : observed;
  const capped = price > policy.capMicroLamports;
  if (capped) price = policy.capMicroLamports;
  return { microLamports: price, observed, capped };
}

/** Lamports a transaction pays in priority fee: ceil(price × limit / 1e6). */
export function priorityFeeLamports(microLamports: bigint, computeUnitLimit: number): bigint {
  return (microLamports * BigInt(computeUnitLimit) + 999_999n) / 1_000_000n;
}

/**
 * The Meteora DLMM venue's typed errors: the shared `DEX_` codes (`../codec`), plus `swapRejected` for a
 * swap the program itself would fail, naming the program's error (`reason`).
 */
import { dexError } from '../codec/index.ts';
import type { SolrulesError } from '../../errors/index.ts';

export { dexError };

/** The swap would fail on chain with program error `reason` (CalculateOverflow, MaxTokenOverflow …). */
export function swapRejected(reason: string, message: string, context: Record<string, unknown> = {}): SolrulesError {
  return dexError('DEX_SWAP_REJECTED', `Meteora DLMM swap rejected (${reason}): ${message}`, { venue: 'meteora-dlmm', reason, ...context });
}

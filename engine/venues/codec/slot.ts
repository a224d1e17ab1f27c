/** The slot a state built from several accounts is as of (what `PoolState.slot` says, for staleness guards). */
import type { AccountSnapshot } from '../../accounts/index.ts';

/**
 * The slot of the oldest of `accounts` (every account a state was built from), or undefined when
 * any of them does not say its slot: then the oldest is unknown, and a guard must treat it as stale.
 */
export function oldestSlot(accounts: Iterable<AccountSnapshot | undefined>): number | undefined {
  let oldest: number | undefined;
  for (const account of accounts) {
    const slot = account?.slot;
    if (slot === undefined) return undefined;
    if (oldest === undefined || slot < oldest) oldest = slot;
  }
  return oldest;
}

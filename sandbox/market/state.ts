/** Reads a pool's quotable state back from the chain, the way a scanner would: the pool, then the accounts its venue says a quote needs. */
import type { AccountSnapshot } from '../../engine/accounts/index.ts';
import { venueById, type PoolState, type Venue, type VenueId } from '../../engine/venues/index.ts';
import { SolrulesError } from '../../engine/errors/index.ts';
import type { SandboxChain } from '../chain.ts';

const SYSTEM_PROGRAM = '11111111111111111111111111111111';

/** The chain's account as a snapshot; an account that does not exist is an empty system account (the venues read that as "not there"). */
export function snapshotOf(chain: SandboxChain, address: string): AccountSnapshot {
  const acct = chain.getAccount(address);
  if (!acct) return { address, owner: SYSTEM_PROGRAM, data: new Uint8Array(), lamports: 0n, executable: false, rentEpoch: 0n, slot: chain.slot };
  return { address, owner: acct.owner, data: acct.data, lamports: acct.lamports, executable: acct.executable, rentEpoch: acct.rentEpoch, slot: chain.slot };
}

/** The chain clock as a venue quote context (unix time of the current slot, slot, epoch). */
export function chainContext(chain: SandboxChain): { unixTimestamp: bigint; slot: bigint; epoch: bigint } {
  return { unixTimestamp: BigInt(chain.blockTime(chain.slot)), slot: BigInt(chain.slot), epoch: BigInt(chain.epochInfo.epoch) };
}

/** Decodes `pool` on `venue` with every account its quote needs, at the chain's clock. */
export function readPoolState<S extends PoolState = PoolState>(chain: SandboxChain, venueId: VenueId, pool: string): { venue: Venue<S>; state: S; accounts: Map<string, AccountSnapshot> } {
  const venue = venueById(venueId) as Venue<S> | undefined;
  if (!venue) throw new SolrulesError('MARKET_BAD_OPTION', `unknown venue ${venueId}`, { field: 'venue', value: venueId });
  const poolAccount = snapshotOf(chain, pool);
  if (poolAccount.owner !== venue.programId) {
    throw new SolrulesError('MARKET_POOL_MISSING', `pool ${pool} is not a ${venueId} account on the chain (owner ${poolAccount.owner})`, { field: 'pool', value: pool });
  }
  const accounts = new Map<string, AccountSnapshot>();
  for (const address of venue.requiredAccounts(poolAccount)) accounts.set(address, snapshotOf(chain, address));
  const state = venue.buildState(poolAccount, accounts, chainContext(chain));
  // `requiredAccounts` is all a quote needs; the vaults are added for `venue.reserves` only.
  for (const vault of venue.vaults(state)) if (!accounts.has(vault)) accounts.set(vault, snapshotOf(chain, vault));
  return { venue, state, accounts };
}

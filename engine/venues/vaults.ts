/** Pool vaults as every venue reads them: a token account that must hold the mint the pool says. */
import type { AccountSnapshot } from '../accounts/index.ts';
import { dexError } from './codec/index.ts';
import { decodeTokenAccount } from './spl-token/index.ts';
import type { PoolState, VenueId } from './venue.ts';

/** Balance of a pool vault; `DEX_ACCOUNT_MISMATCH` when it holds another mint than the pool's `mint`. */
export function vaultBalance(venue: VenueId, vault: AccountSnapshot, address: string, role: string, pool: string, mint: string): bigint {
  const account = decodeTokenAccount(vault);
  if (account.mint !== mint) {
    throw dexError('DEX_ACCOUNT_MISMATCH', `${venue} ${role} ${address} holds mint ${account.mint}, the pool says ${mint}`, {
      account: address,
      field: 'mint',
      value: account.mint,
      expected: mint,
      pool,
    });
  }
  return account.amount;
}

/** Balances of a state's two vaults (for its `mintA`, `mintB`) in `accounts`; undefined while either is not there. */
export function vaultBalances(
  state: PoolState,
  [vaultA, vaultB]: readonly [string, string],
  accounts: ReadonlyMap<string, AccountSnapshot>,
): { reserveA: bigint; reserveB: bigint } | undefined {
  const a = accounts.get(vaultA);
  const b = accounts.get(vaultB);
  if (!a || !b) return undefined;
  return {
    reserveA: vaultBalance(state.venue, a, vaultA, 'vault A', state.address, state.mintA),
    reserveB: vaultBalance(state.venue, b, vaultB, 'vault B', state.address, state.mintB),
  };
}

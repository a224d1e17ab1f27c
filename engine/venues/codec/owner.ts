/** Owner checks shared by decoders. */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { accountLabel, dexError } from './errors.ts';

export const SYSTEM_PROGRAM_ID = '11111111111111111111111111111111';

/** Fails with `DEX_ACCOUNT_WRONG_OWNER` unless the account is owned by one of `owners`. */
export function requireOwner(account: AccountSnapshot, owners: readonly string[], layout: string): void {
  if (!owners.includes(account.owner)) {
    throw dexError(
      'DEX_ACCOUNT_WRONG_OWNER',
      `${layout} account ${accountLabel(account)} is owned by ${account.owner}, expected ${owners.join(' or ')}`,
      { account: accountLabel(account), layout, field: 'owner', value: account.owner, expected: owners },
    );
  }
}

/**
 * True for the snapshot of an account that does not exist on chain (system-owned, no data):
 * how RPC callers tell a decoder "I looked, there is nothing there" as opposed to leaving it out.
 */
export function isNonexistent(account: AccountSnapshot): boolean {
  return account.owner === SYSTEM_PROGRAM_ID && account.data.length === 0;
}

/** The snapshot of `address` from `accounts`, or `DEX_ACCOUNT_MISSING` naming its role for `pool`. */
export function requireAccount(
  accounts: ReadonlyMap<string, AccountSnapshot>,
  address: string,
  role: string,
  pool: string,
): AccountSnapshot {
  const account = accounts.get(address);
  if (!account) {
    throw dexError('DEX_ACCOUNT_MISSING', `pool ${pool} needs its ${role} ${address}, which was not provided`, {
      account: address,
      field: role,
      pool,
    });
  }
  return account;
}

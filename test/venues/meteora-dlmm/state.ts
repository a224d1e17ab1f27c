/** Account snapshots for a generated pair, as a fetcher would hand them to `buildState`. */
import type { AccountSnapshot } from '../../../engine/accounts/index.ts';
import type { GeneratedPair } from './support.ts';

const PROGRAM_ID = 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo';

function snap(address: string, owner: string, data: Uint8Array): AccountSnapshot {
  return { address, owner, data, lamports: null, executable: false, rentEpoch: null };
}

export function accountsOf(g: GeneratedPair): { pair: AccountSnapshot; accounts: Map<string, AccountSnapshot> } {
  const accounts = new Map<string, AccountSnapshot>();
  for (const b of g.binArrays) accounts.set(b.address, snap(b.address, PROGRAM_ID, b.data));
  if (g.extension) accounts.set(g.extension.address, snap(g.extension.address, PROGRAM_ID, g.extension.data));
  accounts.set(g.spec.tokenXMint, g.mintX);
  accounts.set(g.spec.tokenYMint, g.mintY);
  return { pair: snap(g.address, PROGRAM_ID, g.pair), accounts };
}

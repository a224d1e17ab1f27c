/**
 * Token state written straight into the chain (SPL Token's 165-byte account and 82-byte mint
 * layouts): funding a trader is writing its token account, as a faucet would, and the mint's
 * supply is raised by the same amount so mints and accounts stay consistent.
 */
import { PublicKey } from '@solana/web3.js';
import { getAssociatedTokenAddressSync } from '@solana/spl-token';
import { SolrulesError } from '../../engine/errors/index.ts';
import { decodeMint, decodeTokenAccount, NATIVE_MINT, TOKEN_PROGRAM_ID } from '../../engine/venues/index.ts';
import type { SandboxChain } from '../chain.ts';

const ACCOUNT_LEN = 165;
const MINT_LEN = 82;
const TOKEN_PROGRAM = new PublicKey(TOKEN_PROGRAM_ID);

/** The owner's associated token account for `mint` (classic SPL Token). */
export function associatedTokenAddress(mint: string, owner: PublicKey): PublicKey {
  return getAssociatedTokenAddressSync(new PublicKey(mint), owner, true, TOKEN_PROGRAM);
}

/** SPL token account bytes: initialized, no delegate, no close authority; `isNative` = the rent reserve of a wrapped-SOL account. */
export function tokenAccountData(mint: string, owner: PublicKey, amount: bigint, isNative: bigint | null): Uint8Array {
  const b = Buffer.alloc(ACCOUNT_LEN);
  new PublicKey(mint).toBuffer().copy(b, 0);
  owner.toBuffer().copy(b, 32);
  b.writeBigUInt64LE(amount, 64);
  b[108] = 1; // AccountState::Initialized
  if (isNative !== null) {
    b.writeUInt32LE(1, 109);
    b.writeBigUInt64LE(isNative, 113);
  }
  return b;
}

function tokenAmount(chain: SandboxChain, address: string): bigint {
  const acct = chain.getAccount(address);
  if (!acct) return 0n;
  return decodeTokenAccount({ address, owner: acct.owner, data: acct.data, lamports: acct.lamports, executable: false, rentEpoch: null }).amount;
}

/** Raises (or lowers) a mint's recorded supply by `delta` atoms; the native mint keeps supply 0 as on mainnet. */
function adjustSupply(chain: SandboxChain, mint: string, delta: bigint): void {
  if (mint === NATIVE_MINT || delta === 0n) return;
  const acct = chain.getAccount(mint);
  if (!acct || acct.data.length < MINT_LEN) throw new SolrulesError('MARKET_BAD_MINT', `mint ${mint} is not on the chain`, { field: 'mint', value: mint });
  const data = Buffer.from(acct.data);
  data.writeBigUInt64LE(data.readBigUInt64LE(36) + delta, 36);
  chain.setAccount(mint, { ...acct, data });
}

/**
 * Sets the owner's associated token account for `mint` to hold `amount` atoms (wrapped SOL:
 * lamports = rent + amount, as the token program keeps them). Returns its address.
 */
export function fundTokenAccount(chain: SandboxChain, mint: string, owner: PublicKey, amount: bigint): PublicKey {
  const address = associatedTokenAddress(mint, owner);
  const rent = chain.minimumBalanceForRentExemption(ACCOUNT_LEN);
  const native = mint === NATIVE_MINT;
  const before = tokenAmount(chain, address.toBase58());
  chain.setAccount(address, { owner: TOKEN_PROGRAM_ID, lamports: native ? rent + amount : rent, data: tokenAccountData(mint, owner, amount, native ? rent : null) });
  adjustSupply(chain, mint, amount - before);
  return address;
}

/** Token balance of an account on the chain (0 when it does not exist). */
export function tokenBalance(chain: SandboxChain, address: string | PublicKey): bigint {
  return tokenAmount(chain, typeof address === 'string' ? address : address.toBase58());
}

/** Decimals of a mint on the chain. */
export function mintDecimals(chain: SandboxChain, mint: string): number {
  const acct = chain.getAccount(mint);
  if (!acct) throw new SolrulesError('MARKET_BAD_MINT', `mint ${mint} is not on the chain`, { field: 'mint', value: mint });
  return decodeMint({ address: mint, owner: acct.owner, data: acct.data, lamports: acct.lamports, executable: false, rentEpoch: null }).decimals;
}

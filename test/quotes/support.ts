/** Real fixture pools (Raydium AMM v4 and Orca whirlpool, both SOL/USDC) as quotable entries for the quote, scanner and arbitrage tests. */
import { join } from 'node:path';
import { loadAccountDir, loadAccountFile, type AccountSnapshot } from '../../engine/accounts/index.ts';
import { orcaWhirlpool, raydiumAmmV4, type PoolState, type Venue } from '../../engine/venues/index.ts';
import type { PoolEntry } from '../../engine/quotes/index.ts';
import { sharedFixture } from '../support/paths.ts';

export const SOL = 'So11111111111111111111111111111111111111112';
export const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
export const RAYDIUM_POOL = '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2';
export const RAYDIUM_COIN_VAULT = 'DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz';
export const RAYDIUM_PC_VAULT = 'HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz';
export const ORCA_POOL = 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ';
export const PYTH_SOL_USD = 'H6ARHf6YXhGYeQfUzQNGk6rDNnLBQKrenN712K4AQJEG';
/** A clock at which both fixture pools trade (whirlpool adaptive-fee logic reads it). */
export const FIXTURE_UNIX = 1_700_000_000n;

/** Every account of the Raydium SOL/USDC capture with its vaults (same snapshot). */
export function raydiumAccounts(): Map<string, AccountSnapshot> {
  const dir = sharedFixture('accounts', 'raydium-amm-v4');
  const m = new Map<string, AccountSnapshot>();
  for (const f of [`${RAYDIUM_POOL}.capture-with-vaults.json`, `${RAYDIUM_COIN_VAULT}.coin-vault.capture-with-vaults.json`, `${RAYDIUM_PC_VAULT}.pc-vault.capture-with-vaults.json`]) {
    const a = loadAccountFile(join(dir, f));
    m.set(a.address!, a);
  }
  return m;
}

/** Every account of the Orca SOL/USDC whirlpool set (pool, tick arrays, mints, vaults, configs). */
export function orcaAccounts(): Map<string, AccountSnapshot> {
  const all = loadAccountDir(sharedFixture('accounts', 'orca-whirlpool', 'whirlpool-essentials'));
  const m = new Map<string, AccountSnapshot>();
  for (const [address, a] of all) if (!/samo|pyusd|susd|badge|user_|orca\./.test(a.source ?? '')) m.set(address, a);
  return m;
}

/** The Pyth SOL/USD price account. */
export function pythAccount(): AccountSnapshot {
  return loadAccountFile(sharedFixture('accounts', 'pyth', `${PYTH_SOL_USD}.SOL_USD.json`));
}

/** A token account snapshot with its amount (u64 at offset 64) replaced. */
export function withTokenAmount(account: AccountSnapshot, amount: bigint): AccountSnapshot {
  const data = Uint8Array.from(account.data);
  new DataView(data.buffer).setBigUint64(64, amount, true);
  return { ...account, data };
}

export function entry(venue: Venue, pool: string, accounts: ReadonlyMap<string, AccountSnapshot>, slot?: number): PoolEntry {
  const state: PoolState = venue.buildState(accounts.get(pool)!, accounts, { unixTimestamp: FIXTURE_UNIX });
  if (slot !== undefined) state.slot = slot;
  return { venue, state };
}

export function raydiumEntry(slot?: number, accounts = raydiumAccounts()): PoolEntry {
  return entry(raydiumAmmV4 as Venue, RAYDIUM_POOL, accounts, slot);
}

export function orcaEntry(slot?: number, accounts = orcaAccounts()): PoolEntry {
  return entry(orcaWhirlpool as Venue, ORCA_POOL, accounts, slot);
}

/**
 * Raydium accounts with the vaults rescaled so the pool's price is `priceRatio` × the Orca pool's
 * (the two captures are years apart; tests need prices close together to make a realistic spread).
 */
export function raydiumNear(priceRatio: number, solReserve = 60_000n * 10n ** 9n): Map<string, AccountSnapshot> {
  const orca = orcaEntry();
  const probe = orca.venue.quoteExactIn(orca.state, SOL, 10n ** 7n); // 0.01 SOL: mid price with fee ≈ 0
  const usdcPerSol = (Number(probe.amountOut) / Number(probe.amountIn - probe.feeAmount)) * 1e9; // USDC atoms per SOL
  const accounts = raydiumAccounts();
  const usdc = BigInt(Math.round((Number(solReserve) / 1e9) * usdcPerSol * priceRatio));
  accounts.set(RAYDIUM_COIN_VAULT, withTokenAmount(accounts.get(RAYDIUM_COIN_VAULT)!, solReserve));
  accounts.set(RAYDIUM_PC_VAULT, withTokenAmount(accounts.get(RAYDIUM_PC_VAULT)!, usdc));
  return accounts;
}

export const SAMO = '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU';
export const SAMO_POOL = '9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe';

/** The Orca SAMO/USDC whirlpool (a third mint, for two-hop routes through USDC). */
export function samoEntry(slot?: number): PoolEntry {
  return entry(orcaWhirlpool as Venue, SAMO_POOL, loadAccountDir(sharedFixture('accounts', 'orca-whirlpool', 'whirlpool-essentials')), slot);
}

/**
 * The Kamino lending (klend) reserve a flash loan draws on: what the initializer reads of it —
 * the liquidity mint, the supply vault, the liquidity available and the flash-loan fee (decoded
 * by the executors' klend decoder) — and the checks before an arbitrage may count on it: owner,
 * layout, mint and market as configured, active, flash loans enabled (`flash_loan_fee_sf` ≠
 * u64::MAX), a supply vault holding the mint.
 */
import { createHash } from 'node:crypto';
import type { AccountSnapshot } from '../../accounts/index.ts';
import { isSolrulesError, SolrulesError } from '../../errors/index.ts';
import { decodeKaminoReserve as decodeKlendReserve, kaminoFlashLoanFee, KLEND_PROGRAM_ID as KLEND } from '../../executors/index.ts';
import { decodeTokenAccount, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '../../venues/index.ts';

export const KLEND_PROGRAM_ID = KLEND.toBase58();
export const RESERVE_DISCRIMINATOR = createHash('sha256').update('account:Reserve').digest().subarray(0, 8);
export const RESERVE_LEN = 8624;
const U64_MAX = (1n << 64n) - 1n;
const SF_ONE = 1n << 60n;

/** A flash-loan reserve the configuration names (the mint it must lend, and its market when known). */
export interface ReserveWatch {
  address: string;
  mint: string;
  lendingMarket?: string;
}

export interface KaminoReserve {
  address: string;
  lendingMarket: string;
  liquidityMint: string;
  supplyVault: string;
  feeVault: string;
  /** Liquidity the reserve can lend now, atoms. */
  availableAmount: bigint;
  /** Flash-loan fee as klend keeps it: a fraction scaled by 2^60; null when flash loans are disabled. */
  flashLoanFeeSf: bigint | null;
  /** 0 active, 1 obsolete, 2 hidden (klend ReserveStatus). */
  status: number;
}

function fail(address: string, field: string, value: unknown, message: string): never {
  throw new SolrulesError('MARKET_RESERVE_INVALID', `Kamino reserve ${address}: ${message}`, { account: address, field, value });
}

/** Decodes a klend Reserve account (the executors' decoder); `MARKET_RESERVE_INVALID` naming the field on bad data. */
export function decodeKaminoReserve(account: AccountSnapshot): KaminoReserve {
  const address = account.address ?? '<reserve>';
  if (account.owner !== KLEND_PROGRAM_ID) fail(address, 'owner', account.owner, `owned by ${account.owner}, expected the Kamino lending program ${KLEND_PROGRAM_ID}`);
  let r: ReturnType<typeof decodeKlendReserve>;
  try {
    r = decodeKlendReserve(address, account.data);
  } catch (err) {
    if (!isSolrulesError(err)) throw err;
    return fail(address, 'discriminator', account.data.length, `not a Reserve account: ${err.message}`);
  }
  return {
    address,
    lendingMarket: r.lendingMarket,
    liquidityMint: r.liquidityMint,
    supplyVault: r.liquiditySupplyVault,
    feeVault: r.feeReceiver,
    availableAmount: r.availableAmount,
    flashLoanFeeSf: r.flashLoanFeeSf === U64_MAX ? null : r.flashLoanFeeSf,
    status: r.status,
  };
}

/** klend's flash-loan fee on `amount` atoms (the executors' `kaminoFlashLoanFee`, checked against the program). */
export function flashLoanFee(reserve: KaminoReserve, amount: bigint): bigint {
  if (reserve.flashLoanFeeSf === null) fail(reserve.address, 'flash_loan_fee_sf', 'u64::MAX', 'flash loans are disabled on this reserve');
  return kaminoFlashLoanFee(amount, reserve.flashLoanFeeSf);
}

/** The fee as basis points (display only; amounts use `flashLoanFee`). */
export function flashLoanFeeBps(reserve: KaminoReserve): number | null {
  return reserve.flashLoanFeeSf === null ? null : (Number(reserve.flashLoanFeeSf) / Number(SF_ONE)) * 10_000;
}

/**
 * Checks a decoded reserve against what the configuration says and its supply vault as read:
 * the mint it lends, its market, flash loans enabled, a supply vault holding that mint.
 */
export function checkReserve(reserve: KaminoReserve, watch: ReserveWatch, supplyVault: AccountSnapshot | undefined): void {
  if (reserve.liquidityMint !== watch.mint) fail(reserve.address, 'liquidity.mint_pubkey', reserve.liquidityMint, `lends ${reserve.liquidityMint}, the configuration says ${watch.mint}`);
  if (watch.lendingMarket && reserve.lendingMarket !== watch.lendingMarket) fail(reserve.address, 'lending_market', reserve.lendingMarket, `belongs to market ${reserve.lendingMarket}, the configuration says ${watch.lendingMarket}`);
  if (reserve.flashLoanFeeSf === null) fail(reserve.address, 'config.fees.flash_loan_fee_sf', 'u64::MAX', 'flash loans are disabled on this reserve');
  if (reserve.status !== 0) fail(reserve.address, 'config.status', reserve.status, `status ${reserve.status} (${reserve.status === 1 ? 'obsolete' : 'hidden'}), not active`);
  if (!supplyVault || supplyVault.data.length === 0) fail(reserve.address, 'liquidity.supply_vault', reserve.supplyVault, `its supply vault ${reserve.supplyVault} does not exist`);
  if (supplyVault.owner !== TOKEN_PROGRAM_ID && supplyVault.owner !== TOKEN_2022_PROGRAM_ID) fail(reserve.address, 'liquidity.supply_vault', supplyVault.owner, `its supply vault ${reserve.supplyVault} is owned by ${supplyVault.owner}, not a token program`);
  const vault = decodeTokenAccount({ ...supplyVault, address: reserve.supplyVault });
  if (vault.mint !== reserve.liquidityMint) fail(reserve.address, 'liquidity.supply_vault', vault.mint, `its supply vault holds ${vault.mint}, the reserve lends ${reserve.liquidityMint}`);
}

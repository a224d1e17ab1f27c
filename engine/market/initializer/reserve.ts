/**
 * The Kamino lending (klend) reserve a flash loan draws on: what the initializer reads of it —
 * the liquidity mint, the supply vault, the liquidity available and the flash-loan fee — and the
 * checks before an arbitrage may count on it. Offsets follow the klend `Reserve` account (Anchor,
 * 8,624 bytes): discriminator, version, last_update, lending_market, two farms, then
 * `ReserveLiquidity` (mint, supply vault, fee vault, available_amount …); `ReserveConfig` starts
 * at byte 4,856 and its `fees.flash_loan_fee_sf` (a fraction with 60 fractional bits;
 * u64::MAX = flash loans disabled) at byte 4,904.
 */
import { createHash } from 'node:crypto';
import bs58 from 'bs58';
import type { AccountSnapshot } from '../../accounts/index.ts';
import { SolrulesError } from '../../errors/index.ts';
import { decodeTokenAccount, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '../../venues/index.ts';

export const KLEND_PROGRAM_ID = 'KLend2g3cP87fffoy8q1mQqGKjrxjC8boSyAYavgmjD';
export const RESERVE_DISCRIMINATOR = createHash('sha256').update('account:Reserve').digest().subarray(0, 8);
export const RESERVE_LEN = 8624;
const OFFSET = { lendingMarket: 32, mint: 128, supplyVault: 160, feeVault: 192, available: 224, flashLoanFeeSf: 4904 } as const;
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
}

function fail(address: string, field: string, value: unknown, message: string): never {
  throw new SolrulesError('MARKET_RESERVE_INVALID', `Kamino reserve ${address}: ${message}`, { account: address, field, value });
}

/** Decodes a klend Reserve account; `MARKET_RESERVE_INVALID` naming the field on bad data. */
export function decodeKaminoReserve(account: AccountSnapshot): KaminoReserve {
  const address = account.address ?? '<reserve>';
  if (account.owner !== KLEND_PROGRAM_ID) fail(address, 'owner', account.owner, `owned by ${account.owner}, expected the Kamino lending program ${KLEND_PROGRAM_ID}`);
  const data = Buffer.from(account.data.buffer, account.data.byteOffset, account.data.byteLength);
  if (data.length < RESERVE_LEN) fail(address, '<length>', data.length, `${data.length} bytes, a Reserve has ${RESERVE_LEN}`);
  if (!data.subarray(0, 8).equals(RESERVE_DISCRIMINATOR)) fail(address, 'discriminator', data.subarray(0, 8).toString('hex'), 'not a Reserve account (discriminator)');
  const key = (o: number) => bs58.encode(data.subarray(o, o + 32));
  const sf = data.readBigUInt64LE(OFFSET.flashLoanFeeSf);
  return {
    address,
    lendingMarket: key(OFFSET.lendingMarket),
    liquidityMint: key(OFFSET.mint),
    supplyVault: key(OFFSET.supplyVault),
    feeVault: key(OFFSET.feeVault),
    availableAmount: data.readBigUInt64LE(OFFSET.available),
    flashLoanFeeSf: sf === U64_MAX ? null : sf,
  };
}

/** klend's flash-loan fee on `amount` atoms (rounded up, as the program rounds it). */
export function flashLoanFee(reserve: KaminoReserve, amount: bigint): bigint {
  if (reserve.flashLoanFeeSf === null) fail(reserve.address, 'flash_loan_fee_sf', 'u64::MAX', 'flash loans are disabled on this reserve');
  return (amount * reserve.flashLoanFeeSf + SF_ONE - 1n) / SF_ONE;
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
  if (!supplyVault || supplyVault.data.length === 0) fail(reserve.address, 'liquidity.supply_vault', reserve.supplyVault, `its supply vault ${reserve.supplyVault} does not exist`);
  if (supplyVault.owner !== TOKEN_PROGRAM_ID && supplyVault.owner !== TOKEN_2022_PROGRAM_ID) fail(reserve.address, 'liquidity.supply_vault', supplyVault.owner, `its supply vault ${reserve.supplyVault} is owned by ${supplyVault.owner}, not a token program`);
  const vault = decodeTokenAccount({ ...supplyVault, address: reserve.supplyVault });
  if (vault.mint !== reserve.liquidityMint) fail(reserve.address, 'liquidity.supply_vault', vault.mint, `its supply vault holds ${vault.mint}, the reserve lends ${reserve.liquidityMint}`);
}

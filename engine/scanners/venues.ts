/**
 * What the scanners need from a pool beyond the `Venue` interface: its mints straight from the
 * pool account (to filter program-discovered pools before fetching anything else) and its two
 * vaults (reserves for the `pool` fact and trade inference for volume). One case per venue,
 * reading the decoders' exported types; a venue missing here still quotes, it only lacks
 * reserves and volume. (The `Venue` interface could grow `mints(pool)` / `vaults(state)`.)
 */
import type { AccountSnapshot } from '../accounts/index.ts';
import {
  decodeAmmInfo,
  decodeClmmPoolState,
  decodeLbPair,
  decodeTokenAccount,
  decodeWhirlpool,
  METEORA_DLMM_PROGRAM_ID,
  RAYDIUM_AMM_V4_PROGRAM_ID,
  RAYDIUM_CLMM_PROGRAM_ID,
  WHIRLPOOL_PROGRAM_ID,
  type MeteoraDlmmState,
  type OrcaWhirlpoolState,
  type PoolState,
  type RaydiumAmmV4State,
  type RaydiumClmmState,
} from '../dex/index.ts';

/** Mints of a pool account by its owner program (throws the decoder's typed error on bad data). */
export function poolMints(account: AccountSnapshot): { mintA: string; mintB: string } | undefined {
  switch (account.owner) {
    case RAYDIUM_AMM_V4_PROGRAM_ID: {
      const a = decodeAmmInfo(account);
      return { mintA: a.coinMint, mintB: a.pcMint };
    }
    case WHIRLPOOL_PROGRAM_ID: {
      const w = decodeWhirlpool(account);
      return { mintA: w.tokenMintA, mintB: w.tokenMintB };
    }
    case RAYDIUM_CLMM_PROGRAM_ID: {
      const p = decodeClmmPoolState(account.data, account.address);
      return { mintA: p.tokenMint0, mintB: p.tokenMint1 };
    }
    case METEORA_DLMM_PROGRAM_ID: {
      const l = decodeLbPair(account.data, account.address);
      return { mintA: l.tokenXMint, mintB: l.tokenYMint };
    }
    default:
      return undefined;
  }
}

/** The vaults holding mintA and mintB of a pool. */
export function vaultsOf(state: PoolState): [string, string] | undefined {
  switch (state.venue) {
    case 'raydium-amm-v4': {
      const s = state as RaydiumAmmV4State;
      return [s.amm.coinVault, s.amm.pcVault];
    }
    case 'orca-whirlpool': {
      const s = state as OrcaWhirlpoolState;
      return [s.whirlpool.tokenVaultA, s.whirlpool.tokenVaultB];
    }
    case 'raydium-clmm': {
      const s = state as RaydiumClmmState;
      return [s.pool.tokenVault0, s.pool.tokenVault1];
    }
    case 'meteora-dlmm': {
      const s = state as MeteoraDlmmState;
      return [s.lbPair.reserveX, s.lbPair.reserveY];
    }
    default:
      return undefined;
  }
}

/** Reserves of mintA and mintB: what the program trades against (AMM v4) or the vault balances. */
export function reservesOf(state: PoolState, accounts: ReadonlyMap<string, AccountSnapshot>): { reserveA: bigint; reserveB: bigint } | undefined {
  if (state.venue === 'raydium-amm-v4') {
    const s = state as RaydiumAmmV4State;
    return { reserveA: s.coinReserve, reserveB: s.pcReserve };
  }
  const vaults = vaultsOf(state);
  if (!vaults) return undefined;
  const amounts: bigint[] = [];
  for (const v of vaults) {
    const snap = accounts.get(v);
    if (!snap || !snap.data.length) return undefined;
    try {
      amounts.push(decodeTokenAccount(snap).amount);
    } catch {
      return undefined;
    }
  }
  return { reserveA: amounts[0]!, reserveB: amounts[1]! };
}

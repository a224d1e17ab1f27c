/** Raydium AMM v4 behind the `Venue` interface: pool + both vaults in, exact quotes out. */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { accountLabel, dexError, oldestSlot, requireAccount } from '../codec/index.ts';
import { priceImpactBps, requireU64Amount } from '../math/index.ts';
import { TOKEN_PROGRAM_ID } from '../spl-token/index.ts';
import { vaultBalance } from '../vaults.ts';
import type { PoolState, Quote, QuoteContext, Venue } from '../venue.ts';
import { AMM_STATUS_NAMES, RAYDIUM_AMM_V4_PROGRAM_ID, decodeAmmInfo, type AmmInfo } from './layout.ts';
import { swapBaseIn, swapBaseOut } from './math.ts';
import { raydiumAmmV4SwapInstruction } from './swap-instruction.ts';

export interface RaydiumAmmV4State extends PoolState {
  venue: 'raydium-amm-v4';
  amm: AmmInfo;
  /** Vault balances as read. */
  coinVaultAmount: bigint;
  pcVaultAmount: bigint;
  /** What the program trades against: vault − need_take_pnl. */
  coinReserve: bigint;
  pcReserve: bigint;
  /** `WaitingTrade` pools trade only from `poolOpenTime`; evaluated at the state's clock. */
  tradingOpen: boolean;
  unixTimestamp: bigint;
  /** Pool, coin vault, pc vault. */
  accounts: readonly string[];
}

function nowUnix(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

function vaultAmount(accounts: ReadonlyMap<string, AccountSnapshot>, address: string, role: string, pool: string, mint: string): bigint {
  const snapshot = requireAccount(accounts, address, role, pool);
  if (snapshot.owner !== TOKEN_PROGRAM_ID) {
    throw dexError('DEX_ACCOUNT_WRONG_OWNER', `raydium-amm-v4 ${role} ${address} is owned by ${snapshot.owner}; the program only accepts SPL Token vaults`, {
      account: address,
      field: 'owner',
      value: snapshot.owner,
      expected: TOKEN_PROGRAM_ID,
      pool,
    });
  }
  return vaultBalance('raydium-amm-v4', snapshot, address, role, pool, mint);
}

function reserve(vault: bigint, needTakePnl: bigint, pool: string, field: string): bigint {
  if (needTakePnl > vault) {
    throw dexError('DEX_SWAP_REJECTED', `raydium-amm-v4 pool ${pool}: ${field} ${needTakePnl} exceeds the vault balance ${vault} (CheckedSubOverflow)`, {
      venue: 'raydium-amm-v4',
      account: pool,
      field,
      reason: 'CheckedSubOverflow',
      value: needTakePnl,
    });
  }
  return vault - needTakePnl;
}

function requireTradable(state: RaydiumAmmV4State): void {
  const s = state.amm.status;
  const swappable = s === 1 || s === 6 || s === 7;
  if (!swappable || !state.tradingOpen) {
    const why = swappable
      ? `opens at ${state.amm.poolOpenTime}, clock is ${state.unixTimestamp}`
      : `status ${s} (${AMM_STATUS_NAMES[s]}) does not allow swaps`;
    throw dexError('DEX_POOL_NOT_TRADING', `raydium-amm-v4 pool ${state.address}: ${why}`, {
      venue: 'raydium-amm-v4',
      account: state.address,
      field: 'status',
      value: s,
      poolOpenTime: state.amm.poolOpenTime,
    });
  }
}

/** Direction from the input mint: true = coin → pc. */
function coinToPc(state: RaydiumAmmV4State, inputMint: string): boolean {
  if (inputMint === state.mintA) return true;
  if (inputMint === state.mintB) return false;
  throw dexError('DEX_MINT_NOT_IN_POOL', `mint ${inputMint} is not traded by raydium-amm-v4 pool ${state.address} (${state.mintA} / ${state.mintB})`, {
    venue: 'raydium-amm-v4',
    account: state.address,
    field: 'inputMint',
    value: inputMint,
  });
}

/** What both quote kinds check and read first: direction, amount, trading status, reserves in / out. */
function sides(state: RaydiumAmmV4State, inputMint: string, amount: bigint, field: string) {
  const forward = coinToPc(state, inputMint);
  requireU64Amount(amount, field);
  requireTradable(state);
  return {
    outputMint: forward ? state.mintB : state.mintA,
    reserveIn: forward ? state.coinReserve : state.pcReserve,
    reserveOut: forward ? state.pcReserve : state.coinReserve,
  };
}

export const raydiumAmmV4: Venue<RaydiumAmmV4State> = {
  id: 'raydium-amm-v4',
  programId: RAYDIUM_AMM_V4_PROGRAM_ID,

  requiredAccounts(pool: AccountSnapshot): string[] {
    const amm = decodeAmmInfo(pool);
    return [amm.coinVault, amm.pcVault];
  },

  buildState(pool: AccountSnapshot, accounts: ReadonlyMap<string, AccountSnapshot>, context?: QuoteContext): RaydiumAmmV4State {
    const amm = decodeAmmInfo(pool);
    const label = accountLabel(pool);
    if (amm.coinMint === amm.pcMint) {
      throw dexError('DEX_SWAP_REJECTED', `raydium-amm-v4 pool ${label} has the same mint on both sides (NotAllowed)`, {
        venue: 'raydium-amm-v4',
        account: label,
        field: 'pcVaultMint',
        reason: 'NotAllowed',
      });
    }
    const coinVaultAmount = vaultAmount(accounts, amm.coinVault, 'coin vault', label, amm.coinMint);
    const pcVaultAmount = vaultAmount(accounts, amm.pcVault, 'pc vault', label, amm.pcMint);
    const unixTimestamp = context?.unixTimestamp ?? nowUnix();
    return {
      venue: 'raydium-amm-v4',
      address: label,
      mintA: amm.coinMint,
      mintB: amm.pcMint,
      slot: oldestSlot([pool, accounts.get(amm.coinVault), accounts.get(amm.pcVault)]),
      amm,
      coinVaultAmount,
      pcVaultAmount,
      coinReserve: reserve(coinVaultAmount, amm.needTakePnlCoin, label, 'needTakePnlCoin'),
      pcReserve: reserve(pcVaultAmount, amm.needTakePnlPc, label, 'needTakePnlPc'),
      tradingOpen: amm.status !== 7 || unixTimestamp >= amm.poolOpenTime,
      unixTimestamp,
      accounts: Object.freeze([label, amm.coinVault, amm.pcVault]),
    };
  },

  quoteExactIn(state: RaydiumAmmV4State, inputMint: string, amountIn: bigint): Quote {
    const { outputMint, reserveIn, reserveOut } = sides(state, inputMint, amountIn, 'amountIn');
    const fee = state.amm.swapFee;
    const r = swapBaseIn(amountIn, reserveIn, reserveOut, fee.numerator, fee.denominator);
    const impact = priceImpactBps(r.amountOut, amountIn - r.fee, reserveOut, reserveIn);
    return { venue: 'raydium-amm-v4', pool: state.address, inputMint, outputMint, amountIn, amountOut: r.amountOut, feeAmount: r.fee, priceImpactBps: impact, accounts: state.accounts as string[] };
  },

  quoteExactOut(state: RaydiumAmmV4State, inputMint: string, amountOut: bigint): Quote {
    const { outputMint, reserveIn, reserveOut } = sides(state, inputMint, amountOut, 'amountOut');
    const fee = state.amm.swapFee;
    const r = swapBaseOut(amountOut, reserveIn, reserveOut, fee.numerator, fee.denominator);
    const impact = priceImpactBps(amountOut, r.amountInBeforeFee, reserveOut, reserveIn);
    return { venue: 'raydium-amm-v4', pool: state.address, inputMint, outputMint, amountIn: r.amountIn, amountOut, feeAmount: r.fee, priceImpactBps: impact, accounts: state.accounts as string[] };
  },

  poolMints(pool: AccountSnapshot) {
    const amm = decodeAmmInfo(pool);
    return { mintA: amm.coinMint, mintB: amm.pcMint };
  },

  vaults(state: RaydiumAmmV4State): [string, string] {
    return [state.amm.coinVault, state.amm.pcVault];
  },

  /** What the quotes trade against, read by `buildState` (vault − need_take_pnl); `accounts` is not consulted. */
  reserves(state: RaydiumAmmV4State) {
    return { reserveA: state.coinReserve, reserveB: state.pcReserve };
  },
  swapInstruction(state, _quote, req) {
    return raydiumAmmV4SwapInstruction(state, req);
  },
};

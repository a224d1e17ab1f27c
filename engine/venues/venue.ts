/**
 * The one interface every DEX venue implements (`engine/venues/<venue>/`). A venue decodes its
 * program's accounts, says which further accounts a quote needs, and quotes exactly as its
 * on-chain program computes (integer math, the program's rounding).
 */
import type { TransactionInstruction } from '@solana/web3.js';
import type { AccountSnapshot } from '../accounts/index.ts';
import type { SwapRequest } from './codec/swap.ts';

/** A registered venue's id (the registry, VENUES in index.ts, is the one list of them). */
export type VenueId = string;

/** Everything a quote reads: the pool plus its vaults / tick arrays / bin arrays, decoded. */
export interface PoolState {
  venue: VenueId;
  /** Pool (or lb pair) address. */
  address: string;
  mintA: string;
  mintB: string;
  /** Slot of the oldest account the state was built from (for staleness guards). */
  slot?: number;
}

export interface Quote {
  venue: VenueId;
  pool: string;
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  /** Fee charged (LP + protocol), in input-token atoms — unless `feeMint` says the venue took it from the output. */
  feeAmount: bigint;
  /** Mint `feeAmount` is in, when a venue can charge it on the output (Raydium CLMM `fee_on`, Meteora DLMM Y-only fee mode). */
  feeMint?: string;
  /** Execution price vs the pool's price before the swap, in basis points (≥ 0). */
  priceImpactBps: number;
  /** Every account the quote read (pool, vaults, tick / bin arrays), for cache invalidation and swap building. */
  accounts: string[];
}

/**
 * The chain clock a state is quoted at. Optional: venues fall back to the local clock (and, for
 * epochs, refuse where guessing could change the result). Tests and replays pass it explicitly.
 */
export interface QuoteContext {
  /** Unix seconds (Raydium open time, Orca adaptive fee and oracle trade-enable time). */
  unixTimestamp?: bigint;
  /** Epoch (Token-2022 transfer-fee schedules). */
  epoch?: bigint;
  /** Slot (Meteora DLMM pairs activated at a slot). */
  slot?: bigint;
}

export interface Venue<S extends PoolState = PoolState> {
  readonly id: VenueId;
  readonly programId: string;
  /** Addresses (beyond the pool) that `buildState` needs, derived from the pool account. */
  requiredAccounts(pool: AccountSnapshot): string[];
  /** Decodes the pool and the accounts it needs into a quotable state; typed error on bad data. */
  buildState(pool: AccountSnapshot, accounts: ReadonlyMap<string, AccountSnapshot>, context?: QuoteContext): S;
  /** Quote selling exactly `amountIn` of `inputMint`. */
  quoteExactIn(state: S, inputMint: string, amountIn: bigint): Quote;
  /** Quote buying exactly `amountOut` of the other mint, paying `inputMint`. */
  quoteExactOut(state: S, inputMint: string, amountOut: bigint): Quote;
  /** The pool's two mints from the pool account alone (nothing else fetched); typed error on bad data. */
  poolMints(pool: AccountSnapshot): { mintA: string; mintB: string };
  /** The token accounts holding the state's `mintA` and `mintB`. */
  vaults(state: S): [vaultA: string, vaultB: string];
  /**
   * What the pool holds of `mintA` and `mintB`: the reserves its program trades against where the
   * state has them (AMM v4: vault − pending PnL), else the vault balances as `accounts` holds them
   * (undefined while a vault is not there; typed error when one holds another mint or is no token account).
   */
  reserves(state: S, accounts: ReadonlyMap<string, AccountSnapshot>): { reserveA: bigint; reserveB: bigint } | undefined;
  /**
   * The program's swap instruction for `quote` on `state`: the same accounts the quote read (tick or
   * bin arrays it crossed) and `req.otherAmountThreshold` as the program's slippage limit.
   */
  swapInstruction(state: S, quote: Quote, req: SwapRequest): TransactionInstruction;
}

/**
 * The Raydium CLMM venue: which accounts a quote needs, decoding them into a quotable state, and
 * exact-in / exact-out quotes that reproduce the program's `swap` / `swap_v2` (without Token-2022
 * transfer fees, which the venue does not see: amounts are what enters and leaves the pool vaults).
 */
import type { AccountSnapshot } from '../../accounts/index.ts';
import type { PoolState, Quote, QuoteContext, Venue } from '../venue.ts';
import { vaultBalances } from '../vaults.ts';
import { accountLabel as label, addressMatcher, addressSeed, oldestSlot, programAddress, requireAccount, requireOwner as requireOwnerOf } from '../codec/index.ts';
import { priceImpactBps } from '../math/index.ts';
import { dexError } from './errors.ts';
import { TickArrayIndex } from './bitmap.ts';
import {
  RAYDIUM_CLMM_PROGRAM_ID,
  TICK_ARRAY_BITMAP_EXTENSION_LEN,
  TICK_ARRAY_STATE_LEN,
  decodeAmmConfig,
  decodePoolState,
  decodeTickArrayBitmapExtension,
  decodeTickArrayState,
  type AmmConfig,
  type ClmmPoolState,
  type TickArrayBitmapExtension,
} from './layout.ts';
import { TICK_ARRAY_SIZE, tickArrayStartIndex } from './math.ts';
import { initializedOffsets, isFeeOnInput, isFeeOnToken0, simulateSwap, type ClmmSwapContext, type ClmmTickArray } from './swap.ts';
import { raydiumClmmSwapInstruction } from './swap-instruction.ts';
import { arraysFromQuote } from '../codec/swap.ts';

export interface RaydiumClmmState extends PoolState, ClmmSwapContext {
  venue: 'raydium-clmm';
  configAddress: string;
  extension?: { address: string; data: TickArrayBitmapExtension };
  /** Unix time (s) quotes run at when the caller gives none (dynamic fee, open time); default: the wall clock. */
  unixTimestamp?: number;
}

/** A quote with the token the fee was charged in (the pool may take it from the output side). */
export interface RaydiumClmmQuote extends Quote {
  venue: 'raydium-clmm';
  feeMint: string;
  sqrtPriceAfterX64: bigint;
  tickAfter: number;
}

export interface ClmmQuoteOptions {
  /** Unix time (s) the swap would execute at. */
  unixTimestamp?: number;
}

const TICK_ARRAY_SEED = Buffer.from('tick_array');
const EXTENSION_SEED = Buffer.from('pool_tick_array_bitmap_extension');

function requireOwner(account: AccountSnapshot, layout: string): void {
  requireOwnerOf(account, [RAYDIUM_CLMM_PROGRAM_ID], layout);
}

/** PDA of the tick array starting at `startTickIndex` (seeds: "tick_array", pool, start as i32 big-endian). */
export function tickArrayAddress(pool: string, startTickIndex: number): string {
  return programAddress(RAYDIUM_CLMM_PROGRAM_ID, `tick_array:${pool}:${startTickIndex}`, () => {
    const start = Buffer.alloc(4);
    start.writeInt32BE(startTickIndex);
    return [TICK_ARRAY_SEED, addressSeed(pool), start];
  });
}

/** PDA of the pool's TickArrayBitmapExtension. */
export function bitmapExtensionAddress(pool: string): string {
  return programAddress(RAYDIUM_CLMM_PROGRAM_ID, `bitmap_extension:${pool}`, () => [EXTENSION_SEED, addressSeed(pool)]);
}

/**
 * Tick arrays a swap from the pool's current tick would walk first: the current array if initialized
 * and up to `perSide` initialized arrays each way, per the pool bitmap and (when given) the extension.
 * Where the search would need an extension that is not given, the arrays next to the current one.
 */
export function tickArrayAddressesAround(poolAddress: string, pool: ClmmPoolState, extension: TickArrayBitmapExtension | undefined, perSide = 3): string[] {
  const index = new TickArrayIndex(poolAddress, pool.tickSpacing, pool.tickArrayBitmap, extension);
  const tick = Math.max(-443636, Math.min(443636, pool.tickCurrent));
  const current = tickArrayStartIndex(tick, pool.tickSpacing);
  const span = TICK_ARRAY_SIZE * pool.tickSpacing;
  const starts = new Set<number>();
  const known = extension ? index.allStarts! : index.defaultStarts;
  if (known.includes(current)) starts.add(current);
  for (const zeroForOne of [true, false]) {
    let last = current;
    for (let i = 0; i < perSide; i++) {
      let next: number | undefined;
      try {
        next = index.next(last, zeroForOne);
      } catch {
        // beyond the pool bitmap without the extension: fall back to the neighbours by position
        for (let k = i; k < perSide; k++) starts.add(zeroForOne ? last - (k - i + 1) * span : last + (k - i + 1) * span);
        if (index.isOverflowDefault(current)) starts.add(current);
        break;
      }
      if (next === undefined) break;
      starts.add(next);
      last = next;
    }
  }
  return [...starts].sort((x, y) => x - y).map((st) => tickArrayAddress(poolAddress, st));
}

/** Builds the quotable state from decoded parts (used by `buildState` and by tests that make states). */
export function makeClmmState(args: {
  address: string;
  pool: ClmmPoolState;
  configAddress: string;
  config: AmmConfig;
  tickArrays: { address: string; startTickIndex: number; ticks: ClmmTickArray['ticks']; initializedTickCount: number }[];
  extension?: { address: string; data: TickArrayBitmapExtension };
  slot?: number;
  unixTimestamp?: number;
}): RaydiumClmmState {
  const tickArrays = new Map<number, ClmmTickArray>();
  for (const t of args.tickArrays) {
    tickArrays.set(t.startTickIndex, { ...t, initializedOffsets: initializedOffsets(t.ticks) });
  }
  const state: RaydiumClmmState = {
    venue: 'raydium-clmm',
    address: args.address,
    mintA: args.pool.tokenMint0,
    mintB: args.pool.tokenMint1,
    poolAddress: args.address,
    pool: args.pool,
    configAddress: args.configAddress,
    config: args.config,
    bitmap: new TickArrayIndex(args.address, args.pool.tickSpacing, args.pool.tickArrayBitmap, args.extension?.data),
    tickArrays,
  };
  if (args.extension) state.extension = args.extension;
  if (args.slot !== undefined) state.slot = args.slot;
  if (args.unixTimestamp !== undefined) state.unixTimestamp = args.unixTimestamp;
  return state;
}

function quote(state: RaydiumClmmState, inputMint: string, amount: bigint, isBaseInput: boolean, opts: ClmmQuoteOptions): RaydiumClmmQuote {
  let zeroForOne: boolean;
  if (inputMint === state.pool.tokenMint0) zeroForOne = true;
  else if (inputMint === state.pool.tokenMint1) zeroForOne = false;
  else {
    throw dexError('DEX_MINT_NOT_IN_POOL', `mint ${inputMint} is not in Raydium CLMM pool ${state.address}`, {
      account: state.address,
      field: 'inputMint',
      value: inputMint,
      expected: [state.pool.tokenMint0, state.pool.tokenMint1],
    });
  }
  const now = opts.unixTimestamp ?? state.unixTimestamp ?? Math.floor(Date.now() / 1000);
  if (!(BigInt(now) > state.pool.openTime)) {
    throw dexError('DEX_POOL_NOT_TRADING', `Raydium CLMM pool ${state.address} opens at ${state.pool.openTime}, now is ${now}`, {
      account: state.address,
      field: 'open_time',
      value: state.pool.openTime,
    });
  }
  const r = simulateSwap(state, amount, zeroForOne, isBaseInput, { unixTimestamp: now });
  if (r.amountSpecifiedRemaining !== 0n) {
    throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `Raydium CLMM pool ${state.address}: the price limit stops the swap with ${r.amountSpecifiedRemaining} atoms unfilled`, {
      account: state.address,
      unfilled: r.amountSpecifiedRemaining,
    });
  }
  const amountIn = isBaseInput ? amount : r.amountCalculated;
  const amountOut = isBaseInput ? r.amountCalculated : amount;
  if (amountIn === 0n || amountOut === 0n) {
    throw dexError('DEX_SWAP_REJECTED', `Raydium CLMM pool ${state.address}: amount too small to swap (in ${amountIn}, out ${amountOut})`, {
      account: state.address,
      reason: 'TooSmallInputOrOutputAmount',
      amountIn,
      amountOut,
    });
  }
  const feeOnInput = isFeeOnInput(state.pool.feeOn, zeroForOne);
  const sq = state.pool.sqrtPriceX64 * state.pool.sqrtPriceX64;
  const q128 = 1n << 128n;
  const [spotNum, spotDen] = zeroForOne ? [sq, q128] : [q128, sq];
  const impact = feeOnInput
    ? priceImpactBps(amountOut, amountIn - r.feeAmount, spotNum, spotDen)
    : priceImpactBps(amountOut + r.feeAmount, amountIn, spotNum, spotDen);
  const accounts = [state.address, state.configAddress];
  if (state.extension) accounts.push(state.extension.address);
  accounts.push(...r.tickArrays);
  return {
    venue: 'raydium-clmm',
    pool: state.address,
    inputMint,
    outputMint: zeroForOne ? state.pool.tokenMint1 : state.pool.tokenMint0,
    amountIn,
    amountOut,
    feeAmount: r.feeAmount,
    feeMint: isFeeOnToken0(state.pool.feeOn, zeroForOne) ? state.pool.tokenMint0 : state.pool.tokenMint1,
    priceImpactBps: impact,
    accounts,
    sqrtPriceAfterX64: r.sqrtPriceX64,
    tickAfter: r.tick,
  };
}

export const raydiumClmm: Omit<Venue<RaydiumClmmState>, 'quoteExactIn' | 'quoteExactOut'> & {
  quoteExactIn(state: RaydiumClmmState, inputMint: string, amountIn: bigint, opts?: ClmmQuoteOptions): RaydiumClmmQuote;
  quoteExactOut(state: RaydiumClmmState, inputMint: string, amountOut: bigint, opts?: ClmmQuoteOptions): RaydiumClmmQuote;
} = {
  id: 'raydium-clmm',
  programId: RAYDIUM_CLMM_PROGRAM_ID,

  /**
   * AMM config, bitmap extension PDA, and tick arrays around the current tick: the initialized ones
   * the pool bitmap shows (up to 3 each way). For a pool whose tick lies beyond the pool bitmap (only
   * the extension knows), the 3 arrays on each side by position; `tickArrayAddressesAround` with the
   * fetched extension then names the exact ones.
   */
  requiredAccounts(poolAccount: AccountSnapshot): string[] {
    requireOwner(poolAccount, 'PoolState');
    const pool = decodePoolState(poolAccount.data, label(poolAccount));
    const out = [pool.ammConfig];
    if (!poolAccount.address) return out;
    out.push(bitmapExtensionAddress(poolAccount.address));
    out.push(...tickArrayAddressesAround(poolAccount.address, pool, undefined));
    return out;
  },

  /** Decodes pool, AmmConfig and whichever of the pool's tick arrays / bitmap extension `accounts` holds; `context.unixTimestamp` becomes the quotes' clock. */
  buildState(poolAccount: AccountSnapshot, accounts: ReadonlyMap<string, AccountSnapshot>, context?: QuoteContext): RaydiumClmmState {
    requireOwner(poolAccount, 'PoolState');
    const address = label(poolAccount);
    const pool = decodePoolState(poolAccount.data, address);
    const configAccount = requireAccount(accounts, pool.ammConfig, 'amm_config', address);
    requireOwner(configAccount, 'AmmConfig');
    const config = decodeAmmConfig(configAccount.data, label(configAccount));
    const belongs = addressMatcher(poolAccount.address);
    const tickArrays: Parameters<typeof makeClmmState>[0]['tickArrays'] = [];
    let extension: { address: string; data: TickArrayBitmapExtension } | undefined;
    const read: AccountSnapshot[] = [poolAccount, configAccount];
    for (const [key, acct] of accounts) {
      if (acct.owner !== RAYDIUM_CLMM_PROGRAM_ID || !belongs(acct.data, 8)) continue; // pool_id
      if (acct.data.length === TICK_ARRAY_STATE_LEN) {
        const t = decodeTickArrayState(acct.data, key);
        const ticksInArray = TICK_ARRAY_SIZE * pool.tickSpacing;
        if (t.startTickIndex % ticksInArray !== 0) continue; // not a start index of this pool's spacing: the program would never load it
        tickArrays.push({ address: key, startTickIndex: t.startTickIndex, ticks: t.ticks, initializedTickCount: t.initializedTickCount });
        read.push(acct);
      } else if (acct.data.length === TICK_ARRAY_BITMAP_EXTENSION_LEN) {
        extension = { address: key, data: decodeTickArrayBitmapExtension(acct.data, key) };
        read.push(acct);
      }
    }
    const args: Parameters<typeof makeClmmState>[0] = { address, pool, configAddress: pool.ammConfig, config, tickArrays };
    if (context?.unixTimestamp !== undefined) args.unixTimestamp = Number(context.unixTimestamp);
    if (extension) args.extension = extension;
    const slot = oldestSlot(read);
    if (slot !== undefined) args.slot = slot;
    return makeClmmState(args);
  },

  quoteExactIn(state: RaydiumClmmState, inputMint: string, amountIn: bigint, opts: ClmmQuoteOptions = {}) {
    return quote(state, inputMint, amountIn, true, opts);
  },

  quoteExactOut(state: RaydiumClmmState, inputMint: string, amountOut: bigint, opts: ClmmQuoteOptions = {}) {
    return quote(state, inputMint, amountOut, false, opts);
  },

  poolMints(poolAccount: AccountSnapshot) {
    requireOwner(poolAccount, 'PoolState');
    const pool = decodePoolState(poolAccount.data, label(poolAccount));
    return { mintA: pool.tokenMint0, mintB: pool.tokenMint1 };
  },

  vaults(state: RaydiumClmmState): [string, string] {
    return [state.pool.tokenVault0, state.pool.tokenVault1];
  },

  /** The vault balances (what the pool holds over all its positions, fees owed included). */
  reserves(state: RaydiumClmmState, accounts: ReadonlyMap<string, AccountSnapshot>) {
    return vaultBalances(state, raydiumClmm.vaults(state), accounts);
  },
  swapInstruction(state, quote, req) {
    return raydiumClmmSwapInstruction(state, { ...req, tickArrays: arraysFromQuote(quote.accounts, state.tickArrays.values()) });
  },
};

/**
 * The Meteora DLMM venue: accounts a quote needs, decoding them into a quotable state, and
 * exact-in / exact-out quotes as the program computes them (see quote.ts).
 */
import type { AccountSnapshot } from '../../accounts/index.ts';
import type { PoolState, Quote, QuoteContext, Venue } from '../venue.ts';
import { vaultBalance, vaultBalances } from '../vaults.ts';
import { accountLabel as label, addressMatcher, addressSeed, oldestSlot, programAddress, requireOwner as requireOwnerOf } from '../codec/index.ts';
import { Q64, priceImpactBps, requireU64Amount } from '../math/index.ts';
import { decodeMint, type MintInfo } from '../spl-token/index.ts';
import { dexError, swapRejected } from './errors.ts';
import { SolrulesError } from '../../errors/index.ts';
import { BinArrayIndex } from './bitmap.ts';
import {
  BIN_ARRAY_BITMAP_EXTENSION_LEN,
  BIN_ARRAY_LEN,
  METEORA_DLMM_PROGRAM_ID,
  BinArrayBins,
  decodeBinArrayBitmapExtension,
  decodeLbPair,
  type BinArrayBitmapExtension,
  type LbPair,
} from './layout.ts';
import { binIdToBinArrayIndex, getPriceFromId } from './math.ts';
import { quoteExactIn, quoteExactOut, type DlmmBinArray, type DlmmQuoteContext, type DlmmQuoteResult } from './quote.ts';
import { meteoraDlmmSwapInstruction } from './swap-instruction.ts';
import { arraysFromQuote } from '../codec/swap.ts';

export interface MeteoraDlmmState extends PoolState, DlmmQuoteContext {
  venue: 'meteora-dlmm';
  extension?: { address: string; data: BinArrayBitmapExtension };
  /** Clock the quotes run at when the caller gives none; default unix time: the wall clock. */
  unixTimestamp?: number;
  epoch?: bigint;
  /** Current slot for slot-activated pairs; without it the accounts' own slot (a lower bound) is used. */
  currentSlot?: number;
  /**
   * Balances of `reserve_x` / `reserve_y` when the state was built with them. The program pays out
   * of these token accounts, so a quote promising more than the output reserve holds is refused.
   */
  reserveBalances?: { x: bigint; y: bigint };
}

export interface MeteoraDlmmQuote extends Quote {
  venue: 'meteora-dlmm';
  /** Token the trading fee was charged in (the pair may charge Y only). */
  feeMint: string;
  protocolFee: bigint;
  /** Part of `protocolFee` that is exact-out rounding surplus rather than fee. */
  roundingSurplus: bigint;
  /** Part of `feeAmount` charged where the input filled nothing (dust that only pays fee). */
  feeWithoutFill: bigint;
  endBinId: number;
}

export interface DlmmQuoteOptions {
  unixTimestamp?: number;
  slot?: number;
  epoch?: bigint;
}

function requireOwner(account: AccountSnapshot, layout: string): void {
  requireOwnerOf(account, [METEORA_DLMM_PROGRAM_ID], layout);
}

/** PDA of bin array `index` (seeds "bin_array", pair, index as i64 little-endian). */
export function binArrayAddress(pair: string, index: number): string {
  return programAddress(METEORA_DLMM_PROGRAM_ID, `bin_array:${pair}:${index}`, () => {
    const idx = Buffer.alloc(8);
    idx.writeBigInt64LE(BigInt(index));
    return [Buffer.from('bin_array'), addressSeed(pair), idx];
  });
}

/** PDA of the pair's BinArrayBitmapExtension (seeds "bitmap", pair). */
export function binArrayBitmapExtensionAddress(pair: string): string {
  return programAddress(METEORA_DLMM_PROGRAM_ID, `bitmap:${pair}`, () => [Buffer.from('bitmap'), addressSeed(pair)]);
}

/** Builds the quotable state from decoded parts. */
export function makeDlmmState(args: {
  address: string;
  lbPair: LbPair;
  binArrays: DlmmBinArray[];
  extension?: { address: string; data: BinArrayBitmapExtension };
  mintX?: MintInfo;
  mintY?: MintInfo;
  slot?: number;
  currentSlot?: number;
  unixTimestamp?: number;
  epoch?: bigint;
  reserveBalances?: { x: bigint; y: bigint };
}): MeteoraDlmmState {
  const binArrays = new Map<number, DlmmBinArray>();
  for (const a of args.binArrays) binArrays.set(a.index, a);
  const state: MeteoraDlmmState = {
    venue: 'meteora-dlmm',
    address: args.address,
    mintA: args.lbPair.tokenXMint,
    mintB: args.lbPair.tokenYMint,
    pairAddress: args.address,
    lbPair: args.lbPair,
    bitmap: new BinArrayIndex(args.lbPair.binArrayBitmap, args.extension?.data),
    binArrays,
    mintX: args.mintX,
    mintY: args.mintY,
  };
  if (args.extension) state.extension = args.extension;
  if (args.slot !== undefined) state.slot = args.slot;
  if (args.currentSlot !== undefined) state.currentSlot = args.currentSlot;
  if (args.unixTimestamp !== undefined) state.unixTimestamp = args.unixTimestamp;
  if (args.epoch !== undefined) state.epoch = args.epoch;
  if (args.reserveBalances !== undefined) state.reserveBalances = args.reserveBalances;
  return state;
}

/**
 * The program transfers the output from the reserve token account: bins that promise more than it
 * holds (liquidity withdrawn or a state out of step) end in SPL Token `InsufficientFunds` on chain.
 */
function requireReserveCovers(state: MeteoraDlmmState, swapForY: boolean, r: DlmmQuoteResult): void {
  if (!state.reserveBalances) return;
  const reserve = swapForY ? state.reserveBalances.y : state.reserveBalances.x;
  if (r.poolAmountOut <= reserve) return;
  const address = swapForY ? state.lbPair.reserveY : state.lbPair.reserveX;
  throw swapRejected('InsufficientFunds', `pair ${state.address}: the bins would pay ${r.poolAmountOut} but reserve ${address} holds ${reserve}`, {
    account: address,
    field: swapForY ? 'reserve_y' : 'reserve_x',
    value: r.poolAmountOut,
    available: reserve,
  });
}

function toQuote(state: MeteoraDlmmState, inputMint: string, swapForY: boolean, r: DlmmQuoteResult): MeteoraDlmmQuote {
  requireReserveCovers(state, swapForY, r);
  const outputMint = swapForY ? state.lbPair.tokenYMint : state.lbPair.tokenXMint;
  let impact = 0;
  try {
    const price = getPriceFromId(state.lbPair.activeId, state.lbPair.binStep);
    const [num, den] = swapForY ? [price, Q64] : [Q64, price];
    // fees excluded: the trading fee comes off the input, or was already taken off the output
    impact = r.feeOnInput ? priceImpactBps(r.poolAmountOut, r.poolAmountIn - r.fee, num, den) : priceImpactBps(r.poolAmountOut + r.fee, r.poolAmountIn, num, den);
  } catch {
    impact = 0; // an active id whose price cannot be computed: the quote itself already succeeded
  }
  const accounts = [state.address];
  if (state.extension) accounts.push(state.extension.address);
  accounts.push(...r.binArrays);
  return {
    venue: 'meteora-dlmm',
    pool: state.address,
    inputMint,
    outputMint,
    amountIn: r.amountIn,
    amountOut: r.amountOut,
    feeAmount: r.fee,
    feeMint: r.feeOnInput ? inputMint : outputMint,
    protocolFee: r.protocolFee,
    roundingSurplus: r.roundingSurplus,
    feeWithoutFill: r.feeWithoutFill,
    priceImpactBps: impact,
    accounts,
    endBinId: r.endBinId,
  };
}

function direction(state: MeteoraDlmmState, inputMint: string): boolean {
  if (inputMint === state.lbPair.tokenXMint) return true;
  if (inputMint === state.lbPair.tokenYMint) return false;
  throw dexError('DEX_MINT_NOT_IN_POOL', `mint ${inputMint} is not in Meteora DLMM pair ${state.address}`, {
    account: state.address,
    field: 'inputMint',
    value: inputMint,
    expected: [state.lbPair.tokenXMint, state.lbPair.tokenYMint],
  });
}

function clockOf(state: MeteoraDlmmState, opts: DlmmQuoteOptions) {
  return {
    unixTimestamp: opts.unixTimestamp ?? state.unixTimestamp ?? Math.floor(Date.now() / 1000),
    slot: opts.slot ?? state.currentSlot ?? state.slot,
    epoch: opts.epoch ?? state.epoch,
  };
}

export const meteoraDlmm: Omit<Venue<MeteoraDlmmState>, 'quoteExactIn' | 'quoteExactOut'> & {
  quoteExactIn(state: MeteoraDlmmState, inputMint: string, amountIn: bigint, opts?: DlmmQuoteOptions): MeteoraDlmmQuote;
  quoteExactOut(state: MeteoraDlmmState, inputMint: string, amountOut: bigint, opts?: DlmmQuoteOptions): MeteoraDlmmQuote;
} = {
  id: 'meteora-dlmm',
  programId: METEORA_DLMM_PROGRAM_ID,

  /** Both mints (Token-2022 transfer fees), both reserves (what the program can pay out), the bitmap extension PDA, and up to 3 bin arrays with liquidity each way from the active bin. */
  requiredAccounts(pairAccount: AccountSnapshot): string[] {
    requireOwner(pairAccount, 'LbPair');
    const pair = decodeLbPair(pairAccount.data, label(pairAccount));
    const out = [pair.tokenXMint, pair.tokenYMint, pair.reserveX, pair.reserveY];
    const address = pairAccount.address;
    if (!address) return out;
    out.push(binArrayBitmapExtensionAddress(address));
    const index = new BinArrayIndex(pair.binArrayBitmap, undefined);
    const indexes = new Set<number>();
    for (const swapForY of [true, false]) {
      let start = binIdToBinArrayIndex(pair.activeId);
      for (let i = 0; i < 3; i++) {
        const next = index.next(start, swapForY);
        if (next === undefined) break;
        indexes.add(next);
        start = swapForY ? next - 1 : next + 1;
      }
    }
    for (const i of [...indexes].sort((a, b) => a - b)) out.push(binArrayAddress(address, i));
    return out;
  },

  /** Decodes the pair, its mints and whichever of its bin arrays / bitmap extension / reserves `accounts` holds (with both reserves, quotes never promise more than the output reserve holds); `context` becomes the quotes' clock. */
  buildState(pairAccount: AccountSnapshot, accounts: ReadonlyMap<string, AccountSnapshot>, context?: QuoteContext): MeteoraDlmmState {
    requireOwner(pairAccount, 'LbPair');
    const address = label(pairAccount);
    const lbPair = decodeLbPair(pairAccount.data, address);
    const belongs = addressMatcher(pairAccount.address);
    const binArrays: DlmmBinArray[] = [];
    let extension: { address: string; data: BinArrayBitmapExtension } | undefined;
    const read: AccountSnapshot[] = [pairAccount];
    for (const [key, acct] of accounts) {
      if (acct.owner !== METEORA_DLMM_PROGRAM_ID) continue;
      if (acct.data.length === BIN_ARRAY_LEN && belongs(acct.data, 24)) { // lb_pair
        const b = new BinArrayBins(acct.data, key);
        binArrays.push({ address: key, index: Number(b.index), bin: (i) => b.bin(i) });
        read.push(acct);
      } else if (acct.data.length === BIN_ARRAY_BITMAP_EXTENSION_LEN && belongs(acct.data, 8)) { // lb_pair
        extension = { address: key, data: decodeBinArrayBitmapExtension(acct.data, key) };
        read.push(acct);
      }
    }
    const mintX = accounts.get(lbPair.tokenXMint);
    const mintY = accounts.get(lbPair.tokenYMint);
    // A Token-2022 mint may charge a transfer fee: without its account the quote would be wrong.
    for (const [flag, mint, account] of [
      [lbPair.tokenMintXProgramFlag, lbPair.tokenXMint, mintX],
      [lbPair.tokenMintYProgramFlag, lbPair.tokenYMint, mintY],
    ] as const) {
      if (flag === 1 && !account) {
        throw dexError('DEX_ACCOUNT_MISSING', `Meteora DLMM pair ${address}: Token-2022 mint ${mint} was not provided (its transfer fee changes the quote)`, {
          account: mint,
          field: 'token_mint_program_flag',
          pair: address,
        });
      }
    }
    const args: Parameters<typeof makeDlmmState>[0] = { address, lbPair, binArrays };
    if (extension) args.extension = extension;
    if (mintX) args.mintX = decodeMint({ ...mintX, address: lbPair.tokenXMint });
    if (mintY) args.mintY = decodeMint({ ...mintY, address: lbPair.tokenYMint });
    for (const mint of [mintX, mintY]) if (mint) read.push(mint);
    const reserveX = accounts.get(lbPair.reserveX);
    const reserveY = accounts.get(lbPair.reserveY);
    if (reserveX && reserveY) {
      args.reserveBalances = {
        x: vaultBalance('meteora-dlmm', reserveX, lbPair.reserveX, 'reserve_x', address, lbPair.tokenXMint),
        y: vaultBalance('meteora-dlmm', reserveY, lbPair.reserveY, 'reserve_y', address, lbPair.tokenYMint),
      };
      read.push(reserveX, reserveY);
    }
    const slot = oldestSlot(read);
    if (slot !== undefined) args.slot = slot;
    if (context?.unixTimestamp !== undefined) args.unixTimestamp = Number(context.unixTimestamp);
    if (context?.epoch !== undefined) args.epoch = context.epoch;
    if (context?.slot !== undefined) args.currentSlot = Number(context.slot);
    return makeDlmmState(args);
  },

  quoteExactIn(state: MeteoraDlmmState, inputMint: string, amountIn: bigint, opts: DlmmQuoteOptions = {}) {
    const swapForY = direction(state, inputMint);
    requireU64Amount(amountIn, 'amountIn');
    return toQuote(state, inputMint, swapForY, quoteExactIn(state, amountIn, swapForY, clockOf(state, opts)));
  },

  quoteExactOut(state: MeteoraDlmmState, inputMint: string, amountOut: bigint, opts: DlmmQuoteOptions = {}) {
    const swapForY = direction(state, inputMint);
    requireU64Amount(amountOut, 'amountOut');
    return toQuote(state, inputMint, swapForY, quoteExactOut(state, amountOut, swapForY, clockOf(state, opts)));
  },

  poolMints(pairAccount: AccountSnapshot) {
    requireOwner(pairAccount, 'LbPair');
    const pair = decodeLbPair(pairAccount.data, label(pairAccount));
    return { mintA: pair.tokenXMint, mintB: pair.tokenYMint };
  },

  /** The pair's `reserve_x` / `reserve_y` token accounts. */
  vaults(state: MeteoraDlmmState): [string, string] {
    return [state.lbPair.reserveX, state.lbPair.reserveY];
  },

  /** The vault balances (every bin's liquidity, fees and protocol fees not yet claimed included). */
  reserves(state: MeteoraDlmmState, accounts: ReadonlyMap<string, AccountSnapshot>) {
    return vaultBalances(state, meteoraDlmm.vaults(state), accounts);
  },
  /** EXEC_ZERO_OUTPUT for an exact-in quote that pays nothing: the program refuses such a swap (swap2 InsufficientOutAmount, 6039, seen on the sandbox). */
  swapInstruction(state, quote, req) {
    if ((req.exactIn ?? true) && quote.amountOut === 0n) {
      throw new SolrulesError('EXEC_ZERO_OUTPUT', `meteora-dlmm pair ${state.address}: ${quote.amountIn} in pays 0 out, which the program refuses (InsufficientOutAmount)`, {
        venue: 'meteora-dlmm',
        pool: state.address,
        field: 'amountOut',
        value: quote.amountOut,
      });
    }
    return meteoraDlmmSwapInstruction(state, { ...req, binArrays: arraysFromQuote(quote.accounts, state.binArrays.values()) });
  },
};

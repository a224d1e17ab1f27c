/** Orca Whirlpool behind the `Venue` interface: pool, tick arrays, oracle and mints in; exact quotes out. */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { accountLabel, dexError, isNonexistent, oldestSlot, requireAccount } from '../codec/index.ts';
import { U64_MAX, priceImpactBps, requireU64Amount } from '../math/index.ts';
import {
  calculateInverseTransferFee,
  calculateTransferFee,
  decodeMint,
  effectiveTransferFee,
  requireTransferable,
  type EffectiveTransferFee,
  type MintInfo,
} from '../spl-token/index.ts';
import type { PoolState, Quote, QuoteContext, Venue } from '../venue.ts';
import { vaultBalances } from '../vaults.ts';
import { adaptiveFeeRateManager, staticFeeRate } from './fee-rate.ts';
import { WHIRLPOOL_PROGRAM_ID, decodeOracle, decodeTickArray, decodeWhirlpool, type Oracle, type Whirlpool } from './layout.ts';
import { oracleAddress, tickArrayAddress } from './pda.ts';
import { sequenceStartIndexes, swapWhirlpool, type SequenceArray, type SwapResult } from './swap.ts';
import { whirlpoolSwapInstruction } from './swap-instruction.ts';

const Q128 = 1n << 128n;

export interface OrcaWhirlpoolState extends PoolState {
  venue: 'orca-whirlpool';
  whirlpool: Whirlpool;
  mintInfoA: MintInfo;
  mintInfoB: MintInfo;
  /** Oracle when initialized (adaptive fee); null for static-fee pools. */
  oracle: Oracle | null;
  /** Tick-array sequences the program would read for each direction. */
  sequenceAToB: SequenceArray[];
  sequenceBToA: SequenceArray[];
  unixTimestamp: bigint;
  epoch: bigint | undefined;
  accountsAToB: readonly string[];
  accountsBToA: readonly string[];
}

/** A whirlpool quote with the program's fee split and transfer fees. */
export interface OrcaWhirlpoolQuote extends Quote {
  protocolFee: bigint;
  /** Token-2022 transfer fees withheld on the way in and out. */
  transferFeeIn: bigint;
  transferFeeOut: bigint;
  ticksCrossed: number;
}

function nowUnix(): bigint {
  return BigInt(Math.floor(Date.now() / 1000));
}

function isAdaptiveTier(w: Whirlpool): boolean {
  return w.feeTierIndex !== w.tickSpacing;
}

function candidateStarts(w: Whirlpool): number[] {
  const set = new Set([...sequenceStartIndexes(w.tickCurrentIndex, w.tickSpacing, true), ...sequenceStartIndexes(w.tickCurrentIndex, w.tickSpacing, false)]);
  return [...set].sort((a, b) => a - b);
}

function poolAddress(pool: AccountSnapshot): string {
  if (!pool.address) {
    throw dexError('DEX_ACCOUNT_MISSING', `whirlpool account from ${pool.source ?? '<input>'} has no address; tick arrays are derived from it`, {
      account: accountLabel(pool),
      field: 'address',
    });
  }
  return pool.address;
}

function loadMint(accounts: ReadonlyMap<string, AccountSnapshot>, address: string, role: string, pool: string): MintInfo {
  const mint = decodeMint(requireAccount(accounts, address, role, pool));
  return { ...mint, address };
}

function loadSequence(pool: string, starts: number[], accounts: ReadonlyMap<string, AccountSnapshot>, decoded: Map<string, SequenceArray>): SequenceArray[] {
  return starts.map((start): SequenceArray => {
    const address = tickArrayAddress(pool, start);
    const known = decoded.get(address);
    if (known) return known;
    const slot = loadSlot(pool, start, address, accounts);
    decoded.set(address, slot);
    return slot;
  });
}

function loadSlot(pool: string, start: number, address: string, accounts: ReadonlyMap<string, AccountSnapshot>): SequenceArray {
  const snapshot = accounts.get(address);
  if (!snapshot) return { start, address, status: 'unknown' };
  if (isNonexistent(snapshot)) return { start, address, status: 'zeroed' };
  const data = decodeTickArray(snapshot);
  if (data.whirlpool !== pool || data.startTickIndex !== start) {
    const wrongPool = data.whirlpool !== pool;
    throw dexError('DEX_ACCOUNT_MISMATCH', `tick array ${address} belongs to ${data.whirlpool} start ${data.startTickIndex}, expected ${pool} start ${start}`, {
      account: address,
      field: wrongPool ? 'whirlpool' : 'startTickIndex',
      value: wrongPool ? data.whirlpool : data.startTickIndex,
      expected: wrongPool ? pool : start,
    });
  }
  return { start, address, status: 'loaded', data };
}

function loadOracle(w: Whirlpool, accounts: ReadonlyMap<string, AccountSnapshot>, pool: string): Oracle | null {
  const address = oracleAddress(pool);
  const snapshot = isAdaptiveTier(w) ? requireAccount(accounts, address, 'oracle (adaptive-fee pool)', pool) : accounts.get(address);
  if (!snapshot || isNonexistent(snapshot)) return null;
  const oracle = decodeOracle(snapshot);
  if (oracle.whirlpool !== pool) {
    throw dexError('DEX_ACCOUNT_MISMATCH', `oracle ${address} belongs to ${oracle.whirlpool}, expected ${pool}`, {
      account: address,
      field: 'whirlpool',
      value: oracle.whirlpool,
      expected: pool,
    });
  }
  return oracle;
}

/** `calculate_transfer_fee_included_amount` (with the program's verification). */
function feeIncluded(fee: EffectiveTransferFee | null, excluded: bigint): bigint {
  if (excluded === 0n || !fee) return excluded;
  const f = fee.fee;
  const transferFee = f.basisPoints === 10_000 ? f.maximumFee : calculateInverseTransferFee(f, excluded);
  const reject = (why: string): never => {
    throw dexError('DEX_SWAP_REJECTED', `orca-whirlpool would reject the swap: TransferFeeCalculationError (${why}, mint ${fee.mint})`, {
      venue: 'orca-whirlpool',
      reason: 'TransferFeeCalculationError',
      account: fee.mint,
    });
  };
  if (transferFee === null) return reject('inverse fee overflows');
  const included = excluded + transferFee;
  if (included > U64_MAX) return reject('amount with fee exceeds u64');
  if (calculateTransferFee(f, included) !== transferFee) return reject('inverse fee does not verify');
  return included;
}

function feeOn(fee: EffectiveTransferFee | null, amount: bigint): bigint {
  return fee ? calculateTransferFee(fee.fee, amount) : 0n;
}

interface Prepared {
  aToB: boolean;
  feeIn: EffectiveTransferFee | null;
  feeOut: EffectiveTransferFee | null;
}

function prepare(state: OrcaWhirlpoolState, inputMint: string): Prepared {
  let aToB: boolean;
  if (inputMint === state.mintA) aToB = true;
  else if (inputMint === state.mintB) aToB = false;
  else {
    throw dexError('DEX_MINT_NOT_IN_POOL', `mint ${inputMint} is not traded by orca-whirlpool pool ${state.address} (${state.mintA} / ${state.mintB})`, {
      venue: 'orca-whirlpool',
      account: state.address,
      field: 'inputMint',
      value: inputMint,
    });
  }
  requireTransferable(state.mintInfoA);
  requireTransferable(state.mintInfoB);
  if (state.oracle && state.oracle.tradeEnableTimestamp > state.unixTimestamp) {
    throw dexError('DEX_POOL_NOT_TRADING', `orca-whirlpool pool ${state.address} opens for trading at ${state.oracle.tradeEnableTimestamp}, clock is ${state.unixTimestamp}`, {
      venue: 'orca-whirlpool',
      account: state.oracle.address,
      field: 'tradeEnableTimestamp',
      value: state.oracle.tradeEnableTimestamp,
    });
  }
  const feeA = effectiveTransferFee(state.mintInfoA, state.epoch);
  const feeB = effectiveTransferFee(state.mintInfoB, state.epoch);
  return { aToB, feeIn: aToB ? feeA : feeB, feeOut: aToB ? feeB : feeA };
}

function runSwap(state: OrcaWhirlpoolState, amount: bigint, specifiedInput: boolean, aToB: boolean): SwapResult {
  const w = state.whirlpool;
  const fees = state.oracle
    ? adaptiveFeeRateManager(aToB, w.tickCurrentIndex, state.unixTimestamp, w.feeRate, { constants: state.oracle.constants, variables: state.oracle.variables })
    : staticFeeRate(w.feeRate);
  return swapWhirlpool(w, state.address, aToB ? state.sequenceAToB : state.sequenceBToA, amount, specifiedInput, aToB, fees);
}

function buildQuote(
  state: OrcaWhirlpoolState,
  inputMint: string,
  aToB: boolean,
  result: SwapResult,
  amountIn: bigint,
  amountOut: bigint,
  transferFeeIn: bigint,
  transferFeeOut: bigint,
): OrcaWhirlpoolQuote {
  const poolIn = aToB ? result.amountA : result.amountB;
  const poolOut = aToB ? result.amountB : result.amountA;
  const p2 = state.whirlpool.sqrtPrice * state.whirlpool.sqrtPrice;
  return {
    venue: 'orca-whirlpool',
    pool: state.address,
    inputMint,
    outputMint: aToB ? state.mintB : state.mintA,
    amountIn,
    amountOut,
    feeAmount: result.feeAmount,
    priceImpactBps: aToB ? priceImpactBps(poolOut, poolIn - result.feeAmount, p2, Q128) : priceImpactBps(poolOut, poolIn - result.feeAmount, Q128, p2),
    accounts: (aToB ? state.accountsAToB : state.accountsBToA) as string[],
    protocolFee: result.protocolFee,
    transferFeeIn,
    transferFeeOut,
    ticksCrossed: result.ticksCrossed,
  };
}

/** The whirlpool venue; its quotes carry the protocol fee, transfer fees and ticks crossed. */
export interface OrcaWhirlpoolVenue extends Venue<OrcaWhirlpoolState> {
  quoteExactIn(state: OrcaWhirlpoolState, inputMint: string, amountIn: bigint): OrcaWhirlpoolQuote;
  quoteExactOut(state: OrcaWhirlpoolState, inputMint: string, amountOut: bigint): OrcaWhirlpoolQuote;
}

export const orcaWhirlpool: OrcaWhirlpoolVenue = {
  id: 'orca-whirlpool',
  programId: WHIRLPOOL_PROGRAM_ID,

  requiredAccounts(pool: AccountSnapshot): string[] {
    const w = decodeWhirlpool(pool);
    const address = poolAddress(pool);
    const out = candidateStarts(w).map((s) => tickArrayAddress(address, s));
    out.push(w.tokenMintA, w.tokenMintB);
    if (isAdaptiveTier(w)) out.push(oracleAddress(address));
    return out;
  },

  buildState(pool: AccountSnapshot, accounts: ReadonlyMap<string, AccountSnapshot>, context?: QuoteContext): OrcaWhirlpoolState {
    const w = decodeWhirlpool(pool);
    const address = poolAddress(pool);
    const mintInfoA = loadMint(accounts, w.tokenMintA, 'token mint A', address);
    const mintInfoB = loadMint(accounts, w.tokenMintB, 'token mint B', address);
    const oracle = loadOracle(w, accounts, address);
    const decoded = new Map<string, SequenceArray>();
    const sequenceAToB = loadSequence(address, sequenceStartIndexes(w.tickCurrentIndex, w.tickSpacing, true), accounts, decoded);
    const sequenceBToA = loadSequence(address, sequenceStartIndexes(w.tickCurrentIndex, w.tickSpacing, false), accounts, decoded);
    const shared = [w.tokenMintA, w.tokenMintB, ...(oracle ? [oracleAddress(address)] : [])];
    const read = [...sequenceAToB, ...sequenceBToA].filter((s) => s.status !== 'unknown').map((s) => accounts.get(s.address));
    for (const a of shared) read.push(accounts.get(a));
    return {
      venue: 'orca-whirlpool',
      address,
      mintA: w.tokenMintA,
      mintB: w.tokenMintB,
      slot: oldestSlot([pool, ...read]),
      whirlpool: w,
      mintInfoA,
      mintInfoB,
      oracle,
      sequenceAToB,
      sequenceBToA,
      unixTimestamp: context?.unixTimestamp ?? nowUnix(),
      epoch: context?.epoch,
      accountsAToB: Object.freeze([address, ...sequenceAToB.map((s) => s.address), ...shared]),
      accountsBToA: Object.freeze([address, ...sequenceBToA.map((s) => s.address), ...shared]),
    };
  },

  quoteExactIn(state: OrcaWhirlpoolState, inputMint: string, amountIn: bigint): OrcaWhirlpoolQuote {
    requireU64Amount(amountIn, 'amountIn');
    const { aToB, feeIn, feeOut } = prepare(state, inputMint);
    const transferFeeIn = feeOn(feeIn, amountIn);
    const poolAmount = amountIn - transferFeeIn;
    const result = runSwap(state, poolAmount, true, aToB);
    const swappedIn = aToB ? result.amountA : result.amountB;
    const swappedOut = aToB ? result.amountB : result.amountA;
    // partial fills pay only what the pool took, fee included (swap_with_transfer_fee_extension)
    const paid = swappedIn === poolAmount ? amountIn : feeIncluded(feeIn, swappedIn);
    const transferFeeOut = feeOn(feeOut, swappedOut);
    return buildQuote(state, inputMint, aToB, result, paid, swappedOut - transferFeeOut, paid - swappedIn, transferFeeOut);
  },

  quoteExactOut(state: OrcaWhirlpoolState, inputMint: string, amountOut: bigint): OrcaWhirlpoolQuote {
    requireU64Amount(amountOut, 'amountOut');
    const { aToB, feeIn, feeOut } = prepare(state, inputMint);
    const poolOut = feeIncluded(feeOut, amountOut);
    const result = runSwap(state, poolOut, false, aToB);
    const swappedIn = aToB ? result.amountA : result.amountB;
    const swappedOut = aToB ? result.amountB : result.amountA;
    const paid = feeIncluded(feeIn, swappedIn);
    const transferFeeOut = feeOn(feeOut, swappedOut);
    return buildQuote(state, inputMint, aToB, result, paid, swappedOut - transferFeeOut, paid - swappedIn, transferFeeOut);
  },

  poolMints(pool: AccountSnapshot) {
    const w = decodeWhirlpool(pool);
    return { mintA: w.tokenMintA, mintB: w.tokenMintB };
  },

  vaults(state: OrcaWhirlpoolState): [string, string] {
    return [state.whirlpool.tokenVaultA, state.whirlpool.tokenVaultB];
  },

  /** The vault balances (what the pool holds over all its positions, fees owed included). */
  reserves(state: OrcaWhirlpoolState, accounts: ReadonlyMap<string, AccountSnapshot>) {
    return vaultBalances(state, orcaWhirlpool.vaults(state), accounts);
  },
  swapInstruction(state, _quote, req) {
    return whirlpoolSwapInstruction(state, req);
  },
};

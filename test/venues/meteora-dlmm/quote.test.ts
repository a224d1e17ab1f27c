/**
 * Meteora DLMM quotes on the real fixture pairs: the reference quoter's own test (FJbEo must run out
 * of liquidity for 5 000 000 000 either way), every fixture pair against the SDK at several sizes
 * both ways, exact in and exact out, at several clock times, and the venue API (PDAs, activation,
 * fee side, transfer fees, refusals).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import BN from 'bn.js';
import { loadAccountDir, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import { binArrayAddress, binArrayBitmapExtensionAddress, decodeLbPair, meteoraDlmm, type MeteoraDlmmQuote, type MeteoraDlmmState } from '../../../engine/venues/meteora-dlmm/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { sdkPair, sdkQuoteExactIn, sdkQuoteExactOut, type SdkPair } from './sdk.ts';
import { encodeMint, generatePair, PROGRAM_ID } from './support.ts';
import { accountsOf } from './state.ts';

const sdk = createRequire(import.meta.url)('@meteora-ag/dlmm') as typeof import('@meteora-ag/dlmm');
const ROOT = sharedFixture('accounts/meteora-dlmm');
const WSOL = 'So11111111111111111111111111111111111111112';
const FJ = 'FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB';
const JLP = '6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM';
const ET = 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig';
const B5 = 'B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc';
const T9 = '9t3EyC9FweyL7PBWvKz3mrXg8B9fwFc9SK3QxM4ENqhd';

const wsolMint = loadAccountDir(join(ROOT, `dlmm-sdk-artifacts/${FJ}`)).get(WSOL)!;

function fixture(pair: string): { accounts: Map<string, AccountSnapshot>; pair: AccountSnapshot } {
  const dir = pair === FJ ? `dlmm-sdk-artifacts/${FJ}` : pair === JLP ? `dlmm-sdk-artifacts/jlp-hubsol-${JLP}` : `dlmm-sdk-commons-fixtures/${pair}`;
  const accounts = loadAccountDir(join(ROOT, dir));
  if (!accounts.has(WSOL)) accounts.set(WSOL, wsolMint); // the commons fixtures omit the native mint
  return { accounts, pair: accounts.get(pair)! };
}

function sdkFor(pairAddress: string, accounts: Map<string, AccountSnapshot>, state: MeteoraDlmmState): SdkPair {
  const bins = [...accounts.entries()].filter(([, a]) => a.owner === PROGRAM_ID && a.data.length === 10136).map(([address, a]) => ({ address, data: a.data }));
  return sdkPair(pairAddress, accounts.get(pairAddress)!.data, bins, accounts.get(state.lbPair.tokenXMint)!, accounts.get(state.lbPair.tokenYMint)!);
}

test('FJbEo (dlmm-sdk test_swap_quote_infinite_loop): 5 000 000 000 either way, exact in and out, is out of liquidity', () => {
  const { accounts, pair } = fixture(FJ);
  const state = meteoraDlmm.buildState(pair, accounts, { unixTimestamp: 1_700_000_000n });
  for (const mint of [state.mintA, state.mintB]) {
    assert.throws(() => meteoraDlmm.quoteExactIn(state, mint, 5_000_000_000n), (e) => isSolrulesError(e, 'DEX_INSUFFICIENT_LIQUIDITY'));
    assert.throws(() => meteoraDlmm.quoteExactOut(state, mint, 5_000_000_000n), (e) => isSolrulesError(e, 'DEX_INSUFFICIENT_LIQUIDITY'));
  }
  const q = meteoraDlmm.quoteExactIn(state, WSOL, 1_000_000n);
  assert.equal(q.amountOut, 899100n, 'the one bin above the active id fills');
});

test('every fixture pair: equal to the SDK at several sizes, both directions, exact in and exact out, at several clock times', () => {
  let equal = 0;
  let refusedByBoth = 0;
  let reserveRefused = 0;
  for (const address of [FJ, JLP, ET, B5, T9]) {
    const { accounts, pair } = fixture(address);
    const state = meteoraDlmm.buildState(pair, accounts);
    const oracle = sdkFor(address, accounts, state);
    const last = Number(state.lbPair.vParameters.lastUpdateTimestamp);
    for (const now of [last + 1, last + 100, last + 10_000]) {
      for (const swapForY of [true, false]) {
        const mint = swapForY ? state.mintA : state.mintB;
        for (const amount of [1n, 777n, 1_000_000n, 123_456_789n, 5_000_000_000n, 80_000_000_000n]) {
          for (const exactIn of [true, false]) {
            const where = `${address} t+${now - last} ${swapForY ? 'X→Y' : 'Y→X'} ${exactIn ? 'in' : 'out'} ${amount}`;
            let ours: MeteoraDlmmQuote | undefined;
            let ourErr: unknown;
            try {
              ours = exactIn ? meteoraDlmm.quoteExactIn(state, mint, amount, { unixTimestamp: now, slot: 500_000_000 }) : meteoraDlmm.quoteExactOut(state, mint, amount, { unixTimestamp: now, slot: 500_000_000 });
            } catch (e) {
              ourErr = e;
            }
            let theirs;
            let sdkErr: unknown;
            try {
              theirs = exactIn ? sdkQuoteExactIn(oracle, amount, swapForY, now) : sdkQuoteExactOut(oracle, amount, swapForY, now);
            } catch (e) {
              sdkErr = e;
            }
            if (ours && theirs) {
              if (!exactIn || (swapForY ? state.mintX : state.mintY)?.transferFeeConfig == null) assert.equal(theirs.amountIn, ours.amountIn, where);
              assert.equal(theirs.amountOut, ours.amountOut, where);
              assert.equal(theirs.protocolFee, ours.protocolFee, where);
              assert.equal(theirs.userFee, ours.feeAmount - ours.feeWithoutFill - (ours.protocolFee - ours.roundingSurplus), where);
              equal++;
            } else if (theirs && isSolrulesError(ourErr, 'DEX_SWAP_REJECTED') && (ourErr.context as { reason?: string }).reason === 'InsufficientFunds') {
              // the SDK ignores the reserve balance; the program fails such a swap (programs README: EtAdV… X→Y 5 000 000 000)
              assert.ok(theirs.amountOut > (swapForY ? state.reserveBalances!.y : state.reserveBalances!.x), where);
              reserveRefused++;
            } else if (ours && ours.amountOut === 0n && exactIn && sdkErr) {
              // the transfer fee eats the whole input: 0 out (reference quoter) vs "insufficient liquidity" (SDK)
              refusedByBoth++;
            } else {
              assert.ok(isSolrulesError(ourErr) && sdkErr instanceof Error, `${where}: ours ${ours ? 'quoted' : String(ourErr)}, SDK ${theirs ? 'quoted' : String(sdkErr)}`);
              refusedByBoth++;
            }
          }
        }
      }
    }
  }
  console.log(`meteora-dlmm fixtures: ${equal} quotes equal to the SDK, ${refusedByBoth} refused by both, ${reserveRefused} refused by us only because the output reserve cannot pay them`);
  assert.ok(equal >= 200, `${equal} equal`);
});

test('JLP/hubSOL: the fee follows the clock (filter, decay and reset windows of the volatility reference)', () => {
  const { accounts, pair } = fixture(JLP);
  const state = meteoraDlmm.buildState(pair, accounts);
  const last = Number(state.lbPair.vParameters.lastUpdateTimestamp);
  const fee = (now: number) => meteoraDlmm.quoteExactIn(state, state.mintA, 50_000_000n, { unixTimestamp: now }).feeAmount;
  const inFilter = fee(last + 1); // references kept: volatility reference 2814, index reference 3773
  const decayed = fee(last + 100); // reference = 12814 × 0.5
  const reset = fee(last + 100_000); // reference 0
  assert.ok(inFilter > decayed && decayed > reset, `${inFilter} > ${decayed} > ${reset}`);
});

test('9t3Ey: limit-order pair, fee on Y only, activated by slot', () => {
  const { accounts, pair } = fixture(T9);
  const state = meteoraDlmm.buildState(pair, accounts);
  assert.equal(state.lbPair.activationPoint, 448432755n);
  assert.throws(() => meteoraDlmm.quoteExactIn(state, state.mintA, 1000n, { slot: 448432754 }), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING') && e.context.field === 'activation_point');
  assert.throws(() => meteoraDlmm.quoteExactIn(state, state.mintA, 1000n), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING'), 'without a slot the activation cannot be checked');
  const xToY = meteoraDlmm.quoteExactIn(state, state.mintA, 1_000_000n, { slot: 448432755 });
  assert.equal(xToY.feeMint, state.mintB, 'X→Y: the fee is taken from the Y output');
  const yToX = meteoraDlmm.quoteExactIn(state, state.mintB, 1_000_000n, { slot: 448432755 });
  assert.equal(yToX.feeMint, state.mintB, 'Y→X: from the Y input');
});

test('B5Eia: Token-2022 X mint with a 50 bps transfer fee (max 5000) is applied on both sides', () => {
  const { accounts, pair } = fixture(B5);
  const state = meteoraDlmm.buildState(pair, accounts);
  assert.equal(state.mintX?.transferFeeConfig?.newer.basisPoints, 50);
  const plain = new Map(accounts);
  plain.set(state.lbPair.tokenXMint, { ...accounts.get(state.lbPair.tokenXMint)!, ...encodeMint(9) });
  const noFee = meteoraDlmm.buildState({ ...pair, data: withFlags(pair.data, 0) }, plain);
  const sellX = meteoraDlmm.quoteExactIn(state, state.mintA, 100_000_000n, { unixTimestamp: 1_700_000_000 });
  const sellXNoFee = meteoraDlmm.quoteExactIn(noFee, state.mintA, 100_000_000n - 5000n, { unixTimestamp: 1_700_000_000 });
  assert.equal(sellX.amountOut, sellXNoFee.amountOut, '100 000 000 X sent, 5 000 (capped fee) withheld');
  const buyX = meteoraDlmm.quoteExactIn(state, state.mintB, 10_000_000n, { unixTimestamp: 1_700_000_000 });
  const buyXNoFee = meteoraDlmm.quoteExactIn(noFee, state.mintB, 10_000_000n, { unixTimestamp: 1_700_000_000 });
  assert.equal(buyX.amountOut, buyXNoFee.amountOut - 5000n, 'the X output loses its transfer fee');
});

function withFlags(data: Uint8Array, flag: number): Uint8Array {
  const out = new Uint8Array(data);
  out[880] = flag;
  return out;
}

test('venue: PDAs equal the SDK’s; requiredAccounts names mints, reserves, extension and the bin arrays the bitmap shows', () => {
  for (const index of [-3, -1, 0, 2, 53, -7000]) {
    assert.equal(binArrayAddress(FJ, index), sdk.deriveBinArray(new PublicKey(FJ), new BN(index), new PublicKey(PROGRAM_ID))[0].toBase58());
  }
  assert.equal(binArrayBitmapExtensionAddress(FJ), sdk.deriveBinArrayBitmapExtension(new PublicKey(FJ), new PublicKey(PROGRAM_ID))[0].toBase58());
  const { accounts, pair } = fixture(FJ);
  const required = meteoraDlmm.requiredAccounts(pair);
  const fixtureArrays = [...accounts.entries()].filter(([, a]) => a.data.length === 10136).map(([k]) => k);
  const lbPair = decodeLbPair(pair.data);
  assert.deepEqual(required.slice(0, 5), ['FQuMNJ6UcrkA3xMLsmmLL8sk47RkZYod57mX3a8w1brg', WSOL, lbPair.reserveX, lbPair.reserveY, binArrayBitmapExtensionAddress(FJ)]);
  assert.deepEqual(new Set(required.slice(5)), new Set(fixtureArrays), 'exactly the four bin arrays of the fixture');
  const state = meteoraDlmm.buildState(pair, accounts, { unixTimestamp: 1_700_000_000n });
  const q = meteoraDlmm.quoteExactIn(state, WSOL, 1_200_000_000n);
  assert.deepEqual(q.accounts, [FJ, binArrayAddress(FJ, 0), binArrayAddress(FJ, 2)], 'the pair and the bin arrays walked');
});

test('venue refusals: unknown mint, bad amount, disabled pair, a bin array on the path missing', () => {
  const { accounts, pair } = fixture(JLP);
  const state = meteoraDlmm.buildState(pair, accounts);
  assert.throws(() => meteoraDlmm.quoteExactIn(state, WSOL, 1n), (e) => isSolrulesError(e, 'DEX_MINT_NOT_IN_POOL'));
  assert.throws(() => meteoraDlmm.quoteExactIn(state, state.mintA, 0n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID'));
  assert.throws(() => meteoraDlmm.quoteExactOut(state, state.mintA, 1n << 64n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID'));
  assert.throws(() => meteoraDlmm.quoteExactIn({ ...state, lbPair: { ...state.lbPair, status: 1 } }, state.mintA, 1000n), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING') && e.context.field === 'status');
  // the JLP bitmap marks array 52 (between the fixture's 51 and 53) as holding liquidity, but its account is not in the fixtures
  assert.throws(() => meteoraDlmm.quoteExactIn(state, state.mintA, 30_000_000_000n), (e) => isSolrulesError(e, 'DEX_BIN_ARRAY_MISSING') && e.context.binArrayIndex === 52);
});

test('buildState takes only this pair’s bin arrays and extension from a map that also holds another pair’s', () => {
  const ours = generatePair(31);
  const theirs = [32, 33, 34, 35, 36].map(generatePair).find((g) => g.extension)!;
  const own = accountsOf(ours);
  const all = new Map([...own.accounts, ...accountsOf(theirs).accounts]);
  const state = meteoraDlmm.buildState(own.pair, all, { unixTimestamp: BigInt(ours.now) });
  assert.deepEqual([...state.binArrays.values()].map((b) => b.address).sort(), ours.binArrays.map((b) => b.address).sort());
  assert.equal(state.extension?.address, ours.extension?.address);
});

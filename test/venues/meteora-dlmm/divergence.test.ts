/**
 * Where `@meteora-ag/dlmm` (TS SDK) parts ways with the program and its reference quoter
 * (`commons/src/quote.rs`, tested against the program), one pinned case each. We follow the
 * program; each test shows our result and the SDK's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getPriceFromId, makeDlmmState, meteoraDlmm, decodeLbPair, decodeBinArray } from '../../../engine/venues/meteora-dlmm/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { decodeMint } from '../../../engine/venues/spl-token/index.ts';
import { encodeBinArray, encodeLbPair, encodeMint, generatePair, Rng, type BinSpec, type PairSpec } from './support.ts';
import { accountsOf } from './state.ts';
import { sdkPair, sdkQuoteExactIn, sdkQuoteExactOut } from './sdk.ts';
import type { AccountSnapshot } from '../../../engine/accounts/index.ts';

const NOW = 1_750_000_000;
const keys = new Rng(91);
const PAIR = keys.address();
const X = keys.address();
const Y = keys.address();
const DEFAULT = '11111111111111111111111111111111';

function pair(over: Partial<PairSpec>, bins: Map<number, Partial<BinSpec>>, fees: { x?: { bps: number; maximumFee: bigint } } = {}) {
  const spec: PairSpec = {
    baseFactor: 10000,
    filterPeriod: 30,
    decayPeriod: 600,
    reductionFactor: 5000,
    variableFeeControl: 0,
    maxVolatilityAccumulator: 0,
    protocolShare: 1000,
    baseFeePowerFactor: 0,
    functionType: 1,
    collectFeeMode: 0,
    volatilityAccumulator: 0,
    volatilityReference: 0,
    indexReference: 0,
    lastUpdateTimestamp: BigInt(NOW),
    pairType: 3,
    activeId: 0,
    binStep: 10,
    status: 0,
    activationType: 0,
    activationPoint: 0n,
    tokenXMint: X,
    tokenYMint: Y,
    rewardMint: DEFAULT,
    bitmap: new Array(16).fill(0n),
    xProgramFlag: fees.x ? 1 : 0,
    yProgramFlag: 0,
    ...over,
  };
  const byArray = new Map<number, BinSpec[]>();
  for (const [id, b] of bins) {
    const index = Math.floor(id / 70);
    const list = byArray.get(index) ?? Array.from({ length: 70 }, () => ({ amountX: 0n, amountY: 0n, price: 0n, openOrderAmount: 0n, processedOrderRemainingAmount: 0n, limitOrderAskSide: 0 }));
    list[id - index * 70] = { amountX: 0n, amountY: 0n, price: getPriceFromId(id, spec.binStep), openOrderAmount: 0n, processedOrderRemainingAmount: 0n, limitOrderAskSide: 0, ...b };
    byArray.set(index, list);
  }
  for (const index of byArray.keys()) spec.bitmap[(index + 512) >> 6] = spec.bitmap[(index + 512) >> 6]! | (1n << BigInt((index + 512) & 63));
  const binArrays = [...byArray].map(([index, list]) => ({ address: keys.address(), index, data: encodeBinArray(PAIR, index, list) }));
  const mx = encodeMint(6, fees.x);
  const my = encodeMint(9);
  const snap = (m: { owner: string; data: Buffer }, addr: string): AccountSnapshot => ({ address: addr, owner: m.owner, data: m.data, lamports: null, executable: false, rentEpoch: null });
  const g = { seed: 0, address: PAIR, pair: encodeLbPair(spec), spec, binArrays, extension: undefined, mintX: snap(mx, X), mintY: snap(my, Y), now: NOW, totalX: 0n, totalY: 0n, hasLimitOrders: false };
  const { pair: p, accounts } = accountsOf(g);
  return { state: meteoraDlmm.buildState(p, accounts, { unixTimestamp: BigInt(NOW) }), sdk: sdkPair(PAIR, g.pair, binArrays, g.mintX, g.mintY), g };
}

test('volatility accumulator × reduction factor above u32: the program fails (checked u32), the SDK computes in floats', () => {
  const { state, sdk } = pair(
    { variableFeeControl: 10000, maxVolatilityAccumulator: 600_000, volatilityAccumulator: 500_000, volatilityReference: 0, reductionFactor: 9000, lastUpdateTimestamp: BigInt(NOW - 100) },
    new Map([[0, { amountX: 10n ** 9n, amountY: 10n ** 9n }], [-1, { amountY: 10n ** 9n }]]),
  );
  assert.ok(500_000 * 9000 > 2 ** 32);
  assert.throws(() => meteoraDlmm.quoteExactIn(state, X, 1_000_000n), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.reason === 'MathOverflow');
  assert.ok(sdkQuoteExactIn(sdk, 1_000_000n, true, NOW).amountOut > 0n, 'the SDK quotes it');
});

test('a bin holding liquidity with no stored price: the program prices it from its id (get_or_store_bin_price), the SDK and the reference exact-in read 0', () => {
  const bins = new Map<number, Partial<BinSpec>>([[0, { amountY: 10n ** 9n }], [1, { amountX: 10n ** 9n }]]);
  const stored = pair({}, bins);
  const unstored = pair({}, new Map([[0, { amountY: 10n ** 9n, price: 0n }], [1, { amountX: 10n ** 9n, price: 0n }]]));
  const withPrice = meteoraDlmm.quoteExactIn(stored.state, Y, 500_000_000n);
  const withoutPrice = meteoraDlmm.quoteExactIn(unstored.state, Y, 500_000_000n);
  assert.equal(withoutPrice.amountOut, withPrice.amountOut, 'same as if the price were stored');
  assert.equal(sdkQuoteExactIn(stored.sdk, 500_000_000n, false, NOW).amountOut, withPrice.amountOut);
  // at a price of 0 the SDK cannot fill either way (Y→X fills nothing, X→Y divides by 0)
  assert.throws(() => sdkQuoteExactIn(unstored.sdk, 500_000_000n, false, NOW));
  assert.throws(() => sdkQuoteExactIn(unstored.sdk, 500_000_000n, true, NOW));
  assert.ok(meteoraDlmm.quoteExactIn(unstored.state, X, 500_000_000n).amountOut > 0n, 'the program quotes both ways');
});

test('an input the transfer fee eats entirely: the reference quoter gives 0 out, the SDK calls it insufficient liquidity', () => {
  const { state, sdk } = pair({}, new Map([[0, { amountX: 10n ** 9n, amountY: 10n ** 9n }]]), { x: { bps: 100, maximumFee: 1000n } });
  const q = meteoraDlmm.quoteExactIn(state, X, 1n);
  assert.deepEqual([q.amountIn, q.amountOut, q.feeAmount], [1n, 0n, 0n]);
  assert.throws(() => sdkQuoteExactIn(sdk, 1n, true, NOW), (e) => e instanceof Error && /insufficient liquidity/i.test(e.message));
});

test('a bin whose full output needs more than u64 of input: the program fails even for a small swap, the SDK computes', () => {
  // bin step 100 at id −4400: price ≈ 1e-19 Y per X (Q64.64 ≈ 1.8); draining its 2^40 Y would take ≈ 2^103 X
  const { state, sdk } = pair({ binStep: 100, activeId: -4400 }, new Map([[-4400, { amountY: 1n << 40n }]]));
  assert.throws(() => meteoraDlmm.quoteExactIn(state, X, 1000n), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.reason === 'MathOverflow');
  assert.ok(sdkQuoteExactIn(sdk, 1000n, true, NOW).amountIn === 1000n, 'the SDK quotes it');
});

test('exact in with an input transfer fee: the program takes the whole amount, the SDK reports it an atom short', () => {
  const g = generatePair(294);
  const { pair: p, accounts } = accountsOf(g);
  const state = meteoraDlmm.buildState(p, accounts);
  const ours = meteoraDlmm.quoteExactIn(state, g.spec.tokenYMint, 4425562n, { unixTimestamp: 1750061118, slot: 10_000 });
  const sdk = sdkQuoteExactIn(sdkPair(g.address, g.pair, g.binArrays, g.mintX, g.mintY, g.extension), 4425562n, false, 1750061118);
  assert.equal(ours.amountIn, 4425562n);
  assert.equal(sdk.amountIn, 4425561n, 'consumedInAmount re-derived through the inverse transfer fee');
  assert.equal(sdk.amountOut, ours.amountOut, 'the output agrees');
});

test('fee reporting: the SDK’s `fee` excludes the protocol share, fees on fills of nothing, and counts exact-out surplus as protocol fee', () => {
  const { state, sdk } = pair({ protocolShare: 2000 }, new Map([[0, { amountX: 10n ** 9n, amountY: 10n ** 9n }], [1, { amountX: 10n ** 9n }]]));
  const ours = meteoraDlmm.quoteExactOut(state, Y, 50n);
  const theirs = sdkQuoteExactOut(sdk, 50n, false, NOW);
  assert.equal(theirs.amountIn, ours.amountIn);
  assert.equal(theirs.protocolFee, ours.protocolFee);
  assert.equal(theirs.userFee + theirs.protocolFee, ours.feeAmount + ours.roundingSurplus);
  const dust = meteoraDlmm.quoteExactIn(state, X, 1n);
  assert.deepEqual([dust.amountOut, dust.feeAmount, dust.feeWithoutFill], [0n, 1n, 1n], 'one atom in, all of it fee');
  assert.equal(sdkQuoteExactIn(sdk, 1n, true, NOW).userFee, 0n);
});

test('sanity: the pairs built here decode back to what was written', () => {
  const { g } = pair({ activeId: 5, binStep: 25 }, new Map([[5, { amountX: 7n, amountY: 9n }]]));
  const lb = decodeLbPair(g.pair);
  assert.deepEqual([lb.activeId, lb.binStep, lb.tokenXMint, lb.tokenYMint], [5, 25, X, Y]);
  const b = decodeBinArray(g.binArrays[0]!.data);
  assert.deepEqual([b.bins[5]!.amountX, b.bins[5]!.amountY, b.bins[5]!.price], [7n, 9n, getPriceFromId(5, 25)]);
  assert.equal(decodeMint(g.mintX).decimals, 6);
  void makeDlmmState;
});

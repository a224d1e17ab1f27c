/**
 * Raydium CLMM quotes: scenarios from the program's own unit tests replayed, the fixture pool
 * (real PoolState and AmmConfig) with consistent tick arrays quoted against the SDK's public
 * `PoolUtils.computeAmountOut` / `computeAmountIn`, the venue API (PDAs, refusals, fee side,
 * accounts touched, price impact), and the SDK / program differences, one pinned case each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicKey } from '@solana/web3.js';
import { getPdaExBitmapAccount, getPdaTickArrayAddress } from '@raydium-io/raydium-sdk-v2';
import {
  bitmapExtensionAddress,
  decodeAmmConfig,
  decodePoolState,
  getSqrtPriceAtTick,
  makeClmmState,
  MAX_SQRT_PRICE_X64,
  MIN_SQRT_PRICE_X64,
  raydiumClmm,
  simulateSwap,
  tickArrayAddress,
  tickArrayAddressesAround,
  type ClmmTick,
} from '../../../engine/venues/raydium-clmm/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { encodeConfig, encodePool, encodeTickArray, generatePool, PROGRAM_ID, type TickSpec } from './support.ts';
import { fixturePool } from './fixture-pool.ts';
import { sdkFixtureQuoter } from './sdk.ts';

const NOW = 1_750_000_000;

function tick(t: number, gross: bigint, net: bigint, ordersAmount = 0n): TickSpec {
  return { tick: t, liquidityGross: gross, liquidityNet: net, ordersAmount, partFilledOrdersRemaining: 0n };
}

/** A pool as the program's `build_swap_param` makes it (trade fee 1000 ppm, fee from input, no dynamic fee). */
function programPool(tickCurrent: number, tickSpacing: number, sqrtPriceX64: bigint, liquidity: bigint, arrays: { start: number; ticks: TickSpec[] }[], tradeFeeRate = 1000) {
  const pool = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin';
  const bitmap = new Array<bigint>(16).fill(0n);
  for (const a of arrays) {
    const bit = a.start / (60 * tickSpacing) + 512;
    bitmap[bit >> 6] = bitmap[bit >> 6]! | (1n << BigInt(bit & 63));
  }
  const config = 'CoNFiG1111111111111111111111111111111111111';
  const spec = {
    ammConfig: config,
    mint0: 'So11111111111111111111111111111111111111112',
    mint1: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
    vault0: pool,
    vault1: pool,
    observation: pool,
    tickSpacing,
    liquidity,
    sqrtPriceX64,
    tickCurrent,
    status: 0,
    feeOn: 0,
    bitmap,
    openTime: 0n,
  };
  return makeClmmState({
    address: pool,
    pool: decodePoolState(encodePool(spec)),
    configAddress: config,
    config: decodeAmmConfig(encodeConfig({ tradeFeeRate, protocolFeeRate: 0, fundFeeRate: 0, tickSpacing })),
    tickArrays: arrays.map((a, i) => ({ address: `array${i}`, startTickIndex: a.start, ticks: decodeTicks(pool, a.start, tickSpacing, a.ticks), initializedTickCount: a.ticks.length })),
    unixTimestamp: NOW,
  });
}

function decodeTicks(pool: string, start: number, tickSpacing: number, ticks: TickSpec[]): ClmmTick[] {
  const data = encodeTickArray(pool, start, tickSpacing, ticks);
  const out: ClmmTick[] = [];
  const view = new DataView(data.buffer, data.byteOffset);
  const u128 = (o: number) => view.getBigUint64(o, true) | (view.getBigUint64(o + 8, true) << 64n);
  for (let i = 0; i < 60; i++) {
    const o = 44 + i * 168;
    out.push({
      tick: view.getInt32(o, true),
      liquidityNet: BigInt.asIntN(128, u128(o + 4)),
      liquidityGross: u128(o + 20),
      feeGrowthOutside0X64: 0n,
      feeGrowthOutside1X64: 0n,
      rewardGrowthsOutsideX64: [0n, 0n, 0n],
      orderPhase: 0n,
      ordersAmount: view.getBigUint64(o + 124, true),
      partFilledOrdersRemaining: view.getBigUint64(o + 132, true),
      unfilledRatioX64: 0n,
    });
  }
  return out;
}

function moved(state: ReturnType<typeof programPool>, r: { sqrtPriceX64: bigint; tick: number; liquidity: bigint }) {
  return { ...state, pool: { ...state.pool, sqrtPriceX64: r.sqrtPriceX64, tickCurrent: r.tick, liquidity: r.liquidity } };
}

test('program unit test replayed: cross_tick_array_test::zero_for_one_base_input_test', () => {
  let state = programPool(-32395, 60, 3651942632306380802n, 5124165121219n, [
    { start: -32400, ticks: [tick(-32400, 277065331032n, -277065331032n), tick(-29220, 1330680689n, -1330680689n), tick(-28860, 6408486554n, -6408486554n)] },
    { start: -36000, ticks: [tick(-32460, 1194569667438n, 536061033698n), tick(-32520, 790917615645n, 790917615645n), tick(-32580, 152146472301n, 128451145459n), tick(-32640, 2625605835354n, -1492054447712n)] },
  ]);
  const limit = 3049500711113990606n;
  // just crosses the tick array boundary (-32400)
  let r = simulateSwap(state, 12188240002n, true, true, { unixTimestamp: NOW, sqrtPriceLimitX64: limit });
  assert.equal(r.amountSpecifiedRemaining, 0n);
  assert.ok(r.tick > -32460 && r.tick < -32400);
  assert.ok(r.sqrtPriceX64 < state.pool.sqrtPriceX64);
  assert.equal(r.liquidity, 5124165121219n + 277065331032n);
  // crosses -32460, not -32520
  const l1 = r.liquidity;
  state = moved(state, r);
  r = simulateSwap(state, 121882400020n, true, true, { unixTimestamp: NOW, sqrtPriceLimitX64: limit });
  assert.equal(r.amountSpecifiedRemaining, 0n);
  assert.ok(r.tick > -32520 && r.tick < -32460);
  assert.equal(r.liquidity, l1 - 536061033698n);
  // crosses -32520
  const l2 = r.liquidity;
  state = moved(state, r);
  r = simulateSwap(state, 60941200010n, true, true, { unixTimestamp: NOW, sqrtPriceLimitX64: limit });
  assert.ok(r.tick > -32580 && r.tick < -32520);
  assert.equal(r.liquidity, l2 - 790917615645n);
});

test('program unit test replayed: test_tick_assignment_during_oscillation_without_execution', () => {
  const liquidity = 5124165121219n;
  let state = programPool(0, 1, getSqrtPriceAtTick(0), liquidity, [
    { start: 0, ticks: [tick(10, 0n, 0n, 1000000n), tick(20, 790917615645n, 0n)] },
    { start: -60, ticks: [tick(-20, 1330680689n, -1330680689n), tick(-10, 6408486554n, -6408486554n, 1000000n)] },
  ]);
  // reach tick -10 exactly: no limit order executed, tick = -10
  let r = simulateSwap(state, 2565160190n, true, true, { unixTimestamp: NOW, sqrtPriceLimitX64: getSqrtPriceAtTick(-10) });
  assert.equal(r.tick, -10);
  assert.equal(r.sqrtPriceX64, getSqrtPriceAtTick(-10));
  assert.equal(r.liquidity, liquidity);
  // reverse to tick 10: tick = 9, price at tick 10
  state = moved(state, r);
  r = simulateSwap(state, 5129038183n, false, true, { unixTimestamp: NOW, sqrtPriceLimitX64: MAX_SQRT_PRICE_X64 - 1n });
  assert.equal(5129038183n - r.amountSpecifiedRemaining, 5129038183n);
  assert.equal(r.tick, 9);
  assert.equal(r.sqrtPriceX64, getSqrtPriceAtTick(10));
  assert.equal(r.liquidity, liquidity);
  // back to -10
  state = moved(state, r);
  r = simulateSwap(state, 5129038183n, true, true, { unixTimestamp: NOW, sqrtPriceLimitX64: MIN_SQRT_PRICE_X64 + 1n });
  assert.equal(5129038183n - r.amountSpecifiedRemaining, 5129038183n);
  assert.equal(r.tick, -10);
  assert.equal(r.sqrtPriceX64, getSqrtPriceAtTick(-10));
  assert.equal(r.liquidity, liquidity);
});

test('fixture pool (real PoolState and AmmConfig) with consistent tick arrays: equal to the SDK’s computeAmountOut / computeAmountIn', () => {
  const f = fixturePool();
  const state = raydiumClmm.buildState(f.poolSnapshot, f.accounts, { unixTimestamp: BigInt(NOW) });
  assert.ok(state.extension, 'the extension is picked up');
  const sdk = sdkFixtureQuoter(f, NOW);
  let crossing = 0;
  for (const [mint, amount] of [
    [state.mintA, 1_000_000n],
    [state.mintA, 300_000_000n],
    [state.mintA, 2_000_000_000n],
    [state.mintA, 3_500_000_000n],
    [state.mintB, 5_000_000_000n],
    [state.mintB, 200_000_000_000n],
    [state.mintB, 1_500_000_000_000n],
  ] as const) {
    const ours = raydiumClmm.quoteExactIn(state, mint, amount);
    const theirs = sdk.amountOut(mint, amount);
    assert.equal(BigInt(theirs.amountOut.amount.toString()), ours.amountOut, `exact in ${amount} of ${mint}`);
    assert.equal(BigInt(theirs.fee.toString()), ours.feeAmount);
    if (ours.tickAfter < 71100 || ours.tickAfter >= 71250) crossing++;
    const outMint = mint === state.mintA ? state.mintB : state.mintA;
    const back = raydiumClmm.quoteExactOut(state, mint, ours.amountOut);
    const sdkIn = sdk.amountIn(outMint, ours.amountOut);
    assert.equal(BigInt(sdkIn.amountIn.amount.toString()), back.amountIn, `exact out ${ours.amountOut}`);
    assert.ok(back.amountIn <= amount, 'buying back the output never costs more than was sold');
  }
  assert.ok(crossing >= 3, 'the larger swaps cross ticks');
});

test('venue: PDAs equal the SDK’s, requiredAccounts finds the arrays, accounts touched are listed', () => {
  const f = fixturePool();
  assert.equal(tickArrayAddress(f.address, -13860), getPdaTickArrayAddress(new PublicKey(PROGRAM_ID), new PublicKey(f.address), -13860).publicKey.toBase58());
  assert.equal(tickArrayAddress(f.address, 71160), getPdaTickArrayAddress(new PublicKey(PROGRAM_ID), new PublicKey(f.address), 71160).publicKey.toBase58());
  assert.equal(bitmapExtensionAddress(f.address), getPdaExBitmapAccount(new PublicKey(PROGRAM_ID), new PublicKey(f.address)).publicKey.toBase58());
  const required = raydiumClmm.requiredAccounts(f.poolSnapshot);
  assert.equal(required[0], '9iFER3bpjf1PTTCQCfTRu17EJgvsxo9pVyA9QWwEuX4x');
  assert.equal(required[1], bitmapExtensionAddress(f.address));
  const state = raydiumClmm.buildState(f.poolSnapshot, f.accounts, { unixTimestamp: BigInt(NOW) });
  const q = raydiumClmm.quoteExactIn(state, state.mintA, 2_000_000_000n);
  assert.equal(q.accounts[0], f.address);
  // 71168 sits in array 71160, which holds no initialized tick: the walk starts at 71100
  assert.deepEqual(q.accounts.slice(1), ['9iFER3bpjf1PTTCQCfTRu17EJgvsxo9pVyA9QWwEuX4x', bitmapExtensionAddress(f.address), ...[71100, 71040, 70980, 70800].map((s) => tickArrayAddress(f.address, s))]);
  // beyond the pool bitmap requiredAccounts names the neighbours by position; with the extension, the exact arrays
  assert.ok([71100, 71160, 71220].every((s) => required.includes(tickArrayAddress(f.address, s))));
  const exact = tickArrayAddressesAround(f.address, state.pool, state.extension!.data);
  assert.deepEqual(exact, [70980, 71040, 71100, 71220, 71400, 71460].map((s) => tickArrayAddress(f.address, s)));
  assert.equal(q.feeMint, state.mintA);
  const small = raydiumClmm.quoteExactIn(state, state.mintA, 1_000_000n);
  assert.ok(q.priceImpactBps > small.priceImpactBps && small.priceImpactBps >= 0, 'impact grows with size');
});

test('venue refusals: unknown mint, zero / oversized amount, swaps disabled, not yet open, out of liquidity', () => {
  const f = fixturePool();
  const state = raydiumClmm.buildState(f.poolSnapshot, f.accounts, { unixTimestamp: BigInt(NOW) });
  assert.throws(() => raydiumClmm.quoteExactIn(state, 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', 1n), (e) => isSolrulesError(e, 'DEX_MINT_NOT_IN_POOL'));
  assert.throws(() => raydiumClmm.quoteExactIn(state, state.mintA, 0n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID'));
  assert.throws(() => raydiumClmm.quoteExactIn(state, state.mintA, 1n << 64n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID'));
  assert.throws(() => raydiumClmm.quoteExactIn({ ...state, pool: { ...state.pool, status: 1 << 4 } }, state.mintA, 1000n), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING') && e.context.field === 'status');
  assert.throws(() => raydiumClmm.quoteExactIn({ ...state, pool: { ...state.pool, openTime: BigInt(NOW) } }, state.mintA, 1000n), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING') && e.context.field === 'open_time');
  assert.throws(() => raydiumClmm.quoteExactIn(state, state.mintA, 1n << 62n), (e) => isSolrulesError(e, 'DEX_INSUFFICIENT_LIQUIDITY') || isSolrulesError(e, 'DEX_SWAP_REJECTED'));
  assert.throws(() => raydiumClmm.quoteExactIn(state, state.mintA, 1n), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.reason === 'TooSmallInputOrOutputAmount');
  // without the extension account the pool's tick (beyond the pool bitmap) cannot be located
  const noExt = new Map([...f.accounts].filter(([k]) => k !== bitmapExtensionAddress(f.address)));
  const bare = raydiumClmm.buildState(f.poolSnapshot, noExt, { unixTimestamp: BigInt(NOW) });
  assert.throws(() => raydiumClmm.quoteExactIn(bare, state.mintA, 1_000_000n), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISSING') && e.context.reason === 'MissingTickArrayBitmapExtensionAccount');
  // a tick array the walk needs but that was not given
  const fewer = new Map([...f.accounts].filter(([k]) => k !== tickArrayAddress(f.address, 70980)));
  const partial = raydiumClmm.buildState(f.poolSnapshot, fewer, { unixTimestamp: BigInt(NOW) });
  assert.ok(raydiumClmm.quoteExactIn(partial, state.mintA, 1_000_000n).amountOut > 0n, 'small swaps do not need it');
  assert.throws(() => raydiumClmm.quoteExactIn(partial, state.mintA, 2_000_000_000n), (e) => isSolrulesError(e, 'DEX_TICK_ARRAY_MISSING') && e.context.startTickIndex === 70980);
});

test('buildState takes only this pool’s tick arrays and extension from a map that also holds another pool’s', () => {
  const f = fixturePool();
  const other = generatePool(5, { limitOrders: false });
  const all = new Map(f.accounts);
  const snap = (address: string, data: Uint8Array) => ({ address, owner: PROGRAM_ID, data, lamports: null, executable: false, rentEpoch: null });
  for (const a of other.tickArrays.values()) all.set(a.address, snap(a.address, a.data));
  all.set(other.extensionAddress, snap(other.extensionAddress, other.extension));
  const state = raydiumClmm.buildState(f.poolSnapshot, all, { unixTimestamp: BigInt(NOW) });
  assert.ok(other.tickArrays.size > 0);
  assert.deepEqual([...state.tickArrays.values()].map((t) => t.address).sort(), [...f.arrays.keys()].sort());
  assert.equal(state.extension?.address, bitmapExtensionAddress(f.address));
});

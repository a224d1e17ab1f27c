/**
 * Where `@raydium-io/raydium-sdk-v2` and the Raydium CLMM program part ways, one pinned case each.
 * We follow the program (`programs/amm/src/instructions/swap.rs`, `libraries/*`, `states/*`); each
 * test shows our result, the SDK's, and why the program's is the one a transaction gets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simulateSwap } from '../../../engine/venues/raydium-clmm/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { buildPool as pool, type DynamicFeeSpec, type TickSpec } from './support.ts';
import { ourState, sdkSwap, SDK_FEE_ONLY_FILL } from './sdk.ts';

const NOW = 1_750_000_000;
const t = (tick: number, gross: bigint, net: bigint, ordersAmount = 0n): TickSpec => ({ tick, liquidityGross: gross, liquidityNet: net, ordersAmount, partFilledOrdersRemaining: 0n });

test('fee charged with no liquidity in range: the program credits its LP share to the protocol, the SDK leaves it out of the fee', () => {
  // price 0 → up through an empty range to a tick holding only a limit order
  const g = pool({ tickCurrent: 0, liquidity: 0n, ticks: [t(10, 0n, 0n, 1_000_000_000n), t(-5, 1n, 1n), t(500, 1n, -1n)] });
  const ours = simulateSwap(ourState(g), 1_000_000n, false, true, { unixTimestamp: NOW });
  const sdk = sdkSwap(g, 1_000_000n, false, true);
  assert.equal(ours.amountCalculated, sdk.amountCalculated, 'same output');
  assert.equal(ours.feeAmount, 1000n, 'the program charges 0.1 % of the input');
  // spilt_fees: protocol 12 %, fund 4 %, and — with liquidity 0 — the remaining 84 % to the protocol too
  assert.equal(ours.lpShareWithoutLiquidity, 840n);
  assert.equal(sdk.feeAmount, 160n, 'the SDK counts only the protocol and fund deltas');
});

test('a limit-order fill whose whole input is the fee: the program charges it and ends, the SDK never leaves the tick', () => {
  const g = pool({ tickCurrent: 0, liquidity: 0n, ticks: [t(10, 0n, 0n, 1_000_000_000n), t(500, 1n, 1n)] });
  const ours = simulateSwap(ourState(g), 1n, false, true, { unixTimestamp: NOW });
  assert.deepEqual([ours.amountSpecifiedRemaining, ours.amountCalculated, ours.feeAmount], [0n, 0n, 1n]);
  assert.throws(() => sdkSwap(g, 1n, false, true), (e) => e instanceof Error && e.message === SDK_FEE_ONLY_FILL);
});

test('dynamic fee with volatility × spacing above 2^26.5: the program squares it in u64, the SDK in a float that BN rejects', () => {
  const dynamicFee: DynamicFeeSpec = {
    filterPeriod: 10,
    decayPeriod: 100,
    reductionFactor: 5000,
    dynamicFeeControl: 500,
    maxVolatilityAccumulator: 2_000_000,
    tickSpacingIndexReference: 0,
    volatilityReference: 1_800_000,
    volatilityAccumulator: 1_800_000,
    lastUpdateTimestamp: BigInt(NOW),
  };
  const g = pool({ tickCurrent: 0, tickSpacing: 60, liquidity: 10n ** 12n, ticks: [t(-6000, 10n ** 12n, 10n ** 12n), t(6000, 10n ** 12n, -(10n ** 12n))], dynamicFee });
  assert.ok((1_800_000 * 60) ** 2 > 2 ** 53);
  const ours = simulateSwap(ourState(g), 1_000_000n, true, true, { unixTimestamp: NOW });
  assert.ok(ours.amountCalculated > 0n && ours.feeAmount > 0n);
  assert.throws(() => sdkSwap(g, 1_000_000n, true, true), (e) => e instanceof Error && e.message === 'Assertion failed');
});

test('amounts beyond u64: the program rejects (checked math), the SDK keeps computing with BN', () => {
  // a limit order resting at a price of ~2.4e17 token 1 per token 0: buying 1e9 of token 0 from it
  // costs ~2.4e26 token 1, more than a u64 holds
  const g = pool({ tickCurrent: 400000, tickSpacing: 60, liquidity: 0n, ticks: [t(400020, 0n, 0n, 10n ** 12n)] });
  assert.throws(
    () => simulateSwap(ourState(g), 1_000_000_000n, false, false, { unixTimestamp: NOW }),
    (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.reason === 'CalculateOverflow',
  );
  const sdk = sdkSwap(g, 1_000_000_000n, false, false);
  assert.ok(sdk.amountCalculated > (1n << 64n), `the SDK asks for ${sdk.amountCalculated} atoms`);
});

test('no initialized tick array left: the program fails (LiquidityInsufficient), the SDK returns a partial fill', () => {
  const g = pool({ tickCurrent: 0, liquidity: 10n ** 9n, ticks: [t(-30, 10n ** 9n, 10n ** 9n), t(30, 10n ** 9n, -(10n ** 9n))] });
  assert.throws(() => simulateSwap(ourState(g), 10n ** 12n, true, true, { unixTimestamp: NOW }), (e) => isSolrulesError(e, 'DEX_INSUFFICIENT_LIQUIDITY') && e.context.reason === 'LiquidityInsufficient');
  const sdk = sdkSwap(g, 10n ** 12n, true, true);
  assert.equal(sdk.allTrade, false);
  assert.ok(sdk.amountCalculated > 0n, 'partial output');
});

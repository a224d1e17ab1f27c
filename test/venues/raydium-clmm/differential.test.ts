/**
 * Differential test: our Raydium CLMM swap against the official SDK's `swapInternal` on random but
 * consistent pools (tick and tick-array crossings, bitmap extension, limit orders, dynamic fee,
 * every fee side, exact in and exact out), to the atom.
 *
 * Cases where the SDK and the program part ways are classified, counted and printed (see
 * divergence.test.ts for one pinned example of each); anything else fails with its seed.
 * Default 2,000 cases; SOLRULES_FULL=1 runs 12,000.
 */
import { test } from 'node:test';
import { caseCount, seedFor } from '../support/random.ts';
import assert from 'node:assert/strict';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { simulateSwap, type ClmmSwapResult } from '../../../engine/venues/raydium-clmm/index.ts';
import { generatePool, Rng, swapAmount } from './support.ts';
import { initializedTicksCrossed, ourState, sdkSwap, SDK_FEE_ONLY_FILL, type SdkSwap } from './sdk.ts';

const POOLS = caseCount(500, 3000);
/** Pools are generated from seeds BASE+1 … BASE+POOLS; SOLRULES_SEED moves the window (a failure names its seed). */
const BASE = seedFor(0);
const SWAPS_PER_POOL = 4;

test(`Raydium CLMM equals the SDK to the atom on ${POOLS * SWAPS_PER_POOL} random pools and amounts`, () => {
  const tally: Record<string, number> = {
    equal: 0,
    equalWithFeeAtZeroLiquidity: 0,
    outOfLiquidity: 0,
    bothReject: 0,
    programRejectsSdkUnbounded: 0,
    sdkFloatOverflow: 0,
    sdkStallsOnFeeOnlyFill: 0,
    priceLimit: 0,
    crossed1: 0,
    crossed3: 0,
    limitOrderPools: 0,
    dynamicFeePools: 0,
    exactOut: 0,
  };
  for (let seed = BASE + 1; seed <= BASE + POOLS; seed++) {
    const g = generatePool(seed);
    const rng = new Rng(seed * 7919);
    const state = ourState(g);
    for (let k = 0; k < SWAPS_PER_POOL; k++) {
      const zeroForOne = rng.chance(0.5);
      const isBaseInput = rng.chance(0.6);
      const amount = swapAmount(rng, g, zeroForOne);
      const where = `seed ${seed} swap ${k} (zeroForOne ${zeroForOne}, exactIn ${isBaseInput}, amount ${amount})`;
      let ours: ClmmSwapResult | undefined;
      let ourErr: unknown;
      let sdk: SdkSwap | undefined;
      let sdkErr: unknown;
      try {
        ours = simulateSwap(state, amount, zeroForOne, isBaseInput, { unixTimestamp: g.now });
      } catch (e) {
        ourErr = e;
      }
      try {
        sdk = sdkSwap(g, amount, zeroForOne, isBaseInput);
      } catch (e) {
        sdkErr = e;
      }
      if (ourErr !== undefined && !isSolrulesError(ourErr)) throw new Error(`${where}: untyped error ${String(ourErr)}`);
      const code = isSolrulesError(ourErr) ? ourErr.code : undefined;
      const reason = isSolrulesError(ourErr) ? String(ourErr.context.reason) : undefined;

      if (ours && sdkErr instanceof Error && sdkErr.message === SDK_FEE_ONLY_FILL) {
        // The program charges the fee and finishes; the SDK would never leave the tick.
        tally.sdkStallsOnFeeOnlyFill!++;
      } else if (ours && sdk) {
        if (ours.amountSpecifiedRemaining !== 0n) {
          // The price limit stopped the swap: the SDK still reports it as fully traded.
          assert.equal(sdk.amountCalculated, ours.amountCalculated, where);
          tally.priceLimit!++;
          continue;
        }
        assert.equal(sdk.allTrade, true, `${where}: SDK stopped early`);
        assert.equal(sdk.amountCalculated, ours.amountCalculated, `${where}: amount`);
        assert.equal(sdk.sqrtPriceX64, ours.sqrtPriceX64, `${where}: sqrt price`);
        assert.equal(sdk.tick, ours.tick, `${where}: tick`);
        // The program credits the LP share of fees charged with no liquidity in range to the protocol; the SDK drops it.
        assert.equal(sdk.feeAmount, ours.feeAmount - ours.lpShareWithoutLiquidity, `${where}: fee`);
        if (ours.lpShareWithoutLiquidity > 0n) tally.equalWithFeeAtZeroLiquidity!++;
        else tally.equal!++;
        const crossed = initializedTicksCrossed(state, g.tickCurrent, ours.tick);
        if (crossed >= 1) tally.crossed1!++;
        if (crossed >= 3) tally.crossed3!++;
        if (g.hasLimitOrders) tally.limitOrderPools!++;
        if (g.spec.dynamicFee) tally.dynamicFeePools!++;
        if (!isBaseInput) tally.exactOut!++;
      } else if (code === 'DEX_INSUFFICIENT_LIQUIDITY' && sdk) {
        assert.equal(sdk.allTrade, false, `${where}: we ran out of liquidity (${reason}), the SDK filled everything`);
        tally.outOfLiquidity!++;
      } else if (code !== undefined && sdkErr !== undefined) {
        tally.bothReject!++;
        const key = `reject:${reason}`;
        tally[key] = (tally[key] ?? 0) + 1;
      } else if (code === 'DEX_SWAP_REJECTED' && sdk && reason === 'CalculateOverflow') {
        // The program bounds every intermediate amount to u64 (checked math → CalculateOverflow);
        // the SDK's BN keeps growing and returns a number the program would never produce.
        tally.programRejectsSdkUnbounded!++;
      } else if (ours && sdkErr instanceof Error && sdkErr.message === 'Assertion failed') {
        // SDK squares volatility × spacing as a JS number and BN rejects values ≥ 2^53; the program uses u64.
        const d = g.spec.dynamicFee;
        assert.ok(d && (d.maxVolatilityAccumulator * g.tickSpacing) ** 2 >= 2 ** 53, `${where}: SDK assertion without a large dynamic fee`);
        tally.sdkFloatOverflow!++;
      } else {
        assert.fail(`${where}: ours ${ourErr ? `threw ${String((ourErr as Error).message)}` : 'succeeded'}, SDK ${sdkErr ? `threw ${String((sdkErr as Error).message)}` : `returned allTrade=${sdk?.allTrade}`}`);
      }
    }
  }
  const cases = POOLS * SWAPS_PER_POOL;
  console.log(`raydium-clmm differential (seeds ${BASE + 1}…${BASE + POOLS}, ${cases} cases):`, JSON.stringify(tally));
  const equal = tally.equal! + tally.equalWithFeeAtZeroLiquidity!;
  assert.ok(equal >= cases * 0.6, `only ${equal} of ${cases} cases were comparable`);
  assert.ok(tally.crossed1! >= equal * 0.3, 'too few swaps crossed an initialized tick');
  assert.ok(tally.crossed3! >= equal * 0.1, 'too few swaps crossed several initialized ticks');
  assert.ok(tally.limitOrderPools! > 0 && tally.dynamicFeePools! > 0 && tally.exactOut! > 0, 'feature coverage');
  assert.ok(tally.programRejectsSdkUnbounded! + tally.sdkFloatOverflow! + tally.priceLimit! + tally.sdkStallsOnFeeOnlyFill! <= cases * 0.05, 'divergences should be edge cases');
});

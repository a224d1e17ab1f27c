/**
 * Raydium CLMM: ours vs `@raydium-io/raydium-sdk-v2` (`PoolUtils.computeAmountOut` / `computeAmountIn`,
 * and `swapInternal` for a dynamic-fee pool) on the real fixture pool (PoolState AcPS8Srz…, AmmConfig
 * 9iFER3…, tick arrays laid around its tick — see test/venues/raydium-clmm/fixture-pool.ts) and on a
 * dynamic-fee pool built from explicit ticks, same process, same inputs.
 */
import { swapInternal } from '@raydium-io/raydium-sdk-v2';
import { raydiumClmm, simulateSwap } from '../../engine/venues/raydium-clmm/index.ts';
import { fixturePool } from '../../test/venues/raydium-clmm/fixture-pool.ts';
import { buildPool, type DynamicFeeSpec, type TickSpec } from '../../test/venues/raydium-clmm/support.ts';
import { initializedTicksCrossed, ourState, sdkFixtureQuoter, sdkSwapInputs } from '../../test/venues/raydium-clmm/sdk.ts';
import type { QuoteBench, QuoteBenchCase } from './_shape.ts';

const NOW = 1_750_000_000;

export default function bench(): QuoteBench {
  const f = fixturePool();
  const state = raydiumClmm.buildState(f.poolSnapshot, f.accounts, { unixTimestamp: BigInt(NOW) });
  const sdk = sdkFixtureQuoter(f, NOW);

  const exactIn = (mint: string, amount: bigint, label: string): QuoteBenchCase => {
    const q = raydiumClmm.quoteExactIn(state, mint, amount);
    const crossed = initializedTicksCrossed(state, state.pool.tickCurrent, q.tickAfter);
    return {
      name: `${label}, exact-in, crosses ${crossed} tick${crossed === 1 ? '' : 's'}`,
      targetMicros: 30,
      ours: () => raydiumClmm.quoteExactIn(state, mint, amount),
      baseline: {
        name: 'raydium-sdk-v2 computeAmountOut',
        run: () => sdk.amountOut(mint, amount),
      },
    };
  };
  const exactOut = (inputMint: string, amount: bigint, label: string): QuoteBenchCase => {
    const q = raydiumClmm.quoteExactOut(state, inputMint, amount);
    const crossed = initializedTicksCrossed(state, state.pool.tickCurrent, q.tickAfter);
    const outMint = inputMint === state.mintA ? state.mintB : state.mintA;
    return {
      name: `${label}, exact-out, crosses ${crossed} tick${crossed === 1 ? '' : 's'}`,
      targetMicros: 30,
      ours: () => raydiumClmm.quoteExactOut(state, inputMint, amount),
      baseline: {
        name: 'raydium-sdk-v2 computeAmountIn',
        run: () => sdk.amountIn(outMint, amount),
      },
    };
  };

  // A dynamic-fee pool (spacing 10, fee recomputed per 10-tick group, so one step per group as on
  // chain): positions every 40 ticks below the price, a swap crossing several of them. The SDK
  // baseline is its `swapInternal` on inputs decoded once (it mutates only the dynamic-fee
  // reference, which stays put within the filter period).
  const L = 10n ** 13n;
  const ticks: TickSpec[] = [{ tick: 2000, liquidityGross: L, liquidityNet: -L, ordersAmount: 0n, partFilledOrdersRemaining: 0n }];
  for (let i = 1; i <= 12; i++) ticks.push({ tick: -40 * i, liquidityGross: L / 4n, liquidityNet: L / 4n, ordersAmount: 0n, partFilledOrdersRemaining: 0n });
  ticks.push({ tick: -4000, liquidityGross: L, liquidityNet: L, ordersAmount: 0n, partFilledOrdersRemaining: 0n });
  const dynamicFee: DynamicFeeSpec = { filterPeriod: 30, decayPeriod: 600, reductionFactor: 5000, dynamicFeeControl: 20000, maxVolatilityAccumulator: 350000, tickSpacingIndexReference: 0, volatilityReference: 0, volatilityAccumulator: 0, lastUpdateTimestamp: BigInt(NOW - 5) };
  const dyn = buildPool({ tickCurrent: 5, tickSpacing: 10, liquidity: L + 3n * L, ticks, dynamicFee });
  const dynState = ourState(dyn);
  const dynAmount = 400_000_000_000n;
  const dynRun = simulateSwap(dynState, dynAmount, true, true, { unixTimestamp: NOW });
  const dynCrossed = initializedTicksCrossed(dynState, dyn.tickCurrent, dynRun.tick);
  const groups = Math.abs(Math.floor(dyn.tickCurrent / 10) - Math.floor(dynRun.tick / 10));
  const sdkInputs = sdkSwapInputs(dyn, dynAmount, true, true);
  if (BigInt(swapInternal(sdkInputs).amountCalculated.toString()) !== dynRun.amountCalculated) throw new Error('bench: SDK and ours disagree on the dynamic-fee case');

  return {
    venue: 'raydium-clmm',
    cases: [
      exactIn(state.mintA, 1_000_000n, 'fixture pool: 0.001 SOL → token1'),
      exactIn(state.mintA, 2_000_000_000n, 'fixture pool: 2 SOL → token1'),
      exactIn(state.mintA, 3_500_000_000n, 'fixture pool: 3.5 SOL → token1'),
      exactIn(state.mintB, 1_500_000_000_000n, 'fixture pool: token1 → SOL, large'),
      exactOut(state.mintA, 2_000_000_000_000n, 'fixture pool: SOL → 2e12 token1'),
      {
        name: `dynamic-fee pool: exact-in, crosses ${dynCrossed} ticks, ${groups} fee groups (steps)`,
        targetMicros: 30,
        ours: () => raydiumClmm.quoteExactIn(dynState, dyn.mint0, dynAmount),
        baseline: { name: 'raydium-sdk-v2 swapInternal', run: () => swapInternal(sdkInputs) },
      },
    ],
  };
}

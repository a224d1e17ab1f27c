/**
 * The official Raydium SDK (`@raydium-io/raydium-sdk-v2`, devDependency) as a test oracle: its own
 * layouts decode the same account bytes, and its `swapInternal` (what `PoolUtils.computeAmountOut`
 * runs) simulates the swap. It mutates the decoded objects (limit orders, dynamic fee), so every
 * call decodes fresh.
 */
import { PublicKey } from '@solana/web3.js';
import BN from 'bn.js';
import { Decimal } from 'decimal.js';
import { ClmmConfigLayout, PoolInfoLayout, PoolUtils, TickArrayBitmapExtensionLayout, TickArrayLayout, TickUtil, swapInternal } from '@raydium-io/raydium-sdk-v2';
import type { fixturePool } from './fixture-pool.ts';
import { PROGRAM_ID, type GeneratedPool } from './support.ts';
import {
  decodeAmmConfig,
  decodePoolState,
  decodeTickArrayBitmapExtension,
  decodeTickArrayState,
  makeClmmState,
  type RaydiumClmmState,
} from '../../../engine/venues/raydium-clmm/index.ts';

const programId = new PublicKey(PROGRAM_ID);

/** Thrown (from inside the SDK) where the SDK would loop forever: see `SDK_FEE_ONLY_FILL`. */
export const SDK_FEE_ONLY_FILL = 'SDK skips a limit-order fill that only charges a fee (it would loop forever)';

// The SDK applies a limit-order fill only when its amount_in > 0; the program applies it when any of
// amount_in / amount_out / fee is non-zero. A fill whose whole input is the fee leaves the SDK at the
// same tick with the same remaining amount, forever. Interrupt it there instead of hanging the test.
const originalMatch = TickUtil.matchLimitOrder.bind(TickUtil);
(TickUtil as unknown as { matchLimitOrder: typeof TickUtil.matchLimitOrder }).matchLimitOrder = (args) => {
  const r = originalMatch(args);
  if (r.amountIn.isZero() && (!r.amountOut.isZero() || !r.ammFeeAmount.isZero())) throw new Error(SDK_FEE_ONLY_FILL);
  return r;
};

export interface SdkSwap {
  allTrade: boolean;
  amountCalculated: bigint;
  feeAmount: bigint;
  sqrtPriceX64: bigint;
  tick: number;
}

/** The SDK's `swapInternal` inputs for a generated pool, decoded by its own layouts, fed as `PoolUtils.getOutputAmountAndRemainAccounts` feeds it. */
export function sdkSwapInputs(g: GeneratedPool, amount: bigint, zeroForOne: boolean, isBaseInput: boolean): Parameters<typeof swapInternal>[0] {
  const poolInfo = PoolInfoLayout.decode(g.pool);
  const current = Math.floor(poolInfo.tickCurrent / (60 * g.tickSpacing)) * 60 * g.tickSpacing;
  const tickArrays = [...g.tickArrays.values()]
    .map((a) => ({ address: new PublicKey(a.address), value: TickArrayLayout.decode(a.data) }))
    .filter((a) => (zeroForOne ? a.value.startTickIndex <= current : a.value.startTickIndex >= current))
    .sort((a, b) => (zeroForOne ? b.value.startTickIndex - a.value.startTickIndex : a.value.startTickIndex - b.value.startTickIndex));
  return {
    programId,
    poolId: new PublicKey(g.poolAddress),
    poolInfo,
    tickArrays,
    configInfo: ClmmConfigLayout.decode(g.config),
    tickarrayBitmapExtension: TickArrayBitmapExtensionLayout.decode(g.extension),
    amountSpecified: new BN(amount.toString()),
    sqrtPriceLimitX64: new BN(0),
    zeroForOne,
    isBaseInput,
    blockTimestamp: g.now,
    includeExtraTickArrays: false,
  };
}

/** Runs the SDK's swap simulation on freshly decoded inputs (it mutates them). */
export function sdkSwap(g: GeneratedPool, amount: bigint, zeroForOne: boolean, isBaseInput: boolean): SdkSwap {
  const r = swapInternal(sdkSwapInputs(g, amount, zeroForOne, isBaseInput));
  return {
    allTrade: r.allTrade,
    amountCalculated: BigInt(r.amountCalculated.toString()),
    feeAmount: BigInt(r.feeAmount.toString()),
    sqrtPriceX64: BigInt(r.sqrtPriceX64.toString()),
    tick: r.tickCurrent,
  };
}

/** Our state for a generated pool, decoded by our own decoders from the same bytes. */
export function ourState(g: GeneratedPool): RaydiumClmmState {
  return makeClmmState({
    address: g.poolAddress,
    pool: decodePoolState(g.pool, g.poolAddress),
    configAddress: g.configAddress,
    config: decodeAmmConfig(g.config, g.configAddress),
    tickArrays: [...g.tickArrays.values()].map((a) => {
      const t = decodeTickArrayState(a.data, a.address);
      return { address: a.address, startTickIndex: t.startTickIndex, ticks: t.ticks, initializedTickCount: t.initializedTickCount };
    }),
    extension: { address: g.extensionAddress, data: decodeTickArrayBitmapExtension(g.extension, g.extensionAddress) },
    unixTimestamp: g.now,
  });
}

/** Initialized ticks of `state` between ticks `from` and `to` (what a swap from one to the other crosses). */
export function initializedTicksCrossed(state: RaydiumClmmState, from: number, to: number): number {
  let n = 0;
  for (const arr of state.tickArrays.values()) {
    for (const o of arr.initializedOffsets) {
      const t = arr.ticks[o]!.tick;
      if ((t <= from && t > to) || (t > from && t <= to)) n++;
    }
  }
  return n;
}

/**
 * The SDK's public quote functions (`PoolUtils.computeAmountOut` / `computeAmountIn`) on the fixture
 * pool, fed from the SDK's own layouts (mints: 9 and 6 decimals, as the pool says).
 */
export function sdkFixtureQuoter(f: ReturnType<typeof fixturePool>, blockTimestamp: number) {
  const accInfo = PoolInfoLayout.decode(Buffer.from(f.poolSnapshot.data));
  const sqrt = new Decimal(accInfo.sqrtPriceX64.toString()).div(new Decimal(2).pow(64));
  const poolInfo = {
    id: new PublicKey(f.address),
    programId,
    mintA: { address: accInfo.mintA.toBase58(), decimals: 9, extensions: {} },
    mintB: { address: accInfo.mintB.toBase58(), decimals: 6, extensions: {} },
    ammConfig: ClmmConfigLayout.decode(Buffer.from(f.configData)),
    accInfo,
    currentPrice: sqrt.mul(sqrt).mul(new Decimal(10).pow(3)),
    tickSpacing: 1,
  } as never;
  // keyed by address: computeAmountIn reads the key as the address, computeAmountOut the `address` field
  const tickArrayCache = Object.fromEntries([...f.arrays].map(([addr, a]) => [addr, { ...TickArrayLayout.decode(a.data), address: new PublicKey(addr) }])) as never;
  const tickarrayBitmapExtension = TickArrayBitmapExtensionLayout.decode(f.extension);
  const epochInfo = { epoch: 800, slotIndex: 0, slotsInEpoch: 432000, absoluteSlot: 0 };
  return {
    /** Selling `amount` of `inputMint`. */
    amountOut: (inputMint: string, amount: bigint) =>
      PoolUtils.computeAmountOut({ poolInfo, tickarrayBitmapExtension, tickArrayCache, baseMint: new PublicKey(inputMint), epochInfo, amountIn: new BN(amount.toString()), slippage: 0, catchLiquidityInsufficient: false, blockTimestamp }),
    /** Buying `amount` of `outputMint`. */
    amountIn: (outputMint: string, amount: bigint) =>
      PoolUtils.computeAmountIn({ poolInfo, tickarrayBitmapExtension, tickArrayCache, baseMint: new PublicKey(outputMint), epochInfo, amountOut: new BN(amount.toString()), slippage: 0, blockTimestamp }),
  };
}

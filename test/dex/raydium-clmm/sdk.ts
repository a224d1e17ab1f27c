/**
 * The official Raydium SDK (`@raydium-io/raydium-sdk-v2`, devDependency) as a test oracle: its own
 * layouts decode the same account bytes, and its `swapInternal` (what `PoolUtils.computeAmountOut`
 * runs) simulates the swap. It mutates the decoded objects (limit orders, dynamic fee), so every
 * call decodes fresh.
 */
import { PublicKey } from '@solana/web3.js';
import BN from 'bn.js';
import { ClmmConfigLayout, PoolInfoLayout, TickArrayBitmapExtensionLayout, TickArrayLayout, TickUtil, swapInternal } from '@raydium-io/raydium-sdk-v2';
import { PROGRAM_ID, type GeneratedPool } from './support.ts';
import {
  decodeAmmConfig,
  decodePoolState,
  decodeTickArrayBitmapExtension,
  decodeTickArrayState,
  makeClmmState,
  type RaydiumClmmState,
} from '../../../engine/dex/raydium-clmm/index.ts';

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

/** Runs the SDK's swap simulation the way `PoolUtils.getOutputAmountAndRemainAccounts` feeds it. */
export function sdkSwap(g: GeneratedPool, amount: bigint, zeroForOne: boolean, isBaseInput: boolean): SdkSwap {
  const poolInfo = PoolInfoLayout.decode(g.pool);
  const configInfo = ClmmConfigLayout.decode(g.config);
  const current = Math.floor(poolInfo.tickCurrent / (60 * g.tickSpacing)) * 60 * g.tickSpacing;
  const tickArrays = [...g.tickArrays.values()]
    .map((a) => ({ address: new PublicKey(a.address), value: TickArrayLayout.decode(a.data) }))
    .filter((a) => (zeroForOne ? a.value.startTickIndex <= current : a.value.startTickIndex >= current))
    .sort((a, b) => (zeroForOne ? b.value.startTickIndex - a.value.startTickIndex : a.value.startTickIndex - b.value.startTickIndex));
  const r = swapInternal({
    programId,
    poolId: new PublicKey(g.poolAddress),
    poolInfo,
    tickArrays,
    configInfo,
    tickarrayBitmapExtension: TickArrayBitmapExtensionLayout.decode(g.extension),
    amountSpecified: new BN(amount.toString()),
    sqrtPriceLimitX64: new BN(0),
    zeroForOne,
    isBaseInput,
    blockTimestamp: g.now,
    includeExtraTickArrays: false,
  });
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

/**
 * The official Raydium SDK v2 (`@raydium-io/raydium-sdk-v2`) as a test oracle: its liquidity
 * module's `computeAmountOut` / `computeAmountIn` (methods that only read `poolInfo`, called with a
 * minimal `this`) and its `liquidityStateV4Layout` decoder.
 */
import BN from 'bn.js';
import * as LiquidityModuleFile from '@raydium-io/raydium-sdk-v2/lib/raydium/liquidity/liquidity.js';
export { liquidityStateV4Layout } from '@raydium-io/raydium-sdk-v2';

interface SdkMint {
  address: string;
  decimals: number;
}

type Method = (this: unknown, params: Record<string, unknown>) => Record<string, unknown>;

// the CommonJS build nests the class under `default.default`
const moduleExport = LiquidityModuleFile as unknown as { default: { default?: { prototype: Record<string, Method> }; prototype?: Record<string, Method> } };
const LiquidityModule = (moduleExport.default.default ?? moduleExport.default) as { prototype: Record<string, Method> };
const self = {
  logDebug: () => {},
  logAndCreateError: (...args: unknown[]) => {
    throw new Error(args.map(String).join(' '));
  },
};

function poolInfo(mintA: SdkMint, mintB: SdkMint, baseReserve: bigint, quoteReserve: bigint) {
  return { mintA, mintB, baseReserve: new BN(baseReserve.toString()), quoteReserve: new BN(quoteReserve.toString()), version: 4 };
}

/** SDK exact-in: `{ amountOut, fee }`. */
export function sdkAmountOut(mintA: SdkMint, mintB: SdkMint, baseReserve: bigint, quoteReserve: bigint, mintIn: string, amountIn: bigint): { amountOut: bigint; fee: bigint } {
  const out = LiquidityModule.prototype.computeAmountOut!.call(self, {
    poolInfo: poolInfo(mintA, mintB, baseReserve, quoteReserve),
    amountIn: new BN(amountIn.toString()),
    mintIn,
    mintOut: mintIn === mintA.address ? mintB.address : mintA.address,
    slippage: 0,
  });
  return { amountOut: BigInt(String(out.amountOut)), fee: BigInt(String(out.fee)) };
}

/** SDK exact-out: `{ amountIn, fee }`. */
export function sdkAmountIn(mintA: SdkMint, mintB: SdkMint, baseReserve: bigint, quoteReserve: bigint, mintIn: string, amountOut: bigint): { amountIn: bigint; fee: bigint } {
  const out = LiquidityModule.prototype.computeAmountIn!.call(self, {
    poolInfo: poolInfo(mintA, mintB, baseReserve, quoteReserve),
    amountOut: new BN(amountOut.toString()),
    mintIn,
    mintOut: mintIn === mintA.address ? mintB.address : mintA.address,
    slippage: 0,
  });
  return { amountIn: BigInt(String(out.amountIn)), fee: BigInt(String(out.fee)) };
}

/** Raydium AMM v4 on the SOL/USDC capture: ours vs `@raydium-io/raydium-sdk-v2` liquidity computeAmountOut / computeAmountIn. */
import BN from 'bn.js';
import * as LiquidityModuleFile from '@raydium-io/raydium-sdk-v2/lib/raydium/liquidity/liquidity.js';
import { loadAccountFile } from '../../engine/accounts/index.ts';
import { raydiumAmmV4 } from '../../engine/venues/index.ts';
import { sharedFixture } from '../../test/support/paths.ts';
import type { QuoteBench } from './_shape.ts';

type Method = (this: unknown, params: Record<string, unknown>) => unknown;
const exported = LiquidityModuleFile as unknown as { default: { default?: { prototype: Record<string, Method> }; prototype?: Record<string, Method> } };
const sdk = (exported.default.default ?? exported.default) as { prototype: Record<string, Method> };
const self = { logDebug: () => {}, logAndCreateError: (...a: unknown[]) => { throw new Error(a.join(' ')); } };

export default function bench(): QuoteBench {
  const dir = sharedFixture('accounts/raydium-amm-v4');
  const pool = loadAccountFile(`${dir}/58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.capture-with-vaults.json`);
  const coin = loadAccountFile(`${dir}/DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz.coin-vault.capture-with-vaults.json`);
  const pc = loadAccountFile(`${dir}/HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz.pc-vault.capture-with-vaults.json`);
  const state = raydiumAmmV4.buildState(pool, new Map([[coin.address!, coin], [pc.address!, pc]]));
  const SOL = { address: state.mintA, decimals: 9 };
  const USDC = { address: state.mintB, decimals: 6 };
  const poolInfo = { mintA: SOL, mintB: USDC, baseReserve: new BN(state.coinReserve.toString()), quoteReserve: new BN(state.pcReserve.toString()), version: 4 };
  const oneSol = new BN(1_000_000_000);
  const hundredUsdc = new BN(100_000_000);
  return {
    venue: 'raydium-amm-v4',
    cases: [
      {
        name: 'SOL→USDC 1 SOL, exact-in',
        targetMicros: 2,
        ours: () => raydiumAmmV4.quoteExactIn(state, SOL.address, 1_000_000_000n),
        baseline: {
          name: 'raydium-sdk-v2 computeAmountOut',
          run: () => sdk.prototype.computeAmountOut!.call(self, { poolInfo, amountIn: oneSol, mintIn: SOL.address, mintOut: USDC.address, slippage: 0.01 }),
        },
      },
      {
        name: 'USDC→SOL 100 USDC, exact-in',
        targetMicros: 2,
        ours: () => raydiumAmmV4.quoteExactIn(state, USDC.address, 100_000_000n),
        baseline: {
          name: 'raydium-sdk-v2 computeAmountOut',
          run: () => sdk.prototype.computeAmountOut!.call(self, { poolInfo, amountIn: hundredUsdc, mintIn: USDC.address, mintOut: SOL.address, slippage: 0.01 }),
        },
      },
      {
        name: 'SOL→USDC buy 100 USDC, exact-out',
        targetMicros: 2,
        ours: () => raydiumAmmV4.quoteExactOut(state, SOL.address, 100_000_000n),
        baseline: {
          name: 'raydium-sdk-v2 computeAmountIn',
          run: () => sdk.prototype.computeAmountIn!.call(self, { poolInfo, amountOut: hundredUsdc, mintIn: SOL.address, mintOut: USDC.address, slippage: 0.01 }),
        },
      },
    ],
  };
}

/**
 * Paper executor: fills an order at the replayed (or live) market price moved against it by
 * the configured slippage, charges the configured swap fee on the input, and updates the paper
 * portfolio. Nothing is sent to any chain; every report says `simulated: true`.
 */
import { isSolrulesError } from '../../errors/index.ts';
import { convertAtoms, type TokenInfo } from '../../orders/index.ts';
import type { ExecutionReport } from '../../store/index.ts';
import type { Executor, RoutedOrder } from '../executor.ts';
import type { Portfolio } from './portfolio.ts';

export interface PaperConfig {
  feeBps: number;
  slippageBps: number;
}

export interface MarketView {
  /** USD price of a mint now (undefined when unknown). */
  priceUsd(mint: string): number | undefined;
  now(): Date;
}

/** Fee in atoms for `amountIn` at `feeBps` (rounded up, as AMM programs round fees). */
export function feeAtoms(amountIn: bigint, feeBps: number): bigint {
  const num = BigInt(Math.round(feeBps * 100)); // hundredths of a bps
  return (amountIn * num + 999_999n) / 1_000_000n;
}

export class PaperExecutor implements Executor {
  readonly kind = 'paper';

  constructor(
    readonly name: string,
    private readonly config: PaperConfig,
    private readonly tokens: ReadonlyMap<string, TokenInfo>,
    private readonly portfolio: Portfolio,
    private readonly market: MarketView,
  ) {}

  async execute(routed: RoutedOrder): Promise<ExecutionReport> {
    const { order } = routed;
    const at = this.market.now().toISOString();
    const base = { orderId: order.id, executor: this.name, amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: true, at };
    const input = this.tokens.get(order.inputMint);
    const output = this.tokens.get(order.outputMint);
    if (order.side === 'roundtrip' || !input || !output || input.mint === output.mint) {
      return { ...base, status: 'rejected', reason: 'the paper executor fills buy/sell orders of the configured pair only (round trips need pool state)' };
    }
    const inUsd = this.market.priceUsd(input.mint);
    const outUsd = this.market.priceUsd(output.mint);
    if (inUsd === undefined || outUsd === undefined) return { ...base, status: 'failed', reason: 'no market price to fill at' };
    const slip = this.config.slippageBps / 10_000;
    // The price moves against the order: dearer output, cheaper input.
    const effOutUsd = outUsd * (1 + slip);
    const effInUsd = inUsd * (1 - slip);
    const fee = feeAtoms(order.amountIn, this.config.feeBps);
    const net = order.amountIn - fee;
    const amountOut = order.side === 'buy' ? convertAtoms(net, input, inUsd, output, effOutUsd) : convertAtoms(net, input, effInUsd, output, outUsd);
    const fillPriceUsd = order.side === 'buy' ? effOutUsd : effInUsd; // the base token's price
    if (amountOut < order.minAmountOut) {
      return { ...base, status: 'failed', fillPriceUsd, reason: `slippage: would receive ${amountOut} atoms, below minAmountOut ${order.minAmountOut}` };
    }
    try {
      this.portfolio.swap(input.mint, order.amountIn, output.mint, amountOut);
    } catch (err) {
      if (isSolrulesError(err, 'EXEC_INSUFFICIENT_BALANCE')) return { ...base, status: 'failed', reason: err.message };
      throw err;
    }
    return { ...base, status: 'filled', amountIn: order.amountIn, amountOut, feeAtoms: fee, fillPriceUsd };
  }

  async close(): Promise<void> {}
}

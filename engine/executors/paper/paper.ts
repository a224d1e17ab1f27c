/**
 * Paper executor. With pool state (a `PoolQuoter`), an order fills at the venues' exact quote at
 * the current state — the amount the pool would pay, fee included. Without it (the price replay
 * has no pools) it fills at the market price moved against it by the configured slippage, less
 * the configured fee; the report's `fillSource` says which. Where the sandbox can run the route
 * (a `PaperSimulation`), the transaction is built and simulated (`simulateTransaction`) and a
 * failing simulation fails the fill. Nothing is sent to any chain; every report says `simulated: true`.
 */
import { isSolrulesError } from '../../errors/index.ts';
import { convertAtoms, type TokenInfo, type ExecutionReport, type RoutedOrder } from '../../orders/index.ts';
import { venueById, type PoolState } from '../../venues/index.ts';
import type { Order } from '../../orders/index.ts';
import type { Executor } from '../executor.ts';
import type { RouteSource } from '../live/plan.ts';
import type { TransactionBuilder, TxSigner } from '../tx/builder.ts';
import type { Portfolio } from './portfolio.ts';

/** The local quote at the current pool state (undefined when no pool quotes the pair). */
export interface PoolQuoter {
  quote(order: Order): Promise<{ venue: string; pool: string; amountOut: bigint; feeAtoms: bigint } | undefined>;
}

/** Where the route can be simulated: its source, a builder on a chain that runs it, a wallet to sign with. */
export interface PaperSimulation {
  source: RouteSource;
  builder: TransactionBuilder;
  wallet: TxSigner;
}

export type PaperReport = ExecutionReport & { fillSource?: 'pool-quote' | 'price'; venue?: string; pool?: string; simulation?: { unitsConsumed: number; sizeBytes: number } };

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
    private readonly opts: { quoter?: PoolQuoter; simulation?: PaperSimulation } = {},
  ) {}

  async execute(routed: RoutedOrder): Promise<PaperReport> {
    const { order } = routed;
    const at = this.market.now().toISOString();
    const base = { orderId: order.id, executor: this.name, amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: true, at };
    const input = this.tokens.get(order.inputMint);
    const output = this.tokens.get(order.outputMint);
    const pool = this.opts.quoter ? await this.opts.quoter.quote(order) : undefined;
    let simulation: PaperReport['simulation'];
    if (this.opts.simulation) {
      const sim = this.opts.simulation;
      try {
        const plan = await sim.source.plan(order, sim.wallet.publicKey);
        const built = await sim.builder.build({ payer: sim.wallet, ...(plan.signers ? { signers: plan.signers } : {}), instructions: plan.instructions, ...(plan.lookupTables ? { lookupTables: plan.lookupTables } : {}) });
        simulation = { unitsConsumed: built.unitsSimulated, sizeBytes: built.sizeBytes };
      } catch (err) {
        if (!isSolrulesError(err)) throw err;
        return { ...base, status: 'failed', reason: `simulation: ${err.message}` };
      }
    }
    if (pool) {
      if (pool.amountOut < order.minAmountOut) return { ...base, status: 'failed', fillSource: 'pool-quote', venue: pool.venue, pool: pool.pool, reason: `slippage: the pool quotes ${pool.amountOut} atoms, below minAmountOut ${order.minAmountOut}` };
      try {
        this.portfolio.swap(order.inputMint, order.amountIn, order.outputMint, pool.amountOut);
      } catch (err) {
        if (isSolrulesError(err, 'EXEC_INSUFFICIENT_BALANCE')) return { ...base, status: 'failed', reason: err.message };
        throw err;
      }
      return { ...base, status: 'filled', amountIn: order.amountIn, amountOut: pool.amountOut, feeAtoms: pool.feeAtoms, fillSource: 'pool-quote', venue: pool.venue, pool: pool.pool, ...(simulation ? { simulation } : {}) };
    }
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
    return { ...base, status: 'filled', amountIn: order.amountIn, amountOut, feeAtoms: fee, fillPriceUsd, fillSource: 'price', ...(simulation ? { simulation } : {}) };
  }

  async close(): Promise<void> {}
}

/** Quotes an order on the pool states a provider gives (best output of the venues' exact quotes). */
export class PoolStateQuoter implements PoolQuoter {
  constructor(private readonly pools: { statesFor(inputMint: string, outputMint: string): Promise<PoolState[]> }) {}

  async quote(order: Order): Promise<{ venue: string; pool: string; amountOut: bigint; feeAtoms: bigint } | undefined> {
    let best: { venue: string; pool: string; amountOut: bigint; feeAtoms: bigint } | undefined;
    for (const state of await this.pools.statesFor(order.inputMint, order.outputMint)) {
      const venue = venueById(state.venue);
      if (!venue) continue;
      try {
        const q = venue.quoteExactIn(state, order.inputMint, order.amountIn);
        if (!best || q.amountOut > best.amountOut) best = { venue: state.venue, pool: state.address, amountOut: q.amountOut, feeAtoms: q.feeAmount };
      } catch {
        // A pool that cannot quote this (no liquidity, not open) is not a fill.
      }
    }
    return best;
  }
}

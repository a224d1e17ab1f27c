/**
 * The local route source: quotes every pool state it is given for the order's pair with the
 * venues' exact math, takes the best output, and builds that venue's swap instruction from the
 * same state (the tick / bin arrays the quote crossed, the order's minAmountOut as the
 * threshold), after an idempotent create of the output token account.
 */
import { PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { associatedTokenAddress, TOKEN_PROGRAM, venueById, type PoolState, type Quote } from '../../venues/index.ts';
import type { Order } from '../../orders/index.ts';
import type { RouteSource, SwapPlan } from '../live/plan.ts';

/** Pool states for a pair, current as of the call (the scanners keep them). */
export interface PoolStateProvider {
  /** `landedSlot`: the slot our own last transaction landed in; the states must reflect it. */
  statesFor(inputMint: string, outputMint: string, opts?: { landedSlot?: number }): Promise<PoolState[]>;
}

export class VenueSource implements RouteSource {
  readonly name = 'venues';

  constructor(private readonly pools: PoolStateProvider) {}

  async plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    const states = await this.pools.statesFor(order.inputMint, order.outputMint);
    let best: { state: PoolState; quote: Quote; venue: NonNullable<ReturnType<typeof venueById>> } | undefined;
    const refused: string[] = [];
    for (const state of states) {
      const venue = venueById(state.venue);
      if (!venue) continue;
      try {
        const quote = venue.quoteExactIn(state, order.inputMint, order.amountIn);
        if (!best || quote.amountOut > best.quote.amountOut) best = { state, quote, venue };
      } catch (err) {
        refused.push(`${state.venue} ${state.address}: ${(err as Error).message}`);
      }
    }
    if (!best) throw new SolrulesError('EXEC_NO_ROUTE', `no pool quotes ${order.inputMint} -> ${order.outputMint}${refused.length ? `: ${refused.join('; ')}` : ''}`, { orderId: order.id, refused });
    if (best.quote.amountOut < order.minAmountOut) {
      throw new SolrulesError('EXEC_SLIPPAGE', `best quote ${best.quote.amountOut} atoms (${best.state.venue} ${best.state.address}) is below the order's minAmountOut ${order.minAmountOut}`, { orderId: order.id, venue: best.state.venue });
    }
    // spl-token loads with the first plan, not with every run importing the executors (~10 MB resident).
    const { createAssociatedTokenAccountIdempotentInstruction } = await import('@solana/spl-token');
    const outAta = associatedTokenAddress(order.outputMint, wallet, TOKEN_PROGRAM);
    const swap = best.venue.swapInstruction(best.state, best.quote, { owner: wallet, inputMint: order.inputMint, amount: order.amountIn, otherAmountThreshold: order.minAmountOut, exactIn: true });
    return {
      venue: best.state.venue,
      description: `${best.state.venue} ${best.state.address}: ${order.amountIn} -> ${best.quote.amountOut} (min ${order.minAmountOut})`,
      instructions: [createAssociatedTokenAccountIdempotentInstruction(wallet, outAta, wallet, new PublicKey(order.outputMint), TOKEN_PROGRAM), swap],
      expected: { inputMint: order.inputMint, outputMint: order.outputMint, amountIn: order.amountIn, amountOut: best.quote.amountOut },
    };
  }
}

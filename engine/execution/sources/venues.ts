/**
 * The local route source: quotes every pool state it is given for the order's pair with the
 * venues' exact math, takes the best output, and builds that venue's swap instruction from the
 * same state (the tick / bin arrays the quote crossed, the order's minAmountOut as the
 * threshold), after an idempotent create of the output token account.
 */
import { PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { SolrulesError } from '../../errors/index.ts';
import { venueById, type PoolState, type Quote } from '../../dex/index.ts';
import type { MeteoraDlmmState, OrcaWhirlpoolState, RaydiumAmmV4State, RaydiumClmmState } from '../../dex/index.ts';
import type { Order } from '../../orders/index.ts';
import type { RouteSource, SwapPlan } from '../live/plan.ts';
import { arraysFromQuote, meteoraDlmmSwapInstruction, raydiumAmmV4SwapInstruction, raydiumClmmSwapInstruction, whirlpoolSwapInstruction, type SwapRequest } from '../swaps/index.ts';
import { TOKEN_PROGRAM } from '../swaps/common.ts';

/** Pool states for a pair, current as of the call (the scanners keep them). */
export interface PoolStateProvider {
  statesFor(inputMint: string, outputMint: string): Promise<PoolState[]>;
}

/** The swap instruction for a quote on a state, whichever venue it is. */
export function swapInstructionFor(state: PoolState, quote: Quote, req: SwapRequest): TransactionInstruction {
  switch (state.venue) {
    case 'orca-whirlpool':
      return whirlpoolSwapInstruction(state as OrcaWhirlpoolState, req);
    case 'raydium-amm-v4':
      return raydiumAmmV4SwapInstruction(state as RaydiumAmmV4State, req);
    case 'raydium-clmm': {
      const s = state as RaydiumClmmState;
      return raydiumClmmSwapInstruction(s, { ...req, tickArrays: arraysFromQuote(quote.accounts, s.tickArrays.values()) });
    }
    case 'meteora-dlmm': {
      const s = state as MeteoraDlmmState;
      return meteoraDlmmSwapInstruction(s, { ...req, binArrays: arraysFromQuote(quote.accounts, s.binArrays.values()) });
    }
  }
}

export class VenueSource implements RouteSource {
  readonly name = 'venues';

  constructor(private readonly pools: PoolStateProvider) {}

  async plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    const states = await this.pools.statesFor(order.inputMint, order.outputMint);
    let best: { state: PoolState; quote: Quote } | undefined;
    const refused: string[] = [];
    for (const state of states) {
      const venue = venueById(state.venue);
      if (!venue) continue;
      try {
        const quote = venue.quoteExactIn(state, order.inputMint, order.amountIn);
        if (!best || quote.amountOut > best.quote.amountOut) best = { state, quote };
      } catch (err) {
        refused.push(`${state.venue} ${state.address}: ${(err as Error).message}`);
      }
    }
    if (!best) throw new SolrulesError('EXEC_NO_ROUTE', `no pool quotes ${order.inputMint} -> ${order.outputMint}${refused.length ? `: ${refused.join('; ')}` : ''}`, { orderId: order.id, refused });
    if (best.quote.amountOut < order.minAmountOut) {
      throw new SolrulesError('EXEC_SLIPPAGE', `best quote ${best.quote.amountOut} atoms (${best.state.venue} ${best.state.address}) is below the order's minAmountOut ${order.minAmountOut}`, { orderId: order.id, venue: best.state.venue });
    }
    const outAta = getAssociatedTokenAddressSync(new PublicKey(order.outputMint), wallet, true, TOKEN_PROGRAM);
    const swap = swapInstructionFor(best.state, best.quote, { owner: wallet, inputMint: order.inputMint, amount: order.amountIn, otherAmountThreshold: order.minAmountOut, exactIn: true });
    return {
      venue: best.state.venue,
      description: `${best.state.venue} ${best.state.address}: ${order.amountIn} -> ${best.quote.amountOut} (min ${order.minAmountOut})`,
      instructions: [createAssociatedTokenAccountIdempotentInstruction(wallet, outAta, wallet, new PublicKey(order.outputMint), TOKEN_PROGRAM), swap],
      expected: { inputMint: order.inputMint, outputMint: order.outputMint, amountIn: order.amountIn, amountOut: best.quote.amountOut },
    };
  }
}

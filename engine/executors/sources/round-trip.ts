/**
 * Round trips (the arbitrage planner's two-leg routes) as one transaction: both legs re-quoted
 * exactly on the pools' current state, leg 1 swapping the order's input into the middle mint
 * (its exact quote as the threshold), leg 2 swapping exactly that back (the order's minAmountOut
 * — the route's break-even — as the threshold). Both legs land or neither does. The input is the
 * wallet's own (no flash loan: the sandbox has no lending reserve yet). A route whose re-quote
 * falls below break-even is refused before anything is built: a closed opportunity is not sent.
 */
import { PublicKey } from '@solana/web3.js';
import { createAssociatedTokenAccountIdempotentInstruction, getAssociatedTokenAddressSync } from '@solana/spl-token';
import { SolrulesError } from '../../errors/index.ts';
import { TOKEN_PROGRAM, venueById, type PoolState } from '../../venues/index.ts';
import type { Order } from '../../orders/index.ts';
import type { RouteSource, SwapPlan } from '../live/plan.ts';
import type { PoolStateProvider } from './venues.ts';

interface Leg {
  pool: string;
  inputMint: string;
  outputMint: string;
}

function legsOf(order: Order): [Leg, Leg] {
  const route = order.params.route as { legs?: Leg[]; amountIn?: string } | undefined;
  const legs = route?.legs;
  if (!Array.isArray(legs) || legs.length !== 2 || legs.some((l) => typeof l?.pool !== 'string' || typeof l.inputMint !== 'string' || typeof l.outputMint !== 'string')) {
    throw new SolrulesError('ARB_ROUTE_INVALID', `round-trip order ${order.id} has no two-leg route in params.route`, { orderId: order.id, field: 'params.route' });
  }
  return [legs[0]!, legs[1]!];
}

export class RoundTripSource implements RouteSource {
  readonly name = 'round-trip';

  constructor(private readonly pools: PoolStateProvider) {}

  private state(leg: Leg, states: readonly PoolState[]): PoolState {
    const state = states.find((s) => s.address === leg.pool);
    if (!state) throw new SolrulesError('EXEC_NO_ROUTE', `pool ${leg.pool} of the round trip is not available`, { pool: leg.pool });
    return state;
  }

  async plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    const [l1, l2] = legsOf(order);
    if (l1.inputMint !== order.inputMint || l2.outputMint !== order.outputMint || l1.outputMint !== l2.inputMint) {
      throw new SolrulesError('ARB_ROUTE_INVALID', `round-trip order ${order.id}: legs do not chain ${order.inputMint} -> ${l1.outputMint} -> ${order.outputMint}`, { orderId: order.id });
    }
    // Both legs trade the same pair (in and back): one fresh read of its pools serves both.
    const states = await this.pools.statesFor(l1.inputMint, l1.outputMint);
    const [s1, s2] = [this.state(l1, states), this.state(l2, states)];
    const v1 = venueById(s1.venue);
    const v2 = venueById(s2.venue);
    if (!v1 || !v2) throw new SolrulesError('EXEC_NO_ROUTE', `no registered venue for ${!v1 ? s1.venue : s2.venue}`, { venue: !v1 ? s1.venue : s2.venue });
    const q1 = v1.quoteExactIn(s1, l1.inputMint, order.amountIn);
    const q2 = v2.quoteExactIn(s2, l2.inputMint, q1.amountOut);
    if (q2.amountOut < order.minAmountOut) {
      throw new SolrulesError('EXEC_SLIPPAGE', `the round trip closed: it now returns ${q2.amountOut} atoms, below its break-even ${order.minAmountOut}`, { orderId: order.id, amountOut: q2.amountOut.toString(), minAmountOut: order.minAmountOut.toString() });
    }
    const ata = (mint: string) => createAssociatedTokenAccountIdempotentInstruction(wallet, getAssociatedTokenAddressSync(new PublicKey(mint), wallet, true, TOKEN_PROGRAM), wallet, new PublicKey(mint), TOKEN_PROGRAM);
    const leg1 = v1.swapInstruction(s1, q1, { owner: wallet, inputMint: l1.inputMint, amount: order.amountIn, otherAmountThreshold: q1.amountOut, exactIn: true });
    const leg2 = v2.swapInstruction(s2, q2, { owner: wallet, inputMint: l2.inputMint, amount: q1.amountOut, otherAmountThreshold: order.minAmountOut, exactIn: true });
    return {
      venue: `${s1.venue}>${s2.venue}`,
      description: `round trip ${s1.venue} ${s1.address} -> ${s2.venue} ${s2.address}: ${order.amountIn} -> ${q1.amountOut} -> ${q2.amountOut} (min ${order.minAmountOut})`,
      instructions: [ata(l1.outputMint), ata(order.outputMint), leg1, leg2],
      expected: { inputMint: order.inputMint, outputMint: order.outputMint, amountIn: order.amountIn, amountOut: q2.amountOut },
    };
  }
}

/** Round trips to `roundTrips`, buys and sells to `spot`. */
export class OrderRouteSource implements RouteSource {
  readonly name: string;

  constructor(private readonly spot: RouteSource, private readonly roundTrips: RouteSource) {
    this.name = `${spot.name}+${roundTrips.name}`;
  }

  plan(order: Order, wallet: PublicKey): Promise<SwapPlan> {
    return order.side === 'roundtrip' ? this.roundTrips.plan(order, wallet) : this.spot.plan(order, wallet);
  }
}

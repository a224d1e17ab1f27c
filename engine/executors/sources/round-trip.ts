/**
 * Round trips (the arbitrage planner's two-leg routes) as one transaction: both legs re-quoted
 * exactly on the pools' current state, leg 1 swapping the order's input into the middle mint
 * (its exact quote as the threshold), leg 2 swapping exactly that back (the order's minAmountOut
 * — the route's break-even — as the threshold). Both legs land or neither does. A route whose
 * re-quote falls below break-even is refused before anything is built: a closed opportunity is not
 * sent.
 *
 * Flash loans: when the route says `flashLoan: true` the input is borrowed from the flash-loan
 * provider lending that mint (a Kamino reserve) and repaid with its fee in the same transaction
 * (borrow → leg 1 → leg 2 → repay): the wallet needs none of the input, and what comes back is
 * out − in − fee. The fee is the provider's exact one (it replaces the strategy's estimate in the
 * break-even), and `expected.amountOut` is leg 2's output net of it, so the confirmation's
 * realized amount is compared with the right figure to the atom. A route that asks for a flash
 * loan when no provider lends its input is refused (EXEC_FLASH_UNAVAILABLE), never quietly paid
 * from the wallet: the strategy priced a loan, not the wallet's capital.
 */
import { PublicKey } from '@solana/web3.js';
import { SolrulesError } from '../../errors/index.ts';
import { associatedTokenAddress, TOKEN_PROGRAM, venueById, type PoolState } from '../../venues/index.ts';
import type { Order } from '../../orders/index.ts';
import type { RouteSource, SwapPlan } from '../live/plan.ts';
import type { PoolStateProvider } from './venues.ts';
import type { FlashLoanProvider } from '../flash/provider.ts';

interface Leg {
  pool: string;
  inputMint: string;
  outputMint: string;
}

interface RouteParams {
  legs?: Leg[];
  amountIn?: string;
  flashLoan?: boolean;
  /** The strategy's estimate of the flash fee, included in the order's minAmountOut. */
  flashLoanFee?: string;
}

function legsOf(order: Order): [Leg, Leg] {
  const route = order.params.route as RouteParams | undefined;
  const legs = route?.legs;
  if (!Array.isArray(legs) || legs.length !== 2 || legs.some((l) => typeof l?.pool !== 'string' || typeof l.inputMint !== 'string' || typeof l.outputMint !== 'string')) {
    throw new SolrulesError('ARB_ROUTE_INVALID', `round-trip order ${order.id} has no two-leg route in params.route`, { orderId: order.id, field: 'params.route' });
  }
  return [legs[0]!, legs[1]!];
}

export class RoundTripSource implements RouteSource {
  readonly name = 'round-trip';

  /** Round trips this source wrapped in a flash loan, and those it sent with the wallet's own input. */
  readonly stats = { flashLoanWrapped: 0, ownFunds: 0 };

  private readonly flashLoans: FlashLoanProvider[];

  constructor(private readonly pools: PoolStateProvider, flashLoans: readonly FlashLoanProvider[] = []) {
    this.flashLoans = [...flashLoans];
  }

  /** Adds providers known only once the chain was read (a run's reserves, checked by the market-data initializer). */
  addFlashLoans(providers: readonly FlashLoanProvider[]): void {
    this.flashLoans.push(...providers);
  }

  /** The mints a flash loan can be taken in. */
  get flashLoanMints(): string[] {
    return this.flashLoans.map((p) => p.mint);
  }

  /** The flash-loan provider for an order whose route asks for one; undefined when it does not. */
  private flashFor(order: Order): FlashLoanProvider | undefined {
    const route = order.params.route as RouteParams | undefined;
    if (route?.flashLoan !== true) return undefined;
    const provider = this.flashLoans.find((p) => p.mint === order.inputMint);
    if (!provider) {
      throw new SolrulesError('EXEC_FLASH_UNAVAILABLE', `round-trip order ${order.id} asks for a flash loan of ${order.inputMint} and no flash-loan provider lends it (${this.flashLoans.length ? `providers lend ${this.flashLoans.map((p) => p.mint).join(', ')}` : 'none configured'}); set flashLoan: false in the strategy's params to trade with the wallet's own funds`, { orderId: order.id, field: 'params.route.flashLoan', value: order.inputMint });
    }
    return provider;
  }

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
    const flash = this.flashFor(order);
    const fee = flash ? flash.fee(order.amountIn) : 0n;
    // With a loan, the break-even carries the provider's exact fee in place of the strategy's estimate.
    const estimated = BigInt((order.params.route as RouteParams).flashLoanFee ?? '0');
    const breakEven = flash ? order.minAmountOut - estimated + fee : order.minAmountOut;
    const q1 = v1.quoteExactIn(s1, l1.inputMint, order.amountIn);
    const q2 = v2.quoteExactIn(s2, l2.inputMint, q1.amountOut);
    if (q2.amountOut < breakEven) {
      throw new SolrulesError('EXEC_SLIPPAGE', `the round trip closed: it now returns ${q2.amountOut} atoms, below its break-even ${breakEven}${flash ? ` (flash-loan fee ${fee} included)` : ''}`, { orderId: order.id, amountOut: q2.amountOut.toString(), minAmountOut: breakEven.toString() });
    }
    // spl-token loads with the first plan, not with every run importing the executors (~10 MB resident).
    const { createAssociatedTokenAccountIdempotentInstruction } = await import('@solana/spl-token');
    const ataOf = (mint: string) => associatedTokenAddress(mint, wallet, TOKEN_PROGRAM);
    const ata = (mint: string) => createAssociatedTokenAccountIdempotentInstruction(wallet, ataOf(mint), wallet, new PublicKey(mint), TOKEN_PROGRAM);
    const leg1 = v1.swapInstruction(s1, q1, { owner: wallet, inputMint: l1.inputMint, amount: order.amountIn, otherAmountThreshold: q1.amountOut, exactIn: true });
    const leg2 = v2.swapInstruction(s2, q2, { owner: wallet, inputMint: l2.inputMint, amount: q1.amountOut, otherAmountThreshold: breakEven, exactIn: true });
    if (flash) this.stats.flashLoanWrapped += 1;
    else this.stats.ownFunds += 1;
    return {
      venue: `${s1.venue}>${s2.venue}`,
      description: `round trip ${s1.venue} ${s1.address} -> ${s2.venue} ${s2.address}: ${order.amountIn} -> ${q1.amountOut} -> ${q2.amountOut} (min ${breakEven})${flash ? `, input flash-borrowed from ${flash.name} (fee ${fee})` : ''}`,
      // The output account is the input's (a round trip): it exists, or leg 1 could not pay.
      instructions: [ata(l1.outputMint), leg1, leg2],
      ...(flash?.lookupTables?.length ? { lookupTables: [...flash.lookupTables] } : {}),
      ...(flash ? { flashLoan: { provider: flash, request: { borrower: wallet, mint: new PublicKey(order.inputMint), amount: order.amountIn, userTokenAccount: ataOf(order.inputMint) } } } : {}),
      // With a loan, what comes back to the wallet for the input is leg 2's output less the fee.
      expected: { inputMint: order.inputMint, outputMint: order.outputMint, amountIn: order.amountIn, amountOut: q2.amountOut - fee },
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

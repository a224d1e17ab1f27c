/**
 * Paper execution of a round trip: the route's two legs are quoted again, exactly, against the
 * pool state at execution time; the fill happens only if it still returns at least the route's
 * break-even (input + flash-loan fee + tip and priority fee), and the paper portfolio is credited
 * the net profit. Nothing is sent to any chain; reports say `simulated: true`.
 */
import { isSolrulesError, SolrulesError } from '../../errors/index.ts';
import type { Executor, Portfolio } from '../../executors/index.ts';
import type { PoolEntry, PoolProvider } from '../../quotes/index.ts';
import type { ArbitrageRoute } from './arbitrage.ts';
import type { RoutedOrder, ExecutionReport } from '../../orders/index.ts';

function checkRoute(value: unknown): ArbitrageRoute {
  const r = value as ArbitrageRoute;
  const atoms = (v: unknown) => typeof v === 'string' && /^\d+$/.test(v);
  if (!r || typeof r !== 'object' || !Array.isArray(r.legs) || r.legs.length !== 2 || !atoms(r.amountIn) || !atoms(r.minAmountOut) || !atoms(r.flashLoanFee) || !atoms(r.costsInInput)) {
    throw new SolrulesError('ARB_ROUTE_INVALID', `round-trip order has no valid route in params.route (two legs, atoms as decimal strings); got ${JSON.stringify(value)?.slice(0, 200)}`, { field: 'params.route', value: JSON.stringify(value)?.slice(0, 200) });
  }
  return r;
}

/**
 * What a paper round trip adds to the balance of its input mint: the output less the input, the
 * flash-loan fee and the costs counted in the input — as `ArbitragePaperExecutor` credits it. A
 * process that did not execute it (a planner, another executor) follows the fill with it.
 */
export function paperRoundTripNet(params: Record<string, unknown>, amountIn: bigint, amountOut: bigint): bigint {
  const route = checkRoute(params.route);
  return amountOut - amountIn - BigInt(route.flashLoanFee) - BigInt(route.costsInInput);
}

export class ArbitragePaperExecutor implements Executor {
  readonly kind = 'paper';

  constructor(
    private readonly opts: { market: PoolProvider; portfolio: Portfolio; now: () => Date },
    readonly name = 'paper',
  ) {}

  private entry(pool: string, a: string, b: string): PoolEntry | undefined {
    return this.opts.market.poolsFor(a, b).find((e) => e.state.address === pool);
  }

  async execute({ order }: RoutedOrder): Promise<ExecutionReport> {
    const base = { orderId: order.id, executor: this.name, amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: true, at: this.opts.now().toISOString() };
    let route: ArbitrageRoute;
    try {
      route = checkRoute(order.params.route);
    } catch (err) {
      return { ...base, status: 'rejected', reason: (err as Error).message };
    }
    const [l1, l2] = route.legs as [ArbitrageRoute['legs'][0], ArbitrageRoute['legs'][1]];
    const e1 = this.entry(l1.pool, l1.inputMint, l1.outputMint);
    const e2 = this.entry(l2.pool, l2.inputMint, l2.outputMint);
    if (!e1 || !e2) return { ...base, status: 'failed', reason: `pool state of ${!e1 ? l1.pool : l2.pool} is no longer available` };
    const amountIn = BigInt(route.amountIn);
    let out: bigint;
    let fees: bigint;
    try {
      const q1 = e1.venue.quoteExactIn(e1.state, l1.inputMint, amountIn);
      const q2 = e2.venue.quoteExactIn(e2.state, q1.outputMint, q1.amountOut);
      out = q2.amountOut;
      fees = q1.feeAmount;
    } catch (err) {
      if (!isSolrulesError(err)) throw err;
      return { ...base, status: 'failed', reason: `a leg is no longer quotable: ${err.code} ${err.message}` };
    }
    const floor = BigInt(route.minAmountOut);
    const networkFeeLamports = BigInt(route.tipLamports) + BigInt(route.priorityFeeLamports);
    if (out < floor || out < order.minAmountOut) {
      return { ...base, status: 'failed', reason: `price moved: the round trip now returns ${out} atoms, below its break-even ${floor}` };
    }
    const net = paperRoundTripNet(order.params, amountIn, out);
    try {
      // A flash loan needs no balance: only the net result lands. Own capital goes out and comes back.
      if (route.flashLoan) this.opts.portfolio.swap(route.inputMint, 0n, route.inputMint, net);
      else this.opts.portfolio.swap(route.inputMint, amountIn, route.inputMint, amountIn + net);
    } catch (err) {
      if (isSolrulesError(err, 'EXEC_INSUFFICIENT_BALANCE')) return { ...base, status: 'failed', reason: err.message };
      throw err;
    }
    return { ...base, status: 'filled', amountIn, amountOut: out, feeAtoms: fees, networkFeeLamports };
  }

  async close(): Promise<void> {}
}

/** One executor for both: round trips to `roundTrips`, everything else to `spot`. */
export function withRoundTrips(spot: Executor, roundTrips: Executor): Executor {
  return {
    name: spot.name,
    kind: spot.kind,
    execute: (routed) => (routed.order.side === 'roundtrip' ? roundTrips.execute(routed) : spot.execute(routed)),
    close: async () => {
      await spot.close();
      await roundTrips.close();
    },
  };
}

/**
 * Arbitrage planner: for each configured pair, every ordered pair of fresh pools trading it and
 * each configured start mint, the round trip of the most profitable size net of every cost; the
 * best becomes the `arbitrage` fact (catalog fields) that rules/arbitrage.yaml reads. The route to
 * execute it (pools, mints, exact amounts, accounts) is attached to the order the rule decides.
 *
 * Params (params.arbitrage in strategies.yaml, read each tick so ops can tune them live):
 * minProfitBps / minProfitUsd (the rules' thresholds), maxInputUsd (largest size searched,
 * default 1000), inputs (start mints: 'quote' and/or 'base', default ['quote']), flashLoan
 * (default true), flashLoanFeeBps (default 0), tipLamports (default 10000), priorityFeeLamports
 * (default 5000), maxStateAgeSlots (default 150).
 */
import { atomsToUsd, type Order, type TokenInfo, type ExecutionReport } from '../../orders/index.ts';
import { routeLegToJson, SOL_MINT, withinStateAge, type PoolProvider, type RouteLegJson } from '../../quotes/index.ts';
import type { FiredEvent } from '../../rules/index.ts';
import type { Planner, StrategyPnl, TickContext } from '../planner.ts';
import { SolrulesError } from '../../errors/index.ts';
import { bestRoundTrip, type CostModel, type RoundTrip } from './roundtrip.ts';

export interface ArbitrageParams {
  minProfitBps?: number;
  minProfitUsd?: number;
  maxInputUsd?: number;
  inputs?: ('quote' | 'base')[];
  flashLoan?: boolean;
  flashLoanFeeBps?: number;
  tipLamports?: number | string;
  priorityFeeLamports?: number | string;
  maxStateAgeSlots?: number;
}

export interface ArbitrageFact {
  pair: string;
  buyVenue: string;
  sellVenue: string;
  inputMint: string;
  amountIn: string;
  expectedOut: string;
  grossProfitBps: number;
  netProfitBps: number;
  netProfitUsd: number;
  netProfitLamports: string;
  tipLamports: string;
  priorityFeeLamports: string;
  flashLoan: boolean;
  hops: number;
}

/** What an executor needs to run the round trip (JSON, atoms as strings), carried in the order's params as `route`. */
export interface ArbitrageRoute {
  inputMint: string;
  midMint: string;
  amountIn: string;
  expectedOut: string;
  minAmountOut: string;
  flashLoan: boolean;
  flashLoanFee: string;
  tipLamports: string;
  priorityFeeLamports: string;
  /** Tip and priority fee in input atoms, as the planner counted them. */
  costsInInput: string;
  slot: number | null;
  legs: RouteLegJson[];
}

export interface ArbitrageState {
  opportunities: number;
  filled: number;
  failed: number;
  /** Realized profit per input mint, atoms (may be negative). */
  realizedAtoms: Record<string, string>;
  lastFact: ArbitrageFact | null;
}

const NO_OPPORTUNITY = (pair: string, p: { tip: bigint; prio: bigint; flashLoan: boolean }): ArbitrageFact => ({
  pair,
  buyVenue: '',
  sellVenue: '',
  inputMint: '',
  amountIn: '0',
  expectedOut: '0',
  grossProfitBps: 0,
  netProfitBps: -10_000,
  netProfitUsd: 0,
  netProfitLamports: '0',
  tipLamports: p.tip.toString(),
  priorityFeeLamports: p.prio.toString(),
  flashLoan: p.flashLoan,
  hops: 0,
});

function lamports(v: unknown, field: string, dflt: bigint): bigint {
  if (v === undefined) return dflt;
  if ((typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) || (typeof v === 'string' && /^\d+$/.test(v))) return BigInt(v);
  throw new SolrulesError('ARB_INVALID_PARAM', `params.arbitrage.${field} must be lamports (a non-negative integer); got ${JSON.stringify(v)}`, { field: `arbitrage.${field}`, value: v });
}

export class ArbitragePlanner implements Planner {
  readonly strategy: string;
  private state: ArbitrageState = { opportunities: 0, filled: 0, failed: 0, realizedAtoms: {}, lastFact: null };
  private offer: { trip: RoundTrip; route: ArbitrageRoute } | undefined;
  /** Wall-clock µs the last facts() spent searching, and the quotes it took (telemetry, tests). */
  lastSearch = { micros: 0, evaluations: 0, candidates: 0 };

  constructor(
    private readonly opts: { market: PoolProvider; base: TokenInfo; quote: TokenInfo },
    strategy = 'arbitrage',
  ) {
    this.strategy = strategy;
  }

  /** USD of one whole token of a mint in this tick. */
  private usdOf(mint: string, ctx: TickContext): number | undefined {
    if (mint === this.opts.quote.mint) return ctx.quoteUsd;
    if (mint === this.opts.base.mint) return ctx.price.usd;
    return undefined;
  }

  private token(mint: string): TokenInfo {
    return mint === this.opts.base.mint ? this.opts.base : this.opts.quote;
  }

  facts(ctx: TickContext): Record<string, unknown> {
    const p = (ctx.params ?? {}) as ArbitrageParams;
    const tip = lamports(p.tipLamports, 'tipLamports', 10_000n);
    const prio = lamports(p.priorityFeeLamports, 'priorityFeeLamports', 5_000n);
    const flashLoan = p.flashLoan ?? true;
    const { base, quote } = this.opts;
    const pair = `${base.symbol}/${quote.symbol}`;
    const started = performance.now();
    const maxAge = p.maxStateAgeSlots ?? 150;
    const current = this.opts.market.currentSlot();
    const pools = this.opts.market.poolsFor(base.mint, quote.mint).filter((e) => withinStateAge(e.state.slot, current, maxAge));
    const solUsd = this.usdOf(SOL_MINT, ctx);
    let best: { trip: RoundTrip; usd: number } | undefined;
    let evaluations = 0;
    let candidates = 0;
    for (const side of p.inputs ?? ['quote']) {
      const input = side === 'base' ? base : quote;
      const inputUsd = this.usdOf(input.mint, ctx);
      if (!inputUsd || !(inputUsd > 0)) continue;
      const maxIn = BigInt(Math.floor(((p.maxInputUsd ?? 1_000) / inputUsd) * 10 ** input.decimals));
      const costs: CostModel = {
        flashLoan,
        flashLoanFeeBps: flashLoan ? p.flashLoanFeeBps ?? 0 : 0,
        tipLamports: tip,
        priorityFeeLamports: prio,
        lamportsToInput: (l) => {
          if (input.mint === SOL_MINT) return l;
          if (solUsd === undefined) return 0n;
          return BigInt(Math.ceil(((Number(l) / 1e9) * solUsd * 10 ** input.decimals) / inputUsd));
        },
      };
      for (const first of pools) {
        for (const second of pools) {
          if (first === second) continue;
          candidates++;
          const trip = bestRoundTrip(first, second, input.mint, 1n, maxIn, costs);
          if (!trip) continue;
          evaluations += trip.evaluations;
          const usd = atomsToUsd(trip.netProfit, input.decimals, inputUsd);
          if (!best || usd > best.usd) best = { trip, usd };
        }
      }
    }
    this.lastSearch = { micros: Math.round((performance.now() - started) * 1000), evaluations, candidates };
    if (!best) {
      this.offer = undefined;
      return { arbitrage: NO_OPPORTUNITY(pair, { tip, prio, flashLoan }) };
    }
    const t = best.trip;
    const input = this.token(t.inputMint);
    const inputUsd = this.usdOf(t.inputMint, ctx)!;
    const bps = (atoms: bigint) => Math.round((Number(atoms) / Number(t.amountIn)) * 10_000 * 100) / 100;
    const grossProfit = t.expectedOut + t.swapFeesInInput - t.amountIn;
    let netLamports = 0n;
    if (t.netProfit > 0n) {
      netLamports = t.inputMint === SOL_MINT ? t.netProfit : solUsd ? BigInt(Math.floor((atomsToUsd(t.netProfit, input.decimals, inputUsd) * 1e9) / solUsd)) : 0n;
    }
    const fact: ArbitrageFact = {
      pair,
      buyVenue: t.legs[0].venue,
      sellVenue: t.legs[1].venue,
      inputMint: t.inputMint,
      amountIn: t.amountIn.toString(),
      expectedOut: t.expectedOut.toString(),
      grossProfitBps: bps(grossProfit),
      netProfitBps: bps(t.netProfit),
      netProfitUsd: best.usd,
      netProfitLamports: netLamports.toString(),
      tipLamports: tip.toString(),
      priorityFeeLamports: prio.toString(),
      flashLoan,
      hops: 2,
    };
    const slots = [t.first.state.slot, t.second.state.slot].filter((s): s is number => s !== undefined);
    const route: ArbitrageRoute = {
      inputMint: t.inputMint,
      midMint: t.midMint,
      amountIn: t.amountIn.toString(),
      expectedOut: t.expectedOut.toString(),
      minAmountOut: (t.amountIn + t.flashLoanFee + t.fixedCosts).toString(),
      flashLoan,
      flashLoanFee: t.flashLoanFee.toString(),
      tipLamports: tip.toString(),
      priorityFeeLamports: prio.toString(),
      costsInInput: t.fixedCosts.toString(),
      slot: slots.length === 2 ? Math.min(...slots) : null,
      legs: t.legs.map(routeLegToJson),
    };
    this.offer = { trip: t, route };
    this.state.lastFact = fact;
    if (t.netProfit > 0n) this.state.opportunities += 1;
    return { arbitrage: fact };
  }

  onSignal(_event: FiredEvent, _ctx: TickContext): void {}

  /** The rules decided to act: each round-trip order carries the route it was decided on. */
  onOrders(orders: readonly Order[]): void {
    if (!this.offer) return;
    for (const order of orders) {
      if (order.side !== 'roundtrip') continue;
      order.params = { ...order.params, route: this.offer.route };
    }
  }

  onExecution(order: Order, report: ExecutionReport): void {
    if (order.side !== 'roundtrip') return;
    if (report.status !== 'filled') {
      this.state.failed += 1;
      return;
    }
    this.state.filled += 1;
    const route = order.params.route as ArbitrageRoute | undefined;
    const cost = route ? BigInt(route.flashLoanFee) + BigInt(route.costsInInput) : 0n;
    const gained = report.amountOut - report.amountIn - cost;
    this.state.realizedAtoms[order.inputMint] = (BigInt(this.state.realizedAtoms[order.inputMint] ?? '0') + gained).toString();
  }

  /** Round trips hold nothing between ticks. */
  exposureUsd(): number {
    return 0;
  }

  pnl(priceUsd: number, quoteUsd: number): StrategyPnl {
    let realizedUsd = 0;
    for (const [mint, atoms] of Object.entries(this.state.realizedAtoms)) {
      const t = this.token(mint);
      realizedUsd += atomsToUsd(BigInt(atoms), t.decimals, mint === this.opts.base.mint ? priceUsd : quoteUsd);
    }
    return { realizedUsd, unrealizedUsd: 0, feesUsd: 0, inventoryAtoms: 0n, realizedAtoms: Object.fromEntries(Object.entries(this.state.realizedAtoms).map(([m, a]) => [m, BigInt(a)])) };
  }

  snapshot(): ArbitrageState {
    return structuredClone(this.state);
  }

  restore(state: unknown): void {
    if (state && typeof state === 'object' && 'realizedAtoms' in state) this.state = structuredClone(state as ArbitrageState);
  }

  /** The route of the last opportunity (tests, explain). */
  get lastRoute(): ArbitrageRoute | undefined {
    return this.offer?.route;
  }
}

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
import type { KnownRoute, Planner, StrategyPnl, TickContext } from '../planner.ts';
import { SolrulesError } from '../../errors/index.ts';
import { bestRoundTrip, roundTripAt, type CostModel, type RoundTrip } from './roundtrip.ts';
import { MAX_TEMPLATES, routeHash, type RouteTemplate, type TemplateLeg } from './templates.ts';

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
  /** Round trips the dynamic threshold looks back over (default 20). */
  thresholdWindow?: number;
  /** Largest factor the dynamic threshold raises minProfitUsd / minProfitBps by (default 4). */
  maxThresholdMultiplier?: number;
  /** Re-fill a known route (template) before searching (default true). */
  routeTemplates?: boolean;
}

/** One of our recent round trips, for the dynamic profit threshold (atoms of its input mint). */
interface Attempt {
  landed: boolean;
  expected: string;
  realized: string;
}

/** Below this many attempts the threshold stays at the configured one. */
const MIN_THRESHOLD_SAMPLES = 5;

/**
 * The dynamic profit threshold: the configured minimum divided by how much of the expected
 * profit recent round trips realized and by how many of them landed, within [1, max]. A round
 * trip that lands half the time and realizes 80 % of its quote must promise 2.5 × as much.
 */
export function thresholdMultiplier(attempts: readonly Attempt[], max: number): { multiplier: number; landingRate: number; realizedOverExpected: number } {
  if (attempts.length < MIN_THRESHOLD_SAMPLES) return { multiplier: 1, landingRate: attempts.length ? attempts.filter((a) => a.landed).length / attempts.length : 0, realizedOverExpected: 1 };
  const landed = attempts.filter((a) => a.landed);
  const landingRate = landed.length / attempts.length;
  const expected = landed.reduce((s, a) => s + BigInt(a.expected), 0n);
  const realized = landed.reduce((s, a) => s + BigInt(a.realized), 0n);
  const ratio = expected > 0n ? Math.min(1, Math.max(0, Number(realized) / Number(expected))) : 1;
  const raw = 1 / (Math.max(ratio, 0.01) * Math.max(landingRate, 0.01));
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return { multiplier: round(Math.min(max, Math.max(1, raw))), landingRate: round(landingRate), realizedOverExpected: round(ratio) };
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
  /** The dynamic profit threshold (rules compare netProfitUsd / netProfitBps with these). */
  minProfitUsd: number;
  minProfitBps: number;
  thresholdMultiplier: number;
  landingRate: number;
  realizedOverExpected: number;
  recentAttempts: number;
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
  /** Hash of the route (its template). */
  template?: string;
}

export interface ArbitrageState {
  opportunities: number;
  filled: number;
  failed: number;
  /** Realized profit per input mint, atoms (may be negative). */
  realizedAtoms: Record<string, string>;
  lastFact: ArbitrageFact | null;
  /** Recent round trips, oldest first (the dynamic threshold's window). */
  recent?: Attempt[];
  /** Route templates by hash (templates.ts). */
  templates?: Record<string, RouteTemplate>;
}

type Threshold = Pick<ArbitrageFact, 'minProfitUsd' | 'minProfitBps' | 'thresholdMultiplier' | 'landingRate' | 'realizedOverExpected' | 'recentAttempts'>;

const NO_OPPORTUNITY = (pair: string, p: { tip: bigint; prio: bigint; flashLoan: boolean }, threshold: Threshold): ArbitrageFact => ({
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
  ...threshold,
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
  /** The dynamic threshold's window (params.thresholdWindow as of the last tick). */
  private window = 20;
  /** Wall-clock µs the last facts() spent searching, and the quotes it took (telemetry, tests). */
  lastSearch: { micros: number; evaluations: number; candidates: number; template?: string } = { micros: 0, evaluations: 0, candidates: 0 };

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
    this.window = p.thresholdWindow ?? 20;
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
    let template: string | undefined;
    const threshold = this.threshold(p);
    const costsFor = (input: TokenInfo, inputUsd: number): CostModel => ({
      flashLoan,
      flashLoanFeeBps: flashLoan ? p.flashLoanFeeBps ?? 0 : 0,
      tipLamports: tip,
      priorityFeeLamports: prio,
      lamportsToInput: (l) => {
        if (input.mint === SOL_MINT) return l;
        if (solUsd === undefined) return 0n;
        return BigInt(Math.ceil(((Number(l) / 1e9) * solUsd * 10 ** input.decimals) / inputUsd));
      },
    });
    // A known route first: re-filled with its last size and quoted once; the search only when none still pays.
    if (p.routeTemplates ?? true) {
      const byPool = new Map(pools.map((e) => [e.state.address, e]));
      const starts = new Set((p.inputs ?? ['quote']).map((side) => (side === 'base' ? base.mint : quote.mint)));
      for (const t of Object.values(this.state.templates ?? {})) {
        const [first, second] = [byPool.get(t.legs[0].pool), byPool.get(t.legs[1].pool)];
        if (!first || !second || !starts.has(t.legs[0].inputMint)) continue;
        const input = this.token(t.legs[0].inputMint);
        const inputUsd = this.usdOf(input.mint, ctx);
        if (!inputUsd || !(inputUsd > 0)) continue;
        candidates++;
        const trip = roundTripAt(first, second, input.mint, BigInt(t.amountIn), costsFor(input, inputUsd));
        evaluations += 1;
        if (!trip || trip.netProfit <= 0n) continue;
        const usd = atomsToUsd(trip.netProfit, input.decimals, inputUsd);
        // At its old size it must still clear the thresholds; else the search may find a size that does.
        if (usd < threshold.minProfitUsd || (Number(trip.netProfit) / Number(trip.amountIn)) * 10_000 < threshold.minProfitBps) continue;
        if (!best || usd > best.usd) (best = { trip, usd }), (template = t.hash);
      }
    }
    for (const side of best ? [] : p.inputs ?? ['quote']) {
      const input = side === 'base' ? base : quote;
      const inputUsd = this.usdOf(input.mint, ctx);
      if (!inputUsd || !(inputUsd > 0)) continue;
      const maxIn = BigInt(Math.floor(((p.maxInputUsd ?? 1_000) / inputUsd) * 10 ** input.decimals));
      const costs = costsFor(input, inputUsd);
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
    this.lastSearch = { micros: Math.round((performance.now() - started) * 1000), evaluations, candidates, ...(template ? { template } : {}) };
    if (!best) {
      this.offer = undefined;
      return { arbitrage: NO_OPPORTUNITY(pair, { tip, prio, flashLoan }, threshold) };
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
      ...threshold,
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
    if (t.netProfit > 0n) route.template = this.offered(t, ctx.time);
    this.offer = { trip: t, route };
    this.state.lastFact = fact;
    if (t.netProfit > 0n) this.state.opportunities += 1;
    return { arbitrage: fact };
  }

  /** Remembers (or refreshes) the template of a profitable round trip; returns its hash. */
  private offered(t: RoundTrip, at: Date): string {
    const legs = [t.first, t.second].map((e, i) => ({ pool: e.state.address, venue: e.venue.id, inputMint: t.legs[i]!.inputMint, outputMint: t.legs[i]!.outputMint })) as [TemplateLeg, TemplateLeg];
    const hash = routeHash(legs);
    const templates = (this.state.templates ??= {});
    const known = templates[hash];
    templates[hash] = { hash, legs, amountIn: t.amountIn.toString(), offered: (known?.offered ?? 0) + 1, landed: known?.landed ?? 0, realizedAtoms: known?.realizedAtoms ?? '0', ...(known?.lastProfitAt ? { lastProfitAt: known.lastProfitAt } : {}), lastOfferedAt: at.toISOString() };
    const all = Object.values(templates);
    if (all.length > MAX_TEMPLATES) delete templates[all.reduce((a, b) => (a.lastOfferedAt <= b.lastOfferedAt ? a : b)).hash];
    return hash;
  }

  /**
   * Takes the round trips of this pair that made money before (history, read at start) as route
   * templates, so the first opportunity on one of them is rebuilt with one quote instead of a
   * search. A template the planner already keeps (restored state) is left as it is; at most
   * MAX_TEMPLATES are kept (history comes most profitable first). Returns how many were taken.
   */
  learnRoutes(routes: readonly KnownRoute[]): number {
    const pair = new Set([this.opts.base.mint, this.opts.quote.mint]);
    const templates = (this.state.templates ??= {});
    let taken = 0;
    for (const r of routes) {
      if (r.legs.length !== 2 || !/^[1-9]\d*$/.test(r.amountIn)) continue;
      const [a, b] = r.legs as [KnownRoute['legs'][number], KnownRoute['legs'][number]];
      // A round trip of this planner's pair: in on one mint, back to it through the other.
      if (!pair.has(a.inputMint) || !pair.has(a.outputMint) || a.inputMint === a.outputMint || b.inputMint !== a.outputMint || b.outputMint !== a.inputMint) continue;
      const legs: [TemplateLeg, TemplateLeg] = [{ pool: a.pool, venue: a.venue, inputMint: a.inputMint, outputMint: a.outputMint }, { pool: b.pool, venue: b.venue, inputMint: b.inputMint, outputMint: b.outputMint }];
      const hash = routeHash(legs);
      if (templates[hash]) continue;
      if (Object.keys(templates).length >= MAX_TEMPLATES) break;
      templates[hash] = { hash, legs, amountIn: r.amountIn, offered: 0, landed: r.profitableFills, realizedAtoms: r.profitAtoms.toString(), lastProfitAt: r.lastFilledAt, lastOfferedAt: r.lastFilledAt };
      taken += 1;
    }
    return taken;
  }

  /** The route templates remembered (hash → template). */
  get templates(): Readonly<Record<string, RouteTemplate>> {
    return this.state.templates ?? {};
  }

  /** The configured thresholds scaled by recent landing and realized-vs-expected profit. */
  private threshold(p: ArbitrageParams): Threshold {
    const recent = this.state.recent ?? [];
    const t = thresholdMultiplier(recent, p.maxThresholdMultiplier ?? 4);
    const scale = (x: number | undefined) => Math.round((x ?? 0) * t.multiplier * 10_000) / 10_000;
    return { minProfitUsd: scale(p.minProfitUsd), minProfitBps: scale(p.minProfitBps), thresholdMultiplier: t.multiplier, landingRate: t.landingRate, realizedOverExpected: t.realizedOverExpected, recentAttempts: recent.length };
  }

  private remember(attempt: Attempt, window: number): void {
    const recent = (this.state.recent ??= []);
    recent.push(attempt);
    while (recent.length > window) recent.shift();
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
    const route = order.params.route as ArbitrageRoute | undefined;
    const cost = route ? BigInt(route.flashLoanFee) + BigInt(route.costsInInput) : 0n;
    const expected = route ? BigInt(route.expectedOut) - BigInt(route.amountIn) - cost : 0n;
    const window = this.window;
    if (report.status !== 'filled') {
      this.state.failed += 1;
      this.remember({ landed: false, expected: expected.toString(), realized: '0' }, window);
      return;
    }
    this.state.filled += 1;
    const gained = report.amountOut - report.amountIn - cost;
    this.remember({ landed: true, expected: expected.toString(), realized: gained.toString() }, window);
    const template = route?.template ? this.state.templates?.[route.template] : undefined;
    if (template) {
      template.landed += 1;
      template.realizedAtoms = (BigInt(template.realizedAtoms) + gained).toString();
      if (gained > 0n) template.lastProfitAt = report.at;
    }
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

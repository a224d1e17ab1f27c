/**
 * The signal planner: rules decide, the planner keeps state. Each tick it updates the declared
 * indicators once per closed bar and offers the rules three facts — `indicator` (the declared
 * indicators), `bar` (the closed bar) and `position` (the open position, the size an entry would
 * buy now, the size an exit sells, and which protective exit from strategies.yaml is due). Rules
 * write `order` events whose `amountIn` is `position.enterSizeAtoms` (buy) or
 * `position.exitSizeAtoms` (sell); both are "0" when the planner's limits (max positions,
 * cooldown, an order in flight, nothing held) forbid it, and the engine skips a zero order.
 * Fills come back through onExecution, which keeps the position exactly in atoms.
 */
import { atomsToUsd, type ExecutionReport, type Order, type TokenInfo } from '../../orders/index.ts';
import type { FiredEvent } from '../../rules/index.ts';
import { SolrulesError } from '../../errors/index.ts';
import { logger } from '../../infra/telemetry/index.ts';
import { feeUsd, type Planner, type PlannerCounters, type PriceBar, type StrategyPnl, type TickContext } from '../planner.ts';
import type { StrategyEntry } from '../kind.ts';
import { OWN_MARKET, readSignalIndicators, SignalIndicators } from './indicators.ts';
import { entrySize, type Sizing } from './sizing.ts';

/** A distance below a reference price: a percentage, or a multiple of a declared ATR indicator. */
export type StopDistance = { pct: number } | { atr: string; multiple: number };

/** A signal strategy's params (params.<strategy>; schema in kind.ts). */
export interface SignalParams {
  sizing: Sizing;
  stopLoss?: StopDistance;
  takeProfit?: { pct: number };
  trailingStop?: StopDistance;
  maxPositions?: number;
  cooldownBars?: number;
  maxHoldingBars?: number;
  minOrderUsd?: number;
  maxEntryUsd?: number;
}

export type ExitReason = 'stop-loss' | 'trailing-stop' | 'take-profit' | 'max-holding';
export const EXIT_REASONS: readonly ExitReason[] = ['stop-loss', 'trailing-stop', 'take-profit', 'max-holding'];

/** One closed (or partly closed) position, for reports. Atoms as decimal strings. */
export interface SignalTrade {
  entryTime: string;
  entryPriceUsd: number;
  exitTime: string;
  exitPriceUsd: number;
  /** Base atoms sold. */
  sizeAtoms: string;
  /** Quote atoms the sold part cost (fees included) and brought back (fees deducted). */
  costQuoteAtoms: string;
  proceedsQuoteAtoms: string;
  pnlUsd: number;
  pnlPct: number;
  feesUsd: number;
  barsHeld: number;
  /** stop-loss, trailing-stop, take-profit, max-holding, or the rule's own reason (its `exit:` param, else its id). */
  exitReason: string;
  entries: number;
}

export interface SignalState {
  sizeAtoms: string;
  costQuoteAtoms: string;
  entries: number;
  entryTime: string | null;
  /** Fees paid by the open position's entries. */
  entryFeesUsd: number;
  /** Highest close since the entry (trailing stop). */
  highUsd: number;
  /** ATR value when the first entry was decided (ATR stop-loss). */
  entryAtrUsd: number | null;
  barsHeld: number;
  /** Bars since the last exit fill; null before any exit. */
  barsSinceExit: number | null;
  bars: number;
  lastBarTime: number | null;
  pending: Record<string, { side: 'buy' | 'sell'; atrUsd?: number | null; exit?: string }>;
  realizedUsd: number;
  feesUsd: number;
  trades: SignalTrade[];
  exits: Record<string, number>;
  /** An exit whose chunks are still in flight, accumulated into one trade. */
  closing: { reason: string; entryTime: string; entries: number; barsHeld: number; soldAtoms: string; costQuoteAtoms: string; proceedsQuoteAtoms: string; feesUsd: number; pnlUsd: number; priceTimesBase: number; exitTime: string } | null;
}

const fresh = (): SignalState => ({
  sizeAtoms: '0',
  costQuoteAtoms: '0',
  entries: 0,
  entryTime: null,
  entryFeesUsd: 0,
  highUsd: 0,
  entryAtrUsd: null,
  barsHeld: 0,
  barsSinceExit: null,
  bars: 0,
  lastBarTime: null,
  pending: {},
  realizedUsd: 0,
  feesUsd: 0,
  trades: [],
  exits: {},
  closing: null,
});

/** The value of a declared ATR indicator now, or null (not declared as atr, or not ready). */
function atrNow(fact: Record<string, unknown>, name: string): number | null {
  const f = fact[name] as { ready?: boolean; value?: number | null } | undefined;
  return f?.ready && typeof f.value === 'number' ? f.value : null;
}

export class SignalPlanner implements Planner {
  readonly strategy: string;
  private state: SignalState = fresh();
  private readonly indicators: SignalIndicators;
  private readonly barFact = { time: 0, open: 0, high: 0, low: 0, close: 0, volume: 0, closes: [] as number[] };
  private previousClose: number | null = null;
  /** The `position` fact, updated in place each tick (fields as documented in facts()). */
  private readonly positionFact = {
    open: false,
    entries: 0,
    pending: false,
    sizeAtoms: '0',
    sizeBase: 0,
    entryUsd: 0,
    costUsd: 0,
    valueUsd: 0,
    pnlUsd: 0,
    pnlPct: 0,
    highUsd: 0,
    barsHeld: 0,
    barsSinceExit: -1,
    inCooldown: false,
    canEnter: false,
    enterSizeAtoms: '0',
    enterSizeUsd: 0,
    exitSizeAtoms: '0',
    stopUsd: 0,
    takeProfitUsd: 0,
    trailingStopUsd: 0,
    stopHit: false,
    trailingHit: false,
    takeProfitHit: false,
    maxHoldingHit: false,
    exitDue: false,
    exitReason: 'none' as ExitReason | 'none',
    trades: 0,
    realizedPnlUsd: 0,
    equityUsd: 0,
  };
  private readonly out: Record<string, unknown>;
  private readonly warned = new Set<string>();

  constructor(
    private readonly market: { base: TokenInfo; quote: TokenInfo },
    strategy: string,
    entry: StrategyEntry | undefined,
  ) {
    this.strategy = strategy;
    const { declarations, diagnostics } = readSignalIndicators(entry?.indicators);
    if (diagnostics.length) {
      const d = diagnostics[0]!;
      throw new SolrulesError(d.code, `strategy '${strategy}': ${d.message}`, { strategy, path: d.path, value: d.value });
    }
    this.indicators = new SignalIndicators(declarations);
    this.out = { indicator: this.indicators.fact, bar: this.barFact, position: this.positionFact };
  }

  /** Markets other than its own whose bars the runner must feed as `otherBars[name]`. */
  get otherMarkets(): readonly string[] {
    return this.indicators.otherMarkets;
  }

  private pendingSide(side?: 'buy' | 'sell'): boolean {
    const pending = this.state.pending;
    for (const id in pending) if (side === undefined || pending[id]!.side === side) return true;
    return false;
  }

  /**
   * The state's decimal-string atoms as bigints, and the size in base units and the cost in USD at
   * `quoteUsd`, computed again only when the strings (or the quote price) change, not every bar.
   */
  private parsed = { size: '0', sizeAtoms: 0n, sizeBase: 0, cost: '0', costAtoms: 0n, quoteUsd: NaN, costUsd: 0 };
  private atoms(quoteUsd: number): { sizeAtoms: bigint; costAtoms: bigint; sizeBase: number; costUsd: number } {
    const p = this.parsed;
    if (p.size !== this.state.sizeAtoms) {
      p.size = this.state.sizeAtoms;
      p.sizeAtoms = BigInt(p.size);
      p.sizeBase = Number(p.sizeAtoms) / 10 ** this.market.base.decimals;
    }
    if (p.cost !== this.state.costQuoteAtoms || p.quoteUsd !== quoteUsd) {
      p.cost = this.state.costQuoteAtoms;
      p.costAtoms = BigInt(p.cost);
      p.quoteUsd = quoteUsd;
      p.costUsd = atomsToUsd(p.costAtoms, this.market.quote.decimals, quoteUsd);
    }
    return p;
  }

  /** The wallet's atoms as numbers of base and quote units, converted again only when the atoms change. */
  private walletUnits = { baseAtoms: -1n, base: 0, quoteAtoms: -1n, quote: 0 };
  private units(baseAtoms: bigint, quoteAtoms: bigint): { base: number; quote: number } {
    const w = this.walletUnits;
    if (w.baseAtoms !== baseAtoms) {
      w.baseAtoms = baseAtoms;
      w.base = Number(baseAtoms) / 10 ** this.market.base.decimals;
    }
    if (w.quoteAtoms !== quoteAtoms) {
      w.quoteAtoms = quoteAtoms;
      w.quote = Number(quoteAtoms) / 10 ** this.market.quote.decimals;
    }
    return w;
  }

  /** Quote atoms of the smallest entry, computed again only when its inputs change. */
  private minCache = { usd: NaN, quoteUsd: NaN, atoms: 0n };
  private minAtoms(usd: number, quoteUsd: number): bigint {
    const c = this.minCache;
    if (c.usd !== usd || c.quoteUsd !== quoteUsd) {
      c.usd = usd;
      c.quoteUsd = quoteUsd;
      c.atoms = BigInt(Math.ceil((usd / quoteUsd) * 10 ** this.market.quote.decimals));
    }
    return c.atoms;
  }

  /**
   * entrySize for this bar, its result remembered with its inputs: a USD sizing asks the same
   * entry bar after bar (no bigint then); any other input change computes it again.
   */
  private sizeCache = { type: '', value: NaN, equityUsd: NaN, freeQuoteAtoms: -1n, quoteUsd: NaN, priceUsd: NaN, stopUsd: NaN as number | undefined, maxUsd: undefined as number | undefined, atoms: 0n };
  private entrySize(p: SignalParams, equityUsd: number, freeQuoteAtoms: bigint, quoteUsd: number, priceUsd: number, stopUsd: number | undefined): { atoms: bigint } {
    const c = this.sizeCache;
    // Only the inputs the sizing type reads are compared (a USD sizing reads neither equity, price nor stop).
    const t = p.sizing.type;
    if (
      c.type === t && c.value === p.sizing.value && c.freeQuoteAtoms === freeQuoteAtoms && c.quoteUsd === quoteUsd && c.maxUsd === p.maxEntryUsd &&
      (t === 'usd' || t === 'quotePct' || (c.equityUsd === equityUsd && (t === 'equityPct' || (c.priceUsd === priceUsd && c.stopUsd === stopUsd))))
    ) return c;
    c.atoms = entrySize({ sizing: p.sizing, equityUsd, freeQuoteAtoms, quote: this.market.quote, quoteUsd, priceUsd, stopUsd, ...(p.maxEntryUsd !== undefined ? { maxUsd: p.maxEntryUsd } : {}) }).atoms;
    c.type = t;
    c.value = p.sizing.value;
    c.equityUsd = equityUsd;
    c.freeQuoteAtoms = freeQuoteAtoms;
    c.quoteUsd = quoteUsd;
    c.priceUsd = priceUsd;
    c.stopUsd = stopUsd;
    c.maxUsd = p.maxEntryUsd;
    return c;
  }

  /** Decimal text of atoms, remembered for the last value (an entry size repeats bar after bar). */
  private lastText = { atoms: 0n, text: '0' };
  private text(atoms: bigint): string {
    if (atoms === 0n) return '0';
    const t = this.lastText;
    if (t.atoms !== atoms) {
      t.atoms = atoms;
      t.text = atoms.toString();
    }
    return t.text;
  }

  /** Feeds the tick's bar (and other markets' bars) once per closed bar. */
  private advance(ctx: TickContext): PriceBar {
    const usd = ctx.priceUsd ?? ctx.price.usd;
    const bar: PriceBar = ctx.bar ?? { time: ctx.time.getTime(), open: usd, high: usd, low: usd, close: usd };
    for (const m of this.indicators.otherMarkets) {
      const other = ctx.otherBars?.[m];
      if (other) this.indicators.update(m, other);
    }
    if (this.state.lastBarTime !== null && bar.time <= this.state.lastBarTime) return bar; // the same bar again
    this.indicators.update(OWN_MARKET, bar);
    this.state.lastBarTime = bar.time;
    this.state.bars += 1;
    if (this.state.entries > 0) {
      this.state.barsHeld += 1;
      if (bar.close > this.state.highUsd) this.state.highUsd = bar.close;
    }
    if (this.state.barsSinceExit !== null) this.state.barsSinceExit += 1;
    const f = this.barFact;
    // [] on the first bar, then one two-element array rewritten in place (setting an array's length is a runtime call per bar).
    if (this.previousClose !== null) {
      if (f.closes.length !== 2) f.closes = [0, 0];
      f.closes[0] = this.previousClose;
      f.closes[1] = bar.close;
    } else if (f.closes.length !== 0) f.closes = [];
    this.previousClose = bar.close;
    f.time = Math.floor(bar.time / 1000);
    f.open = bar.open;
    f.high = bar.high;
    f.low = bar.low;
    f.close = bar.close;
    f.volume = bar.volume ?? 0;
    return bar;
  }

  /** Price a stop of `distance` below `reference` sits at now; undefined when its ATR is not ready. */
  private stopBelow(reference: number, distance: StopDistance | undefined, atr: number | null): number | undefined {
    if (!distance) return undefined;
    if ('pct' in distance) return reference * (1 - distance.pct / 100);
    return atr === null ? undefined : reference - distance.multiple * atr;
  }

  facts(ctx: TickContext): Record<string, unknown> {
    const p = ctx.params as unknown as SignalParams;
    this.advance(ctx);
    const price = ctx.priceUsd ?? ctx.price.usd;
    const { quote } = this.market;
    const s = this.state;
    const { sizeAtoms: size, sizeBase, costUsd } = this.atoms(ctx.quoteUsd);
    const open = size > 0n;
    const valueUsd = sizeBase * price;
    const entryUsd = sizeBase > 0 ? costUsd / sizeBase : 0;
    const pnlUsd = open ? valueUsd - costUsd : 0;
    const pnlPct = open && costUsd > 0 ? (pnlUsd / costUsd) * 100 : 0;
    const ind = this.indicators.fact;
    const stopAtr = p.stopLoss && 'atr' in p.stopLoss ? p.stopLoss.atr : undefined;
    const trailAtr = p.trailingStop && 'atr' in p.trailingStop ? p.trailingStop.atr : undefined;

    // Protective exits, on the close (decision at bar close).
    const stopUsd = open ? this.stopBelow(entryUsd, p.stopLoss, stopAtr ? s.entryAtrUsd : null) : undefined;
    const takeProfitUsd = open && p.takeProfit ? entryUsd * (1 + p.takeProfit.pct / 100) : undefined;
    const trailingStopUsd = open ? this.stopBelow(s.highUsd, p.trailingStop, trailAtr ? atrNow(ind, trailAtr) : null) : undefined;
    // Percent levels compared without dividing (price·100 vs reference·(100 ± pct)), so a close exactly on the level counts.
    const stopHit = stopUsd !== undefined && (p.stopLoss && 'pct' in p.stopLoss ? price * 100 <= entryUsd * (100 - p.stopLoss.pct) : price <= stopUsd);
    const trailingHit = trailingStopUsd !== undefined && (p.trailingStop && 'pct' in p.trailingStop ? price * 100 <= s.highUsd * (100 - p.trailingStop.pct) : price <= trailingStopUsd);
    const takeProfitHit = takeProfitUsd !== undefined && price * 100 >= entryUsd * (100 + p.takeProfit!.pct);
    const maxHoldingHit = open && p.maxHoldingBars !== undefined && s.barsHeld >= p.maxHoldingBars;
    const exitReason: ExitReason | 'none' = stopHit ? 'stop-loss' : trailingHit ? 'trailing-stop' : takeProfitHit ? 'take-profit' : maxHoldingHit ? 'max-holding' : 'none';
    const anyPending = this.pendingSide();
    const exitSize = open && !anyPending ? size : 0n;

    // Entry size and the limits that forbid one.
    const baseAtoms = ctx.walletAtoms ? ctx.walletAtoms.base : BigInt(ctx.wallet.baseAtoms);
    const quoteAtoms = ctx.walletAtoms ? ctx.walletAtoms.quote : BigInt(ctx.wallet.quoteAtoms);
    const units = this.units(baseAtoms, quoteAtoms);
    const equityUsd = units.quote * ctx.quoteUsd + units.base * price;
    const entryStop = this.stopBelow(price, p.stopLoss, stopAtr ? atrNow(ind, stopAtr) : null);
    const sized = this.entrySize(p, equityUsd, quoteAtoms, ctx.quoteUsd, price, entryStop);
    const inCooldown = s.barsSinceExit !== null && s.barsSinceExit < (p.cooldownBars ?? 0);
    const minAtoms = this.minAtoms(p.minOrderUsd ?? 1, ctx.quoteUsd);
    const canEnter = s.entries < (p.maxPositions ?? 1) && !anyPending && !inCooldown && sized.atoms >= minAtoms && sized.atoms > 0n;

    // One position object, updated in place like the indicator and bar facts (a live view: read it before the next tick).
    const pos = this.positionFact;
    pos.open = open;
    pos.entries = s.entries;
    pos.pending = anyPending;
    pos.sizeAtoms = s.sizeAtoms;
    pos.sizeBase = sizeBase;
    pos.entryUsd = entryUsd;
    pos.costUsd = costUsd;
    pos.valueUsd = valueUsd;
    pos.pnlUsd = pnlUsd;
    pos.pnlPct = pnlPct;
    pos.highUsd = open ? s.highUsd : 0;
    pos.barsHeld = open ? s.barsHeld : 0;
    pos.barsSinceExit = s.barsSinceExit ?? -1;
    pos.inCooldown = inCooldown;
    pos.canEnter = canEnter;
    pos.enterSizeAtoms = this.text(canEnter ? sized.atoms : 0n);
    pos.enterSizeUsd = canEnter ? atomsToUsd(sized.atoms, quote.decimals, ctx.quoteUsd) : 0;
    pos.exitSizeAtoms = this.text(exitSize);
    pos.stopUsd = stopUsd ?? 0;
    pos.takeProfitUsd = takeProfitUsd ?? 0;
    pos.trailingStopUsd = trailingStopUsd ?? 0;
    pos.stopHit = stopHit;
    pos.trailingHit = trailingHit;
    pos.takeProfitHit = takeProfitHit;
    pos.maxHoldingHit = maxHoldingHit;
    pos.exitDue = exitReason !== 'none' && exitSize > 0n;
    pos.exitReason = exitReason;
    pos.trades = s.trades.length;
    pos.realizedPnlUsd = s.realizedUsd;
    pos.equityUsd = equityUsd;
    return this.out;
  }

  onSignal(event: FiredEvent): void {
    // Only `order` events trade. Say so loudly, once per rule, rather than drop the event quietly.
    const key = `${event.ruleId}:${event.type}`;
    if (this.warned.has(key)) return;
    this.warned.add(key);
    logger().child({ component: 'signal' }).warn({ strategy: this.strategy, rule: event.ruleId, type: event.type }, `strategy '${this.strategy}': rule '${event.ruleId}' fired a '${event.type}' event, which a signal strategy does not act on; trade with order events (amountIn: position.enterSizeAtoms / position.exitSizeAtoms)`);
  }

  onOrders(orders: readonly Order[], ctx: TickContext): void {
    const p = ctx.params as unknown as SignalParams;
    const atrName = p.stopLoss && 'atr' in p.stopLoss ? p.stopLoss.atr : undefined;
    for (const o of orders) {
      if (o.side === 'buy') this.state.pending[o.id] = { side: 'buy', atrUsd: atrName ? atrNow(this.indicators.fact, atrName) : null };
      else if (o.side === 'sell') this.state.pending[o.id] = { side: 'sell', ...(typeof o.params.exit === 'string' ? { exit: o.params.exit } : {}) };
    }
  }

  onExecution(order: Order, report: ExecutionReport): void {
    const pending = this.state.pending[order.id];
    delete this.state.pending[order.id];
    if (report.status === 'filled') this.applyFill(order, report, pending);
    // An exit split into chunks is one trade: it is recorded when no chunk of it is in flight any more.
    if (this.state.closing && !this.pendingSide('sell')) this.recordTrade();
  }

  private applyFill(order: Order, report: ExecutionReport, pending: SignalState['pending'][string] | undefined): void {
    const s = this.state;
    const fees = feeUsd(order.side === 'sell' ? 'sell' : 'buy', report, this.market);
    s.feesUsd += fees;
    const size = BigInt(s.sizeAtoms);
    const cost = BigInt(s.costQuoteAtoms);
    if (order.side === 'buy') {
      if (size === 0n) {
        s.entryTime = report.at;
        s.barsHeld = 0;
        s.highUsd = report.fillPriceUsd ?? 0;
        s.entryAtrUsd = pending?.atrUsd ?? null;
        s.entryFeesUsd = 0;
      }
      s.sizeAtoms = (size + report.amountOut).toString();
      s.costQuoteAtoms = (cost + report.amountIn).toString();
      s.entries += 1;
      s.entryFeesUsd += fees;
      return;
    }
    if (order.side !== 'sell' || size === 0n) return;
    const sold = report.amountIn < size ? report.amountIn : size;
    const costShare = (cost * sold) / size;
    const entryFeeShare = (s.entryFeesUsd * Number(sold)) / Number(size);
    const pnlUsd = atomsToUsd(report.amountOut, this.market.quote.decimals, 1) - atomsToUsd(costShare, this.market.quote.decimals, 1);
    const fillPrice = report.fillPriceUsd ?? atomsToUsd(report.amountOut, this.market.quote.decimals, 1) / (Number(sold) / 10 ** this.market.base.decimals);
    const c = (s.closing ??= {
      reason: pending?.exit ?? (typeof order.params.exit === 'string' ? order.params.exit : order.rule),
      entryTime: s.entryTime ?? report.at,
      entries: s.entries,
      barsHeld: s.barsHeld,
      soldAtoms: '0',
      costQuoteAtoms: '0',
      proceedsQuoteAtoms: '0',
      feesUsd: 0,
      pnlUsd: 0,
      priceTimesBase: 0,
      exitTime: report.at,
    });
    c.soldAtoms = (BigInt(c.soldAtoms) + sold).toString();
    c.costQuoteAtoms = (BigInt(c.costQuoteAtoms) + costShare).toString();
    c.proceedsQuoteAtoms = (BigInt(c.proceedsQuoteAtoms) + report.amountOut).toString();
    c.feesUsd += entryFeeShare + fees;
    c.pnlUsd += pnlUsd;
    c.priceTimesBase += fillPrice * (Number(sold) / 10 ** this.market.base.decimals);
    c.exitTime = report.at;
    s.realizedUsd += pnlUsd;
    s.sizeAtoms = (size - sold).toString();
    s.costQuoteAtoms = (cost - costShare).toString();
    s.entryFeesUsd -= entryFeeShare;
    if (size - sold === 0n) {
      s.entries = 0;
      s.entryTime = null;
      s.entryAtrUsd = null;
      s.highUsd = 0;
      s.barsHeld = 0;
      s.entryFeesUsd = 0;
      s.barsSinceExit = 0;
    }
  }

  private recordTrade(): void {
    const s = this.state;
    const c = s.closing!;
    s.closing = null;
    const soldBase = Number(BigInt(c.soldAtoms)) / 10 ** this.market.base.decimals;
    const costUsd = atomsToUsd(BigInt(c.costQuoteAtoms), this.market.quote.decimals, 1);
    s.trades.push({
      entryTime: c.entryTime,
      entryPriceUsd: costUsd / soldBase,
      exitTime: c.exitTime,
      exitPriceUsd: c.priceTimesBase / soldBase,
      sizeAtoms: c.soldAtoms,
      costQuoteAtoms: c.costQuoteAtoms,
      proceedsQuoteAtoms: c.proceedsQuoteAtoms,
      pnlUsd: c.pnlUsd,
      pnlPct: costUsd > 0 ? (c.pnlUsd / costUsd) * 100 : 0,
      feesUsd: c.feesUsd,
      barsHeld: c.barsHeld,
      exitReason: c.reason,
      entries: c.entries,
    });
    s.exits[c.reason] = (s.exits[c.reason] ?? 0) + 1;
  }

  exposureUsd(priceUsd: number): number {
    return atomsToUsd(BigInt(this.state.sizeAtoms), this.market.base.decimals, priceUsd);
  }

  pnl(priceUsd: number, quoteUsd: number): StrategyPnl {
    const size = BigInt(this.state.sizeAtoms);
    const unrealizedUsd = size > 0n ? atomsToUsd(size, this.market.base.decimals, priceUsd) - atomsToUsd(BigInt(this.state.costQuoteAtoms), this.market.quote.decimals, quoteUsd) : 0;
    return { realizedUsd: this.state.realizedUsd, unrealizedUsd, feesUsd: this.state.feesUsd, inventoryAtoms: size };
  }

  snapshot(): SignalState {
    return structuredClone(this.state);
  }

  /** Restores the position; indicators are not stored and warm up again from the next bars. */
  restore(state: unknown): void {
    const s = state as Partial<SignalState> | null;
    if (!s || typeof s !== 'object' || typeof s.sizeAtoms !== 'string') return;
    this.state = { ...fresh(), ...structuredClone(s), lastBarTime: null };
  }

  summary(): Record<string, unknown> {
    const s = this.state;
    const wins = s.trades.filter((t) => t.pnlUsd > 0).length;
    return {
      position: { open: BigInt(s.sizeAtoms) > 0n, sizeAtoms: s.sizeAtoms, costQuoteAtoms: s.costQuoteAtoms, entryTime: s.entryTime, barsHeld: s.barsHeld, entries: s.entries },
      trades: s.trades,
      tradeCount: s.trades.length,
      wins,
      realizedUsd: s.realizedUsd,
      feesUsd: s.feesUsd,
      exits: { ...s.exits },
      bars: s.bars,
      barsFed: Object.fromEntries([...this.indicators.barsFed].map(([m, n]) => [m === OWN_MARKET ? 'own' : m, n])),
    };
  }

  counters(): PlannerCounters {
    return { completions: { ...this.state.exits } };
  }
}

/**
 * Grid strategy planner. Levels sit around a base price (geometric for percent spacing,
 * arithmetic for fixed). Each level but the top is a buy slot: when the price falls through
 * it and it holds nothing, the rules may buy `orderSizeUsd` there; the inventory is sold when
 * the price reaches the next level up, and its P&L is booked to that level. When the price
 * stays outside the grid, a `rebalance` re-centres it on the price; inventory still held is
 * carried into the slot just below the new price (cost basis kept) so it sells on the first
 * level up.
 */
import { atomsToUsd, type Order, type TokenInfo, type ExecutionReport } from '../../orders/index.ts';
import type { FiredEvent } from '../../rules/index.ts';
import { feeUsd, splitExact, usdToAtoms, type Planner, type PlannerCounters, type StrategyPnl, type TickContext } from '../planner.ts';

/** A grid's params (params.<strategy> in strategies.yaml; its schema is in kind.ts). */
export interface GridParams {
  basePriceUsd?: number | 'auto';
  levels: number;
  spacing: { type: 'percent' | 'fixed'; value: number };
  orderSizeUsd: number;
  maxOrderUsd?: number;
  orderTtlHours?: number;
  rebalanceAfterTicks?: number;
  minBuyQuoteUsd?: number;
}

export interface GridLevelState {
  priceUsd: number;
  holdingAtoms: string;
  costQuoteAtoms: string;
  realizedQuoteAtoms: string;
  buys: number;
  sells: number;
}

export interface GridState {
  basePriceUsd: number | null;
  levels: GridLevelState[];
  lastLevel: number | null;
  ticksOutside: number;
  rebalances: number;
  /** Realized P&L of grids before the last re-centring, quote atoms (may be negative). */
  realizedEarlierQuoteAtoms: string;
  feesUsd: number;
  /** Open orders: which levels each order's atoms belong to. */
  allocations: Record<string, { side: 'buy' | 'sell'; levels: Array<{ level: number; atoms: string; cost: string }> }>;
  lastTickAt: string | null;
}

/** Level prices for a grid of `levels` around `base`. */
export function levelPrices(base: number, p: Pick<GridParams, 'levels' | 'spacing'>): number[] {
  const below = Math.floor(p.levels / 2);
  return Array.from({ length: p.levels }, (_, i) => {
    const k = i - below;
    return p.spacing.type === 'percent' ? base * (1 + p.spacing.value / 100) ** k : base + k * p.spacing.value;
  });
}

/** Index of the highest level at or below `price` (-1 below the grid). */
export function levelIndex(levels: readonly number[], price: number): number {
  let i = -1;
  while (i + 1 < levels.length && levels[i + 1]! <= price) i++;
  return i;
}

/**
 * Assigns level amounts to chunk amounts in order (both sum to the same total), so every
 * atom of every level belongs to exactly one chunk.
 */
export function waterfall(levelAtoms: readonly bigint[], chunkAtoms: readonly bigint[]): Array<Array<{ index: number; atoms: bigint }>> {
  const left = [...levelAtoms];
  let li = 0;
  return chunkAtoms.map((chunk) => {
    const parts: Array<{ index: number; atoms: bigint }> = [];
    let need = chunk;
    while (need > 0n && li < left.length) {
      const take = left[li]! < need ? left[li]! : need;
      if (take > 0n) parts.push({ index: li, atoms: take });
      left[li] = left[li]! - take;
      need -= take;
      if (left[li] === 0n) li++;
    }
    return parts;
  });
}

export class GridPlanner implements Planner {
  readonly strategy: string;
  private state: GridState = { basePriceUsd: null, levels: [], lastLevel: null, ticksOutside: 0, rebalances: 0, realizedEarlierQuoteAtoms: '0', feesUsd: 0, allocations: {}, lastTickAt: null };
  /** Levels the last facts() call offered for buying / selling, for onOrders. */
  private offer: { buy: number[]; sell: number[] } = { buy: [], sell: [] };

  constructor(
    private readonly market: { base: TokenInfo; quote: TokenInfo },
    strategy = 'grid',
  ) {
    this.strategy = strategy;
  }

  private realizedTotal(): bigint {
    return this.state.levels.reduce((a, l) => a + BigInt(l.realizedQuoteAtoms), BigInt(this.state.realizedEarlierQuoteAtoms));
  }

  private pendingLevels(): Set<number> {
    const s = new Set<number>();
    for (const a of Object.values(this.state.allocations)) for (const l of a.levels) s.add(l.level);
    return s;
  }

  private build(base: number, p: GridParams): void {
    this.state.basePriceUsd = base;
    this.state.levels = levelPrices(base, p).map((priceUsd) => ({ priceUsd, holdingAtoms: '0', costQuoteAtoms: '0', realizedQuoteAtoms: '0', buys: 0, sells: 0 }));
    this.state.lastLevel = null;
    this.state.ticksOutside = 0;
  }

  facts(ctx: TickContext): Record<string, unknown> {
    const p = ctx.params as unknown as GridParams;
    const price = ctx.price.usd;
    const configuredBase = typeof p.basePriceUsd === 'number' ? p.basePriceUsd : null;
    if (this.state.basePriceUsd === null || this.state.levels.length !== p.levels) this.build(configuredBase ?? price, p);
    this.state.lastTickAt = ctx.time.toISOString();
    const prices = this.state.levels.map((l) => l.priceUsd);
    const level = levelIndex(prices, price);
    const prev = this.state.lastLevel ?? level;
    this.state.lastLevel = level;
    const outside = price < prices[0]! || price > prices[prices.length - 1]!;
    this.state.ticksOutside = outside ? this.state.ticksOutside + 1 : 0;

    const pending = this.pendingLevels();
    const topSlot = prices.length - 2;
    const buy: number[] = [];
    for (let j = Math.min(prev, topSlot); j > level; j--) {
      const l = this.state.levels[j]!;
      if (l.holdingAtoms === '0' && !pending.has(j)) buy.push(j);
    }
    const sell: number[] = [];
    for (let j = 0; j <= topSlot; j++) {
      const l = this.state.levels[j]!;
      if (l.holdingAtoms !== '0' && !pending.has(j) && prices[j + 1]! <= price) sell.push(j);
    }
    this.offer = { buy, sell };
    const perLevel = usdToAtoms(p.orderSizeUsd, ctx.quote, ctx.quoteUsd);
    const buySize = perLevel * BigInt(buy.length);
    const sellSize = sell.reduce((a, j) => a + BigInt(this.state.levels[j]!.holdingAtoms), 0n);
    const inventory = this.state.levels.reduce((a, l) => a + BigInt(l.holdingAtoms), 0n);
    const realized = this.realizedTotal();
    return {
      grid: {
        levels: prices.length,
        level,
        lowerUsd: prices[0],
        upperUsd: prices[prices.length - 1],
        buyLevelUsd: buy.length ? prices[buy[0]!] : 0,
        sellLevelUsd: sell.length ? prices[sell[0]! + 1] : 0,
        crossedDown: level < prev,
        crossedUp: level > prev,
        buyLevelFree: buy.length > 0,
        sellLevelHolding: sell.length > 0,
        outsideGrid: outside,
        ticksOutside: this.state.ticksOutside,
        buySizeAtoms: buySize.toString(),
        sellSizeAtoms: sellSize.toString(),
        buyNotionalUsd: atomsToUsd(buySize, ctx.quote.decimals, ctx.quoteUsd),
        sellNotionalUsd: atomsToUsd(sellSize, ctx.base.decimals, price),
        inventoryAtoms: inventory.toString(),
        realizedPnlUsd: atomsToUsd(realized, ctx.quote.decimals, ctx.quoteUsd),
      },
    };
  }

  onSignal(event: FiredEvent, ctx: TickContext): void {
    if (event.type !== 'rebalance') return;
    if (Object.keys(this.state.allocations).length) return; // re-centre only with nothing in flight
    const p = ctx.params as unknown as GridParams;
    let carriedAtoms = 0n;
    let carriedCost = 0n;
    for (const l of this.state.levels) {
      carriedAtoms += BigInt(l.holdingAtoms);
      carriedCost += BigInt(l.costQuoteAtoms);
    }
    this.state.realizedEarlierQuoteAtoms = this.realizedTotal().toString();
    this.build(ctx.price.usd, p);
    this.state.rebalances += 1;
    const prices = this.state.levels.map((l) => l.priceUsd);
    const slot = Math.max(0, Math.min(levelIndex(prices, ctx.price.usd), prices.length - 2));
    if (carriedAtoms > 0n) {
      const l = this.state.levels[slot]!;
      l.holdingAtoms = carriedAtoms.toString();
      l.costQuoteAtoms = carriedCost.toString();
    }
    this.state.lastLevel = levelIndex(prices, ctx.price.usd);
  }

  onOrders(orders: readonly Order[]): void {
    for (const side of ['buy', 'sell'] as const) {
      const mine = orders.filter((o) => o.side === side);
      const levels = side === 'buy' ? this.offer.buy : this.offer.sell;
      if (!mine.length || !levels.length) continue;
      const total = mine.reduce((a, o) => a + o.amountIn, 0n);
      // What each level contributes: an equal share of the buy, or its whole holding.
      const perLevel = side === 'buy' ? splitExact(total, levels.map(() => 1n)) : splitExact(total, levels.map((j) => BigInt(this.state.levels[j]!.holdingAtoms)));
      const costs = levels.map((j) => (side === 'sell' ? BigInt(this.state.levels[j]!.costQuoteAtoms) : 0n));
      const chunks = waterfall(perLevel, mine.map((o) => o.amountIn));
      mine.forEach((order, c) => {
        this.state.allocations[order.id] = {
          side,
          levels: chunks[c]!.map(({ index, atoms }) => ({
            level: levels[index]!,
            atoms: atoms.toString(),
            cost: perLevel[index] === 0n ? '0' : ((costs[index]! * atoms) / perLevel[index]!).toString(),
          })),
        };
      });
    }
  }

  onExecution(order: Order, report: ExecutionReport): void {
    const alloc = this.state.allocations[order.id];
    if (!alloc) return;
    delete this.state.allocations[order.id];
    if (report.status !== 'filled') return;
    this.state.feesUsd += feeUsd(alloc.side, report, this.market);
    const weights = alloc.levels.map((l) => BigInt(l.atoms));
    if (alloc.side === 'buy') {
      const outShares = splitExact(report.amountOut, weights);
      const inShares = splitExact(report.amountIn, weights);
      alloc.levels.forEach((l, i) => {
        const lvl = this.state.levels[l.level];
        if (!lvl) return;
        lvl.holdingAtoms = (BigInt(lvl.holdingAtoms) + outShares[i]!).toString();
        lvl.costQuoteAtoms = (BigInt(lvl.costQuoteAtoms) + inShares[i]!).toString();
        lvl.buys += 1;
      });
    } else {
      const proceeds = splitExact(report.amountOut, weights);
      const sold = splitExact(report.amountIn, weights);
      alloc.levels.forEach((l, i) => {
        const lvl = this.state.levels[l.level];
        if (!lvl) return;
        const held = BigInt(lvl.holdingAtoms);
        const cost = BigInt(lvl.costQuoteAtoms);
        const soldAtoms = sold[i]! > held ? held : sold[i]!;
        const costShare = held === 0n ? 0n : (cost * soldAtoms) / held;
        lvl.holdingAtoms = (held - soldAtoms).toString();
        lvl.costQuoteAtoms = (cost - costShare).toString();
        lvl.realizedQuoteAtoms = (BigInt(lvl.realizedQuoteAtoms) + proceeds[i]! - costShare).toString();
        lvl.sells += 1;
      });
    }
  }

  exposureUsd(priceUsd: number): number {
    const inventory = this.state.levels.reduce((a, l) => a + BigInt(l.holdingAtoms), 0n);
    return atomsToUsd(inventory, this.market.base.decimals, priceUsd);
  }

  pnl(priceUsd: number, quoteUsd: number): StrategyPnl {
    let inventory = 0n;
    let cost = 0n;
    for (const l of this.state.levels) {
      inventory += BigInt(l.holdingAtoms);
      cost += BigInt(l.costQuoteAtoms);
    }
    const { base, quote } = this.market;
    return {
      realizedUsd: atomsToUsd(this.realizedTotal(), quote.decimals, quoteUsd),
      unrealizedUsd: atomsToUsd(inventory, base.decimals, priceUsd) - atomsToUsd(cost, quote.decimals, quoteUsd),
      feesUsd: this.state.feesUsd,
      inventoryAtoms: inventory,
      realizedAtoms: { [quote.mint]: this.realizedTotal() },
    };
  }

  /** Per-level P&L, for the summary. */
  levels(): readonly GridLevelState[] {
    return this.state.levels;
  }

  summary(): Record<string, unknown> {
    const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      rebalances: this.rebalances,
      levels: this.levels().map((l) => ({ priceUsd: round(l.priceUsd, 4), buys: l.buys, sells: l.sells, realizedPnlUsd: round(Number(BigInt(l.realizedQuoteAtoms)) / 10 ** this.market.quote.decimals) })),
    };
  }

  counters(): PlannerCounters {
    return { rebalances: this.rebalances };
  }

  get rebalances(): number {
    return this.state.rebalances;
  }

  snapshot(): GridState {
    return structuredClone(this.state);
  }

  restore(state: unknown): void {
    if (state && typeof state === 'object' && Array.isArray((state as GridState).levels)) this.state = structuredClone(state as GridState);
  }
}

/**
 * Dollar-cost-averaging planner: a schedule (interval), an amount rule (fixed, or scaled up
 * while the price is below the average entry), and the position with its average entry,
 * from which the rules decide buys (under a price cap, within a position limit) and exits
 * (stop-loss, take-profit: the whole position).
 */
import { atomsToUsd, type Order, type TokenInfo, type ExecutionReport } from '../../orders/index.ts';
import type { FiredEvent } from '../../rules/index.ts';
import { feeUsd, usdToAtoms, type Planner, type PlannerCounters, type StrategyPnl, type TickContext } from '../planner.ts';

/** A DCA's params (params.<strategy> in strategies.yaml; its schema is in kind.ts). */
export interface DcaParams {
  intervalMinutes: number;
  amount: { type: 'fixed' | 'scaled'; usd: number; belowAverageMultiplier?: number };
  maxPriceUsd?: number;
  maxPositionUsd?: number;
  stopLossPct?: number;
  takeProfitPct?: number;
  orderTtlHours?: number;
}

export interface DcaState {
  /** Unix seconds of the last buy decision (null before the first). */
  lastBuyAt: number | null;
  positionAtoms: string;
  costQuoteAtoms: string;
  realizedQuoteAtoms: string;
  buys: number;
  exits: { stopLoss: number; takeProfit: number };
  feesUsd: number;
  /** Orders in flight: buys keep `previousLastBuyAt` so a failed buy does not delay the schedule. */
  pending: Record<string, { side: 'buy' | 'sell'; previousLastBuyAt: number | null; exit?: string }>;
  lastTickAt: string | null;
}

const NEVER_MINUTES = 1e9;

export class DcaPlanner implements Planner {
  readonly strategy: string;
  private state: DcaState = {
    lastBuyAt: null,
    positionAtoms: '0',
    costQuoteAtoms: '0',
    realizedQuoteAtoms: '0',
    buys: 0,
    exits: { stopLoss: 0, takeProfit: 0 },
    feesUsd: 0,
    pending: {},
    lastTickAt: null,
  };

  constructor(
    private readonly market: { base: TokenInfo; quote: TokenInfo },
    strategy = 'dca',
  ) {
    this.strategy = strategy;
  }

  private sellPending(): boolean {
    return Object.values(this.state.pending).some((p) => p.side === 'sell');
  }

  facts(ctx: TickContext): Record<string, unknown> {
    const p = ctx.params as unknown as DcaParams;
    const now = Math.floor(ctx.time.getTime() / 1000);
    this.state.lastTickAt = ctx.time.toISOString();
    const price = ctx.price.usd;
    const { base, quote } = this.market;
    const position = BigInt(this.state.positionAtoms);
    const cost = BigInt(this.state.costQuoteAtoms);
    const positionTokens = Number(position) / 10 ** base.decimals;
    const costUsd = atomsToUsd(cost, quote.decimals, ctx.quoteUsd);
    const valueUsd = positionTokens * price;
    const averageEntryUsd = positionTokens > 0 ? costUsd / positionTokens : 0;
    const pnlPct = costUsd > 0 ? ((valueUsd - costUsd) / costUsd) * 100 : 0;
    const minutes = this.state.lastBuyAt === null ? NEVER_MINUTES : (now - this.state.lastBuyAt) / 60;
    const scaled = p.amount.type === 'scaled' && averageEntryUsd > 0 && price < averageEntryUsd;
    const buyUsd = p.amount.usd * (scaled ? p.amount.belowAverageMultiplier ?? 1 : 1);
    const buyAtoms = usdToAtoms(buyUsd, quote, ctx.quoteUsd);
    // While an exit is in flight the position is spoken for: no further exit, no buy.
    const locked = this.sellPending();
    return {
      dca: {
        due: !locked && minutes >= p.intervalMinutes,
        minutesSinceLastBuy: minutes,
        buyAmountUsd: buyUsd,
        buyAmountAtoms: buyAtoms.toString(),
        positionAtoms: locked ? '0' : position.toString(),
        positionTokens,
        positionCostUsd: costUsd,
        costAfterBuyUsd: costUsd + buyUsd,
        positionValueUsd: valueUsd,
        averageEntryUsd,
        pnlPct,
        drawdownPct: pnlPct < 0 ? -pnlPct : 0,
        buys: locked ? 0 : this.state.buys,
      },
    };
  }

  onSignal(_event: FiredEvent, _ctx: TickContext): void {}

  onOrders(orders: readonly Order[], ctx: TickContext): void {
    const now = Math.floor(ctx.time.getTime() / 1000);
    for (const o of orders) {
      if (o.side === 'buy') {
        this.state.pending[o.id] = { side: 'buy', previousLastBuyAt: this.state.lastBuyAt };
        this.state.lastBuyAt = now;
      } else if (o.side === 'sell') {
        const exit = typeof o.params.exit === 'string' ? o.params.exit : undefined;
        this.state.pending[o.id] = { side: 'sell', previousLastBuyAt: this.state.lastBuyAt, ...(exit ? { exit } : {}) };
      }
    }
  }

  onExecution(order: Order, report: ExecutionReport): void {
    const pending = this.state.pending[order.id];
    if (!pending) return;
    delete this.state.pending[order.id];
    if (report.status !== 'filled') {
      if (pending.side === 'buy') this.state.lastBuyAt = pending.previousLastBuyAt;
      return;
    }
    this.state.feesUsd += feeUsd(pending.side, report, this.market);
    const position = BigInt(this.state.positionAtoms);
    const cost = BigInt(this.state.costQuoteAtoms);
    if (pending.side === 'buy') {
      this.state.positionAtoms = (position + report.amountOut).toString();
      this.state.costQuoteAtoms = (cost + report.amountIn).toString();
      this.state.buys += 1;
      return;
    }
    const sold = report.amountIn > position ? position : report.amountIn;
    const costShare = position === 0n ? 0n : (cost * sold) / position;
    this.state.positionAtoms = (position - sold).toString();
    this.state.costQuoteAtoms = (cost - costShare).toString();
    this.state.realizedQuoteAtoms = (BigInt(this.state.realizedQuoteAtoms) + report.amountOut - costShare).toString();
    if (pending.exit === 'stop-loss') this.state.exits.stopLoss += 1;
    if (pending.exit === 'take-profit') this.state.exits.takeProfit += 1;
    if (this.state.positionAtoms === '0') {
      this.state.buys = 0;
      this.state.costQuoteAtoms = '0';
    }
  }

  /** The average entry price of the open position (NaN when flat), for backtest charts. */
  plots(): ReadonlyArray<{ name: string; value: number }> {
    const position = BigInt(this.state.positionAtoms);
    if (position === 0n) return [{ name: 'average entry', value: NaN }];
    const tokens = Number(position) / 10 ** this.market.base.decimals;
    return [{ name: 'average entry', value: Number(BigInt(this.state.costQuoteAtoms)) / 10 ** this.market.quote.decimals / tokens }];
  }

  exposureUsd(priceUsd: number): number {
    return atomsToUsd(BigInt(this.state.positionAtoms), this.market.base.decimals, priceUsd);
  }

  pnl(priceUsd: number, quoteUsd: number): StrategyPnl {
    const { base, quote } = this.market;
    const position = BigInt(this.state.positionAtoms);
    return {
      realizedUsd: atomsToUsd(BigInt(this.state.realizedQuoteAtoms), quote.decimals, quoteUsd),
      unrealizedUsd: atomsToUsd(position, base.decimals, priceUsd) - atomsToUsd(BigInt(this.state.costQuoteAtoms), quote.decimals, quoteUsd),
      feesUsd: this.state.feesUsd,
      inventoryAtoms: position,
      realizedAtoms: { [quote.mint]: BigInt(this.state.realizedQuoteAtoms) },
    };
  }

  summary(): Record<string, unknown> {
    return { exits: { ...this.exits } };
  }

  counters(): PlannerCounters {
    return { completions: { 'stop-loss': this.exits.stopLoss, 'take-profit': this.exits.takeProfit } };
  }

  get exits(): Readonly<DcaState['exits']> {
    return this.state.exits;
  }

  snapshot(): DcaState {
    return structuredClone(this.state);
  }

  restore(state: unknown): void {
    if (state && typeof state === 'object' && typeof (state as DcaState).positionAtoms === 'string') this.state = structuredClone(state as DcaState);
  }
}

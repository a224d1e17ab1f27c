/**
 * The benchmark's SMA-crossover strategy, in two forms that must trade identically:
 * - `smaCrossKind`: a strategy kind (registered by the benchmark only; the rule-driven `signal`
 *   kind with declared indicators replaces it once it lands) whose planner computes the two
 *   moving averages at each bar close and whose RULE FILE decides entries and exits;
 * - `plainSmaCross`: the same strategy as one plain TypeScript loop (no engine): the floor.
 * Both fill with the documented fill model (next bar open, slippage and fee in bps, exact atoms).
 */
import { field as f, type FactCatalog } from '../../engine/facts/index.ts';
import type { ExecutionReport, Order, TokenInfo } from '../../engine/orders/index.ts';
import type { Planner, StrategyKind, StrategyPnl, TickContext } from '../../engine/strategies/index.ts';

/** Simple moving average over `n` closes, with a running sum (same arithmetic in both forms). */
export class Sma {
  private readonly buf: Float64Array;
  private i = 0;
  private count = 0;
  private sum = 0;
  value = NaN;
  constructor(readonly n: number) {
    this.buf = new Float64Array(n);
  }
  push(x: number): number {
    if (this.count === this.n) this.sum -= this.buf[this.i]!;
    else this.count += 1;
    this.buf[this.i] = x;
    this.sum += x;
    this.i = (this.i + 1) % this.n;
    this.value = this.count === this.n ? this.sum / this.n : NaN;
    return this.value;
  }
}

export interface SmaCrossParams {
  fast: number;
  slow: number;
  orderUsd: number;
}

const facts: FactCatalog = {
  sma: {
    description: 'Benchmark SMA crossover (bench/backtest/sma-cross.ts): two moving averages of the bar closes and the position.',
    fields: {
      ready: f('boolean', 'Both averages have their full window.'),
      fast: f('number', 'Fast SMA of the closes.', 'USD'),
      slow: f('number', 'Slow SMA of the closes.', 'USD'),
      crossUp: f('boolean', 'fast > slow at this close and fast <= slow at the previous one.'),
      crossDown: f('boolean', 'fast < slow at this close and fast >= slow at the previous one.'),
      flat: f('boolean', 'No position and no order in flight.'),
      long: f('boolean', 'A position and no order in flight.'),
      positionAtoms: f('atoms', 'Base atoms held.', 'atoms'),
      buyAtoms: f('atoms', 'Quote atoms of an entry (params orderUsd).', 'atoms'),
    },
  },
};

class SmaCrossPlanner implements Planner {
  private fast: Sma | undefined;
  private slow: Sma | undefined;
  private prevDiff = NaN;
  private position = 0n;
  private pending = 0;
  private readonly fact = { ready: false, fast: NaN, slow: NaN, crossUp: false, crossDown: false, flat: true, long: false, positionAtoms: '0', buyAtoms: '0' };
  private readonly out = { sma: this.fact };
  constructor(readonly strategy: string, private readonly quote: TokenInfo) {}

  facts(ctx: TickContext): Record<string, unknown> {
    const p = ctx.params as unknown as SmaCrossParams;
    this.fast ??= new Sma(p.fast);
    this.slow ??= new Sma(p.slow);
    const close = ctx.bar?.close ?? ctx.price.usd;
    const fast = this.fast.push(close);
    const slow = this.slow.push(close);
    const diff = fast - slow;
    const s = this.fact;
    s.ready = !Number.isNaN(diff);
    s.fast = fast;
    s.slow = slow;
    s.crossUp = s.ready && diff > 0 && this.prevDiff <= 0;
    s.crossDown = s.ready && diff < 0 && this.prevDiff >= 0;
    this.prevDiff = diff;
    s.flat = this.position === 0n && this.pending === 0;
    s.long = this.position > 0n && this.pending === 0;
    s.positionAtoms = this.pending ? '0' : this.position.toString();
    s.buyAtoms = String(Math.round(p.orderUsd * 10 ** this.quote.decimals));
    return this.out;
  }
  plots(): ReadonlyArray<{ name: string; value: number }> {
    return [
      { name: 'fast SMA', value: this.fact.fast },
      { name: 'slow SMA', value: this.fact.slow },
    ];
  }
  onSignal(): void {}
  onOrders(orders: readonly Order[]): void {
    this.pending += orders.length;
  }
  onExecution(order: Order, report: ExecutionReport): void {
    this.pending = Math.max(0, this.pending - 1);
    if (report.status !== 'filled') return;
    if (order.side === 'buy') this.position += report.amountOut;
    else if (order.side === 'sell') this.position -= report.amountIn;
  }
  exposureUsd(priceUsd: number): number {
    return (Number(this.position) / 1e9) * priceUsd;
  }
  pnl(): StrategyPnl {
    return { realizedUsd: 0, unrealizedUsd: 0, feesUsd: 0, inventoryAtoms: this.position };
  }
  snapshot(): unknown {
    return { position: this.position.toString() };
  }
  restore(): void {}
}

export const smaCrossKind: StrategyKind = {
  kind: 'bench-sma-cross',
  description: 'Benchmark only: SMA crossover; the planner computes the averages, the rule file decides.',
  paramsSchema: {
    type: 'object',
    required: ['fast', 'slow', 'orderUsd'],
    additionalProperties: false,
    properties: { fast: { type: 'integer', minimum: 1 }, slow: { type: 'integer', minimum: 2 }, orderUsd: { type: 'number', exclusiveMinimum: 0 } },
  },
  facts,
  modes: ['replay', 'chain'],
  createPlanner: (ctx) => new SmaCrossPlanner(ctx.name, ctx.market.quote),
};

/** The strategy's rule file: enter on a cross up when flat, exit the whole position on a cross down. */
export const SMA_CROSS_RULES = `id: sma-cross
kind: strategy
description: Benchmark SMA crossover.
rules:
  - id: sma-exit
    priority: 20
    conditions:
      all:
        - { fact: sma, path: crossDown, operator: equal, value: true }
        - { fact: sma, path: long, operator: equal, value: true }
    event:
      type: order
      params: { side: sell, amountIn: { fact: sma, path: positionAtoms }, maxSlippageBps: 5000, ttlHours: 12, urgency: normal, exit: signal }
  - id: sma-enter
    priority: 10
    conditions:
      all:
        - { fact: sma, path: crossUp, operator: equal, value: true }
        - { fact: sma, path: flat, operator: equal, value: true }
    event:
      type: order
      params: { side: buy, amountIn: { fact: sma, path: buyAtoms }, maxSlippageBps: 5000, ttlHours: 12, urgency: normal }
`;

/** A fill of the plain loop. */
export interface PlainFill {
  timeMs: number;
  side: 'buy' | 'sell';
  price: number;
  baseAtoms: bigint;
  quoteAtoms: bigint;
}

const scaled = (p: number) => BigInt(Math.round(p * 1e12));
const fee = (amount: bigint, bps: number) => (amount * BigInt(Math.round(bps * 100)) + 999_999n) / 1_000_000n;

/**
 * The same strategy as a plain loop over the bars: decision at close i, fill at open i+1 moved
 * against the order by `slippageBps`, fee `feeBps` of the input rounded up, amounts floored
 * (docs/backtest.md, "Fill model"). Base 9 decimals, quote 6.
 */
export function plainSmaCross(bars: { time: Float64Array; open: Float64Array; close: Float64Array }, p: SmaCrossParams & { feeBps: number; slippageBps: number }): PlainFill[] {
  const fast = new Sma(p.fast);
  const slow = new Sma(p.slow);
  const fills: PlainFill[] = [];
  const slip = p.slippageBps / 10_000;
  const buyAtoms = BigInt(Math.round(p.orderUsd * 1e6));
  let prevDiff = NaN;
  let position = 0n;
  const n = bars.time.length;
  for (let i = 0; i < n; i++) {
    const diff = fast.push(bars.close[i]!) - slow.push(bars.close[i]!);
    const ready = !Number.isNaN(diff);
    const up = ready && diff > 0 && prevDiff <= 0;
    const down = ready && diff < 0 && prevDiff >= 0;
    prevDiff = diff;
    if (i + 1 >= n) break; // no next bar to fill at
    if (down && position > 0n) {
      const price = bars.open[i + 1]! * (1 - slip);
      const out = ((position - fee(position, p.feeBps)) * scaled(price) * 10n ** 6n) / (scaled(1) * 10n ** 9n);
      fills.push({ timeMs: bars.time[i + 1]!, side: 'sell', price, baseAtoms: position, quoteAtoms: out });
      position = 0n;
    } else if (up && position === 0n) {
      const price = bars.open[i + 1]! * (1 + slip);
      const out = ((buyAtoms - fee(buyAtoms, p.feeBps)) * scaled(1) * 10n ** 9n) / (scaled(price) * 10n ** 6n);
      fills.push({ timeMs: bars.time[i + 1]!, side: 'buy', price, baseAtoms: out, quoteAtoms: buyAtoms });
      position = out;
    }
  }
  return fills;
}

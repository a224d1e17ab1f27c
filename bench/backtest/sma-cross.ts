/**
 * The benchmark's SMA-crossover strategy, in two forms that must trade identically:
 * - `smaCrossStrategy`: the shipped example (`rules/sma-cross.yaml`, a `kind: signal` strategy)
 *   with two declared SMAs and a fixed USD entry, as the strategies.yaml entry and rule file the
 *   engine runs: the signal planner keeps the indicators and the position, the rule file decides;
 * - `plainSmaCross`: the same strategy as one plain TypeScript loop (no engine): the floor.
 * Both fill with the documented fill model (next bar open, slippage and fee in bps, exact atoms).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../test/support/paths.ts';

/**
 * Simple moving average over `n` closes with a running sum, recomputed from the window (newest
 * first) every max(n, 4096) pushes — the arithmetic of the engine's SMA (engine/indicators), so
 * both forms see the same crossings to the last bit.
 */
export class Sma {
  private readonly buf: Float64Array;
  private head = 0;
  private count = 0;
  private sum = 0;
  private untilResync: number;
  value = NaN;
  constructor(readonly n: number) {
    this.buf = new Float64Array(n);
    this.untilResync = Math.max(n, 4096);
  }
  push(x: number): number {
    const n = this.n;
    const old = this.count >= n ? this.buf[this.head]! : 0;
    this.buf[this.head] = x;
    this.head = this.head + 1 === n ? 0 : this.head + 1;
    this.count += 1;
    this.sum += this.count > n ? x - old : x;
    if (--this.untilResync === 0) {
      this.untilResync = Math.max(n, 4096);
      let s = 0;
      for (let back = 0; back < Math.min(this.count, n); back++) {
        let i = this.head - 1 - back;
        if (i < 0) i += n;
        s += this.buf[i]!;
      }
      this.sum = s;
    }
    this.value = this.count >= n ? this.sum / n : NaN;
    return this.value;
  }
}

export interface SmaCrossParams {
  fast: number;
  slow: number;
  orderUsd: number;
}

/**
 * The strategies.yaml entry (indented by 2) and rule file of strategy `name`: the shipped
 * rules/sma-cross.yaml with its ids and params path renamed to `name`, two SMAs, a fixed USD entry
 * and no protective exits (the plain loop has none). maxSlippageBps is wide so that every order
 * fills, as in the plain loop (a gap between a close and the next open is not a failed fill there).
 */
export function smaCrossStrategy(name: string, p: SmaCrossParams): { entry: string; rules: string } {
  const shipped = readFileSync(join(REPO_ROOT, 'rules/sma-cross.yaml'), 'utf8');
  const rules = shipped.replaceAll('sma-cross', name);
  const entry = `  ${name}:
    kind: signal
    enabled: true
    rules: rules/${name}.yaml
    indicators:
      fast: { sma: ${p.fast} }
      slow: { sma: ${p.slow} }
    params:
      sizing: { type: usd, value: ${p.orderUsd} }
      maxSlippageBps: 5000
      maxExitChunkUsd: 1000000
`;
  return { entry, rules };
}

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
 * The same strategy as a plain loop over the bars: the fast SMA crosses above the slow one
 * (fast ≤ slow at the previous close, fast > slow at this one, both ready at both) → buy
 * `orderUsd` when flat; crosses below → sell the whole position. Decision at close i, fill at open
 * i+1 moved against the order by `slippageBps`, fee `feeBps` of the input rounded up, amounts
 * floored (docs/backtest.md, "Fill model"). Base 9 decimals, quote 6.
 */
export function plainSmaCross(bars: { time: Float64Array; open: Float64Array; close: Float64Array }, p: SmaCrossParams & { feeBps: number; slippageBps: number }): PlainFill[] {
  const fast = new Sma(p.fast);
  const slow = new Sma(p.slow);
  const fills: PlainFill[] = [];
  const slip = p.slippageBps / 10_000;
  const buyAtoms = BigInt(Math.floor(p.orderUsd * 1e6));
  let prevFast = NaN;
  let prevSlow = NaN;
  let position = 0n;
  const n = bars.time.length;
  for (let i = 0; i < n; i++) {
    const f = fast.push(bars.close[i]!);
    const s = slow.push(bars.close[i]!);
    // NaN (not ready) fails every comparison: no crossing until both averages are ready at both closes.
    const up = prevFast <= prevSlow && f > s;
    const down = prevFast >= prevSlow && f < s;
    prevFast = f;
    prevSlow = s;
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

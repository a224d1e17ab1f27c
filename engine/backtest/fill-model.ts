/**
 * The backtest fill model: when and at what price an order decided at a bar's close is filled.
 * The paper executor applies fee and slippage; this module only decides the reference price and
 * time. Written out in docs/backtest.md ("Fill model"), pinned by test/backtest/fill-model.test.ts.
 */
import { SolrulesError } from '../errors/index.ts';

/** `next-open`: fill at the next bar's open (default); `close`: fill at the deciding bar's close. */
export type FillAt = 'next-open' | 'close';

export const FILL_AT: readonly FillAt[] = ['next-open', 'close'];

export interface FillModelConfig {
  fillAt: FillAt;
  /** Fee on the order's input, in basis points (paper.feeBps), rounded up to a whole atom. */
  feeBps: number;
  /** The reference price moved against the order, in basis points (paper.slippageBps). */
  slippageBps: number;
}

/** A checked fill model; a bad value is a typed error naming the field. */
export function fillModel(input: { fillAt?: string; feeBps?: number; slippageBps?: number }, field = 'backtest'): FillModelConfig {
  const fillAt = (input.fillAt ?? 'next-open') as FillAt;
  if (!FILL_AT.includes(fillAt)) throw new SolrulesError('BACKTEST_BAD_FILL_MODEL', `${field}.fillAt must be one of ${FILL_AT.join(', ')}; got '${input.fillAt}'`, { field: `${field}.fillAt`, value: input.fillAt });
  const feeBps = input.feeBps ?? 25;
  const slippageBps = input.slippageBps ?? 10;
  for (const [k, v] of [['feeBps', feeBps], ['slippageBps', slippageBps]] as const) {
    if (!Number.isFinite(v) || v < 0 || v >= 10_000) throw new SolrulesError('BACKTEST_BAD_FILL_MODEL', `${field}.${k} must be a number of basis points in [0, 10000); got ${v}`, { field: `${field}.${k}`, value: v });
  }
  return { fillAt, feeBps, slippageBps };
}

/** One line for the report banner. */
export function describeFillModel(m: FillModelConfig): string {
  const at = m.fillAt === 'next-open' ? 'fill at the next bar open' : 'fill at the same bar close';
  // fee and slippage figures are shown beside it by the report
  return `decision at bar close, ${at}; slippage moves the price against the order, the fee is taken from the input (rounded up to an atom)`;
}

/**
 * Reference price and time of the fills of orders decided at the close of bar `i`:
 * next-open → bar i+1's open at bar i+1's open time (none after the last bar);
 * close → bar i's close at bar i's close time.
 */
export function fillReference(m: FillModelConfig, bars: { time: ArrayLike<number>; open: ArrayLike<number>; close: ArrayLike<number> }, i: number, intervalMs: number): { priceUsd: number; timeMs: number } | undefined {
  if (m.fillAt === 'close') return { priceUsd: bars.close[i]!, timeMs: bars.time[i]! + intervalMs };
  if (i + 1 >= bars.time.length) return undefined;
  return { priceUsd: bars.open[i + 1]!, timeMs: bars.time[i + 1]! };
}

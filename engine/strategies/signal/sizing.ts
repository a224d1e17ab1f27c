/**
 * Position sizing of a signal strategy: how many quote atoms an entry spends. Exact: the USD
 * amount becomes atoms once (floor), then is capped by the free quote balance in atoms.
 */
import { usdToAtoms } from '../planner.ts';
import type { TokenInfo } from '../../orders/index.ts';

export type SizingType = 'usd' | 'equityPct' | 'quotePct' | 'risk';

/** `value`: USD for `usd`; percent of equity / of free quote for `equityPct` / `quotePct`; percent of equity lost at the stop for `risk`. */
export interface Sizing {
  type: SizingType;
  value: number;
}

export interface SizingInput {
  sizing: Sizing;
  /** Quote + base valued at the price (the wallet the strategy trades from). */
  equityUsd: number;
  freeQuoteAtoms: bigint;
  quote: TokenInfo;
  quoteUsd: number;
  /** Entry price used for the risk sizing's stop distance. */
  priceUsd: number;
  /** Price of the stop an entry now would get (risk sizing); undefined when no stop is declared. */
  stopUsd: number | undefined;
  /** Largest entry in USD (keeps entries under the risk rules' order limit). */
  maxUsd?: number;
}

/** Quote atoms an entry spends now, and the USD it aimed for before the balance cap. */
export function entrySize(i: SizingInput): { atoms: bigint; usd: number } {
  let usd: number;
  switch (i.sizing.type) {
    case 'usd':
      usd = i.sizing.value;
      break;
    case 'equityPct':
      usd = (i.equityUsd * i.sizing.value) / 100;
      break;
    case 'quotePct':
      usd = ((Number(i.freeQuoteAtoms) / 10 ** i.quote.decimals) * i.quoteUsd * i.sizing.value) / 100;
      break;
    case 'risk': {
      // Lose `value` % of equity if the stop is hit: size = risk USD / stop distance as a fraction of the price.
      const distance = i.stopUsd === undefined ? 0 : (i.priceUsd - i.stopUsd) / i.priceUsd;
      usd = distance > 0 ? (i.equityUsd * i.sizing.value) / 100 / distance : 0;
      break;
    }
  }
  if (i.maxUsd !== undefined && usd > i.maxUsd) usd = i.maxUsd;
  if (!(usd > 0) || !Number.isFinite(usd)) return { atoms: 0n, usd: 0 };
  const atoms = usdToAtoms(usd, i.quote, i.quoteUsd);
  return { atoms: atoms < i.freeQuoteAtoms ? atoms : i.freeQuoteAtoms, usd };
}

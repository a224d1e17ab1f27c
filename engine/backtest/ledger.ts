/**
 * A strategy's book in a backtest: its fills, its round trips (FIFO lots: each buy fill is a lot,
 * each sell closes the oldest lots first, a partial sell splits a lot) and its cash, all in exact
 * atoms. Shares of a split are floored, and the last share takes the remainder, so the trades of
 * a fill always add up to the fill exactly.
 */
import type { Fill, Trade } from './report/index.ts';

interface Lot {
  timeMs: number;
  barIndex: number;
  price: number;
  /** Base atoms still open. */
  baseAtoms: bigint;
  /** Quote atoms still attributed to the open part: paid including the fee. */
  costAtoms: bigint;
  /** The fee part of `costAtoms`. */
  feeAtoms: bigint;
}

/** Quote atoms worth `baseAtoms` at `price` (quote per whole base), floored. */
export function baseToQuoteAtoms(baseAtoms: bigint, price: number, baseDecimals: number, quoteDecimals: number): bigint {
  // price as a fixed-point integer (12 decimals), as the paper executor converts amounts
  const scaled = BigInt(Math.round(price * 1e12));
  // (atoms · scaled · 10^q) // 10^(12 + b), with the powers of ten cancelled first (the same floor: one product and one division fewer).
  const shift = 12 + baseDecimals - quoteDecimals;
  return shift >= 0 ? (baseAtoms * scaled) / pow10(shift) : baseAtoms * scaled * pow10(-shift);
}

/** 10^n as a bigint, computed once per n (this runs for every bar's valuation). */
const POW10: bigint[] = [];
function pow10(n: number): bigint {
  return (POW10[n] ??= 10n ** BigInt(n));
}

function share(total: bigint, part: bigint, whole: bigint): bigint {
  return part === whole ? total : (total * part) / whole;
}

export class StrategyLedger {
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  private readonly lots: Lot[] = [];
  /** Quote atoms received minus paid (fees included): the strategy's cash flow. */
  cashAtoms = 0n;
  /** Base atoms bought minus sold. */
  baseAtoms = 0n;
  /** Base atoms sold that no open lot covered (from the starting balance): not a trade. */
  unmatchedSoldAtoms = 0n;

  constructor(
    readonly strategyId: string,
    readonly marketId: string,
    private readonly decimals: { base: number; quote: number },
  ) {}

  /** A buy: `quoteIn` atoms paid (fee included), `feeAtoms` of them the fee, `baseOut` atoms received. */
  buy(at: { timeMs: number; barIndex: number }, price: number, quoteIn: bigint, feeAtoms: bigint, baseOut: bigint, orderId: string, reason: string): void {
    this.cashAtoms -= quoteIn;
    this.baseAtoms += baseOut;
    this.fills.push({ strategyId: this.strategyId, marketId: this.marketId, timeMs: at.timeMs, side: 'buy', price, sizeAtoms: baseOut, feeQuoteAtoms: feeAtoms, orderId, reason });
    if (baseOut > 0n) this.lots.push({ timeMs: at.timeMs, barIndex: at.barIndex, price, baseAtoms: baseOut, costAtoms: quoteIn, feeAtoms });
  }

  /** A sell: `baseIn` atoms given (fee included: charged in base), `feeBaseAtoms` of them the fee, `quoteOut` received. */
  sell(at: { timeMs: number; barIndex: number }, price: number, baseIn: bigint, feeBaseAtoms: bigint, quoteOut: bigint, orderId: string, reason: string): void {
    this.cashAtoms += quoteOut;
    this.baseAtoms -= baseIn;
    const feeQuote = baseToQuoteAtoms(feeBaseAtoms, price, this.decimals.base, this.decimals.quote);
    this.fills.push({ strategyId: this.strategyId, marketId: this.marketId, timeMs: at.timeMs, side: 'sell', price, sizeAtoms: baseIn, feeQuoteAtoms: feeQuote, orderId, reason });
    let left = baseIn;
    let proceedsLeft = quoteOut;
    let feeLeft = feeQuote;
    while (left > 0n && this.lots.length) {
      const lot = this.lots[0]!;
      const take = lot.baseAtoms < left ? lot.baseAtoms : left;
      const proceeds = share(proceedsLeft, take, left);
      const exitFee = share(feeLeft, take, left);
      const cost = share(lot.costAtoms, take, lot.baseAtoms);
      const entryFee = share(lot.feeAtoms, take, lot.baseAtoms);
      const pnl = proceeds - cost;
      this.trades.push({
        strategyId: this.strategyId,
        marketId: this.marketId,
        entryTimeMs: lot.timeMs,
        entryPrice: lot.price,
        exitTimeMs: at.timeMs,
        exitPrice: price,
        sizeAtoms: take,
        entryValueQuoteAtoms: cost - entryFee,
        pnlQuoteAtoms: pnl,
        pnlUsd: Number(pnl) / 10 ** this.decimals.quote,
        feesQuoteAtoms: entryFee + exitFee,
        feesUsd: Number(entryFee + exitFee) / 10 ** this.decimals.quote,
        barsHeld: at.barIndex - lot.barIndex,
        exitReason: reason,
      });
      lot.baseAtoms -= take;
      lot.costAtoms -= cost;
      lot.feeAtoms -= entryFee;
      if (lot.baseAtoms === 0n) this.lots.shift();
      left -= take;
      proceedsLeft -= proceeds;
      feeLeft -= exitFee;
    }
    this.unmatchedSoldAtoms += left;
  }

  /** Quote atoms of the strategy's P&L with its inventory marked at `price` (`value`: the conversion, e.g. a remembered one). */
  pnlAtoms(price: number, value: (baseAtoms: bigint, price: number) => bigint = (b, p) => baseToQuoteAtoms(b, p, this.decimals.base, this.decimals.quote)): bigint {
    return this.baseAtoms > 0n ? this.cashAtoms + value(this.baseAtoms, price) : this.cashAtoms;
  }

  /** Lots still open, as open trades marked at `price` (the last close). */
  openTrades(price: number, lastBarIndex: number): Trade[] {
    return this.lots.map((lot) => {
      const value = baseToQuoteAtoms(lot.baseAtoms, price, this.decimals.base, this.decimals.quote);
      const pnl = value - lot.costAtoms;
      return {
        strategyId: this.strategyId,
        marketId: this.marketId,
        entryTimeMs: lot.timeMs,
        entryPrice: lot.price,
        exitTimeMs: null,
        exitPrice: null,
        sizeAtoms: lot.baseAtoms,
        entryValueQuoteAtoms: lot.costAtoms - lot.feeAtoms,
        pnlQuoteAtoms: pnl,
        pnlUsd: Number(pnl) / 10 ** this.decimals.quote,
        feesQuoteAtoms: lot.feeAtoms,
        feesUsd: Number(lot.feeAtoms) / 10 ** this.decimals.quote,
        barsHeld: lastBarIndex - lot.barIndex,
        exitReason: null,
      };
    });
  }
}

/**
 * One DLMM bin, quoted as `commons/src/quote.rs` does (`swap_exact_in_quote_at_bin`,
 * `swap_exact_out_quote_at_bin`): market-maker liquidity first, then the processed limit-order
 * cohort, then open orders; the fee on the input or the output; the protocol / limit-order split.
 */
import { swapRejected } from './errors.ts';
import { BASIS_POINT_MAX, LIMIT_ORDER_FEE_SHARE, U64_MAX, computeFee, computeFeeFromAmount, getAmountIn, getAmountOut } from './math.ts';
import type { DlmmBinLiquidity as DlmmBin } from './layout.ts';

/** One bin's part of a quote. */
export interface BinQuote {
  amountIn: bigint;
  amountOut: bigint;
  fee: bigint;
  protocolFee: bigint;
  surplus: bigint;
  /** The trading fee when nothing was filled (split_fee then assigns it to nobody). */
  unsplit: bigint;
}

/** Checked u64 subtraction. */
export function sub(a: bigint, b: bigint): bigint {
  if (b > a) throw swapRejected('MathOverflow', 'amount underflows');
  return a - b;
}

/** Checked u64 addition. */
export function add(a: bigint, b: bigint): bigint {
  const r = a + b;
  if (r > U64_MAX) throw swapRejected('MathOverflow', 'amount overflows u64');
  return r;
}

/** (open orders, processed remaining) the swap can fill in this bin, by side (`get_limit_order_amounts_by_direction`). */
function limitOrderAmounts(bin: DlmmBin, swapForY: boolean): [bigint, bigint] {
  const ask = bin.limitOrderAskSide !== 0;
  return swapForY !== ask ? [bin.openOrderAmount, bin.processedOrderRemainingAmount] : [0n, 0n];
}

export function maxAmountOut(bin: DlmmBin, swapForY: boolean, limitOrders: boolean): bigint {
  const mm = swapForY ? bin.amountY : bin.amountX;
  if (!limitOrders) return mm;
  const [open, processed] = limitOrderAmounts(bin, swapForY);
  let total = mm + open;
  if (total > U64_MAX) total = U64_MAX;
  total += processed;
  return total > U64_MAX ? U64_MAX : total;
}

class Fill {
  amountIn = 0n;
  amountLeft = 0n;
  outAmount = 0n;
}

function fillExactIn(amount: bigint, maxOut: bigint, price: bigint, swapForY: boolean, into: Fill): void {
  if (maxOut === 0n) {
    into.amountIn = 0n;
    into.amountLeft = amount;
    into.outAmount = 0n;
    return;
  }
  const maxIn = getAmountIn(maxOut, price, swapForY, true);
  if (amount >= maxIn) {
    into.amountIn = maxIn;
    into.amountLeft = amount - maxIn;
    into.outAmount = maxOut;
  } else {
    into.amountIn = amount;
    into.amountLeft = 0n;
    into.outAmount = getAmountOut(amount, price, swapForY);
  }
}

function splitProtocolFee(tradingFee: bigint, protocolShare: bigint, mmAmountIn: bigint, totalAmountIn: bigint): bigint {
  if (totalAmountIn === 0n || tradingFee === 0n) return 0n;
  const mmFee = (tradingFee * mmAmountIn + totalAmountIn - 1n) / totalAmountIn;
  if (mmFee > U64_MAX) throw swapRejected('MathOverflow', 'fee split overflows');
  const totalLoFee = sub(tradingFee, mmFee);
  const loFee = (totalLoFee * LIMIT_ORDER_FEE_SHARE) / BASIS_POINT_MAX;
  const loProtocolFee = totalLoFee - loFee;
  const mmProtocolFee = (mmFee * protocolShare) / BASIS_POINT_MAX;
  const total = loProtocolFee + mmProtocolFee;
  if (total > tradingFee) throw swapRejected('MathOverflow', 'protocol fee exceeds the trading fee');
  return total;
}

const scratch = new Fill();

/** `swap_exact_in_quote_at_bin`. */
export function exactInAtBin(bin: DlmmBin, price: bigint, rate: bigint, protocolShare: bigint, inAmount: bigint, swapForY: boolean, limitOrders: boolean, onInput: boolean): BinQuote {
  let tradingFee = 0n;
  let excludedIn = inAmount;
  if (onInput) {
    tradingFee = computeFeeFromAmount(inAmount, rate);
    excludedIn = sub(inAmount, tradingFee);
  }
  // Market-maker liquidity first, then the processed limit-order cohort, then open orders.
  const mm = swapForY ? bin.amountY : bin.amountX;
  fillExactIn(excludedIn, mm, price, swapForY, scratch);
  const mmAmountIn = scratch.amountIn;
  let totalIn = scratch.amountIn;
  let totalOut = scratch.outAmount;
  if (limitOrders && scratch.amountLeft > 0n) {
    const [open, processed] = limitOrderAmounts(bin, swapForY);
    fillExactIn(scratch.amountLeft, processed, price, swapForY, scratch);
    totalIn = add(totalIn, scratch.amountIn);
    totalOut = add(totalOut, scratch.outAmount);
    if (scratch.amountLeft > 0n) {
      fillExactIn(scratch.amountLeft, open, price, swapForY, scratch);
      totalIn = add(totalIn, scratch.amountIn);
      totalOut = add(totalOut, scratch.outAmount);
    }
  }
  const amountLeft = sub(excludedIn, totalIn);
  let includedIn = inAmount;
  if (amountLeft > 0n) {
    excludedIn = sub(excludedIn, amountLeft);
    if (onInput) {
      tradingFee = computeFee(excludedIn, rate);
      includedIn = add(excludedIn, tradingFee);
    } else {
      includedIn = excludedIn;
    }
  }
  let excludedOut = totalOut;
  if (!onInput) {
    tradingFee = computeFeeFromAmount(totalOut, rate);
    excludedOut = sub(totalOut, tradingFee);
  }
  return {
    amountIn: includedIn,
    amountOut: excludedOut,
    fee: tradingFee,
    protocolFee: splitProtocolFee(tradingFee, protocolShare, mmAmountIn, totalIn),
    surplus: 0n,
    unsplit: totalIn === 0n ? tradingFee : 0n,
  };
}

/** `get_excluded_fee_amount_in`: input for `out` across the bin's layers, each rounded up. */
function excludedFeeAmountIn(bin: DlmmBin, price: bigint, swapForY: boolean, out: bigint): bigint {
  const mm = swapForY ? bin.amountY : bin.amountX;
  const [open, processed] = limitOrderAmounts(bin, swapForY);
  let remaining = out;
  let take = remaining < mm ? remaining : mm;
  let total = getAmountIn(take, price, swapForY, true);
  remaining -= take;
  if (remaining > 0n) {
    take = remaining < processed ? remaining : processed;
    total = add(total, getAmountIn(take, price, swapForY, true));
    remaining -= take;
    if (remaining > 0n) {
      take = remaining < open ? remaining : open;
      total = add(total, getAmountIn(take, price, swapForY, true));
    }
  }
  return total;
}

/** `swap_exact_out_quote_at_bin`. */
export function exactOutAtBin(bin: DlmmBin, price: bigint, rate: bigint, protocolShare: bigint, outAmount: bigint, swapForY: boolean, limitOrders: boolean, onInput: boolean): BinQuote {
  const includedOut = onInput ? outAmount : add(outAmount, computeFee(outAmount, rate));
  if (includedOut >= maxAmountOut(bin, swapForY, limitOrders)) {
    return exactInAtBin(bin, price, rate, protocolShare, U64_MAX, swapForY, limitOrders, onInput); // drain the bin
  }
  const excludedIn = excludedFeeAmountIn(bin, price, swapForY, includedOut);
  const includedIn = onInput ? add(excludedIn, computeFee(excludedIn, rate)) : excludedIn;
  const r = exactInAtBin(bin, price, rate, protocolShare, includedIn, swapForY, limitOrders, onInput);
  if (r.amountOut > outAmount) {
    // Rounding surplus above 1 atom goes to the protocol.
    const delta = r.amountOut - outAmount;
    if (delta > 1n) {
      r.protocolFee = add(r.protocolFee, delta);
      r.surplus = delta;
    }
  }
  r.amountOut = outAmount;
  return r;
}


/**
 * Meteora DLMM quotes, bin by bin, as `commons/src/quote.rs` (`quote_exact_in`, `quote_exact_out`,
 * whose integration tests compare with the program's swap): reference update on the clock, the
 * volatility accumulator refreshed at every bin with liquidity, base + variable fee, limit orders
 * resting in bins (processed cohort, then open orders), the pair's fee side, and Token-2022 transfer
 * fees on either mint. One deliberate difference: a bin whose stored price is 0 is priced from its id
 * (`get_or_store_bin_price`, as the program's swap does), where the reference quoter's exact-in path
 * reads the raw 0.
 */
import { dexError, swapRejected } from './errors.ts';
import { BinArrayIndex } from './bitmap.ts';
import {
  BASIS_POINT_MAX,
  MAX_BIN_ID,
  MIN_BIN_ID,
  U64_MAX,
  binIdToBinArrayIndex,
  getPriceFromId,
  baseFeeRate,
  totalFeeRate,
  type FeeParams,
} from './math.ts';
import { calculateInverseTransferFee, calculateTransferFee, effectiveTransferFee, requireTransferable, type MintInfo } from '../spl-token/index.ts';
import type { DlmmBinLiquidity as DlmmBin, LbPair } from './layout.ts';
import { add, exactInAtBin, exactOutAtBin, maxAmountOut, sub } from './bin.ts';

const DEFAULT_PUBKEY = '11111111111111111111111111111111';

/**
 * More bins than any transaction can walk (the program spends thousands of compute units per bin
 * and a transaction has 1.4 M): a swap needing more is refused rather than simulated at length.
 */
export const MAX_BINS_WALKED = 20_000;

/** What arrives when `amount` of `mint` is sent (`calculate_transfer_fee_excluded_amount`). */
function transferFeeExcluded(mint: MintInfo | undefined, amount: bigint, epoch: bigint | undefined): bigint {
  const effective = mint ? effectiveTransferFee(mint, epoch) : null;
  return effective ? amount - calculateTransferFee(effective.fee, amount) : amount;
}

/** What to send so that `amount` of `mint` arrives (`calculate_transfer_fee_included_amount`). */
function transferFeeIncluded(mint: MintInfo | undefined, amount: bigint, epoch: bigint | undefined): bigint {
  const effective = mint && amount > 0n ? effectiveTransferFee(mint, epoch) : null;
  if (!effective) return amount;
  const fee = effective.fee.basisPoints === 10_000 ? effective.fee.maximumFee : calculateInverseTransferFee(effective.fee, amount);
  if (fee === null || amount + fee > U64_MAX) throw swapRejected('MathOverflow', 'amount plus transfer fee overflows u64');
  return amount + fee;
}

export interface DlmmBinArray {
  address: string;
  index: number;
  /** Bin `i` (0…69) of the array, read when the walk reaches it (`BinArrayBins`). */
  bin(i: number): DlmmBin;
}

/** Everything a DLMM quote reads. */
export interface DlmmQuoteContext {
  pairAddress: string;
  lbPair: LbPair;
  bitmap: BinArrayIndex;
  binArrays: ReadonlyMap<number, DlmmBinArray>;
  /** The pair's mints, when known: Token-2022 transfer fees apply to the amounts moved. */
  mintX?: MintInfo | undefined;
  mintY?: MintInfo | undefined;
}

export interface DlmmClock {
  unixTimestamp: number;
  /** Needed for pairs activated by slot (permissioned / customizable pairs). */
  slot?: number | undefined;
  /** Needed only when a mint's transfer fee changes between epochs. */
  epoch?: bigint | undefined;
}

export interface DlmmQuoteResult {
  /** Exact in: the amount given; exact out: the input needed (transfer fee included). */
  amountIn: bigint;
  /** Exact in: output after transfer fee; exact out: the amount asked. */
  amountOut: bigint;
  /** Trading fee (LP + protocol + limit-order share), in the fee token. */
  fee: bigint;
  protocolFee: bigint;
  /** Part of `protocolFee` that is exact-out rounding surplus (output above the ask, credited to the protocol), not fee. */
  roundingSurplus: bigint;
  /** Part of `fee` charged in bins that filled nothing (input dust that only pays fee); the SDK leaves it out of its fee. */
  feeWithoutFill: bigint;
  feeOnInput: boolean;
  /** Amount the pool takes in (after the input transfer fee) and gives out (before the output transfer fee). */
  poolAmountIn: bigint;
  poolAmountOut: bigint;
  /** Bin arrays the swap walks through, in order. */
  binArrays: string[];
  /** Active bin id where the swap ends. */
  endBinId: number;
}

/** Whether the pair fills limit orders (`is_support_limit_order`). */
export function supportsLimitOrders(pair: LbPair): boolean {
  switch (pair.parameters.functionType) {
    case 2:
      return true;
    case 1:
      return false;
    case 0:
      return pair.rewardInfos.every((r) => r.mint === DEFAULT_PUBKEY);
    default:
      return false;
  }
}

/** Whether the fee is taken from the input token (`fee_on_input`; collect mode 1 charges Y only). */
export function feeOnInput(pair: LbPair, swapForY: boolean): boolean {
  return pair.parameters.collectFeeMode === 1 ? !swapForY : true;
}

function requireTrading(ctx: DlmmQuoteContext, clock: DlmmClock): void {
  const pair = ctx.lbPair;
  if (ctx.mintX) requireTransferable(ctx.mintX);
  if (ctx.mintY) requireTransferable(ctx.mintY);
  if (pair.status !== 0) {
    throw dexError('DEX_POOL_NOT_TRADING', `Meteora DLMM pair ${ctx.pairAddress} is disabled (status ${pair.status})`, {
      account: ctx.pairAddress,
      field: 'status',
      value: pair.status,
    });
  }
  if (pair.pairType > 3) throw swapRejected('InvalidPairType', `pair type ${pair.pairType} is unknown`, { account: ctx.pairAddress, field: 'pair_type' });
  if (pair.pairType === 1 || pair.pairType === 2) {
    if (pair.activationType > 1) throw swapRejected('InvalidActivationType', `activation type ${pair.activationType} is unknown`, { account: ctx.pairAddress });
    const bySlot = pair.activationType === 0;
    const point = bySlot ? clock.slot : clock.unixTimestamp;
    if (point === undefined) {
      throw dexError('DEX_POOL_NOT_TRADING', `Meteora DLMM pair ${ctx.pairAddress} activates at slot ${pair.activationPoint}; give the current slot to quote it`, {
        account: ctx.pairAddress,
        field: 'activation_point',
        value: pair.activationPoint,
      });
    }
    if (BigInt(point) < pair.activationPoint) {
      throw dexError('DEX_POOL_NOT_TRADING', `Meteora DLMM pair ${ctx.pairAddress} activates at ${bySlot ? 'slot' : 'time'} ${pair.activationPoint}`, {
        account: ctx.pairAddress,
        field: 'activation_point',
        value: pair.activationPoint,
      });
    }
  }
}

interface Walk {
  activeId: number;
  feeParams: FeeParams;
  volatilityReference: number;
  indexReference: number;
  maxVolatilityAccumulator: number;
  walked: number;
  /** The pair's base fee rate, computed at the first bin that needs it (where the program would fail on it). */
  baseFee: bigint | undefined;
}

function startWalk(pair: LbPair, now: number): Walk {
  const v = pair.vParameters;
  const s = pair.parameters;
  let indexReference = v.indexReference;
  let volatilityReference = v.volatilityReference;
  const elapsed = BigInt(now) - v.lastUpdateTimestamp;
  if (elapsed >= BigInt(s.filterPeriod)) {
    indexReference = pair.activeId;
    if (elapsed < BigInt(s.decayPeriod)) {
      const r = BigInt(v.volatilityAccumulator) * BigInt(s.reductionFactor);
      if (r > 0xffffffffn) throw swapRejected('MathOverflow', 'volatility reference overflows u32');
      volatilityReference = Number(r / BASIS_POINT_MAX);
    } else {
      volatilityReference = 0;
    }
  }
  return {
    activeId: pair.activeId,
    feeParams: {
      baseFactor: s.baseFactor,
      binStep: pair.binStep,
      baseFeePowerFactor: s.baseFeePowerFactor,
      variableFeeControl: s.variableFeeControl,
      volatilityAccumulator: v.volatilityAccumulator,
    },
    volatilityReference,
    indexReference,
    maxVolatilityAccumulator: s.maxVolatilityAccumulator,
    walked: 0,
    baseFee: undefined,
  };
}

function updateVolatilityAccumulator(w: Walk): void {
  const delta = Math.abs(w.indexReference - w.activeId);
  const acc = w.volatilityReference + delta * 10_000;
  w.feeParams.volatilityAccumulator = Math.min(acc, w.maxVolatilityAccumulator);
}

function advance(w: Walk, swapForY: boolean, ctx: DlmmQuoteContext): void {
  if (++w.walked > MAX_BINS_WALKED) {
    throw swapRejected('ComputeBudgetExceeded', `the swap walks more than ${MAX_BINS_WALKED} bins, beyond what one transaction can compute`);
  }
  const next = swapForY ? w.activeId - 1 : w.activeId + 1;
  if (next < MIN_BIN_ID || next > MAX_BIN_ID) {
    throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `Meteora DLMM pair ${ctx.pairAddress}: insufficient liquidity (bin range exhausted)`, { account: ctx.pairAddress });
  }
  w.activeId = next;
}

/** The bin array the swap continues in, shifting the active bin over empty arrays (`shift_active_bin_if_empty_gap`). */
function activeBinArray(ctx: DlmmQuoteContext, w: Walk, swapForY: boolean): DlmmBinArray {
  const start = binIdToBinArrayIndex(w.activeId);
  const index = ctx.bitmap.next(start, swapForY);
  if (index === undefined) {
    throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `Meteora DLMM pair ${ctx.pairAddress}: pool out of liquidity`, { account: ctx.pairAddress });
  }
  const arr = ctx.binArrays.get(index);
  if (!arr) {
    throw dexError('DEX_BIN_ARRAY_MISSING', `Meteora DLMM pair ${ctx.pairAddress}: bin array ${index} holds liquidity on the swap path but was not provided`, {
      account: ctx.pairAddress,
      binArrayIndex: index,
    });
  }
  if (index !== start) w.activeId = swapForY ? index * 70 + 69 : index * 70;
  return arr;
}

function binPrice(bin: DlmmBin, id: number, binStep: number): bigint {
  return bin.price !== 0n ? bin.price : getPriceFromId(id, binStep);
}

/** What both quote directions fix before the walk: the pair's rules and the fee / transfer-fee sides. */
interface Swap {
  w: Walk;
  limitOrders: boolean;
  onInput: boolean;
  protocolShare: bigint;
  /** Mints of the token going in and coming out (their Token-2022 transfer fees). */
  mintIn: MintInfo | undefined;
  mintOut: MintInfo | undefined;
}

function startSwap(ctx: DlmmQuoteContext, swapForY: boolean, clock: DlmmClock): Swap {
  requireTrading(ctx, clock);
  const pair = ctx.lbPair;
  const [mintIn, mintOut] = swapForY ? [ctx.mintX, ctx.mintY] : [ctx.mintY, ctx.mintX];
  return {
    w: startWalk(pair, clock.unixTimestamp),
    limitOrders: supportsLimitOrders(pair),
    onInput: feeOnInput(pair, swapForY),
    protocolShare: BigInt(pair.parameters.protocolShare),
    mintIn,
    mintOut,
  };
}

/** The fee rate at the active bin: the volatility accumulator refreshed there first. */
function feeRateAtActiveBin(w: Walk): bigint {
  updateVolatilityAccumulator(w);
  return totalFeeRate(w.feeParams, (w.baseFee ??= baseFeeRate(w.feeParams)));
}

/**
 * The walk of `quote_exact_in` / `quote_exact_out`: bin by bin from the active one in the swap
 * direction, array by array, `visit` at each, until `done()`. Returns the bin arrays touched.
 */
function walkBins(ctx: DlmmQuoteContext, w: Walk, swapForY: boolean, done: () => boolean, visit: (bin: DlmmBin) => void): string[] {
  const touched: string[] = [];
  while (!done()) {
    const arr = activeBinArray(ctx, w, swapForY);
    touched.push(arr.address);
    const lower = arr.index * 70;
    for (;;) {
      if (w.activeId < lower || w.activeId > lower + 69 || done()) break;
      visit(arr.bin(w.activeId - lower));
      if (!done()) advance(w, swapForY, ctx);
    }
  }
  return touched;
}

/** `quote_exact_in`. */
export function quoteExactIn(ctx: DlmmQuoteContext, amountIn: bigint, swapForY: boolean, clock: DlmmClock): DlmmQuoteResult {
  const s = startSwap(ctx, swapForY, clock);
  const { w } = s;
  const binStep = ctx.lbPair.binStep;
  const poolAmountIn = transferFeeExcluded(s.mintIn, amountIn, clock.epoch);
  let left = poolAmountIn;
  let totalOut = 0n;
  let totalFee = 0n;
  let totalProtocolFee = 0n;
  let unsplit = 0n;
  const touched = walkBins(ctx, w, swapForY, () => left === 0n, (bin) => {
    if (maxAmountOut(bin, swapForY, s.limitOrders) === 0n) return;
    const rate = feeRateAtActiveBin(w);
    const r = exactInAtBin(bin, binPrice(bin, w.activeId, binStep), rate, s.protocolShare, left, swapForY, s.limitOrders, s.onInput);
    if (r.amountIn > 0n) {
      left = sub(left, r.amountIn);
      totalOut = add(totalOut, r.amountOut);
      totalFee = add(totalFee, r.fee);
      totalProtocolFee = add(totalProtocolFee, r.protocolFee);
      unsplit += r.unsplit;
    }
  });
  return {
    amountIn,
    amountOut: transferFeeExcluded(s.mintOut, totalOut, clock.epoch),
    fee: totalFee,
    protocolFee: totalProtocolFee,
    roundingSurplus: 0n,
    feeWithoutFill: unsplit,
    feeOnInput: s.onInput,
    poolAmountIn,
    poolAmountOut: totalOut,
    binArrays: touched,
    endBinId: w.activeId,
  };
}

/** `quote_exact_out`. */
export function quoteExactOut(ctx: DlmmQuoteContext, amountOut: bigint, swapForY: boolean, clock: DlmmClock): DlmmQuoteResult {
  const s = startSwap(ctx, swapForY, clock);
  const { w } = s;
  const binStep = ctx.lbPair.binStep;
  const poolAmountOut = transferFeeIncluded(s.mintOut, amountOut, clock.epoch);
  let left = poolAmountOut;
  let totalIn = 0n;
  let totalFee = 0n;
  let totalProtocolFee = 0n;
  let surplus = 0n;
  let unsplit = 0n;
  const touched = walkBins(ctx, w, swapForY, () => left === 0n, (bin) => {
    // exact-out reads the price before the emptiness check (the port's order; exact-in prices only bins with liquidity)
    const price = binPrice(bin, w.activeId, binStep);
    if (maxAmountOut(bin, swapForY, s.limitOrders) === 0n) return;
    const rate = feeRateAtActiveBin(w);
    const r = exactOutAtBin(bin, price, rate, s.protocolShare, left, swapForY, s.limitOrders, s.onInput);
    if (r.amountOut > 0n) {
      left = sub(left, r.amountOut);
      totalIn = add(totalIn, r.amountIn);
      totalFee = add(totalFee, r.fee);
      totalProtocolFee = add(totalProtocolFee, r.protocolFee);
      surplus += r.surplus;
      unsplit += r.unsplit;
    }
  });
  return {
    amountIn: transferFeeIncluded(s.mintIn, totalIn, clock.epoch),
    amountOut,
    fee: totalFee,
    protocolFee: totalProtocolFee,
    roundingSurplus: surplus,
    feeWithoutFill: unsplit,
    feeOnInput: s.onInput,
    poolAmountIn: totalIn,
    poolAmountOut,
    binArrays: touched,
    endBinId: w.activeId,
  };
}

/**
 * Decoders for Meteora DLMM accounts (program LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo), byte
 * layouts from the program IDL (`idls/dlmm.json`, bytemuck `repr(C)`, 8-byte Anchor discriminator).
 * Every read is bounds-checked; bad data raises a `DEX_ACCOUNT_*` error naming account and field.
 */
import { anchorDiscriminator, anchorReader, type AccountReader } from '../codec/index.ts';

export const METEORA_DLMM_PROGRAM_ID = 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo';

export const LB_PAIR_LEN = 904;
export const BIN_ARRAY_LEN = 10136;
export const BIN_ARRAY_BITMAP_EXTENSION_LEN = 1576;
export const MAX_BIN_PER_ARRAY = 70;
const BIN_LEN = 144;
const EXTENSION_BITMAP_COUNT = 12;

const DISC = {
  lbPair: anchorDiscriminator('LbPair'),
  binArray: anchorDiscriminator('BinArray'),
  extension: anchorDiscriminator('BinArrayBitmapExtension'),
  oracle: anchorDiscriminator('Oracle'),
  presetParameter: anchorDiscriminator('PresetParameter'),
};

export interface StaticParameters {
  baseFactor: number;
  filterPeriod: number;
  decayPeriod: number;
  reductionFactor: number;
  variableFeeControl: number;
  maxVolatilityAccumulator: number;
  minBinId: number;
  maxBinId: number;
  protocolShare: number;
  baseFeePowerFactor: number;
  /** 0 undetermined, 1 liquidity mining, 2 limit order. */
  functionType: number;
  /** 0 fee on the input token, 1 fee always in token Y. */
  collectFeeMode: number;
}

export interface VariableParameters {
  volatilityAccumulator: number;
  volatilityReference: number;
  indexReference: number;
  lastUpdateTimestamp: bigint;
}

export interface DlmmRewardInfo {
  mint: string;
  vault: string;
  funder: string;
  rewardDuration: bigint;
  rewardDurationEnd: bigint;
  rewardRate: bigint;
  lastUpdateTime: bigint;
  cumulativeSecondsWithEmptyLiquidityReward: bigint;
}

export interface LbPair {
  parameters: StaticParameters;
  vParameters: VariableParameters;
  bumpSeed: number;
  binStepSeed: number;
  /** 0 permissionless, 1 permission, 2 customizable permissionless, 3 permissionless v2. */
  pairType: number;
  activeId: number;
  binStep: number;
  /** 0 enabled, 1 disabled. */
  status: number;
  requireBaseFactorSeed: number;
  baseFactorSeed: number;
  /** 0 slot, 1 timestamp. */
  activationType: number;
  creatorPoolOnOffControl: number;
  tokenXMint: string;
  tokenYMint: string;
  reserveX: string;
  reserveY: string;
  protocolFee: { amountX: bigint; amountY: bigint };
  rewardInfos: DlmmRewardInfo[];
  oracle: string;
  /** 16 little-endian u64 words: bit (index + 512) marks a bin array with liquidity. */
  binArrayBitmap: bigint[];
  lastUpdatedAt: bigint;
  preActivationSwapAddress: string;
  baseKey: string;
  activationPoint: bigint;
  preActivationDuration: bigint;
  creator: string;
  tokenMintXProgramFlag: number;
  tokenMintYProgramFlag: number;
  version: number;
}

export interface DlmmBin {
  amountX: bigint;
  amountY: bigint;
  /** Q64.64 price of X in Y; 0 until the program stores it. */
  price: bigint;
  liquiditySupply: bigint;
  fulfilledOrderAmountX: bigint;
  fulfilledOrderAmountY: bigint;
  limitOrderFeeAskSide: bigint;
  limitOrderFeeBidSide: bigint;
  feeAmountXPerTokenStored: bigint;
  feeAmountYPerTokenStored: bigint;
  openOrderAmount: bigint;
  totalProcessingOrderAmount: bigint;
  processedOrderRemainingAmount: bigint;
  orderAge: number;
  /** Non-zero: resting orders sell X (ask); zero: they sell Y (bid). */
  limitOrderAskSide: number;
}

/** What a quote reads of a bin: the market-maker amounts, the stored price and the resting limit orders. */
export type DlmmBinLiquidity = Pick<DlmmBin, 'amountX' | 'amountY' | 'price' | 'openOrderAmount' | 'processedOrderRemainingAmount' | 'limitOrderAskSide'>;

export interface BinArray {
  index: bigint;
  version: number;
  lbPair: string;
  bins: DlmmBin[];
}

export interface BinArrayBitmapExtension {
  lbPair: string;
  /** 12 bitmaps of 8 u64 words for indexes 512…6655 and −513…−6656. */
  positiveBinArrayBitmap: bigint[][];
  negativeBinArrayBitmap: bigint[][];
}

export interface Oracle {
  idx: bigint;
  activeSize: bigint;
  length: bigint;
}

export interface PresetParameter {
  binStep: number;
  baseFactor: number;
  filterPeriod: number;
  decayPeriod: number;
  reductionFactor: number;
  variableFeeControl: number;
  maxVolatilityAccumulator: number;
  minBinId: number;
  maxBinId: number;
  protocolShare: number;
}

/** Decodes an `LbPair` account. */
export function decodeLbPair(data: Uint8Array, account = '<lb pair>'): LbPair {
  const r = anchorReader(data, account, 'LbPair', DISC.lbPair, LB_PAIR_LEN);
  const binStep = r.u16(80, 'bin_step');
  if (binStep === 0) r.bad('bin_step', 80, 0, 'must be positive');
  const rewardInfos: DlmmRewardInfo[] = [];
  for (let i = 0; i < 2; i++) {
    const o = 264 + i * 144;
    rewardInfos.push({
      mint: r.pubkey(o, `reward_infos[${i}].mint`),
      vault: r.pubkey(o + 32, `reward_infos[${i}].vault`),
      funder: r.pubkey(o + 64, `reward_infos[${i}].funder`),
      rewardDuration: r.u64(o + 96, `reward_infos[${i}].reward_duration`),
      rewardDurationEnd: r.u64(o + 104, `reward_infos[${i}].reward_duration_end`),
      rewardRate: r.u128(o + 112, `reward_infos[${i}].reward_rate`),
      lastUpdateTime: r.u64(o + 128, `reward_infos[${i}].last_update_time`),
      cumulativeSecondsWithEmptyLiquidityReward: r.u64(o + 136, `reward_infos[${i}].cumulative_seconds_with_empty_liquidity_reward`),
    });
  }
  return {
    parameters: {
      baseFactor: r.u16(8, 'parameters.base_factor'),
      filterPeriod: r.u16(10, 'parameters.filter_period'),
      decayPeriod: r.u16(12, 'parameters.decay_period'),
      reductionFactor: r.u16(14, 'parameters.reduction_factor'),
      variableFeeControl: r.u32(16, 'parameters.variable_fee_control'),
      maxVolatilityAccumulator: r.u32(20, 'parameters.max_volatility_accumulator'),
      minBinId: r.i32(24, 'parameters.min_bin_id'),
      maxBinId: r.i32(28, 'parameters.max_bin_id'),
      protocolShare: r.u16(32, 'parameters.protocol_share'),
      baseFeePowerFactor: r.u8(34, 'parameters.base_fee_power_factor'),
      functionType: r.u8(35, 'parameters.function_type'),
      collectFeeMode: r.u8(36, 'parameters.collect_fee_mode'),
    },
    vParameters: {
      volatilityAccumulator: r.u32(40, 'v_parameters.volatility_accumulator'),
      volatilityReference: r.u32(44, 'v_parameters.volatility_reference'),
      indexReference: r.i32(48, 'v_parameters.index_reference'),
      lastUpdateTimestamp: r.i64(56, 'v_parameters.last_update_timestamp'),
    },
    bumpSeed: r.u8(72, 'bump_seed'),
    binStepSeed: r.u16(73, 'bin_step_seed'),
    pairType: r.u8(75, 'pair_type'),
    activeId: r.i32(76, 'active_id'),
    binStep,
    status: r.u8(82, 'status'),
    requireBaseFactorSeed: r.u8(83, 'require_base_factor_seed'),
    baseFactorSeed: r.u16(84, 'base_factor_seed'),
    activationType: r.u8(86, 'activation_type'),
    creatorPoolOnOffControl: r.u8(87, 'creator_pool_on_off_control'),
    tokenXMint: r.pubkey(88, 'token_x_mint'),
    tokenYMint: r.pubkey(120, 'token_y_mint'),
    reserveX: r.pubkey(152, 'reserve_x'),
    reserveY: r.pubkey(184, 'reserve_y'),
    protocolFee: { amountX: r.u64(216, 'protocol_fee.amount_x'), amountY: r.u64(224, 'protocol_fee.amount_y') },
    rewardInfos,
    oracle: r.pubkey(552, 'oracle'),
    binArrayBitmap: r.u64s(584, 16, 'bin_array_bitmap'),
    lastUpdatedAt: r.i64(712, 'last_updated_at'),
    preActivationSwapAddress: r.pubkey(752, 'pre_activation_swap_address'),
    baseKey: r.pubkey(784, 'base_key'),
    activationPoint: r.u64(816, 'activation_point'),
    preActivationDuration: r.u64(824, 'pre_activation_duration'),
    creator: r.pubkey(848, 'creator'),
    tokenMintXProgramFlag: r.u8(880, 'token_mint_x_program_flag'),
    tokenMintYProgramFlag: r.u8(881, 'token_mint_y_program_flag'),
    version: r.u8(882, 'version'),
  };
}

function decodeBin(r: AccountReader, o: number, i: number): DlmmBin {
  const f = (name: string) => `bins[${i}].${name}`;
  return {
    amountX: r.u64(o, f('amount_x')),
    amountY: r.u64(o + 8, f('amount_y')),
    price: r.u128(o + 16, f('price')),
    liquiditySupply: r.u128(o + 32, f('liquidity_supply')),
    fulfilledOrderAmountX: r.u64(o + 48, f('fulfilled_order_amount_x')),
    fulfilledOrderAmountY: r.u64(o + 56, f('fulfilled_order_amount_y')),
    limitOrderFeeAskSide: r.u64(o + 64, f('limit_order_fee_ask_side')),
    limitOrderFeeBidSide: r.u64(o + 72, f('limit_order_fee_bid_side')),
    feeAmountXPerTokenStored: r.u128(o + 80, f('fee_amount_x_per_token_stored')),
    feeAmountYPerTokenStored: r.u128(o + 96, f('fee_amount_y_per_token_stored')),
    openOrderAmount: r.u64(o + 112, f('open_order_amount')),
    totalProcessingOrderAmount: r.u64(o + 120, f('total_processing_order_amount')),
    processedOrderRemainingAmount: r.u64(o + 128, f('processed_order_remaining_amount')),
    orderAge: r.u32(o + 136, f('order_age')),
    limitOrderAskSide: r.u8(o + 140, f('limit_order_ask_side')),
  };
}

/** Decodes a `BinArray` (70 bins starting at bin id index × 70). */
export function decodeBinArray(data: Uint8Array, account = '<bin array>'): BinArray {
  const r = anchorReader(data, account, 'BinArray', DISC.binArray, BIN_ARRAY_LEN);
  const index = r.i64(8, 'index');
  // Bin ids are i32 within ±443636, so a real array index is within ±6338.
  if (index < -7000n || index > 7000n) r.bad('index', 8, index, 'must be a bin array index within ±7000');
  const bins: DlmmBin[] = [];
  for (let i = 0; i < MAX_BIN_PER_ARRAY; i++) bins.push(decodeBin(r, 56 + i * BIN_LEN, i));
  return { index, version: r.u8(16, 'version'), lbPair: r.pubkey(24, 'lb_pair'), bins };
}

/**
 * A `BinArray` as quotes hold it: the header checked and decoded, the 70 bins read from the account's
 * bytes only when a quote walks them. A fully decoded array is ~30 KB of objects and bigints, where
 * this is the bytes the scanner holds anyway, and a quote reads a handful of bins.
 */
export class BinArrayBins {
  readonly index: bigint;
  readonly lbPair: string;
  private readonly reader: AccountReader;

  constructor(data: Uint8Array, account = '<bin array>') {
    const r = anchorReader(data, account, 'BinArray', DISC.binArray, BIN_ARRAY_LEN);
    this.index = r.i64(8, 'index');
    if (this.index < -7000n || this.index > 7000n) r.bad('index', 8, this.index, 'must be a bin array index within ±7000');
    this.lbPair = r.pubkey(24, 'lb_pair');
    this.reader = r;
  }

  /** Bin `i` (0…69) of the array: what a quote reads of it. */
  bin(i: number): DlmmBinLiquidity {
    if (!Number.isInteger(i) || i < 0 || i >= MAX_BIN_PER_ARRAY) this.reader.bad('bins', undefined, i, `index must be within 0…${MAX_BIN_PER_ARRAY - 1}`);
    const r = this.reader;
    const o = 56 + i * BIN_LEN;
    return {
      amountX: r.u64(o, 'bins.amount_x'),
      amountY: r.u64(o + 8, 'bins.amount_y'),
      price: r.u128(o + 16, 'bins.price'),
      openOrderAmount: r.u64(o + 112, 'bins.open_order_amount'),
      processedOrderRemainingAmount: r.u64(o + 128, 'bins.processed_order_remaining_amount'),
      limitOrderAskSide: r.u8(o + 140, 'bins.limit_order_ask_side'),
    };
  }
}

/** Decodes a `BinArrayBitmapExtension`. */
export function decodeBinArrayBitmapExtension(data: Uint8Array, account = '<bitmap extension>'): BinArrayBitmapExtension {
  const r = anchorReader(data, account, 'BinArrayBitmapExtension', DISC.extension, BIN_ARRAY_BITMAP_EXTENSION_LEN);
  const positive: bigint[][] = [];
  const negative: bigint[][] = [];
  for (let i = 0; i < EXTENSION_BITMAP_COUNT; i++) {
    positive.push(r.u64s(40 + i * 64, 8, `positive_bin_array_bitmap[${i}]`));
    negative.push(r.u64s(40 + EXTENSION_BITMAP_COUNT * 64 + i * 64, 8, `negative_bin_array_bitmap[${i}]`));
  }
  return { lbPair: r.pubkey(8, 'lb_pair'), positiveBinArrayBitmap: positive, negativeBinArrayBitmap: negative };
}

/** Decodes the header of an `Oracle` account (observations follow; not decoded). */
export function decodeOracle(data: Uint8Array, account = '<oracle>'): Oracle {
  const r = anchorReader(data, account, 'Oracle', DISC.oracle, 32);
  return { idx: r.u64(8, 'idx'), activeSize: r.u64(16, 'active_size'), length: r.u64(24, 'length') };
}

/** Decodes a `PresetParameter` account. */
export function decodePresetParameter(data: Uint8Array, account = '<preset parameter>'): PresetParameter {
  const r = anchorReader(data, account, 'PresetParameter', DISC.presetParameter, 36);
  return {
    binStep: r.u16(8, 'bin_step'),
    baseFactor: r.u16(10, 'base_factor'),
    filterPeriod: r.u16(12, 'filter_period'),
    decayPeriod: r.u16(14, 'decay_period'),
    reductionFactor: r.u16(16, 'reduction_factor'),
    variableFeeControl: r.u32(18, 'variable_fee_control'),
    maxVolatilityAccumulator: r.u32(22, 'max_volatility_accumulator'),
    minBinId: r.i32(26, 'min_bin_id'),
    maxBinId: r.i32(30, 'max_bin_id'),
    protocolShare: r.u16(34, 'protocol_share'),
  };
}

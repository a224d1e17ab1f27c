/**
 * Decoders for Raydium CLMM accounts (program CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK), with
 * the byte layouts of `programs/amm/src/states/*` (zero-copy `repr(C, packed)`, 8-byte Anchor
 * discriminator first). Every read is bounds-checked; bad data raises a `DEX_ACCOUNT_*` error that
 * names the account and field.
 */
import { anchorDiscriminator, anchorReader, type AccountReader } from '../codec/index.ts';
import { TICK_ARRAY_SIZE } from './math.ts';

export const RAYDIUM_CLMM_PROGRAM_ID = 'CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK';

export const POOL_STATE_LEN = 1544;
export const AMM_CONFIG_LEN = 117;
export const TICK_ARRAY_STATE_LEN = 10240;
export const TICK_ARRAY_BITMAP_EXTENSION_LEN = 1832;
export const OBSERVATION_STATE_LEN = 4483;
export const PROTOCOL_POSITION_STATE_LEN = 225;
const TICK_STATE_LEN = 168;
const EXTENSION_BITMAP_COUNT = 14;

const DISC = {
  pool: anchorDiscriminator('PoolState'),
  config: anchorDiscriminator('AmmConfig'),
  tickArray: anchorDiscriminator('TickArrayState'),
  extension: anchorDiscriminator('TickArrayBitmapExtension'),
  observation: anchorDiscriminator('ObservationState'),
  protocolPosition: anchorDiscriminator('ProtocolPositionState'),
};

export interface DynamicFeeInfo {
  filterPeriod: number;
  decayPeriod: number;
  reductionFactor: number;
  dynamicFeeControl: number;
  maxVolatilityAccumulator: number;
  tickSpacingIndexReference: number;
  volatilityReference: number;
  volatilityAccumulator: number;
  lastUpdateTimestamp: bigint;
  /** True when all 80 bytes (padding included) are zero: the program then runs without dynamic fee. */
  disabled: boolean;
}

export interface ClmmRewardInfo {
  rewardState: number;
  openTime: bigint;
  endTime: bigint;
  lastUpdateTime: bigint;
  emissionsPerSecondX64: bigint;
  rewardTotalEmitted: bigint;
  rewardClaimed: bigint;
  tokenMint: string;
  tokenVault: string;
  authority: string;
  rewardGrowthGlobalX64: bigint;
}

export interface ClmmPoolState {
  bump: number;
  ammConfig: string;
  owner: string;
  tokenMint0: string;
  tokenMint1: string;
  tokenVault0: string;
  tokenVault1: string;
  observationKey: string;
  mintDecimals0: number;
  mintDecimals1: number;
  tickSpacing: number;
  liquidity: bigint;
  sqrtPriceX64: bigint;
  tickCurrent: number;
  feeGrowthGlobal0X64: bigint;
  feeGrowthGlobal1X64: bigint;
  protocolFeesToken0: bigint;
  protocolFeesToken1: bigint;
  /** Bit i set disables: 0 open position, 1 decrease liquidity, 2 collect fee, 3 collect reward, 4 swap, 5 limit order. */
  status: number;
  /** 0 fee from the input token, 1 always token 0, 2 always token 1. */
  feeOn: number;
  rewardInfos: ClmmRewardInfo[];
  /** 16 little-endian u64 words: bit (start_index / (60·spacing) + 512) marks an initialized tick array. */
  tickArrayBitmap: bigint[];
  fundFeesToken0: bigint;
  fundFeesToken1: bigint;
  openTime: bigint;
  recentEpoch: bigint;
  dynamicFeeInfo: DynamicFeeInfo;
}

export interface AmmConfig {
  bump: number;
  index: number;
  owner: string;
  protocolFeeRate: number;
  tradeFeeRate: number;
  tickSpacing: number;
  fundFeeRate: number;
  fundOwner: string;
}

export interface ClmmTick {
  tick: number;
  liquidityNet: bigint;
  liquidityGross: bigint;
  feeGrowthOutside0X64: bigint;
  feeGrowthOutside1X64: bigint;
  rewardGrowthsOutsideX64: bigint[];
  orderPhase: bigint;
  ordersAmount: bigint;
  partFilledOrdersRemaining: bigint;
  unfilledRatioX64: bigint;
}

export interface TickArrayState {
  poolId: string;
  startTickIndex: number;
  ticks: ClmmTick[];
  initializedTickCount: number;
  recentEpoch: bigint;
}

export interface TickArrayBitmapExtension {
  poolId: string;
  /** 14 bitmaps of 8 u64 words each, for start indexes above / below the pool's own bitmap. */
  positiveTickArrayBitmap: bigint[][];
  negativeTickArrayBitmap: bigint[][];
}

export interface ObservationState {
  initialized: boolean;
  recentEpoch: bigint;
  observationIndex: number;
  poolId: string;
  observations: { blockTimestamp: number; tickCumulative: bigint }[];
}

export interface ProtocolPositionState {
  bump: number;
  poolId: string;
  tickLowerIndex: number;
  tickUpperIndex: number;
  liquidity: bigint;
  feeGrowthInside0LastX64: bigint;
  feeGrowthInside1LastX64: bigint;
  tokenFeesOwed0: bigint;
  tokenFeesOwed1: bigint;
  rewardGrowthInside: bigint[];
  recentEpoch: bigint;
}

/** Decodes a `PoolState` account. */
export function decodePoolState(data: Uint8Array, account = '<pool>'): ClmmPoolState {
  const r = anchorReader(data, account, 'PoolState', DISC.pool, POOL_STATE_LEN);
  const tickSpacing = r.u16(235, 'tick_spacing');
  if (tickSpacing === 0) r.bad('tick_spacing', 235, 0, 'must be positive');
  const rewardInfos: ClmmRewardInfo[] = [];
  for (let i = 0; i < 3; i++) {
    const o = 397 + i * 169;
    rewardInfos.push({
      rewardState: r.u8(o, `reward_infos[${i}].reward_state`),
      openTime: r.u64(o + 1, `reward_infos[${i}].open_time`),
      endTime: r.u64(o + 9, `reward_infos[${i}].end_time`),
      lastUpdateTime: r.u64(o + 17, `reward_infos[${i}].last_update_time`),
      emissionsPerSecondX64: r.u128(o + 25, `reward_infos[${i}].emissions_per_second_x64`),
      rewardTotalEmitted: r.u64(o + 41, `reward_infos[${i}].reward_total_emitted`),
      rewardClaimed: r.u64(o + 49, `reward_infos[${i}].reward_claimed`),
      tokenMint: r.pubkey(o + 57, `reward_infos[${i}].token_mint`),
      tokenVault: r.pubkey(o + 89, `reward_infos[${i}].token_vault`),
      authority: r.pubkey(o + 121, `reward_infos[${i}].authority`),
      rewardGrowthGlobalX64: r.u128(o + 153, `reward_infos[${i}].reward_growth_global_x64`),
    });
  }
  let dynamicFeeDisabled = true;
  for (let i = 1096; i < 1176; i++) {
    if (data[i] !== 0) {
      dynamicFeeDisabled = false;
      break;
    }
  }
  return {
    bump: r.u8(8, 'bump'),
    ammConfig: r.pubkey(9, 'amm_config'),
    owner: r.pubkey(41, 'owner'),
    tokenMint0: r.pubkey(73, 'token_mint_0'),
    tokenMint1: r.pubkey(105, 'token_mint_1'),
    tokenVault0: r.pubkey(137, 'token_vault_0'),
    tokenVault1: r.pubkey(169, 'token_vault_1'),
    observationKey: r.pubkey(201, 'observation_key'),
    mintDecimals0: r.u8(233, 'mint_decimals_0'),
    mintDecimals1: r.u8(234, 'mint_decimals_1'),
    tickSpacing,
    liquidity: r.u128(237, 'liquidity'),
    sqrtPriceX64: r.u128(253, 'sqrt_price_x64'),
    tickCurrent: r.i32(269, 'tick_current'),
    feeGrowthGlobal0X64: r.u128(277, 'fee_growth_global_0_x64'),
    feeGrowthGlobal1X64: r.u128(293, 'fee_growth_global_1_x64'),
    protocolFeesToken0: r.u64(309, 'protocol_fees_token_0'),
    protocolFeesToken1: r.u64(317, 'protocol_fees_token_1'),
    status: r.u8(389, 'status'),
    feeOn: r.u8(390, 'fee_on'),
    rewardInfos,
    tickArrayBitmap: r.u64s(904, 16, 'tick_array_bitmap'),
    fundFeesToken0: r.u64(1064, 'fund_fees_token_0'),
    fundFeesToken1: r.u64(1072, 'fund_fees_token_1'),
    openTime: r.u64(1080, 'open_time'),
    recentEpoch: r.u64(1088, 'recent_epoch'),
    dynamicFeeInfo: {
      filterPeriod: r.u16(1096, 'dynamic_fee_info.filter_period'),
      decayPeriod: r.u16(1098, 'dynamic_fee_info.decay_period'),
      reductionFactor: r.u16(1100, 'dynamic_fee_info.reduction_factor'),
      dynamicFeeControl: r.u32(1102, 'dynamic_fee_info.dynamic_fee_control'),
      maxVolatilityAccumulator: r.u32(1106, 'dynamic_fee_info.max_volatility_accumulator'),
      tickSpacingIndexReference: r.i32(1110, 'dynamic_fee_info.tick_spacing_index_reference'),
      volatilityReference: r.u32(1114, 'dynamic_fee_info.volatility_reference'),
      volatilityAccumulator: r.u32(1118, 'dynamic_fee_info.volatility_accumulator'),
      lastUpdateTimestamp: r.u64(1122, 'dynamic_fee_info.last_update_timestamp'),
      disabled: dynamicFeeDisabled,
    },
  };
}

/** Decodes an `AmmConfig` account (fee rates are parts per million). */
export function decodeAmmConfig(data: Uint8Array, account = '<amm config>'): AmmConfig {
  const r = anchorReader(data, account, 'AmmConfig', DISC.config, AMM_CONFIG_LEN);
  return {
    bump: r.u8(8, 'bump'),
    index: r.u16(9, 'index'),
    owner: r.pubkey(11, 'owner'),
    protocolFeeRate: r.u32(43, 'protocol_fee_rate'),
    tradeFeeRate: r.u32(47, 'trade_fee_rate'),
    tickSpacing: r.u16(51, 'tick_spacing'),
    fundFeeRate: r.u32(53, 'fund_fee_rate'),
    fundOwner: r.pubkey(61, 'fund_owner'),
  };
}

function decodeTick(r: AccountReader, o: number, i: number): ClmmTick {
  const f = (name: string) => `ticks[${i}].${name}`;
  return {
    tick: r.i32(o, f('tick')),
    liquidityNet: r.i128(o + 4, f('liquidity_net')),
    liquidityGross: r.u128(o + 20, f('liquidity_gross')),
    feeGrowthOutside0X64: r.u128(o + 36, f('fee_growth_outside_0_x64')),
    feeGrowthOutside1X64: r.u128(o + 52, f('fee_growth_outside_1_x64')),
    rewardGrowthsOutsideX64: [r.u128(o + 68, f('reward_growths_outside_x64[0]')), r.u128(o + 84, f('reward_growths_outside_x64[1]')), r.u128(o + 100, f('reward_growths_outside_x64[2]'))],
    orderPhase: r.u64(o + 116, f('order_phase')),
    ordersAmount: r.u64(o + 124, f('orders_amount')),
    partFilledOrdersRemaining: r.u64(o + 132, f('part_filled_orders_remaining')),
    unfilledRatioX64: r.u128(o + 140, f('unfilled_ratio_x64')),
  };
}

/** Decodes a `TickArrayState` account (60 ticks); the program recognises tick arrays by their exact size. */
export function decodeTickArrayState(data: Uint8Array, account = '<tick array>'): TickArrayState {
  const r = anchorReader(data, account, 'TickArrayState', DISC.tickArray, TICK_ARRAY_STATE_LEN);
  r.requireExactLength(TICK_ARRAY_STATE_LEN);
  const ticks: ClmmTick[] = [];
  for (let i = 0; i < TICK_ARRAY_SIZE; i++) ticks.push(decodeTick(r, 44 + i * TICK_STATE_LEN, i));
  return {
    poolId: r.pubkey(8, 'pool_id'),
    startTickIndex: r.i32(40, 'start_tick_index'),
    ticks,
    initializedTickCount: r.u8(10124, 'initialized_tick_count'),
    recentEpoch: r.u64(10125, 'recent_epoch'),
  };
}

/** Decodes a `TickArrayBitmapExtension` account (bitmaps for tick arrays beyond the pool's own range). */
export function decodeTickArrayBitmapExtension(data: Uint8Array, account = '<bitmap extension>'): TickArrayBitmapExtension {
  const r = anchorReader(data, account, 'TickArrayBitmapExtension', DISC.extension, TICK_ARRAY_BITMAP_EXTENSION_LEN);
  r.requireExactLength(TICK_ARRAY_BITMAP_EXTENSION_LEN);
  const positive: bigint[][] = [];
  const negative: bigint[][] = [];
  for (let i = 0; i < EXTENSION_BITMAP_COUNT; i++) {
    positive.push(r.u64s(40 + i * 64, 8, `positive_tick_array_bitmap[${i}]`));
    negative.push(r.u64s(40 + EXTENSION_BITMAP_COUNT * 64 + i * 64, 8, `negative_tick_array_bitmap[${i}]`));
  }
  return { poolId: r.pubkey(8, 'pool_id'), positiveTickArrayBitmap: positive, negativeTickArrayBitmap: negative };
}

/** Decodes an `ObservationState` (oracle ring of 100 observations). */
export function decodeObservationState(data: Uint8Array, account = '<observation>'): ObservationState {
  const r = anchorReader(data, account, 'ObservationState', DISC.observation, OBSERVATION_STATE_LEN);
  const observations: ObservationState['observations'] = [];
  for (let i = 0; i < 100; i++) {
    const o = 51 + i * 44;
    observations.push({ blockTimestamp: r.u32(o, `observations[${i}].block_timestamp`), tickCumulative: r.i64(o + 4, `observations[${i}].tick_cumulative`) });
  }
  return {
    initialized: r.bool(8, 'initialized'),
    recentEpoch: r.u64(9, 'recent_epoch'),
    observationIndex: r.u16(17, 'observation_index'),
    poolId: r.pubkey(19, 'pool_id'),
    observations,
  };
}

/** Decodes a `ProtocolPositionState`. */
export function decodeProtocolPositionState(data: Uint8Array, account = '<protocol position>'): ProtocolPositionState {
  const r = anchorReader(data, account, 'ProtocolPositionState', DISC.protocolPosition, PROTOCOL_POSITION_STATE_LEN);
  return {
    bump: r.u8(8, 'bump'),
    poolId: r.pubkey(9, 'pool_id'),
    tickLowerIndex: r.i32(41, 'tick_lower_index'),
    tickUpperIndex: r.i32(45, 'tick_upper_index'),
    liquidity: r.u128(49, 'liquidity'),
    feeGrowthInside0LastX64: r.u128(65, 'fee_growth_inside_0_last_x64'),
    feeGrowthInside1LastX64: r.u128(81, 'fee_growth_inside_1_last_x64'),
    tokenFeesOwed0: r.u64(97, 'token_fees_owed_0'),
    tokenFeesOwed1: r.u64(105, 'token_fees_owed_1'),
    rewardGrowthInside: [r.u128(113, 'reward_growth_inside[0]'), r.u128(129, 'reward_growth_inside[1]'), r.u128(145, 'reward_growth_inside[2]')],
    recentEpoch: r.u64(161, 'recent_epoch'),
  };
}

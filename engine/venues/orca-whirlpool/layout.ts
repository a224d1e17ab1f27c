/**
 * Whirlpool program accounts (`programs/whirlpool/src/state/`): Whirlpool (653 bytes), fixed
 * TickArray (9988), DynamicTickArray (148…10004), Oracle (254). Anchor accounts: 8-byte discriminator.
 */
import type { AccountSnapshot } from '../../accounts/index.ts';
import { AccountReader, accountLabel, anchorDiscriminator, anchorReader, hasDiscriminator, requireOwner } from '../codec/index.ts';
import type { AdaptiveFeeConstants, AdaptiveFeeVariables } from './fee-rate.ts';
import { MAX_SQRT_PRICE, MAX_TICK_INDEX, MIN_SQRT_PRICE, MIN_TICK_INDEX, TICK_ARRAY_SIZE } from './tick-math.ts';

export const WHIRLPOOL_PROGRAM_ID = 'whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc';
export const WHIRLPOOL_LEN = 653;
export const FIXED_TICK_ARRAY_LEN = 9988;
export const DYNAMIC_TICK_ARRAY_MIN_LEN = 8 + 4 + 32 + 16 + TICK_ARRAY_SIZE;
export const ORACLE_LEN = 254;
/** `token_math.rs`: fee rates above 6% are refused by the program's setters. */
export const MAX_FEE_RATE = 60_000;
/** Protocol fee is at most 25% of the fee. */
export const MAX_PROTOCOL_FEE_RATE = 2_500;

export const WHIRLPOOL_DISCRIMINATOR = anchorDiscriminator('Whirlpool');
export const FIXED_TICK_ARRAY_DISCRIMINATOR = anchorDiscriminator('TickArray');
export const DYNAMIC_TICK_ARRAY_DISCRIMINATOR = anchorDiscriminator('DynamicTickArray');
export const ORACLE_DISCRIMINATOR = anchorDiscriminator('Oracle');
export const POSITION_DISCRIMINATOR = anchorDiscriminator('Position');
export const POSITION_LEN = 216;

export interface WhirlpoolRewardInfo {
  mint: string;
  vault: string;
  /** Formerly `authority`; newer programs keep extension data here. */
  authority: string;
  emissionsPerSecondX64: bigint;
  growthGlobalX64: bigint;
}

export interface Whirlpool {
  address: string | undefined;
  whirlpoolsConfig: string;
  whirlpoolBump: number;
  tickSpacing: number;
  /** `tick_spacing_seed` / fee-tier index: differs from tickSpacing on adaptive-fee pools. */
  feeTierIndex: number;
  /** Hundredths of a basis point (1e-6). */
  feeRate: number;
  /** Basis points of the fee (1e-4). */
  protocolFeeRate: number;
  liquidity: bigint;
  sqrtPrice: bigint;
  tickCurrentIndex: number;
  protocolFeeOwedA: bigint;
  protocolFeeOwedB: bigint;
  tokenMintA: string;
  tokenVaultA: string;
  feeGrowthGlobalA: bigint;
  tokenMintB: string;
  tokenVaultB: string;
  feeGrowthGlobalB: bigint;
  rewardLastUpdatedTimestamp: bigint;
  rewardInfos: WhirlpoolRewardInfo[];
}

export interface Tick {
  initialized: boolean;
  liquidityNet: bigint;
  liquidityGross: bigint;
  feeGrowthOutsideA: bigint;
  feeGrowthOutsideB: bigint;
  rewardGrowthsOutside: [bigint, bigint, bigint];
}

export interface TickArray {
  address: string | undefined;
  kind: 'fixed' | 'dynamic';
  startTickIndex: number;
  whirlpool: string;
  ticks: Tick[];
  /** Offsets (0…87) of initialized ticks, ascending. */
  initializedOffsets: number[];
}

export interface Oracle {
  address: string | undefined;
  whirlpool: string;
  tradeEnableTimestamp: bigint;
  constants: AdaptiveFeeConstants;
  variables: AdaptiveFeeVariables;
}

/** Decodes a Whirlpool account; checks owner, discriminator, and that price, tick and fees are in the program's ranges. */
export function decodeWhirlpool(account: AccountSnapshot): Whirlpool {
  requireOwner(account, [WHIRLPOOL_PROGRAM_ID], 'Whirlpool');
  const r = anchorReader(account.data, accountLabel(account), 'Whirlpool', WHIRLPOOL_DISCRIMINATOR, WHIRLPOOL_LEN, 'rewardInfos');
  const tickSpacing = r.u16(41, 'tickSpacing');
  if (tickSpacing === 0) r.bad('tickSpacing', 41, 0, 'must be ≥ 1');
  const feeRate = r.u16(45, 'feeRate');
  if (feeRate > MAX_FEE_RATE) r.bad('feeRate', 45, feeRate, `must be ≤ ${MAX_FEE_RATE}`);
  const protocolFeeRate = r.u16(47, 'protocolFeeRate');
  if (protocolFeeRate > MAX_PROTOCOL_FEE_RATE) r.bad('protocolFeeRate', 47, protocolFeeRate, `must be ≤ ${MAX_PROTOCOL_FEE_RATE}`);
  const sqrtPrice = r.u128(65, 'sqrtPrice');
  if (sqrtPrice < MIN_SQRT_PRICE || sqrtPrice > MAX_SQRT_PRICE) r.bad('sqrtPrice', 65, sqrtPrice, `must be within [${MIN_SQRT_PRICE}, ${MAX_SQRT_PRICE}]`);
  const tickCurrentIndex = r.i32(81, 'tickCurrentIndex');
  if (tickCurrentIndex < MIN_TICK_INDEX - 1 || tickCurrentIndex > MAX_TICK_INDEX) {
    r.bad('tickCurrentIndex', 81, tickCurrentIndex, `must be within [${MIN_TICK_INDEX - 1}, ${MAX_TICK_INDEX}]`);
  }
  const rewardInfos: WhirlpoolRewardInfo[] = [];
  for (let i = 0; i < 3; i++) {
    const o = 269 + i * 128;
    rewardInfos.push({
      mint: r.pubkey(o, `rewardInfos[${i}].mint`),
      vault: r.pubkey(o + 32, `rewardInfos[${i}].vault`),
      authority: r.pubkey(o + 64, `rewardInfos[${i}].authority`),
      emissionsPerSecondX64: r.u128(o + 96, `rewardInfos[${i}].emissionsPerSecondX64`),
      growthGlobalX64: r.u128(o + 112, `rewardInfos[${i}].growthGlobalX64`),
    });
  }
  return {
    address: account.address,
    whirlpoolsConfig: r.pubkey(8, 'whirlpoolsConfig'),
    whirlpoolBump: r.u8(40, 'whirlpoolBump'),
    tickSpacing,
    feeTierIndex: r.u16(43, 'tickSpacingSeed'),
    feeRate,
    protocolFeeRate,
    liquidity: r.u128(49, 'liquidity'),
    sqrtPrice,
    tickCurrentIndex,
    protocolFeeOwedA: r.u64(85, 'protocolFeeOwedA'),
    protocolFeeOwedB: r.u64(93, 'protocolFeeOwedB'),
    tokenMintA: r.pubkey(101, 'tokenMintA'),
    tokenVaultA: r.pubkey(133, 'tokenVaultA'),
    feeGrowthGlobalA: r.u128(165, 'feeGrowthGlobalA'),
    tokenMintB: r.pubkey(181, 'tokenMintB'),
    tokenVaultB: r.pubkey(213, 'tokenVaultB'),
    feeGrowthGlobalB: r.u128(245, 'feeGrowthGlobalB'),
    rewardLastUpdatedTimestamp: r.u64(261, 'rewardLastUpdatedTimestamp'),
    rewardInfos,
  };
}

const EMPTY_TICK: Tick = Object.freeze({
  initialized: false,
  liquidityNet: 0n,
  liquidityGross: 0n,
  feeGrowthOutsideA: 0n,
  feeGrowthOutsideB: 0n,
  rewardGrowthsOutside: Object.freeze([0n, 0n, 0n]) as unknown as [bigint, bigint, bigint],
}) as Tick;

/** Tick body after the `initialized` flag (fixed arrays) or the tag byte (dynamic arrays): 112 bytes. */
function readTickData(r: AccountReader, o: number, field: string): Tick {
  return {
    initialized: true,
    liquidityNet: r.i128(o, `${field}.liquidityNet`),
    liquidityGross: r.u128(o + 16, `${field}.liquidityGross`),
    feeGrowthOutsideA: r.u128(o + 32, `${field}.feeGrowthOutsideA`),
    feeGrowthOutsideB: r.u128(o + 48, `${field}.feeGrowthOutsideB`),
    rewardGrowthsOutside: [r.u128(o + 64, `${field}.rewardGrowthsOutside[0]`), r.u128(o + 80, `${field}.rewardGrowthsOutside[1]`), r.u128(o + 96, `${field}.rewardGrowthsOutside[2]`)],
  };
}

function requireStartTick(r: AccountReader, start: number, offset: number): void {
  // a start tick is a multiple of 88 × spacing; we do not know the spacing here, so only the range is checked
  if (start < MIN_TICK_INDEX - 2 * TICK_ARRAY_SIZE * 32768 || start > MAX_TICK_INDEX) r.bad('startTickIndex', offset, start, 'is outside the tick range');
}

/** Decodes a fixed or dynamic tick array (told apart by discriminator). */
export function decodeTickArray(account: AccountSnapshot): TickArray {
  requireOwner(account, [WHIRLPOOL_PROGRAM_ID], 'TickArray');
  const label = accountLabel(account);
  const data = account.data;
  if (hasDiscriminator(data, DYNAMIC_TICK_ARRAY_DISCRIMINATOR)) return decodeDynamicTickArray(new AccountReader(data, label, 'DynamicTickArray'), account);
  const r = anchorReader(data, label, 'TickArray', FIXED_TICK_ARRAY_DISCRIMINATOR, FIXED_TICK_ARRAY_LEN, 'whirlpool');
  const startTickIndex = r.i32(8, 'startTickIndex');
  requireStartTick(r, startTickIndex, 8);
  const ticks: Tick[] = [];
  const initializedOffsets: number[] = [];
  for (let i = 0; i < TICK_ARRAY_SIZE; i++) {
    const o = 12 + i * 113;
    if (r.bool(o, `ticks[${i}].initialized`)) {
      ticks.push(readTickData(r, o + 1, `ticks[${i}]`));
      initializedOffsets.push(i);
    } else {
      // uninitialized ticks keep whatever the account holds; decode them for completeness
      const t = readTickData(r, o + 1, `ticks[${i}]`);
      t.initialized = false;
      ticks.push(t);
    }
  }
  return { address: account.address, kind: 'fixed', startTickIndex, whirlpool: r.pubkey(9956, 'whirlpool'), ticks, initializedOffsets };
}

function decodeDynamicTickArray(r: AccountReader, account: AccountSnapshot): TickArray {
  r.requireLength(DYNAMIC_TICK_ARRAY_MIN_LEN, 'ticks');
  const startTickIndex = r.i32(8, 'startTickIndex');
  requireStartTick(r, startTickIndex, 8);
  const whirlpool = r.pubkey(12, 'whirlpool');
  const bitmap = r.u128(44, 'tickBitmap');
  if (bitmap >> BigInt(TICK_ARRAY_SIZE) !== 0n) r.bad('tickBitmap', 44, bitmap, `must only use the low ${TICK_ARRAY_SIZE} bits`);
  const ticks: Tick[] = [];
  const initializedOffsets: number[] = [];
  let o = 60;
  for (let i = 0; i < TICK_ARRAY_SIZE; i++) {
    const tag = r.u8(o, `ticks[${i}].tag`);
    const inBitmap = ((bitmap >> BigInt(i)) & 1n) === 1n;
    if (tag > 1) r.bad(`ticks[${i}].tag`, o, tag, 'must be 0 (uninitialized) or 1 (initialized)');
    if ((tag === 1) !== inBitmap) r.bad(`ticks[${i}].tag`, o, tag, `disagrees with tickBitmap bit ${i} (${inBitmap ? 1 : 0})`);
    if (tag === 1) {
      ticks.push(readTickData(r, o + 1, `ticks[${i}]`));
      initializedOffsets.push(i);
      o += 113;
    } else {
      ticks.push(EMPTY_TICK);
      o += 1;
    }
  }
  return { address: account.address, kind: 'dynamic', startTickIndex, whirlpool, ticks, initializedOffsets };
}

/** Decodes a Whirlpool Oracle (adaptive-fee constants and variables). */
export function decodeOracle(account: AccountSnapshot): Oracle {
  requireOwner(account, [WHIRLPOOL_PROGRAM_ID], 'Oracle');
  const r = anchorReader(account.data, accountLabel(account), 'Oracle', ORACLE_DISCRIMINATOR, ORACLE_LEN, 'reserved');
  const constants: AdaptiveFeeConstants = {
    filterPeriod: r.u16(48, 'adaptiveFeeConstants.filterPeriod'),
    decayPeriod: r.u16(50, 'adaptiveFeeConstants.decayPeriod'),
    reductionFactor: r.u16(52, 'adaptiveFeeConstants.reductionFactor'),
    adaptiveFeeControlFactor: r.u32(54, 'adaptiveFeeConstants.adaptiveFeeControlFactor'),
    maxVolatilityAccumulator: r.u32(58, 'adaptiveFeeConstants.maxVolatilityAccumulator'),
    tickGroupSize: r.u16(62, 'adaptiveFeeConstants.tickGroupSize'),
    majorSwapThresholdTicks: r.u16(64, 'adaptiveFeeConstants.majorSwapThresholdTicks'),
  };
  if (constants.tickGroupSize === 0) r.bad('adaptiveFeeConstants.tickGroupSize', 62, 0, 'must be ≥ 1');
  if (constants.adaptiveFeeControlFactor >= 100_000) r.bad('adaptiveFeeConstants.adaptiveFeeControlFactor', 54, constants.adaptiveFeeControlFactor, 'must be < 100000');
  if (constants.reductionFactor >= 10_000) r.bad('adaptiveFeeConstants.reductionFactor', 52, constants.reductionFactor, 'must be < 10000');
  if (constants.maxVolatilityAccumulator * constants.tickGroupSize > 0xffff_ffff) {
    r.bad('adaptiveFeeConstants.maxVolatilityAccumulator', 58, constants.maxVolatilityAccumulator, 'times tickGroupSize must fit a u32');
  }
  const variables: AdaptiveFeeVariables = {
    lastReferenceUpdateTimestamp: r.u64(82, 'adaptiveFeeVariables.lastReferenceUpdateTimestamp'),
    lastMajorSwapTimestamp: r.u64(90, 'adaptiveFeeVariables.lastMajorSwapTimestamp'),
    volatilityReference: r.u32(98, 'adaptiveFeeVariables.volatilityReference'),
    tickGroupIndexReference: r.i32(102, 'adaptiveFeeVariables.tickGroupIndexReference'),
    volatilityAccumulator: r.u32(106, 'adaptiveFeeVariables.volatilityAccumulator'),
  };
  return { address: account.address, whirlpool: r.pubkey(8, 'whirlpool'), tradeEnableTimestamp: r.u64(40, 'tradeEnableTimestamp'), constants, variables };
}

export interface Position {
  address: string | undefined;
  whirlpool: string;
  positionMint: string;
  liquidity: bigint;
  tickLowerIndex: number;
  tickUpperIndex: number;
  feeGrowthCheckpointA: bigint;
  feeOwedA: bigint;
  feeGrowthCheckpointB: bigint;
  feeOwedB: bigint;
  rewardInfos: { growthInsideCheckpoint: bigint; amountOwed: bigint }[];
}

/** Decodes a liquidity Position (216 bytes). */
export function decodePosition(account: AccountSnapshot): Position {
  requireOwner(account, [WHIRLPOOL_PROGRAM_ID], 'Position');
  const r = anchorReader(account.data, accountLabel(account), 'Position', POSITION_DISCRIMINATOR, POSITION_LEN, 'rewardInfos');
  const tickLowerIndex = r.i32(88, 'tickLowerIndex');
  const tickUpperIndex = r.i32(92, 'tickUpperIndex');
  if (tickLowerIndex >= tickUpperIndex) r.bad('tickUpperIndex', 92, tickUpperIndex, `must be above tickLowerIndex ${tickLowerIndex}`);
  const rewardInfos = [0, 1, 2].map((i) => ({
    growthInsideCheckpoint: r.u128(144 + i * 24, `rewardInfos[${i}].growthInsideCheckpoint`),
    amountOwed: r.u64(160 + i * 24, `rewardInfos[${i}].amountOwed`),
  }));
  return {
    address: account.address,
    whirlpool: r.pubkey(8, 'whirlpool'),
    positionMint: r.pubkey(40, 'positionMint'),
    liquidity: r.u128(72, 'liquidity'),
    tickLowerIndex,
    tickUpperIndex,
    feeGrowthCheckpointA: r.u128(96, 'feeGrowthCheckpointA'),
    feeOwedA: r.u64(112, 'feeOwedA'),
    feeGrowthCheckpointB: r.u128(120, 'feeGrowthCheckpointB'),
    feeOwedB: r.u64(136, 'feeOwedB'),
    rewardInfos,
  };
}

/** True when the Whirlpool program owns the account and it starts with `discriminator`. */
export function isWhirlpoolAccount(account: AccountSnapshot, discriminator: Uint8Array): boolean {
  return account.owner === WHIRLPOOL_PROGRAM_ID && hasDiscriminator(account.data, discriminator);
}


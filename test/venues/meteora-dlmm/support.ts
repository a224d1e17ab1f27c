/**
 * Test support for Meteora DLMM: encoders for LbPair / BinArray / BinArrayBitmapExtension and SPL /
 * Token-2022 mints in the program's byte layouts, and a generator of random consistent pairs (Y below
 * the active bin, X above, both in it; bitmap bits for every array with liquidity; stored bin prices)
 * with limit orders, both fee modes, variable fees, transfer fees and the bitmap extension.
 */
import { getPriceFromId } from '../../../engine/venues/meteora-dlmm/index.ts';
import { SeededRng as Rng } from '../support/random.ts';
import type { AccountSnapshot } from '../../../engine/accounts/index.ts';
import { encodeMint as encodeSplMint, Writer } from '../support/writer.ts';

export { Rng };
export const PROGRAM_ID = 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo';
const DEFAULT_KEY = '11111111111111111111111111111111';

export interface PairSpec {
  baseFactor: number;
  filterPeriod: number;
  decayPeriod: number;
  reductionFactor: number;
  variableFeeControl: number;
  maxVolatilityAccumulator: number;
  protocolShare: number;
  baseFeePowerFactor: number;
  functionType: number;
  collectFeeMode: number;
  volatilityAccumulator: number;
  volatilityReference: number;
  indexReference: number;
  lastUpdateTimestamp: bigint;
  pairType: number;
  activeId: number;
  binStep: number;
  status: number;
  activationType: number;
  activationPoint: bigint;
  tokenXMint: string;
  tokenYMint: string;
  rewardMint: string;
  bitmap: bigint[];
  xProgramFlag: number;
  yProgramFlag: number;
}

const UNLISTED_RESERVE_X = '8VfGkM6nR2rJHc4p8NfaGq1Ww4uTtBj3xq3XyKpLr2Vd';
const UNLISTED_RESERVE_Y = '9Wq3bLrQk4sZz8N5f2XhT6YcV1mJpE7aR3uGdKxHn4Pt';

export function encodeLbPair(p: PairSpec): Buffer {
  const w = Writer.anchor(904, 'LbPair');
  w.u16(8, p.baseFactor);
  w.u16(10, p.filterPeriod);
  w.u16(12, p.decayPeriod);
  w.u16(14, p.reductionFactor);
  w.u32(16, p.variableFeeControl);
  w.u32(20, p.maxVolatilityAccumulator);
  w.i32(24, -443636);
  w.i32(28, 443636);
  w.u16(32, p.protocolShare);
  w.u8(34, p.baseFeePowerFactor);
  w.u8(35, p.functionType);
  w.u8(36, p.collectFeeMode);
  w.u32(40, p.volatilityAccumulator);
  w.u32(44, p.volatilityReference);
  w.i32(48, p.indexReference);
  w.i64(56, p.lastUpdateTimestamp);
  w.u8(72, 255);
  w.u16(73, p.binStep);
  w.u8(75, p.pairType);
  w.i32(76, p.activeId);
  w.u16(80, p.binStep);
  w.u8(82, p.status);
  w.u8(86, p.activationType);
  w.pubkey(88, p.tokenXMint);
  w.pubkey(120, p.tokenYMint);
  // Reserves: addresses of their own that no generated account map holds (so quotes do not check balances).
  w.pubkey(152, UNLISTED_RESERVE_X);
  w.pubkey(184, UNLISTED_RESERVE_Y);
  w.pubkey(264, p.rewardMint);
  w.pubkey(264 + 144, DEFAULT_KEY);
  for (let i = 0; i < 16; i++) w.u64(584 + i * 8, p.bitmap[i] ?? 0n);
  w.u64(816, p.activationPoint);
  w.u8(880, p.xProgramFlag);
  w.u8(881, p.yProgramFlag);
  return w.data;
}

export interface BinSpec {
  amountX: bigint;
  amountY: bigint;
  price: bigint;
  openOrderAmount: bigint;
  processedOrderRemainingAmount: bigint;
  limitOrderAskSide: number;
}

export function encodeBinArray(pair: string, index: number, bins: readonly BinSpec[]): Buffer {
  const w = Writer.anchor(10136, 'BinArray');
  w.i64(8, BigInt(index));
  w.u8(16, 3);
  w.pubkey(24, pair);
  for (let i = 0; i < 70; i++) {
    const b = bins[i];
    if (!b) continue;
    const o = 56 + i * 144;
    w.u64(o, b.amountX);
    w.u64(o + 8, b.amountY);
    w.u128(o + 16, b.price);
    w.u128(o + 32, b.amountX + b.amountY > 0n ? 1n << 70n : 0n);
    w.u64(o + 112, b.openOrderAmount);
    w.u64(o + 128, b.processedOrderRemainingAmount);
    w.u8(o + 140, b.limitOrderAskSide);
  }
  return w.data;
}

export function encodeExtension(pair: string, positive: bigint[][], negative: bigint[][]): Buffer {
  const w = Writer.anchor(1576, 'BinArrayBitmapExtension');
  w.pubkey(8, pair);
  for (let i = 0; i < 12; i++) {
    for (let j = 0; j < 8; j++) {
      w.u64(40 + i * 64 + j * 8, positive[i]?.[j] ?? 0n);
      w.u64(40 + 12 * 64 + i * 64 + j * 8, negative[i]?.[j] ?? 0n);
    }
  }
  return w.data;
}

/** An SPL mint, or a Token-2022 mint charging one transfer fee in every epoch. */
export function encodeMint(decimals: number, transferFee?: { bps: number; maximumFee: bigint }): { owner: string; data: Buffer } {
  const fee = transferFee && { epoch: 0n, ...transferFee };
  return encodeSplMint({ decimals, supply: 1n << 50n, ...(fee ? { transferFee: { older: fee, newer: fee } } : {}) });
}

function setBit(words: bigint[], bit: number) {
  words[bit >> 6] = (words[bit >> 6] ?? 0n) | (1n << BigInt(bit & 63));
}

export interface GeneratedPair {
  seed: number;
  address: string;
  pair: Buffer;
  spec: PairSpec;
  binArrays: { address: string; index: number; data: Buffer }[];
  extension: { address: string; data: Buffer } | undefined;
  mintX: AccountSnapshot;
  mintY: AccountSnapshot;
  now: number;
  /** Total X (resp. Y) the bins hold, for sizing swaps. */
  totalX: bigint;
  totalY: bigint;
  hasLimitOrders: boolean;
}

/** Largest |bin id| whose price still fits Q64.64 for this bin step, with a margin. */
function maxIdFor(binStep: number): number {
  return Math.floor((60 * Math.LN2) / Math.log1p(binStep / 10000));
}

export function generatePair(seed: number): GeneratedPair {
  const rng = new Rng(seed);
  const binStep = rng.pick([1, 2, 5, 8, 10, 15, 20, 25, 50, 80, 100, 250, 400]);
  const maxId = maxIdFor(binStep);
  let activeId: number;
  const where = rng.next();
  if (where < 0.6) activeId = rng.int(-Math.min(3000, maxId - 500), Math.min(3000, maxId - 500));
  else if (where < 0.8 && maxId > 36500) activeId = rng.pick([-1, 1]) * rng.int(35600, Math.min(maxId - 500, 36500));
  else activeId = rng.int(-(maxId - 600), maxId - 600);
  const address = rng.address();
  const tokenXMint = rng.address();
  const tokenYMint = rng.address();
  const functionType = rng.pick([0, 0, 1, 2]);
  const rewardMint = rng.chance(0.3) ? rng.address() : DEFAULT_KEY;
  const supportsLo = functionType === 2 || (functionType === 0 && rewardMint === DEFAULT_KEY);
  const activeIndex = Math.floor(activeId / 70);
  const arrayIndexes = new Set<number>([activeIndex]);
  const span = rng.int(0, 4);
  for (let i = 1; i <= span; i++) {
    if (rng.chance(0.8)) arrayIndexes.add(activeIndex - i * rng.pick([1, 1, 2]));
    if (rng.chance(0.8)) arrayIndexes.add(activeIndex + i * rng.pick([1, 1, 2]));
  }
  const density = rng.pick([0.15, 0.5, 0.9, 1]);
  const amountBits = rng.pick([20, 36, 48]);
  let totalX = 0n;
  let totalY = 0n;
  let hasLimitOrders = false;
  const bitmap: bigint[] = new Array(16).fill(0n);
  const positive: bigint[][] = Array.from({ length: 12 }, () => new Array(8).fill(0n));
  const negative: bigint[][] = Array.from({ length: 12 }, () => new Array(8).fill(0n));
  let needsExtension = false;
  const binArrays: GeneratedPair['binArrays'] = [];
  for (const index of [...arrayIndexes].sort((a, b) => a - b)) {
    const bins: BinSpec[] = [];
    let any = false;
    for (let i = 0; i < 70; i++) {
      const id = index * 70 + i;
      const b: BinSpec = { amountX: 0n, amountY: 0n, price: 0n, openOrderAmount: 0n, processedOrderRemainingAmount: 0n, limitOrderAskSide: 0 };
      if (Math.abs(id) <= maxId && rng.chance(density)) {
        if (id <= activeId) b.amountY = rng.logUniform(0, amountBits);
        if (id >= activeId) b.amountX = rng.logUniform(0, amountBits);
      }
      if (supportsLo && Math.abs(id) <= maxId && rng.chance(0.05)) {
        b.limitOrderAskSide = rng.chance(0.5) ? 1 : 0;
        if (rng.chance(0.6)) b.openOrderAmount = rng.logUniform(0, amountBits);
        if (rng.chance(0.6)) b.processedOrderRemainingAmount = rng.logUniform(0, amountBits);
        hasLimitOrders ||= b.openOrderAmount + b.processedOrderRemainingAmount > 0n;
      } else if (!supportsLo && rng.chance(0.05)) {
        // Bytes a limit-order-less pair keeps here (legacy counters) must be ignored.
        b.openOrderAmount = rng.logUniform(0, 40);
        b.processedOrderRemainingAmount = rng.logUniform(0, 40);
      }
      if (b.amountX + b.amountY + b.openOrderAmount + b.processedOrderRemainingAmount > 0n) {
        b.price = getPriceFromId(id, binStep);
        any = true;
      }
      totalX += b.amountX + (b.limitOrderAskSide ? b.openOrderAmount + b.processedOrderRemainingAmount : 0n);
      totalY += b.amountY + (!b.limitOrderAskSide && supportsLo ? b.openOrderAmount + b.processedOrderRemainingAmount : 0n);
      bins.push(b);
    }
    if (!any) continue;
    if (index >= -512 && index <= 511) setBit(bitmap, index + 512);
    else if (index > 511) {
      needsExtension = true;
      const o = Math.floor(index / 512) - 1;
      setBit(positive[o]!, index % 512);
    } else {
      needsExtension = true;
      const o = Math.floor(-(index + 1) / 512) - 1;
      setBit(negative[o]!, -(index + 1) % 512);
    }
    binArrays.push({ address: rng.address(), index, data: encodeBinArray(address, index, bins) });
  }
  const filterPeriod = rng.int(1, 300);
  const decayPeriod = rng.int(filterPeriod + 1, 1200);
  const maxVolatilityAccumulator = rng.pick([0, rng.int(0, 150000), rng.int(0, 400000)]);
  const now = 1_750_000_000 + rng.int(0, 100000);
  const spec: PairSpec = {
    baseFactor: rng.pick([1, 100, 5000, 10000, rng.int(1, 65535)]),
    filterPeriod,
    decayPeriod,
    reductionFactor: rng.int(0, 10000),
    variableFeeControl: rng.pick([0, rng.int(1, 40000), rng.int(1, 200000)]),
    maxVolatilityAccumulator,
    protocolShare: rng.int(0, 2500),
    baseFeePowerFactor: rng.pick([0, 0, 0, 1, 2]),
    functionType,
    collectFeeMode: rng.pick([0, 0, 1]),
    volatilityAccumulator: rng.int(0, maxVolatilityAccumulator),
    volatilityReference: rng.int(0, maxVolatilityAccumulator),
    indexReference: activeId + rng.int(-60, 60),
    lastUpdateTimestamp: BigInt(now - rng.pick([0, rng.int(0, 300), rng.int(0, 1500), rng.int(0, 100000)])),
    pairType: rng.pick([0, 3, 3, 2]),
    activeId,
    binStep,
    status: 0,
    activationType: rng.pick([0, 1]),
    activationPoint: 0n,
    tokenXMint,
    tokenYMint,
    rewardMint,
    bitmap,
    xProgramFlag: 0,
    yProgramFlag: 0,
  };
  if (spec.pairType === 2) spec.activationPoint = BigInt(spec.activationType === 0 ? rng.int(0, 1000) : now - rng.int(0, 1000));
  const feeX = rng.chance(0.25) ? { bps: rng.int(0, 1000), maximumFee: rng.logUniform(0, 40) } : undefined;
  const feeY = rng.chance(0.15) ? { bps: rng.int(0, 1000), maximumFee: rng.logUniform(0, 40) } : undefined;
  const mx = encodeMint(6, feeX);
  const my = encodeMint(9, feeY);
  spec.xProgramFlag = feeX ? 1 : 0;
  spec.yProgramFlag = feeY ? 1 : 0;
  const snapshot = (m: { owner: string; data: Buffer }, addr: string): AccountSnapshot => ({ address: addr, owner: m.owner, data: m.data, lamports: null, executable: false, rentEpoch: null });
  return {
    seed,
    address,
    pair: encodeLbPair(spec),
    spec,
    binArrays,
    extension: needsExtension || rng.chance(0.2) ? { address: rng.address(), data: encodeExtension(address, positive, negative) } : undefined,
    mintX: snapshot(mx, tokenXMint),
    mintY: snapshot(my, tokenYMint),
    now,
    totalX,
    totalY,
    hasLimitOrders,
  };
}

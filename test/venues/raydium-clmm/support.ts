/**
 * Test support for Raydium CLMM: encoders that write PoolState / AmmConfig / TickArrayState /
 * TickArrayBitmapExtension bytes in the program's layout, and a generator of random but
 * consistent pools (positions summed into ticks, bitmap bits for every initialized array, pool
 * liquidity equal to the positions in range) with limit orders, dynamic fees and every fee side.
 */
import { randomBytes } from 'node:crypto';
import bs58 from 'bs58';
import { getSqrtPriceAtTick, MAX_TICK, MIN_TICK } from '../../../engine/venues/raydium-clmm/math.ts';
import { SeededRng as Rng } from '../support/random.ts';
import { Writer } from '../support/writer.ts';

export { Rng };

export const PROGRAM_ID = 'CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK';

export interface DynamicFeeSpec {
  filterPeriod: number;
  decayPeriod: number;
  reductionFactor: number;
  dynamicFeeControl: number;
  maxVolatilityAccumulator: number;
  tickSpacingIndexReference: number;
  volatilityReference: number;
  volatilityAccumulator: number;
  lastUpdateTimestamp: bigint;
}

export interface PoolSpec {
  ammConfig: string;
  mint0: string;
  mint1: string;
  vault0: string;
  vault1: string;
  observation: string;
  tickSpacing: number;
  liquidity: bigint;
  sqrtPriceX64: bigint;
  tickCurrent: number;
  status: number;
  feeOn: number;
  bitmap: bigint[];
  openTime: bigint;
  dynamicFee?: DynamicFeeSpec;
}

export function encodePool(p: PoolSpec): Buffer {
  const w = Writer.anchor(1544, 'PoolState');
  w.u8(8, 255);
  w.pubkey(9, p.ammConfig);
  w.pubkey(41, p.ammConfig);
  w.pubkey(73, p.mint0);
  w.pubkey(105, p.mint1);
  w.pubkey(137, p.vault0);
  w.pubkey(169, p.vault1);
  w.pubkey(201, p.observation);
  w.u8(233, 9);
  w.u8(234, 6);
  w.u16(235, p.tickSpacing);
  w.u128(237, p.liquidity);
  w.u128(253, p.sqrtPriceX64);
  w.i32(269, p.tickCurrent);
  w.u8(389, p.status);
  w.u8(390, p.feeOn);
  for (let i = 0; i < 16; i++) w.u64(904 + i * 8, p.bitmap[i] ?? 0n);
  w.u64(1080, p.openTime);
  if (p.dynamicFee) {
    const d = p.dynamicFee;
    w.u16(1096, d.filterPeriod);
    w.u16(1098, d.decayPeriod);
    w.u16(1100, d.reductionFactor);
    w.u32(1102, d.dynamicFeeControl);
    w.u32(1106, d.maxVolatilityAccumulator);
    w.i32(1110, d.tickSpacingIndexReference);
    w.u32(1114, d.volatilityReference);
    w.u32(1118, d.volatilityAccumulator);
    w.u64(1122, d.lastUpdateTimestamp);
  }
  return w.data;
}

export function encodeConfig(c: { tradeFeeRate: number; protocolFeeRate: number; fundFeeRate: number; tickSpacing: number }): Buffer {
  const w = Writer.anchor(117, 'AmmConfig');
  w.u8(8, 254);
  w.u16(9, 0);
  w.u32(43, c.protocolFeeRate);
  w.u32(47, c.tradeFeeRate);
  w.u16(51, c.tickSpacing);
  w.u32(53, c.fundFeeRate);
  return w.data;
}

export interface TickSpec {
  tick: number;
  liquidityNet: bigint;
  liquidityGross: bigint;
  ordersAmount: bigint;
  partFilledOrdersRemaining: bigint;
}

export function encodeTickArray(pool: string, start: number, tickSpacing: number, ticks: readonly TickSpec[]): Buffer {
  const w = Writer.anchor(10240, 'TickArrayState');
  w.pubkey(8, pool);
  w.i32(40, start);
  let count = 0;
  for (const t of ticks) {
    const offset = (t.tick - start) / tickSpacing;
    const o = 44 + offset * 168;
    w.i32(o, t.tick);
    w.u128(o + 4, t.liquidityNet);
    w.u128(o + 20, t.liquidityGross);
    w.u64(o + 124, t.ordersAmount);
    w.u64(o + 132, t.partFilledOrdersRemaining);
    if (t.partFilledOrdersRemaining > 0n) w.u128(o + 140, 1n << 63n);
    if (t.liquidityGross > 0n || t.ordersAmount > 0n || t.partFilledOrdersRemaining > 0n) count++;
  }
  w.u8(10124, count);
  return w.data;
}

export function encodeExtension(pool: string, positive: bigint[][], negative: bigint[][]): Buffer {
  const w = Writer.anchor(1832, 'TickArrayBitmapExtension');
  w.pubkey(8, pool);
  for (let i = 0; i < 14; i++) {
    for (let j = 0; j < 8; j++) {
      w.u64(40 + i * 64 + j * 8, positive[i]?.[j] ?? 0n);
      w.u64(40 + 14 * 64 + i * 64 + j * 8, negative[i]?.[j] ?? 0n);
    }
  }
  return w.data;
}

function arrayStart(tick: number, ts: number): number {
  return Math.floor(tick / (60 * ts)) * 60 * ts;
}

export interface GeneratedPool {
  seed: number;
  poolAddress: string;
  configAddress: string;
  extensionAddress: string;
  pool: Buffer;
  config: Buffer;
  extension: Buffer;
  /** start index → [address, bytes] for every initialized tick array. */
  tickArrays: Map<number, { address: string; data: Buffer }>;
  mint0: string;
  mint1: string;
  tickSpacing: number;
  tickCurrent: number;
  liquidity: bigint;
  now: number;
  spec: PoolSpec;
  hasLimitOrders: boolean;
}

function setBit(words: bigint[], bit: number) {
  words[bit >> 6] = (words[bit >> 6] ?? 0n) | (1n << BigInt(bit & 63));
}

/** A random pool whose accounts are consistent with each other (what the program would hold). */
export function generatePool(seed: number, opts: { limitOrders?: boolean; dynamicFee?: boolean } = {}): GeneratedPool {
  const rng = new Rng(seed);
  const ts = rng.pick([1, 1, 1, 2, 5, 8, 10, 60, 100, 200]);
  const minTick = Math.ceil(MIN_TICK / ts) * ts;
  const maxTick = Math.floor(MAX_TICK / ts) * ts;
  const boundary = 60 * ts * 512;
  // Current tick: near 0, near the pool-bitmap edge (extension territory for small spacings), or anywhere.
  let cur: number;
  const where = rng.next();
  if (where < 0.5) cur = rng.int(-2000 * ts, 2000 * ts);
  else if (where < 0.8) cur = rng.pick([-1, 1]) * (boundary + rng.int(-3000 * ts, 3000 * ts));
  else cur = rng.int(-400000, 400000);
  cur = Math.max(minTick + ts, Math.min(maxTick - ts, cur));

  const ticks = new Map<number, TickSpec>();
  const tickAt = (t: number): TickSpec => {
    let s = ticks.get(t);
    if (!s) {
      s = { tick: t, liquidityNet: 0n, liquidityGross: 0n, ordersAmount: 0n, partFilledOrdersRemaining: 0n };
      ticks.set(t, s);
    }
    return s;
  };
  const align = (t: number) => Math.max(minTick, Math.min(maxTick, Math.floor(t / ts) * ts));
  const nPositions = rng.int(1, 24);
  const widthScale = rng.pick([5, 20, 60, 300]);
  let liquidity = 0n;
  for (let i = 0; i < nPositions; i++) {
    const lower = align(cur + rng.int(-widthScale, widthScale / 2) * ts);
    const upper = Math.min(maxTick, lower + ts * rng.int(1, widthScale));
    if (upper <= lower) continue;
    const L = rng.logUniform(8, rng.pick([40, 52, 64, 80]));
    const lo = tickAt(lower);
    const up = tickAt(upper);
    lo.liquidityNet += L;
    lo.liquidityGross += L;
    up.liquidityNet -= L;
    up.liquidityGross += L;
    if (lower <= cur && cur < upper) liquidity += L;
  }
  if (rng.chance(0.6)) {
    // A wide backstop position, so most swaps cross ticks instead of running dry.
    const lower = align(cur - rng.int(500, 6000) * ts);
    const upper = align(cur + rng.int(500, 6000) * ts);
    if (lower < upper && lower <= cur && cur < upper) {
      const L = rng.logUniform(20, 64);
      const lo = tickAt(lower);
      const up = tickAt(upper);
      lo.liquidityNet += L;
      lo.liquidityGross += L;
      up.liquidityNet -= L;
      up.liquidityGross += L;
      liquidity += L;
    }
  }
  let hasLimitOrders = false;
  if (opts.limitOrders ?? rng.chance(0.35)) {
    const n = rng.int(1, 5);
    for (let i = 0; i < n; i++) {
      const t = align(cur + rng.int(-widthScale, widthScale) * ts);
      const s = tickAt(t);
      const kind = rng.next();
      if (kind < 0.45) s.ordersAmount = rng.logUniform(0, 48);
      else if (kind < 0.8) s.partFilledOrdersRemaining = rng.logUniform(0, 48);
      else {
        s.ordersAmount = rng.logUniform(0, 48);
        s.partFilledOrdersRemaining = rng.logUniform(0, 40);
      }
      hasLimitOrders = true;
    }
  }
  for (const [t, s] of ticks) if (s.liquidityGross === 0n && s.ordersAmount === 0n && s.partFilledOrdersRemaining === 0n) ticks.delete(t);

  // Price inside [tick, tick+1); sometimes exactly on the tick.
  const lowSqrt = getSqrtPriceAtTick(cur);
  const highSqrt = getSqrtPriceAtTick(cur + 1);
  const sqrtPriceX64 = rng.chance(0.1) ? lowSqrt : lowSqrt + (rng.bits(64) % (highSqrt - lowSqrt));

  const poolAddress = rng.address();
  const configAddress = rng.address();
  const extensionAddress = rng.address();
  const mint0 = rng.address();
  const mint1 = rng.address();
  const bitmap: bigint[] = new Array(16).fill(0n);
  const positive: bigint[][] = Array.from({ length: 14 }, () => new Array(8).fill(0n));
  const negative: bigint[][] = Array.from({ length: 14 }, () => new Array(8).fill(0n));
  const byArray = new Map<number, TickSpec[]>();
  for (const s of ticks.values()) {
    const start = arrayStart(s.tick, ts);
    const list = byArray.get(start) ?? [];
    list.push(s);
    byArray.set(start, list);
  }
  const count = 60 * ts;
  const tickArrays = new Map<number, { address: string; data: Buffer }>();
  for (const [start, list] of byArray) {
    if (start >= -boundary && start < boundary) setBit(bitmap, start / count + 512);
    else if (start >= boundary) {
      const o = Math.floor(start / boundary) - 1;
      setBit(positive[o]!, (start - (o + 1) * boundary) / count);
    } else {
      const o = Math.floor(-start / boundary) - 1 - (-start % boundary === 0 ? 1 : 0);
      setBit(negative[o]!, (start + (o + 2) * boundary) / count);
    }
    tickArrays.set(start, { address: rng.address(), data: encodeTickArray(poolAddress, start, ts, list) });
  }

  const now = 1_750_000_000 + rng.int(0, 1_000_000);
  let dynamicFee: DynamicFeeSpec | undefined;
  if (opts.dynamicFee ?? rng.chance(0.4)) {
    const filterPeriod = rng.int(1, 60);
    const decayPeriod = rng.int(filterPeriod + 1, 600);
    const maxVolatilityAccumulator = rng.int(1, Math.min(2_000_000, Math.floor(0xffffffff / ts)));
    dynamicFee = {
      filterPeriod,
      decayPeriod,
      reductionFactor: rng.int(1, 9999),
      dynamicFeeControl: rng.int(1, 99999),
      maxVolatilityAccumulator,
      tickSpacingIndexReference: Math.floor(cur / ts) + rng.int(-20, 20),
      volatilityReference: rng.int(0, maxVolatilityAccumulator),
      volatilityAccumulator: rng.int(0, maxVolatilityAccumulator),
      lastUpdateTimestamp: BigInt(now - rng.pick([0, rng.int(0, 30), rng.int(0, 700), rng.int(0, 100000)])),
    };
  }
  const spec: PoolSpec = {
    ammConfig: configAddress,
    mint0,
    mint1,
    vault0: rng.address(),
    vault1: rng.address(),
    observation: rng.address(),
    tickSpacing: ts,
    liquidity,
    sqrtPriceX64,
    tickCurrent: cur,
    status: 0,
    feeOn: rng.pick([0, 0, 1, 2]),
    bitmap,
    openTime: 0n,
  };
  if (dynamicFee) spec.dynamicFee = dynamicFee;
  const tradeFeeRate = rng.pick([0, 1, 100, 500, 2500, 10000, rng.int(0, 100000)]);
  const config = encodeConfig({ tradeFeeRate, protocolFeeRate: rng.pick([0, 120000, rng.int(0, 500000)]), fundFeeRate: rng.pick([0, 40000, rng.int(0, 400000)]), tickSpacing: ts });
  return {
    seed,
    poolAddress,
    configAddress,
    extensionAddress,
    pool: encodePool(spec),
    config,
    extension: encodeExtension(poolAddress, positive, negative),
    tickArrays,
    mint0,
    mint1,
    tickSpacing: ts,
    tickCurrent: cur,
    liquidity,
    now,
    spec,
    hasLimitOrders,
  };
}

/** A random address (for tests that need one that is not in any fixture). */
export function randomAddress(): string {
  return bs58.encode(randomBytes(32));
}

/**
 * A swap amount for `g`: half the time log-uniform over the whole u64 range, otherwise sized to the
 * in-range liquidity so the swap moves the price by a few to a few hundred tick spacings.
 */
export function swapAmount(rng: Rng, g: GeneratedPool, zeroForOne: boolean): bigint {
  if (rng.chance(0.25) || g.liquidity === 0n) return rng.logUniform(0, 60);
  const sqrt = g.spec.sqrtPriceX64;
  const moveTicks = BigInt(rng.int(1, rng.pick([10, 60, 300])) * g.tickSpacing);
  // Δ√P ≈ √P · ticks / 20000 for small moves
  const dSqrt = (sqrt * moveTicks) / 20000n + 1n;
  const raw = zeroForOne ? (g.liquidity * dSqrt) / ((sqrt * sqrt) >> 64n || 1n) : (g.liquidity * dSqrt) >> 64n;
  let amount = raw <= 0n ? 1n : raw;
  while (amount > 1n << 62n) amount >>= 4n;
  return amount;
}

const keys = new Rng(77);
const POOL = keys.address();
const CONFIG = keys.address();
const EXT = keys.address();
const NOW = 1_750_000_000;

/** A pool from explicit ticks (positions already summed), as consistent as the ticks given. */
export function buildPool(opts: {
  tickCurrent: number;
  tickSpacing?: number;
  liquidity: bigint;
  ticks: TickSpec[];
  tradeFeeRate?: number;
  feeOn?: number;
  dynamicFee?: DynamicFeeSpec;
  sqrtPriceX64?: bigint;
}): GeneratedPool {
  const ts = opts.tickSpacing ?? 1;
  const bitmap = new Array<bigint>(16).fill(0n);
  const byStart = new Map<number, TickSpec[]>();
  for (const t of opts.ticks) {
    const start = Math.floor(t.tick / (60 * ts)) * 60 * ts;
    byStart.set(start, [...(byStart.get(start) ?? []), t]);
  }
  const tickArrays = new Map<number, { address: string; data: Buffer }>();
  for (const [start, list] of byStart) {
    const bit = start / (60 * ts) + 512;
    bitmap[bit >> 6] = bitmap[bit >> 6]! | (1n << BigInt(bit & 63));
    tickArrays.set(start, { address: keys.address(), data: encodeTickArray(POOL, start, ts, list) });
  }
  const spec = {
    ammConfig: CONFIG,
    mint0: 'So11111111111111111111111111111111111111112',
    mint1: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
    vault0: POOL,
    vault1: POOL,
    observation: POOL,
    tickSpacing: ts,
    liquidity: opts.liquidity,
    sqrtPriceX64: opts.sqrtPriceX64 ?? getSqrtPriceAtTick(opts.tickCurrent),
    tickCurrent: opts.tickCurrent,
    status: 0,
    feeOn: opts.feeOn ?? 0,
    bitmap,
    openTime: 0n,
    ...(opts.dynamicFee ? { dynamicFee: opts.dynamicFee } : {}),
  };
  const empty = () => Array.from({ length: 14 }, () => new Array<bigint>(8).fill(0n));
  return {
    seed: 0,
    poolAddress: POOL,
    configAddress: CONFIG,
    extensionAddress: EXT,
    pool: encodePool(spec),
    config: encodeConfig({ tradeFeeRate: opts.tradeFeeRate ?? 1000, protocolFeeRate: 120_000, fundFeeRate: 40_000, tickSpacing: ts }),
    extension: encodeExtension(POOL, empty(), empty()),
    tickArrays,
    mint0: spec.mint0,
    mint1: spec.mint1,
    tickSpacing: ts,
    tickCurrent: opts.tickCurrent,
    liquidity: opts.liquidity,
    now: NOW,
    spec,
    hasLimitOrders: opts.ticks.some((t) => t.ordersAmount > 0n),
  };
}


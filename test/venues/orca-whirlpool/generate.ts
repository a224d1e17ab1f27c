/**
 * Random but consistent whirlpool states for differential tests: positions → tick liquidity nets,
 * current liquidity from the positions covering the current tick, the tick arrays the program
 * reads, optional adaptive-fee oracle and Token-2022 transfer fees. Each state is encoded into real
 * account bytes (our decoders read them) and into `@orca-so/whirlpools-core` facades (the oracle
 * reads those), so the two sides share nothing but the generated numbers.
 */
import bs58 from 'bs58';
import type { AccountSnapshot } from '../../../engine/accounts/index.ts';
import {
  DYNAMIC_TICK_ARRAY_DISCRIMINATOR,
  FIXED_TICK_ARRAY_DISCRIMINATOR,
  ORACLE_DISCRIMINATOR,
  WHIRLPOOL_DISCRIMINATOR,
  WHIRLPOOL_PROGRAM_ID,
  oracleAddress,
  tickArrayAddress,
} from '../../../engine/venues/orca-whirlpool/index.ts';
import type { OracleFacade, TickArrayFacade, TickFacade, TransferFee as CoreTransferFee, WhirlpoolFacade } from '@orca-so/whirlpools-core';
import * as core from '@orca-so/whirlpools-core';
import type { Rng } from '../support/random.ts';
import { encodeMint, Writer } from '../support/writer.ts';

export const MIN_TICK = -443636;
export const MAX_TICK = 443636;
const TICKS = 88;
export const NOW = 1_700_000_000n;
export const EPOCH = 600n;
const SYSTEM = '11111111111111111111111111111111';

export interface GenTransferFee {
  olderEpoch: bigint;
  older: { bps: number; max: bigint };
  newerEpoch: bigint;
  newer: { bps: number; max: bigint };
}

export interface GenOracle {
  tradeEnableTimestamp: bigint;
  constants: {
    filterPeriod: number;
    decayPeriod: number;
    reductionFactor: number;
    adaptiveFeeControlFactor: number;
    maxVolatilityAccumulator: number;
    tickGroupSize: number;
    majorSwapThresholdTicks: number;
  };
  variables: {
    lastReferenceUpdateTimestamp: bigint;
    lastMajorSwapTimestamp: bigint;
    volatilityReference: number;
    tickGroupIndexReference: number;
    volatilityAccumulator: number;
  };
}

export interface GenPool {
  address: string;
  mintA: string;
  mintB: string;
  tickSpacing: number;
  feeTierIndex: number;
  feeRate: number;
  protocolFeeRate: number;
  liquidity: bigint;
  sqrtPrice: bigint;
  tickCurrentIndex: number;
  /** Initialized ticks: index → [liquidityNet, liquidityGross]. */
  ticks: Map<number, [bigint, bigint]>;
  /** Array starts we generated and whether each exists on chain (and in which layout). */
  arrays: Map<number, 'fixed' | 'dynamic' | 'absent'>;
  oracle: GenOracle | null;
  transferFeeA: GenTransferFee | null;
  transferFeeB: GenTransferFee | null;
  accounts: Map<string, AccountSnapshot>;
}

/** Any 32 bytes serve as an address here (PDA derivation only needs the bytes). */
function randomAddress(r: Rng): string {
  return bs58.encode(r.bytes(32));
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** Port of the program's `get_start_tick_indexes` (kept separate from the engine's on purpose). */
export function programSequenceStarts(tick: number, spacing: number, aToB: boolean): number[] {
  const tia = TICKS * spacing;
  const base = floorDiv(tick, tia) * tia;
  const offsets = aToB ? [0, -1, -2] : tick + spacing >= base + tia ? [1, 2, 3] : [0, 1, 2];
  return offsets
    .map((o) => base + o * tia)
    .filter((s) => {
      if (s < MIN_TICK || s > MAX_TICK) {
        if (s > MIN_TICK) return false;
        return s === MIN_TICK - ((MIN_TICK % tia) + tia);
      }
      return s % tia === 0;
    });
}

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) out.push(i);
  return out;
}

function genTransferFee(r: Rng): GenTransferFee {
  const fee = () => ({
    bps: r.bool(0.7) ? r.pick([0, 1, 5, 10, 30, 100, 250, 1000, 5000, 9999, 10000]) : r.int(0, 10000),
    max: r.bool(0.3) ? (1n << 64n) - 1n : r.logBig(60),
  });
  return { olderEpoch: 0n, older: fee(), newerEpoch: r.pick([0n, EPOCH - 5n, EPOCH, EPOCH + 1n, EPOCH + 100n]), newer: fee() };
}

/** Generates one consistent random pool (see the file comment). */
export function generatePool(r: Rng, opts: { adaptive?: boolean; transferFees?: boolean } = {}): GenPool {
  const tickSpacing = r.pick([1, 2, 4, 8, 16, 32, 64, 64, 96, 128, 128, 256, 512, 32896]);
  const tia = TICKS * tickSpacing;
  const usableMin = Math.trunc(MIN_TICK / tickSpacing) * tickSpacing;
  const usableMax = Math.trunc(MAX_TICK / tickSpacing) * tickSpacing;
  const where = r.next();
  let tick: number;
  if (where < 0.5) tick = r.int(-20 * tia, 20 * tia);
  else if (where < 0.8) tick = r.int(MIN_TICK, MAX_TICK);
  else if (where < 0.9) tick = r.int(MIN_TICK, Math.min(MAX_TICK, MIN_TICK + 3 * tia));
  else tick = r.int(Math.max(MIN_TICK, MAX_TICK - 3 * tia), MAX_TICK);
  tick = Math.max(MIN_TICK, Math.min(MAX_TICK, tick));

  let tickCurrentIndex = tick;
  let sqrtPrice: bigint;
  const priceMode = r.next();
  const lo = core.tickIndexToSqrtPrice(tick);
  if (priceMode < 0.15) {
    sqrtPrice = lo;
  } else if (priceMode < 0.3 && tick > MIN_TICK) {
    // state after crossing an initializable tick going left: price at T, current index T - 1
    const t = Math.max(usableMin, Math.min(usableMax, Math.round(tick / tickSpacing) * tickSpacing));
    sqrtPrice = core.tickIndexToSqrtPrice(t);
    tickCurrentIndex = t - 1;
  } else if (tick < MAX_TICK) {
    const hi = core.tickIndexToSqrtPrice(tick + 1);
    sqrtPrice = r.big(lo, hi - 1n);
  } else sqrtPrice = lo;

  // positions anywhere from three arrays left to four right of the current one (some beyond)
  const base = floorDiv(tickCurrentIndex, tia) * tia;
  const regionLo = Math.max(usableMin, base - 4 * tia);
  const regionHi = Math.min(usableMax, base + 5 * tia);
  const ticks = new Map<number, [bigint, bigint]>();
  let liquidity = 0n;
  const nPositions = r.bool(0.05) ? 0 : r.int(1, 14);
  const maxBits = r.pick([20, 40, 64, 80, 96, 100]);
  for (let i = 0; i < nPositions; i++) {
    let lower: number;
    let upper: number;
    if (r.bool(0.1) || regionHi - regionLo < 2 * tickSpacing) {
      lower = usableMin;
      upper = usableMax;
    } else {
      const a = regionLo + r.int(0, Math.floor((regionHi - regionLo) / tickSpacing) - 1) * tickSpacing;
      const width = r.bool(0.5) ? r.int(1, 8) : r.int(1, Math.max(1, Math.floor((regionHi - a) / tickSpacing)));
      lower = a;
      upper = Math.min(usableMax, a + width * tickSpacing);
      if (upper <= lower) continue;
    }
    const l = r.logBig(maxBits);
    const add = (t: number, net: bigint): void => {
      const cur = ticks.get(t) ?? [0n, 0n];
      ticks.set(t, [cur[0] + net, cur[1] + l]);
    };
    add(lower, l);
    add(upper, -l);
    if (lower <= tickCurrentIndex && tickCurrentIndex < upper) liquidity += l;
  }

  const arrays = new Map<number, 'fixed' | 'dynamic' | 'absent'>();
  for (const aToB of [true, false]) {
    for (const s of programSequenceStarts(tickCurrentIndex, tickSpacing, aToB)) {
      if (arrays.has(s)) continue;
      let hasInitialized = false;
      for (const t of ticks.keys()) if (t >= s && t < s + tia) hasInitialized = true;
      arrays.set(s, !hasInitialized && r.bool(0.4) ? 'absent' : r.bool(0.3) ? 'dynamic' : 'fixed');
    }
  }

  let oracle: GenOracle | null = null;
  let feeTierIndex = tickSpacing;
  if (opts.adaptive) {
    feeTierIndex = tickSpacing + 1024;
    const tickGroupSize = r.pick(divisors(Math.min(tickSpacing, 4096)).filter((d) => tickSpacing % d === 0));
    const maxVa = r.bool(0.2) ? 0 : Math.min(Math.floor(0xffff_ffff / tickGroupSize), r.pick([1_000, 50_000, 350_000, 1_000_000, r.int(0, 5_000_000)]));
    const filterPeriod = r.int(1, 60);
    const decayPeriod = r.int(filterPeriod + 1, 1200);
    const volRef = r.int(0, maxVa);
    oracle = {
      tradeEnableTimestamp: r.bool(0.5) ? 0n : NOW - BigInt(r.int(0, 10_000)),
      constants: {
        filterPeriod,
        decayPeriod,
        reductionFactor: r.int(0, 9_999),
        adaptiveFeeControlFactor: r.bool(0.1) ? 0 : r.int(1, 99_999),
        maxVolatilityAccumulator: maxVa,
        tickGroupSize,
        majorSwapThresholdTicks: r.int(1, Math.min(65_535, tia)),
      },
      variables: {
        lastReferenceUpdateTimestamp: NOW - BigInt(r.pick([0, 1, 10, 30, 100, 700, 4000, r.int(0, 5000)])),
        lastMajorSwapTimestamp: NOW - BigInt(r.pick([0, 1, 5, 30, 100, 2000, r.int(0, 5000)])),
        volatilityReference: volRef,
        tickGroupIndexReference: floorDiv(tickCurrentIndex, tickGroupSize) + r.int(-40, 40),
        volatilityAccumulator: r.int(volRef, maxVa),
      },
    };
  }

  const pool: GenPool = {
    address: randomAddress(r),
    mintA: randomAddress(r),
    mintB: randomAddress(r),
    tickSpacing,
    feeTierIndex,
    feeRate: r.bool(0.7) ? r.pick([0, 1, 100, 300, 400, 500, 1000, 2000, 3000, 10000, 30000, 60000]) : r.int(0, 60000),
    protocolFeeRate: r.pick([0, 300, 1300, 2500, r.int(0, 2500)]),
    liquidity,
    sqrtPrice,
    tickCurrentIndex,
    ticks,
    arrays,
    oracle,
    transferFeeA: opts.transferFees && r.bool(0.7) ? genTransferFee(r) : null,
    transferFeeB: opts.transferFees && r.bool(0.7) ? genTransferFee(r) : null,
    accounts: new Map(),
  };
  encodeAccounts(pool);
  return pool;
}

// ---------- account bytes (what our decoders read) ----------

function snapshot(address: string, owner: string, data: Uint8Array): AccountSnapshot {
  return { address, owner, data, lamports: 1n, executable: false, rentEpoch: 0n };
}

function encodeWhirlpool(p: GenPool): Uint8Array {
  const w = new Writer(653).bytes(0, WHIRLPOOL_DISCRIMINATOR);
  w.pubkey(8, p.address).u8(40, 255).u16(41, p.tickSpacing).u16(43, p.feeTierIndex).u16(45, p.feeRate).u16(47, p.protocolFeeRate);
  w.u128(49, p.liquidity).u128(65, p.sqrtPrice).i32(81, p.tickCurrentIndex);
  w.pubkey(101, p.mintA).pubkey(133, p.mintA).pubkey(181, p.mintB).pubkey(213, p.mintB).u64(261, NOW);
  return w.data;
}

function tickData(w: Writer, o: number, net: bigint, gross: bigint): void {
  w.u128(o, net).u128(o + 16, gross).u128(o + 32, 7n).u128(o + 48, 9n);
}

function encodeTickArray(p: GenPool, start: number, layout: 'fixed' | 'dynamic'): Uint8Array {
  const at = (i: number) => p.ticks.get(start + i * p.tickSpacing);
  if (layout === 'fixed') {
    const w = new Writer(9988).bytes(0, FIXED_TICK_ARRAY_DISCRIMINATOR).i32(8, start).pubkey(9956, p.address);
    for (let i = 0; i < TICKS; i++) {
      const t = at(i);
      if (t) {
        w.u8(12 + i * 113, 1);
        tickData(w, 13 + i * 113, t[0], t[1]);
      }
    }
    return w.data;
  }
  const initialized = [...Array(TICKS).keys()].filter((i) => at(i));
  const w = new Writer(60 + TICKS + initialized.length * 112).bytes(0, DYNAMIC_TICK_ARRAY_DISCRIMINATOR).i32(8, start).pubkey(12, p.address);
  let bitmap = 0n;
  for (const i of initialized) bitmap |= 1n << BigInt(i);
  w.u128(44, bitmap);
  let o = 60;
  for (let i = 0; i < TICKS; i++) {
    const t = at(i);
    if (t) {
      w.u8(o, 1);
      tickData(w, o + 1, t[0], t[1]);
      o += 113;
    } else o += 1;
  }
  return w.data;
}

function encodeOracle(p: GenPool, o: GenOracle): Uint8Array {
  const w = new Writer(254).bytes(0, ORACLE_DISCRIMINATOR).pubkey(8, p.address).u64(40, o.tradeEnableTimestamp);
  const c = o.constants;
  w.u16(48, c.filterPeriod).u16(50, c.decayPeriod).u16(52, c.reductionFactor).u32(54, c.adaptiveFeeControlFactor);
  w.u32(58, c.maxVolatilityAccumulator).u16(62, c.tickGroupSize).u16(64, c.majorSwapThresholdTicks);
  const v = o.variables;
  w.u64(82, v.lastReferenceUpdateTimestamp).u64(90, v.lastMajorSwapTimestamp).u32(98, v.volatilityReference);
  w.i32(102, v.tickGroupIndexReference).u32(106, v.volatilityAccumulator);
  return w.data;
}

function encodeMintOf(fee: GenTransferFee | null): { owner: string; data: Uint8Array } {
  return encodeMint({
    decimals: 6,
    supply: 10n ** 15n,
    ...(fee
      ? { transferFee: { older: { epoch: fee.olderEpoch, bps: fee.older.bps, maximumFee: fee.older.max }, newer: { epoch: fee.newerEpoch, bps: fee.newer.bps, maximumFee: fee.newer.max } } }
      : {}),
  });
}

/** A copy of `p` with its accounts encoded afresh from its fields (after a test edits them). */
export function regenerate(p: GenPool, opts: { omitStarts?: number[] } = {}): GenPool {
  const q: GenPool = { ...p, accounts: new Map() };
  encodeAccounts(q, opts.omitStarts ?? []);
  return q;
}

function encodeAccounts(p: GenPool, omitStarts: number[] = []): void {
  const a = p.accounts;
  a.set(p.address, snapshot(p.address, WHIRLPOOL_PROGRAM_ID, encodeWhirlpool(p)));
  for (const [start, layout] of p.arrays) {
    if (omitStarts.includes(start)) continue;
    const address = tickArrayAddress(p.address, start);
    a.set(address, layout === 'absent' ? snapshot(address, SYSTEM, new Uint8Array(0)) : snapshot(address, WHIRLPOOL_PROGRAM_ID, encodeTickArray(p, start, layout)));
  }
  if (p.oracle) {
    const address = oracleAddress(p.address);
    a.set(address, snapshot(address, WHIRLPOOL_PROGRAM_ID, encodeOracle(p, p.oracle)));
  }
  for (const [mint, fee] of [[p.mintA, p.transferFeeA], [p.mintB, p.transferFeeB]] as const) {
    const m = encodeMintOf(fee);
    a.set(mint, snapshot(mint, m.owner, m.data));
  }
}

// ---------- core facades (what the official core reads) ----------

export function coreWhirlpool(p: GenPool): WhirlpoolFacade {
  return {
    feeTierIndexSeed: new Uint8Array([p.feeTierIndex & 0xff, p.feeTierIndex >> 8]),
    tickSpacing: p.tickSpacing,
    feeRate: p.feeRate,
    protocolFeeRate: p.protocolFeeRate,
    liquidity: p.liquidity,
    sqrtPrice: p.sqrtPrice,
    tickCurrentIndex: p.tickCurrentIndex,
    feeGrowthGlobalA: 0n,
    feeGrowthGlobalB: 0n,
    rewardLastUpdatedTimestamp: NOW,
    rewardInfos: [0, 1, 2].map(() => ({ emissionsPerSecondX64: 0n, growthGlobalX64: 0n })),
  };
}

/** The tick arrays one swap instruction reads in this direction, as core facades. */
export function coreTickArrays(p: GenPool, aToB: boolean): TickArrayFacade[] {
  return programSequenceStarts(p.tickCurrentIndex, p.tickSpacing, aToB).map((start) => {
    const ticks: TickFacade[] = [];
    for (let i = 0; i < TICKS; i++) {
      const t = p.ticks.get(start + i * p.tickSpacing);
      ticks.push({
        initialized: t !== undefined,
        liquidityNet: t ? t[0] : 0n,
        liquidityGross: t ? t[1] : 0n,
        feeGrowthOutsideA: t ? 7n : 0n,
        feeGrowthOutsideB: t ? 9n : 0n,
        rewardGrowthsOutside: [0n, 0n, 0n],
      });
    }
    return { startTickIndex: start, ticks };
  });
}

export function coreOracle(p: GenPool): OracleFacade | undefined {
  if (!p.oracle) return undefined;
  return {
    tradeEnableTimestamp: p.oracle.tradeEnableTimestamp,
    adaptiveFeeConstants: { ...p.oracle.constants },
    adaptiveFeeVariables: { ...p.oracle.variables },
  };
}

export function coreTransferFee(fee: GenTransferFee | null): CoreTransferFee | undefined {
  if (!fee) return undefined;
  const f = EPOCH >= fee.newerEpoch ? fee.newer : fee.older;
  return { feeBps: f.bps, maxFee: f.max };
}

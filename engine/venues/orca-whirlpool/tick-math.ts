/**
 * Tick ↔ sqrt-price conversion exactly as the Whirlpool program's `math/tick_math.rs` computes it
 * (bit-by-bit products with the program's constants and truncations), memoized per tick.
 */
import { msb } from '../math/index.ts';

export const MIN_TICK_INDEX = -443636;
export const MAX_TICK_INDEX = 443636;
export const MIN_SQRT_PRICE = 4295048016n;
export const MAX_SQRT_PRICE = 79226673515401279992447579055n;
export const TICK_ARRAY_SIZE = 88;

const POSITIVE: ReadonlyArray<readonly [number, bigint]> = [
  [2, 79236085330515764027303304731n],
  [4, 79244008939048815603706035061n],
  [8, 79259858533276714757314932305n],
  [16, 79291567232598584799939703904n],
  [32, 79355022692464371645785046466n],
  [64, 79482085999252804386437311141n],
  [128, 79736823300114093921829183326n],
  [256, 80248749790819932309965073892n],
  [512, 81282483887344747381513967011n],
  [1024, 83390072131320151908154831281n],
  [2048, 87770609709833776024991924138n],
  [4096, 97234110755111693312479820773n],
  [8192, 119332217159966728226237229890n],
  [16384, 179736315981702064433883588727n],
  [32768, 407748233172238350107850275304n],
  [65536, 2098478828474011932436660412517n],
  [131072, 55581415166113811149459800483533n],
  [262144, 38992368544603139932233054999993551n],
];

const NEGATIVE: ReadonlyArray<readonly [number, bigint]> = [
  [2, 18444899583751176498n],
  [4, 18443055278223354162n],
  [8, 18439367220385604838n],
  [16, 18431993317065449817n],
  [32, 18417254355718160513n],
  [64, 18387811781193591352n],
  [128, 18329067761203520168n],
  [256, 18212142134806087854n],
  [512, 17980523815641551639n],
  [1024, 17526086738831147013n],
  [2048, 16651378430235024244n],
  [4096, 15030750278693429944n],
  [8192, 12247334978882834399n],
  [16384, 8131365268884726200n],
  [32768, 3584323654723342297n],
  [65536, 696457651847595233n],
  [131072, 26294789957452057n],
  [262144, 37481735321082n],
];

function positiveTick(tick: number): bigint {
  let ratio = tick & 1 ? 79232123823359799118286999567n : 79228162514264337593543950336n;
  for (const [bit, factor] of POSITIVE) if (tick & bit) ratio = (ratio * factor) >> 96n;
  return ratio >> 32n;
}

function negativeTick(tick: number): bigint {
  const abs = -tick;
  let ratio = abs & 1 ? 18445821805675392311n : 18446744073709551616n;
  for (const [bit, factor] of NEGATIVE) if (abs & bit) ratio = (ratio * factor) >> 64n;
  return ratio;
}

const cache = new Map<number, bigint>();
const CACHE_LIMIT = 200_000;

/** `sqrt_price_from_tick_index`: Q64.64 sqrt price of a tick (valid within ±443636). */
export function sqrtPriceFromTickIndex(tick: number): bigint {
  let v = cache.get(tick);
  if (v === undefined) {
    v = tick >= 0 ? positiveTick(tick) : negativeTick(tick);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(tick, v);
  }
  return v;
}

const LOG_B_2_X32 = 59543866431248n;
const BIT_PRECISION = 14;
const LOG_B_P_ERR_MARGIN_LOWER_X64 = 184467440737095516n;
const LOG_B_P_ERR_MARGIN_UPPER_X64 = 15793534762490258745n;

/** `tick_index_from_sqrt_price`: the greatest tick whose sqrt price is ≤ `sqrtPrice` (sqrtPrice > 0). */
export function tickIndexFromSqrtPrice(sqrtPrice: bigint): number {
  const m = msb(sqrtPrice);
  const log2pIntegerX32 = BigInt(m - 64) << 32n;
  let bit = 0x8000_0000_0000_0000n;
  let precision = 0;
  let log2pFractionX64 = 0n;
  let r = m >= 64 ? sqrtPrice >> BigInt(m - 63) : sqrtPrice << BigInt(63 - m);
  while (bit > 0n && precision < BIT_PRECISION) {
    r *= r;
    const isRMoreThanTwo = r >> 127n;
    r >>= 63n + isRMoreThanTwo;
    log2pFractionX64 += bit * isRMoreThanTwo;
    bit >>= 1n;
    precision += 1;
  }
  const log2pX32 = log2pIntegerX32 + (log2pFractionX64 >> 32n);
  const logbpX64 = log2pX32 * LOG_B_2_X32;
  const tickLow = Number((logbpX64 - LOG_B_P_ERR_MARGIN_LOWER_X64) >> 64n);
  const tickHigh = Number((logbpX64 + LOG_B_P_ERR_MARGIN_UPPER_X64) >> 64n);
  if (tickLow === tickHigh) return tickLow;
  return sqrtPriceFromTickIndex(tickHigh) <= sqrtPrice ? tickHigh : tickLow;
}

/** Start tick of the array holding `tick` (floor to a multiple of 88 × spacing). */
export function tickArrayStartIndex(tick: number, tickSpacing: number): number {
  const ticksInArray = TICK_ARRAY_SIZE * tickSpacing;
  return Math.floor(tick / ticksInArray) * ticksInArray;
}

/** `Tick::check_is_valid_start_tick`. */
export function isValidStartTick(start: number, tickSpacing: number): boolean {
  const ticksInArray = TICK_ARRAY_SIZE * tickSpacing;
  if (start < MIN_TICK_INDEX || start > MAX_TICK_INDEX) {
    if (start > MIN_TICK_INDEX) return false;
    const minArrayStart = MIN_TICK_INDEX - ((MIN_TICK_INDEX % ticksInArray) + ticksInArray);
    return start === minArrayStart;
  }
  return start % ticksInArray === 0;
}

/**
 * Which tick arrays are initialized: the pool's 1024-bit bitmap (start indexes within ±512 arrays
 * of 0) plus the optional `TickArrayBitmapExtension` (14 bitmaps of 512 arrays on each side).
 *
 * The program walks these bitmaps word by word (`tick_array_bit_map.rs`, `pool.rs`
 * `next_tick_array_index_with_extension_info`); the result is always the nearest initialized start
 * index strictly beyond the last one in the swap direction. Here the set bits are listed once as
 * sorted start indexes and searched; the one behaviour that depends on the walk — when the
 * extension account must be present — is reproduced exactly.
 */
import { ceilSearch, floorSearch, setBits } from '../math/index.ts';
import { dexError } from './errors.ts';
import { MAX_TICK, MIN_TICK, TICK_ARRAY_SIZE, tickArrayStartIndex } from './math.ts';
import type { TickArrayBitmapExtension } from './layout.ts';

const BITMAP_ARRAYS = 512;

export class TickArrayIndex {
  /** Initialized start indexes from the pool bitmap, ascending. */
  readonly defaultStarts: number[];
  /** Initialized start indexes from the pool bitmap and the extension, ascending (undefined without the extension). */
  readonly allStarts: number[] | undefined;
  private readonly defaultSet: Set<number>;
  private readonly allSet: Set<number> | undefined;
  private readonly ticksInArray: number;
  private readonly boundary: number;

  constructor(
    readonly pool: string,
    readonly tickSpacing: number,
    poolBitmap: readonly bigint[],
    extension: TickArrayBitmapExtension | undefined,
  ) {
    this.ticksInArray = TICK_ARRAY_SIZE * tickSpacing;
    this.boundary = this.ticksInArray * BITMAP_ARRAYS;
    this.defaultStarts = setBits(poolBitmap).map((b) => (b - BITMAP_ARRAYS) * this.ticksInArray);
    this.defaultSet = new Set(this.defaultStarts);
    if (extension) {
      const ext: number[] = [];
      for (let o = 0; o < extension.positiveTickArrayBitmap.length; o++) {
        for (const b of setBits(extension.positiveTickArrayBitmap[o]!)) ext.push((o + 1) * this.boundary + b * this.ticksInArray);
      }
      for (let o = 0; o < extension.negativeTickArrayBitmap.length; o++) {
        for (const b of setBits(extension.negativeTickArrayBitmap[o]!)) ext.push(-(o + 2) * this.boundary + b * this.ticksInArray);
      }
      this.allStarts = [...new Set([...this.defaultStarts, ...ext])].sort((a, b) => a - b);
      this.allSet = new Set(this.allStarts);
    }
  }

  private missingExtension(): never {
    throw dexError(
      'DEX_ACCOUNT_MISSING',
      `Raydium CLMM pool ${this.pool}: the swap reaches tick arrays beyond the pool bitmap; the TickArrayBitmapExtension account is required`,
      { account: this.pool, field: 'tick_array_bitmap_extension', reason: 'MissingTickArrayBitmapExtensionAccount' },
    );
  }

  /** True when start index `start` lies outside the pool bitmap's range (`is_overflow_default_tickarray_bitmap`). */
  isOverflowDefault(start: number): boolean {
    let max = this.boundary;
    let min = -max;
    if (max > MAX_TICK) max = tickArrayStartIndex(MAX_TICK, this.tickSpacing) + this.ticksInArray;
    if (min < MIN_TICK) min = tickArrayStartIndex(MIN_TICK, this.tickSpacing);
    return start >= max || start < min;
  }

  /**
   * `first_tick_array_index_with_extension_info`: whether the array holding `tickCurrent` is
   * initialized, else the next initialized array in the swap direction.
   */
  first(tickCurrent: number, zeroForOne: boolean): { containsPoolTick: boolean; startIndex: number } {
    if (tickCurrent < MIN_TICK || tickCurrent > MAX_TICK) {
      throw dexError('DEX_SWAP_REJECTED', `Raydium CLMM pool ${this.pool}: tick_current ${tickCurrent} is out of range`, {
        account: this.pool,
        field: 'tick_current',
        value: tickCurrent,
        reason: 'InvalidTickIndex',
      });
    }
    const start = tickArrayStartIndex(tickCurrent, this.tickSpacing);
    let initialized: boolean;
    if (this.isOverflowDefault(start)) {
      if (!this.allSet) this.missingExtension();
      initialized = this.allSet.has(start);
    } else {
      initialized = this.defaultSet.has(start);
    }
    if (initialized) return { containsPoolTick: true, startIndex: start };
    const next = this.next(start, zeroForOne);
    if (next === undefined) {
      throw dexError('DEX_INSUFFICIENT_LIQUIDITY', `Raydium CLMM pool ${this.pool}: no initialized tick array in the swap direction`, {
        account: this.pool,
        reason: 'InsufficientLiquidityForDirection',
      });
    }
    return { containsPoolTick: false, startIndex: next };
  }

  /** Nearest initialized tick array strictly beyond `last` in the swap direction (`next_tick_array_index_with_extension_info`). */
  next(last: number, zeroForOne: boolean): number | undefined {
    const nextStart = zeroForOne ? last - this.ticksInArray : last + this.ticksInArray;
    if (nextStart >= -this.boundary && nextStart < this.boundary) {
      const hit = zeroForOne ? floorSearch(this.defaultStarts, nextStart) : ceilSearch(this.defaultStarts, nextStart);
      if (hit !== undefined) return hit;
    }
    if (this.tickSpacing >= 15) return undefined;
    if (!this.allStarts) this.missingExtension();
    return zeroForOne ? floorSearch(this.allStarts, last - 1) : ceilSearch(this.allStarts, last + 1);
  }
}

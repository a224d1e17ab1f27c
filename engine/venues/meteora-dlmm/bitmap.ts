/**
 * Which bin arrays hold liquidity: the pair's 1024-bit bitmap (indexes −512…511) and the optional
 * `BinArrayBitmapExtension` (12 bitmaps of 512 indexes on each side). The search reproduces
 * `get_bin_array_pubkeys_for_swap` (commons/src/quote.rs): nearest set index from the active bin's
 * array (inclusive) in the swap direction, giving up where the program's walk would — past the
 * pair's bitmap without an extension.
 */
import { ceilSearch, floorSearch, setBits } from '../math/index.ts';
import type { BinArrayBitmapExtension } from './layout.ts';

const BITMAP_SIZE = 512;

export class BinArrayIndex {
  /** Indexes with liquidity per the pair's own bitmap, ascending. */
  readonly internal: number[];
  /** Indexes with liquidity per the extension, ascending (undefined without the extension account). */
  readonly extension: number[] | undefined;

  constructor(pairBitmap: readonly bigint[], extension: BinArrayBitmapExtension | undefined) {
    this.internal = setBits(pairBitmap).map((b) => b - BITMAP_SIZE);
    if (extension) {
      const ext: number[] = [];
      for (let o = 0; o < extension.positiveBinArrayBitmap.length; o++) {
        for (const b of setBits(extension.positiveBinArrayBitmap[o]!)) ext.push((o + 1) * BITMAP_SIZE + b);
      }
      for (let o = 0; o < extension.negativeBinArrayBitmap.length; o++) {
        for (const b of setBits(extension.negativeBinArrayBitmap[o]!)) ext.push(-((o + 1) * BITMAP_SIZE + b) - 1);
      }
      this.extension = ext.sort((a, b) => a - b);
    }
  }

  private static overflowsInternal(index: number): boolean {
    return index > BITMAP_SIZE - 1 || index < -BITMAP_SIZE;
  }

  /** Nearest index with liquidity from `start` (inclusive) toward lower (`swapForY`) or higher indexes; undefined: out of liquidity. */
  next(start: number, swapForY: boolean): number | undefined {
    let s = start;
    for (let guard = 0; guard < 4; guard++) {
      if (BinArrayIndex.overflowsInternal(s)) {
        if (!this.extension) return undefined;
        if (s > 0) {
          if (swapForY) {
            const hit = floorSearch(this.extension, s);
            if (hit !== undefined && hit >= BITMAP_SIZE) return hit;
            s = BITMAP_SIZE - 1; // continue in the pair's bitmap
          } else {
            return ceilSearch(this.extension, s);
          }
        } else if (swapForY) {
          return floorSearch(this.extension, s);
        } else {
          const hit = ceilSearch(this.extension, s);
          if (hit !== undefined && hit <= -BITMAP_SIZE - 1) return hit;
          s = -BITMAP_SIZE; // continue in the pair's bitmap
        }
      } else {
        const hit = swapForY ? floorSearch(this.internal, s) : ceilSearch(this.internal, s);
        if (hit !== undefined) return hit;
        s = swapForY ? -BITMAP_SIZE - 1 : BITMAP_SIZE;
      }
    }
    return undefined;
  }
}

/**
 * Bitmaps of initialized tick / bin arrays, listed once as sorted indexes and searched: what the
 * CLMM and DLMM venues use in place of the programs' word-by-word walks.
 */

/** Indexes of the set bits in little-endian u64 `words` (bit i of word w is index w·64 + i), ascending. */
export function setBits(words: readonly bigint[]): number[] {
  const out: number[] = [];
  for (let w = 0; w < words.length; w++) {
    let word = words[w]!;
    let bit = 0;
    while (word !== 0n) {
      const low = Number(word & 0xffffffffn);
      if (low !== 0) for (let b = 0; b < 32; b++) if (low & (1 << b)) out.push(w * 64 + bit + b);
      word >>= 32n;
      bit += 32;
    }
  }
  return out;
}

/** Largest element ≤ x in an ascending list, or undefined. */
export function floorSearch(list: readonly number[], x: number): number | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= x) {
      found = list[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Smallest element ≥ x in an ascending list, or undefined. */
export function ceilSearch(list: readonly number[], x: number): number | undefined {
  let lo = 0;
  let hi = list.length - 1;
  let found: number | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! >= x) {
      found = list[mid];
      hi = mid - 1;
    } else lo = mid + 1;
  }
  return found;
}

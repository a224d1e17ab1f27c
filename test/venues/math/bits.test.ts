/** Bitmap helpers shared by the CLMM and DLMM venues, against a bit-by-bit and a linear-scan reading. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ceilSearch, floorSearch, setBits } from '../../../engine/venues/math/index.ts';
import { rng, seedFor } from '../support/random.ts';

test('setBits lists every set bit of little-endian u64 words, ascending; searches find the nearest', () => {
  const seed = seedFor(0xb175);
  const r = rng(seed);
  for (let i = 0; i < 2000; i++) {
    const words = Array.from({ length: r.int(0, 16) }, () => (r.bool(0.3) ? 0n : r.bool(0.2) ? (1n << 64n) - 1n : r.bits(64) & r.bits(64) & r.bits(64)));
    const expected: number[] = [];
    words.forEach((w, wi) => {
      for (let b = 0; b < 64; b++) if ((w >> BigInt(b)) & 1n) expected.push(wi * 64 + b);
    });
    const list = setBits(words);
    assert.deepEqual(list, expected, `seed ${seed} case ${i}`);
    for (let k = 0; k < 5; k++) {
      const x = r.int(-5, words.length * 64 + 5);
      assert.equal(floorSearch(list, x), [...list].reverse().find((v) => v <= x), `floor ${x}`);
      assert.equal(ceilSearch(list, x), list.find((v) => v >= x), `ceil ${x}`);
    }
  }
});

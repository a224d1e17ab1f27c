/**
 * Account mutations for the DEX fuzz tests: bit flips, overwritten words and runs
 * (0x00 / 0xff / random), truncation, extension, splices from other accounts, whole random
 * buffers, and targeted writes of extreme values into the fields the math reads.
 */
import type { Rng } from './random.ts';

/** One mutated copy of `data`; `hot` lists byte offsets of fields worth hitting with extreme values. */
export function mutate(r: Rng, data: Uint8Array, others: readonly Uint8Array[], hot: readonly number[] = []): Uint8Array {
  let out: Uint8Array = new Uint8Array(data);
  const rounds = r.int(1, 4);
  for (let k = 0; k < rounds; k++) {
    const op = r.int(0, 10);
    const at = out.length ? r.int(0, out.length - 1) : 0;
    if (op <= 2 && out.length) {
      for (let i = r.int(1, 8); i > 0; i--) {
        const j = r.int(0, out.length - 1);
        out[j] = out[j]! ^ (1 << r.int(0, 7));
      }
    } else if (op === 3 && out.length) {
      const width = r.pick([1, 2, 4, 8, 16, 32]);
      const fill = r.pick([0x00, 0xff, -1]);
      for (let i = at; i < Math.min(out.length, at + width); i++) out[i] = fill < 0 ? r.int(0, 255) : fill;
    } else if (op === 4) {
      out = out.subarray(0, r.bool(0.3) ? r.int(0, Math.min(out.length, 64)) : r.int(0, out.length));
    } else if (op === 5) {
      const tail = r.bytes(r.pick([1, 7, 8, 100, r.int(1, 2000)]));
      const grown = new Uint8Array(out.length + tail.length);
      grown.set(out);
      grown.set(tail, out.length);
      out = grown;
    } else if (op === 6 && others.length) {
      const other = r.pick(others);
      const from = r.int(0, Math.max(0, other.length - 1));
      const chunk = other.subarray(from, from + r.int(1, 256));
      if (at + chunk.length <= out.length) out.set(chunk, at);
    } else if (op === 7) {
      out = r.bytes(r.bool(0.5) ? out.length : r.int(0, 1200));
    } else if (op >= 8 && hot.length) {
      // an extreme value in a field the quote math reads (sizes 1..16 bytes covered by writing 16)
      const o = r.pick(hot);
      const value = r.pick([0n, 1n, (1n << 32n) - 1n, (1n << 63n) - 1n, (1n << 64n) - 1n, (1n << 127n) - 1n, (1n << 128n) - 1n, r.bits(128)]);
      const width = r.pick([1, 2, 4, 8, 16]);
      for (let i = 0; i < width && o + i < out.length; i++) out[o + i] = Number((value >> BigInt(8 * i)) & 0xffn);
    } else if (out.length >= 8) {
      const word = Math.min(Math.floor(at / 8) * 8, out.length - 8);
      new DataView(out.buffer, out.byteOffset).setBigUint64(word, r.bits(64), true);
    }
  }
  return out;
}

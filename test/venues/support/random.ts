/**
 * Seeded randomness and case counts for the DEX differential and fuzz tests. Every suite prints
 * its seed; rerun a failure with SOLRULES_SEED=<seed>. SOLRULES_FULL=1 runs the full counts.
 */
import bs58 from 'bs58';
import { mulberry32 } from '../../support/random.ts';

export const FULL = process.env.SOLRULES_FULL === '1';

/** `defaultCount` normally, `fullCount` under SOLRULES_FULL=1 (SOLRULES_CASES overrides both). */
export function caseCount(defaultCount: number, fullCount: number): number {
  const forced = Number(process.env.SOLRULES_CASES);
  if (Number.isInteger(forced) && forced > 0) return forced;
  return FULL ? fullCount : defaultCount;
}

/** The suite's seed: SOLRULES_SEED when set, else the given default. */
export function seedFor(defaultSeed: number): number {
  const s = Number(process.env.SOLRULES_SEED);
  return Number.isInteger(s) ? s : defaultSeed;
}

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** Uniform bigint with `bits` random bits. */
  bits(bits: number): bigint;
  /** Uniform bigint in [lo, hi]. */
  big(lo: bigint, hi: bigint): bigint;
  /** Log-uniform bigint in [1, 2^maxBits): small and huge values alike. */
  logBig(maxBits: number): bigint;
  bool(p?: number): boolean;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Uint8Array;
}


/** A seeded `Rng`. */
export function rng(seed: number): Rng {
  const next = mulberry32(seed);
  const u32 = (): bigint => BigInt(Math.floor(next() * 4294967296));
  const bits = (n: number): bigint => {
    let v = 0n;
    for (let i = 0; i < n; i += 32) v = (v << 32n) | u32();
    return v & ((1n << BigInt(n)) - 1n);
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    bits,
    big(lo, hi) {
      const span = hi - lo + 1n;
      const width = span.toString(2).length + 16;
      return lo + (bits(width) % span);
    },
    logBig(maxBits) {
      const b = 1 + Math.floor(next() * maxBits);
      return (1n << BigInt(b - 1)) | bits(b - 1);
    },
    bool: (p = 0.5) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)]!,
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
      return out;
    },
  };
}

/**
 * The generator the Raydium CLMM and Meteora DLMM pool generators are written with (same mulberry32
 * core; its own bits / log-uniform / address draws), kept as it is so that a seed still names the
 * same generated pool.
 */
export class SeededRng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  /** Uniform bigint with `bits` random bits. */
  bits(bits: number): bigint {
    let v = 0n;
    for (let i = 0; i < bits; i += 24) v = (v << 24n) | BigInt(Math.floor(this.next() * 2 ** 24));
    return v & ((1n << BigInt(bits)) - 1n);
  }
  /** Log-uniform bigint in [2^lo, 2^hi). */
  logUniform(lo: number, hi: number): bigint {
    const b = this.int(lo, hi - 1);
    return (1n << BigInt(b)) | this.bits(b);
  }
  address(): string {
    const bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = Math.floor(this.next() * 256);
    return bs58.encode(bytes);
  }
}

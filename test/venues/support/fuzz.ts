/**
 * The mutation-fuzz harness every DEX fuzz test uses: a decoder fed mutated buffers must return a
 * value or throw a `SolrulesError` with a `DEX_` code naming the account it was given and a field;
 * a state built from mutated accounts must quote u64 amounts with an impact in [0, 10000] bps, or
 * refuse with a `DEX_` error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { caseCount, rng, seedFor, type Rng } from './random.ts';

const U64_MAX = (1n << 64n) - 1n;

export interface DecoderFuzz<T> {
  /** Layout name, in the test title. */
  name: string;
  /** Prefix of the printed summary line (e.g. the venue). */
  label?: string;
  seeds: readonly T[];
  /** Decodes `input` as the account named `account`. */
  decode(input: T, account: string): unknown;
  mutate(r: Rng, seed: T, seeds: readonly T[]): T;
  /** What a failure message says about the input (size, bytes, owner). */
  describe(input: T): string;
  defaultSeed: number;
  /** Buffers by default and under SOLRULES_FULL=1. */
  counts: readonly [number, number];
}

/** Counts one more `key` in `tally`. */
export function bump(tally: Map<string, number>, key: string): void {
  tally.set(key, (tally.get(key) ?? 0) + 1);
}

function show(v: unknown): string {
  return JSON.stringify(v ?? null, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Registers the decoder fuzz test for one layout. */
export function fuzzDecoder<T>(f: DecoderFuzz<T>): void {
  test(`fuzz ${f.name}: mutated buffers give a value or a typed DEX_ error naming account and field`, () => {
    assert.ok(f.seeds.length > 0, 'needs seeds');
    for (const s of f.seeds) f.decode(s, 'seed'); // the seeds themselves decode
    const seed = seedFor(f.defaultSeed);
    const r = rng(seed);
    const n = caseCount(f.counts[0], f.counts[1]);
    let decoded = 0;
    const codes = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const input = f.mutate(r, r.pick(f.seeds), f.seeds);
      const account = `fuzz-${i}`;
      try {
        f.decode(input, account);
        decoded++;
      } catch (err) {
        if (!isSolrulesError(err) || !err.code.startsWith('DEX_') || err.context.account !== account || typeof err.context.field !== 'string') {
          assert.fail(`${f.name} seed ${seed} case ${i}: ${String(err)} ${show((err as { context?: unknown }).context)} (${f.describe(input)})`);
        }
        bump(codes, err.code);
      }
    }
    console.log(`fuzz ${f.label ? `${f.label} ` : ''}${f.name}: seed ${seed}, ${n} buffers, ${decoded} decoded, errors ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.ok(decoded > 0 && decoded < n, 'mutations must both pass and fail decoding');
  });
}

/** `build()`'s state, or undefined after tallying its `DEX_` refusal as `build:<code>` (anything else fails). */
export function buildOrRefuse<S>(build: () => S, where: string, tally: Map<string, number>): S | undefined {
  try {
    return build();
  } catch (err) {
    if (!isSolrulesError(err) || !err.code.startsWith('DEX_')) assert.fail(`${where}: buildState threw ${String(err)}`);
    bump(tally, `build:${err.code}`);
    return undefined;
  }
}

interface QuoteLike {
  amountIn: bigint;
  amountOut: bigint;
  feeAmount: bigint;
  priceImpactBps: number;
}

/**
 * Quotes selling each of `mints`, exact in and exact out, at random amounts up to u64: each quote has
 * u64 amounts and an impact in [0, 10000], or is a typed `DEX_` refusal. Tallies `quoted` and codes.
 */
export function quoteEveryWay(r: Rng, mints: readonly string[], quote: (mint: string, amount: bigint, exactOut: boolean) => QuoteLike, where: string, tally: Map<string, number>): void {
  for (const mint of mints) {
    for (const exactOut of [false, true]) {
      const amount = r.logBig(64);
      let q: QuoteLike;
      try {
        q = quote(mint, amount, exactOut);
      } catch (err) {
        if (!isSolrulesError(err) || !err.code.startsWith('DEX_')) assert.fail(`${where}: quote threw ${String(err)}`);
        bump(tally, err.code);
        continue;
      }
      const u64 = (x: bigint) => x >= 0n && x <= U64_MAX;
      assert.ok(u64(q.amountIn) && u64(q.amountOut) && u64(q.feeAmount), `${where}: amounts out of u64`);
      assert.ok(Number.isFinite(q.priceImpactBps) && q.priceImpactBps >= 0 && q.priceImpactBps <= 10_000, `${where}: impact ${q.priceImpactBps}`);
      bump(tally, 'quoted');
    }
  }
}

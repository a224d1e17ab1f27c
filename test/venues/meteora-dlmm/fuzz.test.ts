/**
 * Mutation fuzzing of the Meteora DLMM decoders, and of whole quotes built from mutated pairs, bin
 * arrays, bitmap extensions and mints. A decoder may return a value or throw; if it throws, it
 * must be a `SolrulesError` with a `DEX_` code naming the account and the field. Quotes may refuse
 * with a `DEX_` error or return u64 amounts — never crash, hang or return a negative number.
 *
 * Counts: 10 000 buffers per decoder and 600 mutated pairs (× 4 quotes) by default;
 * SOLRULES_FULL=1 runs 100 000 per decoder and 6 000 pairs. Seeds are printed; SOLRULES_SEED reruns one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadAccountDir, loadAccountFile, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import { decodeBinArray, decodeBinArrayBitmapExtension, decodeLbPair, decodeOracle, decodePresetParameter, meteoraDlmm } from '../../../engine/venues/meteora-dlmm/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { buildOrRefuse, fuzzDecoder, quoteEveryWay } from '../support/fuzz.ts';
import { mutate } from '../support/mutate.ts';
import { caseCount, rng, seedFor } from '../support/random.ts';
import { generatePair, PROGRAM_ID } from './support.ts';
import { accountsOf } from './state.ts';

const ROOT = sharedFixture('accounts/meteora-dlmm');
const fixtures = [...loadAccountDir(ROOT).values()];
const generated = Array.from({ length: 12 }, (_, i) => generatePair(900 + i));
const PAIR_HOT = [8, 16, 20, 24, 28, 32, 34, 35, 36, 40, 44, 48, 56, 75, 76, 80, 82, 86, 584, 640, 816, 880, 881];
const BIN_HOT = [8, ...Array.from({ length: 70 }, (_, i) => [56 + i * 144, 64 + i * 144, 72 + i * 144, 168 + i * 144, 184 + i * 144, 196 + i * 144]).flat()];

const DECODERS: { name: string; decode: (data: Uint8Array, account: string) => unknown; seeds: Uint8Array[]; hot: number[] }[] = [
  { name: 'LbPair', decode: decodeLbPair, seeds: [...fixtures.filter((a) => a.data.length === 904).map((a) => a.data), loadAccountFile(join(ROOT, 'carbon/lb_pair_account.json')).data, ...generated.map((g) => g.pair)], hot: PAIR_HOT },
  { name: 'BinArray', decode: decodeBinArray, seeds: [...fixtures.filter((a) => a.data.length === 10136).map((a) => a.data), ...generated.flatMap((g) => g.binArrays.map((b) => b.data)).slice(0, 20)], hot: BIN_HOT },
  { name: 'BinArrayBitmapExtension', decode: decodeBinArrayBitmapExtension, seeds: generated.filter((g) => g.extension).map((g) => g.extension!.data), hot: [40, 808] },
  { name: 'Oracle', decode: decodeOracle, seeds: [loadAccountFile(join(ROOT, 'carbon/oracle_account.json')).data, ...fixtures.filter((a) => a.data.length === 3232).map((a) => a.data)], hot: [8, 16, 24] },
  { name: 'PresetParameter', decode: decodePresetParameter, seeds: [loadAccountFile(join(ROOT, 'carbon/preset_parameter_account.json')).data], hot: [8, 10, 18, 22, 26, 30, 34] },
];

for (const { name, decode, seeds, hot } of DECODERS) {
  fuzzDecoder({
    name,
    label: 'meteora-dlmm',
    seeds,
    decode,
    mutate: (r, seed, all) => mutate(r, seed, all, hot),
    describe: (data) => `${data.length} bytes`,
    defaultSeed: 0xd1a0 + name.length,
    counts: [10_000, 100_000],
  });
}

test('fuzz quotes: mutated pairs, bin arrays, extensions and mints through buildState and both quote kinds', () => {
  const seed = seedFor(0xd1a1);
  const r = rng(seed);
  const n = caseCount(600, 6000);
  const outcome = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const g = generatePair(20_000 + r.int(0, 5000));
    const { pair, accounts } = accountsOf(g);
    const which = r.int(0, 3);
    const mutated = new Map<string, AccountSnapshot>();
    for (const [k, a] of accounts) {
      const isBin = a.owner === PROGRAM_ID && a.data.length === 10136;
      const hit = (which === 1 && isBin && r.bool(0.5)) || (which === 2 && a.owner === PROGRAM_ID && !isBin) || (which === 3 && a.owner !== PROGRAM_ID && r.bool(0.5));
      mutated.set(k, hit ? { ...a, data: mutate(r, a.data, [], isBin ? BIN_HOT : []) } : a);
    }
    const pairAccount = which === 0 ? { ...pair, data: mutate(r, pair.data, [], PAIR_HOT) } : pair;
    const where = `seed ${seed} case ${i}`;
    const state = buildOrRefuse(() => meteoraDlmm.buildState(pairAccount, mutated, { unixTimestamp: BigInt(g.now), epoch: 0n }), where, outcome);
    if (!state) continue;
    const clock = { slot: 10_000 };
    quoteEveryWay(r, [state.mintA, state.mintB], (mint, amount, exactOut) => (exactOut ? meteoraDlmm.quoteExactOut(state, mint, amount, clock) : meteoraDlmm.quoteExactIn(state, mint, amount, clock)), where, outcome);
  }
  console.log(`fuzz meteora-dlmm quotes: seed ${seed}, ${n} mutated pairs, ${JSON.stringify(Object.fromEntries(outcome))}`);
  assert.ok((outcome.get('quoted') ?? 0) > 0, 'some mutated pairs must still quote');
});

/**
 * Mutation fuzzing of the Raydium CLMM decoders, and of whole quotes built from mutated pools,
 * configs, tick arrays and bitmap extensions. A decoder may return a value or throw; if it throws,
 * it must be a `SolrulesError` with a `DEX_` code naming the account and the field. Quotes may
 * refuse with a `DEX_` error or return u64 amounts — never crash, hang or return a negative number.
 *
 * Counts: 10 000 buffers per decoder and 600 mutated pools (× 4 quotes) by default;
 * SOLRULES_FULL=1 runs 100 000 per decoder and 6 000 pools. Seeds are printed; SOLRULES_SEED reruns one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountFile, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import {
  decodeAmmConfig,
  decodeObservationState,
  decodePoolState,
  decodeProtocolPositionState,
  decodeTickArrayBitmapExtension,
  decodeTickArrayState,
  raydiumClmm,
} from '../../../engine/venues/raydium-clmm/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { buildOrRefuse, fuzzDecoder, quoteEveryWay } from '../support/fuzz.ts';
import { mutate } from '../support/mutate.ts';
import { caseCount, rng, seedFor } from '../support/random.ts';
import { generatePool, PROGRAM_ID } from './support.ts';

const fixture = (f: string) => loadAccountFile(sharedFixture('accounts/raydium-clmm/carbon', f)).data;
const generated = Array.from({ length: 12 }, (_, i) => generatePool(900 + i));

const POOL_HOT = [235, 237, 253, 269, 389, 390, 904, 912, 1096, 1102, 1106, 1110, 1114, 1118, 1122, 1130];
const CONFIG_HOT = [43, 47, 51, 53];
const TICK_HOT = Array.from({ length: 60 }, (_, i) => [44 + i * 168, 48 + i * 168, 64 + i * 168, 168 + i * 168, 176 + i * 168]).flat();

const DECODERS: { name: string; decode: (data: Uint8Array, account: string) => unknown; seeds: Uint8Array[]; hot: number[] }[] = [
  { name: 'PoolState', decode: decodePoolState, seeds: [fixture('pool_state_account.json'), ...generated.map((g) => g.pool)], hot: POOL_HOT },
  { name: 'AmmConfig', decode: decodeAmmConfig, seeds: [fixture('amm_config_account.json'), ...generated.map((g) => g.config)], hot: CONFIG_HOT },
  { name: 'TickArrayState', decode: decodeTickArrayState, seeds: [fixture('tick_array_state_account.json'), ...generated.flatMap((g) => [...g.tickArrays.values()].map((a) => a.data)).slice(0, 20)], hot: TICK_HOT },
  { name: 'TickArrayBitmapExtension', decode: decodeTickArrayBitmapExtension, seeds: generated.map((g) => g.extension), hot: [40, 936] },
  { name: 'ObservationState', decode: decodeObservationState, seeds: [fixture('observation_state_account.json')], hot: [8, 17] },
  { name: 'ProtocolPositionState', decode: decodeProtocolPositionState, seeds: [fixture('protocol_position_state_account.json')], hot: [41, 45, 49] },
];

for (const { name, decode, seeds, hot } of DECODERS) {
  fuzzDecoder({
    name,
    label: 'raydium-clmm',
    seeds,
    decode,
    mutate: (r, seed, all) => mutate(r, seed, all, hot),
    describe: (data) => `${data.length} bytes`,
    defaultSeed: 0xc1a0 + name.length,
    counts: [10_000, 100_000],
  });
}

test('fuzz quotes: mutated pools, configs, tick arrays and extensions through buildState and both quote kinds', () => {
  const seed = seedFor(0xc1a1);
  const r = rng(seed);
  const n = caseCount(600, 6000);
  const outcome = new Map<string, number>();
  const snap = (address: string, data: Uint8Array): AccountSnapshot => ({ address, owner: PROGRAM_ID, data, lamports: null, executable: false, rentEpoch: null });
  for (let i = 0; i < n; i++) {
    const g = generatePool(20_000 + r.int(0, 5000));
    const accounts = new Map<string, AccountSnapshot>();
    const which = r.int(0, 3);
    const pool = which === 0 ? mutate(r, g.pool, [g.config], POOL_HOT) : g.pool;
    accounts.set(g.configAddress, snap(g.configAddress, which === 1 ? mutate(r, g.config, [], CONFIG_HOT) : g.config));
    accounts.set(g.extensionAddress, snap(g.extensionAddress, which === 3 ? mutate(r, g.extension, [], [40, 936]) : g.extension));
    for (const a of g.tickArrays.values()) accounts.set(a.address, snap(a.address, which === 2 && r.bool(0.5) ? mutate(r, a.data, [], TICK_HOT) : a.data));
    const where = `seed ${seed} case ${i}`;
    const state = buildOrRefuse(() => raydiumClmm.buildState(snap(g.poolAddress, pool), accounts, { unixTimestamp: BigInt(g.now) }), where, outcome);
    if (!state) continue;
    quoteEveryWay(r, [state.mintA, state.mintB], (mint, amount, exactOut) => (exactOut ? raydiumClmm.quoteExactOut(state, mint, amount) : raydiumClmm.quoteExactIn(state, mint, amount)), where, outcome);
  }
  console.log(`fuzz raydium-clmm quotes: seed ${seed}, ${n} mutated pools, ${JSON.stringify(Object.fromEntries(outcome))}`);
  assert.ok((outcome.get('quoted') ?? 0) > 0, 'some mutated pools must still quote');
});

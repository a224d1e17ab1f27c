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
import type { AccountSnapshot } from '../../../engine/accounts/index.ts';
import {
  decodeAmmConfig,
  decodeObservationState,
  decodePoolState,
  decodeProtocolPositionState,
  decodeTickArrayBitmapExtension,
  decodeTickArrayState,
  raydiumClmm,
} from '../../../engine/dex/raydium-clmm/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { loadAccountFile } from '../../../engine/accounts/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { caseCount, rng, seedFor } from '../support/random.ts';
import { mutate } from './mutate.ts';
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
  test(`fuzz ${name}: mutated buffers give a value or a typed DEX_ error naming account and field`, () => {
    for (const s of seeds) decode(s, 'seed');
    const seed = seedFor(0xc1a0 + name.length);
    const r = rng(seed);
    const n = caseCount(10_000, 100_000);
    let decoded = 0;
    const codes = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const data = mutate(r, r.pick(seeds), seeds, hot);
      try {
        decode(data, `fuzz-${i}`);
        decoded++;
      } catch (err) {
        if (!isSolrulesError(err) || !err.code.startsWith('DEX_') || err.context.account !== `fuzz-${i}` || typeof err.context.field !== 'string') {
          assert.fail(`${name} seed ${seed} case ${i}: ${String(err)} ${JSON.stringify((err as { context?: unknown }).context ?? null)} (${data.length} bytes)`);
        }
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      }
    }
    console.log(`fuzz raydium-clmm ${name}: seed ${seed}, ${n} buffers, ${decoded} decoded, errors ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.ok(decoded > 0 && decoded < n, 'mutations must both pass and fail decoding');
  });
}

const U64_MAX = (1n << 64n) - 1n;

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
    let state;
    try {
      state = raydiumClmm.buildState(snap(g.poolAddress, pool), accounts, { unixTimestamp: BigInt(g.now) });
    } catch (err) {
      if (!isSolrulesError(err) || !err.code.startsWith('DEX_')) assert.fail(`seed ${seed} case ${i}: buildState threw ${String(err)}`);
      outcome.set(`build:${err.code}`, (outcome.get(`build:${err.code}`) ?? 0) + 1);
      continue;
    }
    for (const mint of [state.mintA, state.mintB]) {
      for (const exactOut of [false, true]) {
        const amount = r.logBig(64);
        try {
          const q = exactOut ? raydiumClmm.quoteExactOut(state, mint, amount) : raydiumClmm.quoteExactIn(state, mint, amount);
          assert.ok(q.amountIn >= 0n && q.amountIn <= U64_MAX && q.amountOut >= 0n && q.amountOut <= U64_MAX && q.feeAmount >= 0n && q.feeAmount <= U64_MAX, `seed ${seed} case ${i}: amounts out of u64`);
          assert.ok(Number.isFinite(q.priceImpactBps) && q.priceImpactBps >= 0);
          outcome.set('quoted', (outcome.get('quoted') ?? 0) + 1);
        } catch (err) {
          if (!isSolrulesError(err) || !err.code.startsWith('DEX_')) assert.fail(`seed ${seed} case ${i}: quote threw ${String(err)}`);
          outcome.set(err.code, (outcome.get(err.code) ?? 0) + 1);
        }
      }
    }
  }
  console.log(`fuzz raydium-clmm quotes: seed ${seed}, ${n} mutated pools, ${JSON.stringify(Object.fromEntries(outcome))}`);
  assert.ok((outcome.get('quoted') ?? 0) > 0, 'some mutated pools must still quote');
});

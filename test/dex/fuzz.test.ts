/**
 * Mutation fuzzing of every DEX decoder (and of whole quotes built from mutated pools): bit flips,
 * overwritten fields, truncation, extension, splices and random owners, seeded from the real
 * fixture accounts. A decoder may return a value or throw; if it throws, it must be a
 * `SolrulesError` with a `DEX_` code naming the account and the field — never a TypeError, a
 * RangeError or a crash.
 *
 * Counts per decoder: 20 000 by default; SOLRULES_FULL=1 runs 100 000 per decoder (and 20 000
 * mutated pools through buildState + quotes instead of 3 000).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountDir, loadAccountFile, type AccountSnapshot } from '../../engine/accounts/index.ts';
import { decodeOracle, decodePosition, decodeTickArray, decodeWhirlpool, orcaWhirlpool, WHIRLPOOL_PROGRAM_ID, ORACLE_DISCRIMINATOR } from '../../engine/dex/orca-whirlpool/index.ts';
import { decodePythPrice } from '../../engine/dex/pyth/index.ts';
import { decodeAmmInfo, raydiumAmmV4 } from '../../engine/dex/raydium-amm-v4/index.ts';
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, decodeMint, decodeTokenAccount } from '../../engine/dex/spl-token/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { sharedFixture } from '../support/paths.ts';
import { caseCount, rng, seedFor, type Rng } from './support/random.ts';
import { Writer } from './support/writer.ts';

const ESSENTIALS = loadAccountDir(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials'));
const RAYDIUM_DIR = sharedFixture('accounts/raydium-amm-v4');
const SYSTEM = '11111111111111111111111111111111';
const OWNERS = [SYSTEM, TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, WHIRLPOOL_PROGRAM_ID, '675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8', 'FsJ3A3u2vn5cTVofAjvy6y5kwABJAqYWpe4975bi2epH'];

const byName = (pattern: RegExp) => [...ESSENTIALS.values()].filter((a) => pattern.test(a.source ?? ''));
const raydiumPools = ['capture-c', 'capture-with-vaults', 'slot453868631'].map((n) => loadAccountFile(`${RAYDIUM_DIR}/58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.${n}.json`));
const raydiumVaults = loadAccountDir(RAYDIUM_DIR);

function syntheticOracle(): AccountSnapshot {
  const w = new Writer(254).bytes(0, ORACLE_DISCRIMINATOR).pubkey(8, 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ').u64(40, 1_700_000_000n);
  w.u16(48, 30).u16(50, 600).u16(52, 5000).u32(54, 4000).u32(58, 350_000).u16(62, 16).u16(64, 32);
  w.u64(82, 1_699_999_000n).u64(90, 1_699_999_500n).u32(98, 1000).i32(102, -2000).u32(106, 5000);
  return { address: 'orac1eFuzzSeed1111111111111111111111111111', owner: WHIRLPOOL_PROGRAM_ID, data: w.data, lamports: 1n, executable: false, rentEpoch: 0n };
}

const DECODERS: { name: string; decode: (a: AccountSnapshot) => unknown; seeds: AccountSnapshot[] }[] = [
  { name: 'AmmInfo (raydium-amm-v4)', decode: decodeAmmInfo, seeds: raydiumPools },
  { name: 'TokenAccount', decode: decodeTokenAccount, seeds: [...byName(/(vault|ata)/), ...[...raydiumVaults.values()].filter((a) => a.owner === TOKEN_PROGRAM_ID)] },
  { name: 'Mint', decode: decodeMint, seeds: byName(/token_(native|usdc|orca|samo|2022_)/) },
  { name: 'PythPrice', decode: decodePythPrice, seeds: [loadAccountFile(sharedFixture('accounts/pyth/H6ARHf6YXhGYeQfUzQNGk6rDNnLBQKrenN712K4AQJEG.SOL_USD.json'))] },
  { name: 'Whirlpool', decode: decodeWhirlpool, seeds: [...byName(/_whirlpool\./), loadAccountFile(sharedFixture('accounts/orca-whirlpool/carbon/whirlpool_account.json'))] },
  {
    name: 'TickArray (fixed and dynamic)',
    decode: decodeTickArray,
    seeds: [...byName(/_ta_/).slice(0, 4), loadAccountFile(sharedFixture('accounts/orca-whirlpool/carbon/dynamic_tick_array_account0.json')), loadAccountFile(sharedFixture('accounts/orca-whirlpool/carbon/tick_array_account.json'))],
  },
  { name: 'Oracle', decode: decodeOracle, seeds: [syntheticOracle()] },
  { name: 'Position', decode: decodePosition, seeds: [...byName(/_position\./), loadAccountFile(sharedFixture('accounts/orca-whirlpool/carbon/position_account.json'))] },
];

/** One mutated copy of a seed account. */
function mutate(r: Rng, seed: AccountSnapshot, others: AccountSnapshot[]): AccountSnapshot {
  let data: Uint8Array = new Uint8Array(seed.data);
  let owner = seed.owner;
  const rounds = r.int(1, 4);
  for (let k = 0; k < rounds; k++) {
    const op = r.int(0, 9);
    const at = data.length ? r.int(0, data.length - 1) : 0;
    if (op <= 2 && data.length) {
      for (let i = r.int(1, 8); i > 0; i--) {
        const j = r.int(0, data.length - 1);
        data[j] = data[j]! ^ (1 << r.int(0, 7));
      }
    } else if (op === 3 && data.length) {
      const width = r.pick([1, 2, 4, 8, 16, 32]);
      const fill = r.pick([0x00, 0xff, -1]);
      for (let i = at; i < Math.min(data.length, at + width); i++) data[i] = fill < 0 ? r.int(0, 255) : fill;
    } else if (op === 4) {
      data = data.subarray(0, r.bool(0.3) ? r.int(0, Math.min(data.length, 64)) : r.int(0, data.length));
    } else if (op === 5) {
      const tail = r.bytes(r.pick([1, 7, 8, 100, r.int(1, 2000)]));
      const grown = new Uint8Array(data.length + tail.length);
      grown.set(data);
      grown.set(tail, data.length);
      data = grown;
    } else if (op === 6 && others.length) {
      const other = r.pick(others).data;
      const from = r.int(0, Math.max(0, other.length - 1));
      const len = r.int(1, 256);
      const chunk = other.subarray(from, from + len);
      if (at + chunk.length <= data.length) data.set(chunk, at);
    } else if (op === 7) {
      data = r.bytes(r.bool(0.5) ? data.length : r.int(0, 1200));
    } else if (op === 8 && r.bool(0.5)) {
      owner = r.pick(OWNERS);
    } else if (data.length >= 8) {
      // overwrite a whole 8-byte-aligned word: hits length-like and amount-like fields
      const word = Math.floor(at / 8) * 8;
      new DataView(data.buffer, data.byteOffset).setBigUint64(Math.min(word, data.length - 8), r.bits(64), true);
    }
  }
  return { ...seed, data, owner };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.subarray(0, 96)).toString('hex');
}

for (const { name, decode, seeds } of DECODERS) {
  test(`fuzz ${name}: mutated buffers give a value or a typed DEX_ error naming account and field`, () => {
    assert.ok(seeds.length > 0, 'needs fixture seeds');
    for (const s of seeds) decode(s); // the seeds themselves decode
    const seed = seedFor(0xf022 + name.length);
    const r = rng(seed);
    const n = caseCount(20_000, 100_000);
    let decoded = 0;
    const codes = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const input = mutate(r, r.pick(seeds), seeds);
      try {
        decode(input);
        decoded += 1;
      } catch (err) {
        if (!isSolrulesError(err) || !err.code.startsWith('DEX_') || typeof err.context.account !== 'string' || typeof err.context.field !== 'string') {
          assert.fail(`${name} seed ${seed} case ${i}: ${String(err)} ${JSON.stringify((err as { context?: unknown }).context ?? null)} (data ${hex(input.data)}…, ${input.data.length} bytes, owner ${input.owner})`);
        }
        codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
      }
    }
    console.log(`fuzz ${name}: seed ${seed}, ${n} buffers, ${decoded} decoded, errors ${JSON.stringify(Object.fromEntries(codes))}`);
    assert.ok(decoded > 0 && decoded < n, 'mutations must both pass and fail decoding');
  });
}

function quoteAll(build: () => { state: unknown; mints: string[] }, quote: (state: unknown, mint: string, amount: bigint, exactOut: boolean) => unknown, r: Rng): void {
  let built: { state: unknown; mints: string[] };
  try {
    built = build();
  } catch (err) {
    if (isSolrulesError(err) && err.code.startsWith('DEX_')) return;
    throw err;
  }
  for (const mint of built.mints) {
    for (const exactOut of [false, true]) {
      const amount = r.logBig(64);
      try {
        const q = quote(built.state, mint, amount, exactOut) as { amountIn: bigint; amountOut: bigint; feeAmount: bigint; priceImpactBps: number };
        assert.ok(q.amountIn >= 0n && q.amountOut >= 0n && q.feeAmount >= 0n && q.amountIn < 1n << 64n && q.amountOut < 1n << 64n, 'amounts are u64');
        assert.ok(Number.isFinite(q.priceImpactBps) && q.priceImpactBps >= 0 && q.priceImpactBps <= 10_000, `impact ${q.priceImpactBps}`);
      } catch (err) {
        if (!(isSolrulesError(err) && err.code.startsWith('DEX_'))) throw err;
      }
    }
  }
}

test('fuzz whole quotes: mutated whirlpools / tick arrays / AmmInfos through buildState and both quote kinds', () => {
  const seed = seedFor(0xf0a1);
  const r = rng(seed);
  const n = caseCount(3_000, 20_000);
  const pools = [ESSENTIALS.get('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ')!, ESSENTIALS.get('9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe')!];
  const arrays = byName(/_ta_/);
  for (let i = 0; i < n; i++) {
    try {
      if (r.bool()) {
        const pool = mutate(r, r.pick(pools), pools);
        const accounts = new Map(ESSENTIALS);
        if (r.bool(0.5)) {
          const victim = r.pick(arrays);
          accounts.set(victim.address!, mutate(r, victim, arrays));
        }
        quoteAll(
          () => {
            const state = orcaWhirlpool.buildState({ ...pool, address: r.pick(pools).address }, accounts, { unixTimestamp: 1668008674n });
            return { state, mints: [state.mintA, state.mintB] };
          },
          (s, m, a, out) => (out ? orcaWhirlpool.quoteExactOut : orcaWhirlpool.quoteExactIn)(s as never, m, a),
          r,
        );
      } else {
        const pool = mutate(r, r.pick(raydiumPools), raydiumPools);
        quoteAll(
          () => {
            const state = raydiumAmmV4.buildState(pool, raydiumVaults, { unixTimestamp: 1_700_000_000n });
            return { state, mints: [state.mintA, state.mintB] };
          },
          (s, m, a, out) => (out ? raydiumAmmV4.quoteExactOut : raydiumAmmV4.quoteExactIn)(s as never, m, a),
          r,
        );
      }
    } catch (err) {
      assert.fail(`seed ${seed} case ${i}: ${String(err)}`);
    }
  }
});

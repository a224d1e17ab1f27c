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
import { decodeOracle, decodePosition, decodeTickArray, decodeWhirlpool, orcaWhirlpool, WHIRLPOOL_PROGRAM_ID, ORACLE_DISCRIMINATOR } from '../../engine/venues/orca-whirlpool/index.ts';
import { decodePythPrice } from '../../engine/venues/pyth/index.ts';
import { decodeAmmInfo, raydiumAmmV4 } from '../../engine/venues/raydium-amm-v4/index.ts';
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID, decodeMint, decodeTokenAccount } from '../../engine/venues/spl-token/index.ts';
import { sharedFixture } from '../support/paths.ts';
import { buildOrRefuse, fuzzDecoder, quoteEveryWay } from './support/fuzz.ts';
import { mutate } from './support/mutate.ts';
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

/** One mutated copy of a seed account: its data (see support/mutate.ts) and sometimes its owner. */
function mutateAccount(r: Rng, seed: AccountSnapshot, others: readonly AccountSnapshot[]): AccountSnapshot {
  const data = mutate(r, seed.data, others.map((o) => o.data));
  return { ...seed, data, owner: r.bool(0.12) ? r.pick(OWNERS) : seed.owner };
}

for (const { name, decode, seeds } of DECODERS) {
  fuzzDecoder({
    name,
    seeds,
    decode: (account, label) => decode({ ...account, address: label }),
    mutate: mutateAccount,
    describe: (a) => `data ${Buffer.from(a.data.subarray(0, 96)).toString('hex')}…, ${a.data.length} bytes, owner ${a.owner}`,
    defaultSeed: 0xf022 + name.length,
    counts: [20_000, 100_000],
  });
}

test('fuzz whole quotes: mutated whirlpools / tick arrays / AmmInfos through buildState and both quote kinds', () => {
  const seed = seedFor(0xf0a1);
  const r = rng(seed);
  const n = caseCount(3_000, 20_000);
  const pools = [ESSENTIALS.get('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ')!, ESSENTIALS.get('9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe')!];
  const arrays = byName(/_ta_/);
  const outcome = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const where = `seed ${seed} case ${i}`;
    if (r.bool()) {
      const pool = mutateAccount(r, r.pick(pools), pools);
      const accounts = new Map(ESSENTIALS);
      if (r.bool(0.5)) {
        const victim = r.pick(arrays);
        accounts.set(victim.address!, mutateAccount(r, victim, arrays));
      }
      const state = buildOrRefuse(() => orcaWhirlpool.buildState({ ...pool, address: r.pick(pools).address }, accounts, { unixTimestamp: 1668008674n }), where, outcome);
      if (state) quoteEveryWay(r, [state.mintA, state.mintB], (m, a, out) => (out ? orcaWhirlpool.quoteExactOut : orcaWhirlpool.quoteExactIn)(state, m, a), where, outcome);
    } else {
      const pool = mutateAccount(r, r.pick(raydiumPools), raydiumPools);
      const state = buildOrRefuse(() => raydiumAmmV4.buildState(pool, raydiumVaults, { unixTimestamp: 1_700_000_000n }), where, outcome);
      if (state) quoteEveryWay(r, [state.mintA, state.mintB], (m, a, out) => (out ? raydiumAmmV4.quoteExactOut : raydiumAmmV4.quoteExactIn)(state, m, a), where, outcome);
    }
  }
  console.log(`fuzz whole quotes: seed ${seed}, ${n} mutated pools, ${JSON.stringify(Object.fromEntries(outcome))}`);
  assert.ok((outcome.get('quoted') ?? 0) > 0, 'some mutated pools must still quote');
});

/**
 * `PoolState.slot` is the slot of the oldest account a state was built from, on every venue: an
 * account the quote reads moves it, an account in the map the state does not read does not, and
 * one read account without a slot makes it unknown (a staleness guard then refuses the state).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadAccountDir, loadAccountFile, type AccountSnapshot } from '../../engine/accounts/index.ts';
import { meteoraDlmm, orcaWhirlpool, raydiumAmmV4, raydiumClmm, type PoolState, type Quote, type Venue } from '../../engine/venues/index.ts';
import { sharedFixture } from '../support/paths.ts';
import { fixturePool } from './raydium-clmm/fixture-pool.ts';

const SLOT = 300_000_000;
const SOL = 'So11111111111111111111111111111111111111112';
const UNRELATED = 'Unre1atedAccount111111111111111111111111111';

interface Case {
  venue: Venue;
  pool: string;
  accounts: Map<string, AccountSnapshot>;
  quote: (state: PoolState) => Quote;
}

const raydiumDir = sharedFixture('accounts/raydium-amm-v4');
const pool58 = '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2';
const raydium = new Map(
  [`${pool58}.capture-with-vaults.json`, 'DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz.coin-vault.capture-with-vaults.json', 'HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz.pc-vault.capture-with-vaults.json'].map((f) => {
    const a = loadAccountFile(join(raydiumDir, f));
    return [a.address!, a] as const;
  }),
);
const clmm = fixturePool();
const dlmm = loadAccountDir(sharedFixture('accounts/meteora-dlmm/dlmm-sdk-artifacts/jlp-hubsol-6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM'));

const CASES: Record<string, Case> = {
  'raydium-amm-v4': { venue: raydiumAmmV4 as Venue, pool: pool58, accounts: raydium, quote: (s) => raydiumAmmV4.quoteExactIn(s as never, SOL, 10n ** 9n) },
  'orca-whirlpool': {
    venue: orcaWhirlpool as Venue,
    pool: 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ',
    accounts: loadAccountDir(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials')),
    quote: (s) => orcaWhirlpool.quoteExactIn(s as never, SOL, 10n ** 12n),
  },
  'raydium-clmm': { venue: raydiumClmm as Venue, pool: clmm.address, accounts: new Map([...clmm.accounts, [clmm.address, clmm.poolSnapshot]]), quote: (s) => raydiumClmm.quoteExactIn(s as never, SOL, 2_000_000_000n, { unixTimestamp: 1_750_000_000 }) },
  'meteora-dlmm': {
    venue: meteoraDlmm as Venue,
    pool: '6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM',
    accounts: dlmm,
    quote: (s) => meteoraDlmm.quoteExactIn(s as never, (s as PoolState).mintA, 2_000_000_000n, { unixTimestamp: 1_750_000_000 }),
  },
};

function withSlots(accounts: Map<string, AccountSnapshot>, slotOf: (address: string) => number | undefined): Map<string, AccountSnapshot> {
  const out = new Map<string, AccountSnapshot>();
  for (const [address, a] of accounts) {
    const slot = slotOf(address);
    const { slot: _old, ...rest } = a;
    out.set(address, slot === undefined ? rest : { ...rest, slot });
  }
  return out;
}

for (const [name, c] of Object.entries(CASES)) {
  test(`${name}: state.slot is the oldest slot of the accounts read, unknown if one of them has none`, () => {
    const build = (accounts: Map<string, AccountSnapshot>) => c.venue.buildState(accounts.get(c.pool)!, accounts, { unixTimestamp: 1_750_000_000n, epoch: 700n });
    const all = new Map(c.accounts);
    all.set(UNRELATED, { address: UNRELATED, owner: c.venue.programId, data: new Uint8Array(8), lamports: 1n, executable: false, rentEpoch: 0n });
    const read = c.quote(build(all)).accounts; // pool and the accounts the quote walked: all are read
    assert.equal(build(withSlots(all, () => SLOT)).slot, SLOT);
    assert.equal(build(withSlots(all, (a) => (a === UNRELATED ? SLOT - 100 : SLOT))).slot, SLOT, 'an account the state does not read does not count');
    for (const address of read) {
      assert.equal(build(withSlots(all, (a) => (a === address ? SLOT - 7 : SLOT))).slot, SLOT - 7, `${address} is read: its slot counts`);
      assert.equal(build(withSlots(all, (a) => (a === address ? undefined : SLOT))).slot, undefined, `${address} is read: without its slot the state's is unknown`);
    }
  });
}

/** Orca Whirlpool `poolMints`, `vaults` and `reserves` on the whirlpool-essentials pools (values from the README and _decoded-summary.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountDir, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import { orcaWhirlpool } from '../../../engine/venues/orca-whirlpool/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const accounts = loadAccountDir(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials'));
const SOL = 'So11111111111111111111111111111111111111112';
const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
const SAMO = '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU';
const POOLS = [
  { address: 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ', mintA: SOL, mintB: USDC, vaultA: '3YQm7ujtXWJU2e9jhp2QGHpnn1ShXn12QjvzMvDgabpX', vaultB: '2JTw1fE2wz1SymWUQ7UqpVtrTuKjcd6mWwYwUJUCh2rq', reserveA: 101_826_710_217_770n, reserveB: 1_806_982_724_843n },
  { address: '9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe', mintA: SAMO, mintB: USDC, vaultA: '3xxgYc3jXPdjqpMdrRyKtcddh4ZdtqpaN33fwaWJ2Wbh', vaultB: '8xKCx3SGwWR6BUr9mZFm3xwZmCVMuLjXn9iLEU6784FS', reserveA: 1_493_518_864_318_819n, reserveB: 99_930_443_663n },
];

test('poolMints, vaults and reserves of the SOL/USDC (HJPjo…) and SAMO/USDC whirlpools', () => {
  for (const p of POOLS) {
    const pool = accounts.get(p.address)!;
    assert.deepEqual(orcaWhirlpool.poolMints(pool), { mintA: p.mintA, mintB: p.mintB });
    const state = orcaWhirlpool.buildState(pool, accounts, { unixTimestamp: 1_700_000_000n });
    assert.deepEqual(orcaWhirlpool.vaults(state), [p.vaultA, p.vaultB]);
    assert.deepEqual(orcaWhirlpool.reserves(state, accounts), { reserveA: p.reserveA, reserveB: p.reserveB });
  }
});

test('poolMints refuses what is not a whirlpool; reserves wait for both vaults and refuse a vault of another mint', () => {
  const p = POOLS[0]!;
  const pool = accounts.get(p.address)!;
  assert.throws(() => orcaWhirlpool.poolMints(accounts.get(p.vaultA)!), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER'));
  assert.throws(() => orcaWhirlpool.poolMints({ ...pool, data: pool.data.subarray(0, 100) }), (e) => isSolrulesError(e) && e.code.startsWith('DEX_'));
  const state = orcaWhirlpool.buildState(pool, accounts, { unixTimestamp: 1_700_000_000n });
  const without = new Map(accounts);
  without.delete(p.vaultB);
  assert.equal(orcaWhirlpool.reserves(state, without), undefined);
  const swapped = new Map<string, AccountSnapshot>(accounts).set(p.vaultA, accounts.get(p.vaultB)!);
  assert.throws(() => orcaWhirlpool.reserves(state, swapped), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISMATCH') && e.context.account === p.vaultA && e.context.value === USDC && e.context.expected === SOL);
  const gone = new Map<string, AccountSnapshot>(accounts).set(p.vaultB, { address: p.vaultB, owner: '11111111111111111111111111111111', data: new Uint8Array(0), lamports: 0n, executable: false, rentEpoch: null });
  assert.throws(() => orcaWhirlpool.reserves(state, gone), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER') && e.context.account === p.vaultB);
});

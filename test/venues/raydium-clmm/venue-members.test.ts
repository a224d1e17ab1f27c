/**
 * Raydium CLMM `poolMints`, `vaults` and `reserves` on the carbon fixture pool (AcPS8Srz…: mints and
 * vaults from the README). No vault account was dumped, so the vaults are written here with their
 * mints and two distinct balances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountFile, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import { raydiumClmm } from '../../../engine/venues/raydium-clmm/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { encodeTokenAccount } from '../support/writer.ts';
import { fixturePool } from './fixture-pool.ts';

const SOL = 'So11111111111111111111111111111111111111112';
const TOKEN1 = '4kzLMxfMZVf6UztzjMcAmyLfBYgFcr9FfpwusrqgEjiH';
const VAULT0 = '6G5MVC3hqo6oYyucP3F7HK5smyWye84AF8fLExDDMUNL';
const VAULT1 = 'E1NAfa5JAcNdKEzFiU4SkzX5uVi34pNhLdCJCmjA7nN';
const OWNER = '888dRkBFryx1xWqDFf8RYtVyyRrVLeQeZ4XPySicXDv6';

function vault(address: string, mint: string, amount: bigint): AccountSnapshot {
  return { address, owner: 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA', data: encodeTokenAccount({ mint, owner: OWNER, amount }), lamports: 2039280n, executable: false, rentEpoch: 0n };
}

test('poolMints of the carbon PoolState; wrong owner and short data are typed errors', () => {
  const pool = loadAccountFile(sharedFixture('accounts/raydium-clmm/carbon/pool_state_account.json'));
  assert.deepEqual(raydiumClmm.poolMints({ ...pool, address: 'AcPS8SrzXDwPxk6LLz2tykwFEsSeD5LtctMLVeh2shq8' }), { mintA: SOL, mintB: TOKEN1 });
  assert.throws(() => raydiumClmm.poolMints({ ...pool, owner: SOL }), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER'));
  assert.throws(() => raydiumClmm.poolMints({ ...pool, data: pool.data.subarray(0, 200) }), (e) => isSolrulesError(e) && e.code.startsWith('DEX_'));
});

test('vaults are token_vault0 / token_vault1; reserves their balances, in mint order, once both are there', () => {
  const f = fixturePool();
  const state = raydiumClmm.buildState(f.poolSnapshot, f.accounts, { unixTimestamp: 1_750_000_000n });
  assert.deepEqual(raydiumClmm.poolMints(f.poolSnapshot), { mintA: state.mintA, mintB: state.mintB });
  assert.deepEqual(raydiumClmm.vaults(state), [VAULT0, VAULT1]);
  assert.equal(raydiumClmm.reserves(state, f.accounts), undefined, 'no vault given yet');
  const accounts = new Map(f.accounts).set(VAULT0, vault(VAULT0, SOL, 12_345_678_901n)).set(VAULT1, vault(VAULT1, TOKEN1, 987_654_321n));
  assert.deepEqual(raydiumClmm.reserves(state, accounts), { reserveA: 12_345_678_901n, reserveB: 987_654_321n });
  accounts.set(VAULT1, vault(VAULT1, SOL, 1n));
  assert.throws(() => raydiumClmm.reserves(state, accounts), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISMATCH') && e.context.account === VAULT1 && e.context.expected === TOKEN1);
});

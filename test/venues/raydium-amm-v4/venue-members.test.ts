/** Raydium AMM v4 `poolMints`, `vaults` and `reserves` on the fixture captures (values from the README and _decoded-summary.json). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountFile } from '../../../engine/accounts/index.ts';
import { raydiumAmmV4 } from '../../../engine/venues/raydium-amm-v4/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const DIR = sharedFixture('accounts/raydium-amm-v4');
const POOL = '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2';
const COIN_VAULT = 'DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz';
const PC_VAULT = 'HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz';
const SOL = 'So11111111111111111111111111111111111111112';
const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';
const vaults = new Map([
  [COIN_VAULT, loadAccountFile(`${DIR}/${COIN_VAULT}.coin-vault.capture-with-vaults.json`)],
  [PC_VAULT, loadAccountFile(`${DIR}/${PC_VAULT}.pc-vault.capture-with-vaults.json`)],
]);

test('poolMints: coin and pc mint of every capture, from the pool account alone', () => {
  for (const capture of ['capture-with-vaults', 'capture-c', 'slot453868631']) {
    assert.deepEqual(raydiumAmmV4.poolMints(loadAccountFile(`${DIR}/${POOL}.${capture}.json`)), { mintA: SOL, mintB: USDC }, capture);
  }
  const pool = loadAccountFile(`${DIR}/${POOL}.capture-with-vaults.json`);
  assert.throws(() => raydiumAmmV4.poolMints({ ...pool, owner: USDC }), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER') && e.context.field === 'owner');
  assert.throws(() => raydiumAmmV4.poolMints({ ...pool, data: pool.data.subarray(0, 400) }), (e) => isSolrulesError(e) && e.code.startsWith('DEX_'));
});

test('vaults and reserves: capture with vaults (67 661.0 SOL / 4 936 181.26 USDC, no pending PnL)', () => {
  const pool = loadAccountFile(`${DIR}/${POOL}.capture-with-vaults.json`);
  const state = raydiumAmmV4.buildState(pool, vaults, { unixTimestamp: 1_700_000_000n });
  assert.deepEqual(raydiumAmmV4.vaults(state), [COIN_VAULT, PC_VAULT]);
  assert.deepEqual(raydiumAmmV4.reserves(state, vaults), { reserveA: 67_661_004_799_950n, reserveB: 4_936_181_262_839n });
});

test('reserves are what the program trades against: vault − need_take_pnl (slot 453868631 capture: 183502858 / 21928100)', () => {
  const pool = loadAccountFile(`${DIR}/${POOL}.slot453868631.json`);
  const state = raydiumAmmV4.buildState(pool, vaults, { unixTimestamp: 1_700_000_000n });
  const expected = { reserveA: 67_661_004_799_950n - 183_502_858n, reserveB: 4_936_181_262_839n - 21_928_100n };
  assert.deepEqual(raydiumAmmV4.reserves(state, vaults), expected);
  // read by buildState with the state: the map is not consulted again
  assert.deepEqual(raydiumAmmV4.reserves(state, new Map()), expected);
});

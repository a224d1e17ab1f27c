/**
 * `ataOf` derives associated token accounts itself (so that wallets do not load spl-token with
 * every run): it must be the address spl-token derives, for both token programs and for owners on
 * and off the curve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair, PublicKey } from '@solana/web3.js';
import { getAssociatedTokenAddressSync, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '@solana/spl-token';
import { ataOf } from '../../engine/wallets/index.ts';

test('ataOf: the address spl-token derives, for Token and Token-2022, owners on and off the curve', () => {
  const offCurve = PublicKey.findProgramAddressSync([Buffer.from('vault')], TOKEN_PROGRAM_ID)[0];
  const owners = [Keypair.generate().publicKey, Keypair.generate().publicKey, offCurve];
  const mints = [Keypair.generate().publicKey, new PublicKey('So11111111111111111111111111111111111111112')];
  let checked = 0;
  for (const program of [TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID]) {
    for (const owner of owners) {
      for (const mint of mints) {
        const expected = getAssociatedTokenAddressSync(mint, owner, true, program).toBase58();
        assert.equal(ataOf(owner.toBase58(), { name: 'm', address: mint.toBase58(), decimals: 6, program: program.toBase58() }), expected);
        checked++;
      }
    }
  }
  assert.equal(checked, 12);
});

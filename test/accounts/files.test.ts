import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountDir, loadAccountFile, parseAccountJson } from '../../engine/accounts/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { sharedFixture } from '../support/paths.ts';

test('reads the solana-CLI format with pubkey, base64 data and null lamports', () => {
  const acct = loadAccountFile(sharedFixture('accounts/raydium-amm-v4/58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.slot453868631.json'));
  assert.equal(acct.address, '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2');
  assert.equal(acct.owner, '675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8');
  assert.equal(acct.data.length, 752);
  assert.equal(acct.lamports, null);
});

test('reads carbon dumps (bare data string, rent_epoch) and takes the address from the file name', () => {
  const acct = loadAccountFile(sharedFixture('accounts/raydium-clmm/carbon/pool_state_account.json'));
  assert.equal(acct.address, undefined);
  assert.equal(acct.owner, 'CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK');
  assert.ok(acct.data.length > 1000);
  const named = loadAccountFile(sharedFixture('accounts/spl-token/token_usdc.EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v.json'));
  assert.equal(named.address, 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v');
});

test('keeps u64::MAX rentEpoch exact', () => {
  const acct = parseAccountJson(
    '{"pubkey":"So11111111111111111111111111111111111111112","account":{"data":["AA==","base64"],"owner":"TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA","lamports":1,"executable":false,"rentEpoch":18446744073709551615}}',
  );
  assert.equal(acct.rentEpoch, 18446744073709551615n);
});

test('bad files raise ACCOUNTS_BAD_FILE naming the field', () => {
  assert.throws(() => parseAccountJson('{"account":{"data":["AA==","base64"],"owner":"nope"}}', 'x.json'), (err) => {
    assert.ok(isSolrulesError(err, 'ACCOUNTS_BAD_FILE'));
    assert.equal(err.context.field, 'owner');
    assert.equal(err.context.file, 'x.json');
    return true;
  });
  assert.throws(() => parseAccountJson('{not json', 'y.json'), (err) => isSolrulesError(err, 'ACCOUNTS_BAD_FILE'));
});

test('loads a whole fixture directory keyed by address', () => {
  const accounts = loadAccountDir(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials'));
  assert.ok(accounts.has('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ'));
  assert.ok(accounts.size >= 40, `expected ≥40 accounts, got ${accounts.size}`);
});

test('isAddress accepts base58 strings of exactly 32 bytes only', async () => {
  const { isAddress } = await import('../../engine/accounts/index.ts');
  for (const ok of ['So11111111111111111111111111111111111111112', 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', '11111111111111111111111111111111']) assert.ok(isAddress(ok), ok);
  for (const bad of ['1'.repeat(44), 'So1111111111111111111111111111111111111111O', 'short', '', 42, undefined, 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1vEPjF']) assert.ok(!isAddress(bad), String(bad));
});

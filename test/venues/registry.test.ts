/** The venue registry in engine/venues/index.ts: lookup by owner program, by id, and the refusal for unknown owners. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountFile } from '../../engine/accounts/index.ts';
import { VENUES, venueById, venueForPool, venueForProgram } from '../../engine/venues/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { sharedFixture } from '../support/paths.ts';

test('each registered venue is found by its program id and its id, once', () => {
  assert.ok(VENUES.length >= 2);
  assert.equal(new Set(VENUES.map((v) => v.programId)).size, VENUES.length);
  for (const v of VENUES) {
    assert.equal(venueForProgram(v.programId), v);
    assert.equal(venueById(v.id), v);
  }
  assert.equal(venueForProgram('675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8')?.id, 'raydium-amm-v4');
  assert.equal(venueForProgram('whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc')?.id, 'orca-whirlpool');
});

test('venueForPool picks by owner and refuses unknown owners with DEX_UNKNOWN_VENUE', () => {
  const whirlpool = loadAccountFile(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials/sol_usdc_wp_whirlpool.HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ.json'));
  assert.equal(venueForPool(whirlpool).id, 'orca-whirlpool');
  const pyth = loadAccountFile(sharedFixture('accounts/pyth/H6ARHf6YXhGYeQfUzQNGk6rDNnLBQKrenN712K4AQJEG.SOL_USD.json'));
  assert.throws(() => venueForPool(pyth), (e) => isSolrulesError(e, 'DEX_UNKNOWN_VENUE') && e.context.field === 'owner' && e.context.value === pyth.owner);
});

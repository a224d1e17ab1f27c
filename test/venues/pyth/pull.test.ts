/** Pyth pull-oracle PriceUpdateV2 accounts: both real SOL/USD dumps against the values their README states; refusals; encode → decode. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadAccountFile } from '../../../engine/accounts/index.ts';
import { decodePythPriceUpdate, encodePythPriceUpdate, PYTH_RECEIVER_PROGRAM_ID, scaledToDecimal } from '../../../engine/venues/pyth/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const SOL_USD_FEED = '0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d';
const dump = (name: string) => loadAccountFile(sharedFixture('accounts/pyth-pull', `7UVimffxr9ow1uXYxsr4LHAcV58mLzhmwaeKvJ1pjLiE.${name}.json`));

test('marginfi-v2 e269218 sol_pyth_price_feed: SOL/USD, Full, 215.68137069 USD, conf 20134469, published 1735984087, posted at slot 311798332', () => {
  const u = decodePythPriceUpdate(dump('marginfi-v2-e269218-sol_pyth_price_feed'));
  assert.equal(u.address, '7UVimffxr9ow1uXYxsr4LHAcV58mLzhmwaeKvJ1pjLiE');
  assert.equal(u.feedId, SOL_USD_FEED);
  assert.deepEqual(u.verification, { kind: 'full' });
  assert.equal(u.price, 21_568_137_069n);
  assert.equal(u.exponent, -8);
  assert.equal(scaledToDecimal(u.price, u.exponent), '215.68137069');
  assert.equal(u.conf, 20_134_469n);
  assert.equal(u.publishTime, 1_735_984_087n);
  assert.equal(u.postedSlot, 311_798_332n);
  assert.ok(u.prevPublishTime <= u.publishTime);
  assert.ok(u.emaPrice > 0n && u.emaConf > 0n);
});

test('marginfi-v2 66ba3ba pyth_sol_usd: the same account later, 72.82143606 USD, conf 3856794, published 1785539008, posted at slot 436446948', () => {
  const u = decodePythPriceUpdate(dump('marginfi-v2-66ba3ba-pyth_sol_usd'));
  assert.equal(u.feedId, SOL_USD_FEED);
  assert.deepEqual(u.verification, { kind: 'full' });
  assert.equal(scaledToDecimal(u.price, u.exponent), '72.82143606');
  assert.equal(u.conf, 3_856_794n);
  assert.equal(u.publishTime, 1_785_539_008n);
  assert.equal(u.postedSlot, 436_446_948n);
});

test('encode → decode round trip; a Partial verification shifts the message by one byte', () => {
  const real = decodePythPriceUpdate(dump('marginfi-v2-e269218-sol_pyth_price_feed'));
  const { address: _a, verification: _v, ...fields } = real;
  const data = encodePythPriceUpdate(fields);
  const account = { address: 'x', owner: PYTH_RECEIVER_PROGRAM_ID, data, lamports: null, executable: false, rentEpoch: null };
  assert.deepEqual(decodePythPriceUpdate(account), { ...real, address: 'x' });
  assert.deepEqual(Buffer.from(data), Buffer.from(dump('marginfi-v2-e269218-sol_pyth_price_feed').data), 'byte for byte the real account');
  const partial = Buffer.concat([data.subarray(0, 40), Buffer.from([0, 5]), data.subarray(41, 133)]);
  const p = decodePythPriceUpdate({ ...account, data: partial });
  assert.deepEqual(p.verification, { kind: 'partial', numSignatures: 5 });
  assert.equal(p.price, real.price);
  assert.equal(p.postedSlot, real.postedSlot);
});

test('refusals: wrong owner, wrong discriminator, unknown verification tag, short data', () => {
  const good = dump('marginfi-v2-e269218-sol_pyth_price_feed');
  assert.throws(() => decodePythPriceUpdate({ ...good, owner: '11111111111111111111111111111111' }), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER'));
  const bad = Buffer.from(good.data);
  bad[0] = bad[0]! ^ 1;
  assert.throws(() => decodePythPriceUpdate({ ...good, data: bad }), (e) => isSolrulesError(e, 'DEX_ACCOUNT_BAD_DISCRIMINATOR'));
  const tag = Buffer.from(good.data);
  tag[40] = 2;
  assert.throws(() => decodePythPriceUpdate({ ...good, data: tag }), (e) => isSolrulesError(e) && (e.context as { field: string }).field === 'verification_level');
  assert.throws(() => decodePythPriceUpdate({ ...good, data: good.data.subarray(0, 100) }), (e) => isSolrulesError(e) && /posted_slot/.test(e.message));
});

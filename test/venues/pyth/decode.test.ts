/** Pyth v2 price account (mainnet SOL/USD H6ARHf6Y…) against the fixture README and `_decoded-summary.json`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadAccountFile } from '../../../engine/accounts/index.ts';
import { decodePythPrice, scaledToDecimal } from '../../../engine/venues/pyth/index.ts';
import { isSolrulesError, type ErrorCode } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const FILE = 'H6ARHf6YXhGYeQfUzQNGk6rDNnLBQKrenN712K4AQJEG.SOL_USD.json';
const account = loadAccountFile(sharedFixture('accounts/pyth', FILE));
const summary = (JSON.parse(readFileSync(sharedFixture('accounts/pyth/_decoded-summary.json'), 'utf8')) as Record<string, Record<string, unknown>>)[FILE]!;

test('SOL/USD price account: every value of _decoded-summary.json and the README', () => {
  const p = decodePythPrice(account);
  assert.equal(account.data.length, summary.len);
  assert.equal(new DataView(account.data.buffer, account.data.byteOffset).getUint32(0, true), Number(summary.magic));
  assert.equal(p.version, summary.version);
  assert.equal(p.priceType, summary.ptype);
  assert.equal(p.exponent, summary.expo);
  assert.equal(p.numComponents, summary.numComponents);
  assert.equal(p.lastSlot, BigInt(summary.lastSlot as number));
  assert.equal(p.validSlot, BigInt(summary.validSlot as number));
  assert.equal(p.emaPrice, BigInt(summary.emaPrice as number));
  assert.equal(p.emaConf, BigInt(summary.emaConf as number));
  assert.equal(p.timestamp, BigInt(summary.timestamp as number));
  assert.equal(p.product, summary.product);
  assert.equal(p.price, BigInt(summary.aggPrice as number));
  assert.equal(p.conf, BigInt(summary.aggConf as number));
  assert.equal(p.status, 'trading');
  assert.equal(summary.aggStatus, 1);
  assert.equal(p.slot, BigInt(summary.aggPubSlot as number));
  assert.equal(scaledToDecimal(p.price, p.exponent), '159.3354425');
  assert.equal(Number(scaledToDecimal(p.price, p.exponent)), summary.aggPriceFloat);
  assert.equal(scaledToDecimal(p.conf, p.exponent), '0.115166');
  assert.equal(p.components.length, 29);
  assert.ok(p.components.every((c) => /^[1-9A-HJ-NP-Za-km-z]{32,44}$/.test(c.publisher)));
});

test('scaledToDecimal is exact for any exponent sign', () => {
  assert.equal(scaledToDecimal(15933544250n, -8), '159.3354425');
  assert.equal(scaledToDecimal(-5n, -3), '-0.005');
  assert.equal(scaledToDecimal(12n, 2), '1200');
  assert.equal(scaledToDecimal(100n, -2), '1');
  assert.equal(scaledToDecimal(0n, -8), '0');
});

test('wrong magic, version, type, size, status or short data raise DEX_ errors naming the field', () => {
  const expect = (mutate: (d: DataView) => void, field: string, code: ErrorCode = 'DEX_ACCOUNT_BAD_VALUE') => {
    const data = new Uint8Array(account.data);
    mutate(new DataView(data.buffer));
    assert.throws(() => decodePythPrice({ ...account, data }), (e) => {
      assert.ok(isSolrulesError(e, code), String(e));
      assert.equal(e.context.field, field);
      assert.equal(e.context.account, account.address);
      return true;
    });
  };
  expect((d) => d.setUint32(0, 0xdeadbeef, true), 'magic');
  expect((d) => d.setUint32(4, 1, true), 'version');
  expect((d) => d.setUint32(8, 2, true), 'accountType');
  expect((d) => d.setUint32(12, 100_000, true), 'size');
  expect((d) => d.setUint32(224, 9, true), 'aggregate.status');
  expect((d) => d.setInt32(20, 99, true), 'exponent');
  assert.throws(() => decodePythPrice({ ...account, data: account.data.subarray(0, 200) }), (e) => isSolrulesError(e, 'DEX_ACCOUNT_TOO_SHORT'));
});

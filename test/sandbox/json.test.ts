/** The sandbox's JSON writer: JSON.stringify's output with bigints as bare integers (every digit), even when a string looks like its bigint mark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringifyRpc } from '../../sandbox/json.ts';

test('stringifyRpc: bigints as bare integers past 2^53; undefined, functions and non-finite numbers as JSON.stringify writes them', () => {
  assert.equal(stringifyRpc({ lamports: 5n, rentEpoch: 18446744073709551615n, delta: -3n, list: [1n, undefined, () => 1, NaN], skip: undefined, s: 'a"b' }), '{"lamports":5,"rentEpoch":18446744073709551615,"delta":-3,"list":[1,null,null,null],"s":"a\\"b"}');
  assert.equal(stringifyRpc(undefined), 'null');
  assert.equal(stringifyRpc({ data: [Buffer.from('hi').toString('base64'), 'base64'], n: 1 }), '{"data":["aGk=","base64"],"n":1}');
  const parsed = JSON.parse(stringifyRpc({ big: [2n ** 70n] }).replace(/(\d{17,})/g, '"$1"'));
  assert.equal(BigInt(parsed.big[0]), 2n ** 70n);
});

test('stringifyRpc: a string that looks like the bigint mark stays a string; the bigints beside it are still exact', () => {
  const lookalike = '\u0001bigint:7';
  const out = stringifyRpc({ a: lookalike, b: 18446744073709551615n, [lookalike]: 1n });
  assert.equal(out, `{"a":${JSON.stringify(lookalike)},"b":18446744073709551615,${JSON.stringify(lookalike)}:1}`);
});

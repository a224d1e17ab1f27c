import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SolrulesError, isSolrulesError, jsonSafe } from '../../engine/errors/index.ts';

test('SolrulesError carries code and context, and serializes bigints as strings', () => {
  const err = new SolrulesError('ORDER_INVALID', 'bad amount', { field: 'amountIn', value: 12345678901234567890n });
  assert.equal(err.code, 'ORDER_INVALID');
  assert.ok(isSolrulesError(err, 'ORDER_INVALID'));
  assert.ok(!isSolrulesError(err, 'ORDER_INVALID_PARAM'));
  assert.deepEqual(JSON.parse(JSON.stringify(err)).context, { field: 'amountIn', value: '12345678901234567890' });
  assert.deepEqual(jsonSafe([1n, { a: 2n }]), ['1', { a: '2' }]);
});

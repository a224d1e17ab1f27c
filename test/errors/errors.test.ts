import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SolrulesError, isSolrulesError, jsonSafe } from '../../engine/errors/index.ts';

test('SolrulesError carries code and context, and serializes bigints as strings', () => {
  const err = new SolrulesError('TEST_CODE', 'bad amount', { field: 'amountIn', value: 12345678901234567890n });
  assert.equal(err.code, 'TEST_CODE');
  assert.ok(isSolrulesError(err, 'TEST_CODE'));
  assert.ok(!isSolrulesError(err, 'OTHER'));
  assert.deepEqual(JSON.parse(JSON.stringify(err)).context, { field: 'amountIn', value: '12345678901234567890' });
  assert.deepEqual(jsonSafe([1n, { a: 2n }]), ['1', { a: '2' }]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QuoteAccuracy } from '../../../engine/executors/index.ts';

test('a published reconciliation counts with its atoms; one missing the venue, route or an amount (or with amounts not in atoms) counts nothing', () => {
  const acc = new QuoteAccuracy();
  assert.equal(acc.recordPublished({ venue: 'orca-whirlpool', route: 'r', expectedAmountOut: '1000000', realizedAmountOut: '990000' }), true);
  for (const bad of [undefined, null, {}, { venue: 'v', route: 'r', expectedAmountOut: '1' }, { route: 'r', expectedAmountOut: '1', realizedAmountOut: '1' }, { venue: 'v', route: 'r', expectedAmountOut: 1000, realizedAmountOut: '990' }, { venue: 'v', route: 'r', expectedAmountOut: '1.5', realizedAmountOut: '1' }]) {
    assert.equal(acc.recordPublished(bad), false, JSON.stringify(bad));
  }
  const fact = acc.fact();
  assert.equal(fact.samples, 1, 'only the readable one counted');
  assert.equal(fact.meanShortfallBps, 100, '990,000 of 1,000,000 quoted: 100 bps short');
  assert.deepEqual(Object.keys(fact.byVenue), ['orca-whirlpool']);
});

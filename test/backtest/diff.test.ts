/** The order diff of two runs: matched by strategy, rule, side and decision time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffOrders, type OrderOutcome } from '../../engine/backtest/index.ts';

const o = (rule: string, hour: number, extra: Partial<OrderOutcome> = {}): OrderOutcome => ({ id: `${rule}${hour}`, strategy: 's', rule, side: 'buy', decidedAtMs: hour * 3_600_000, amountIn: '100', status: 'filled', fillTimeMs: hour * 3_600_000, fillPrice: 10, amountOut: '9', ...extra });

test('appear, disappear, change and unchanged', () => {
  const base = [o('a', 1), o('a', 2), o('b', 3), o('a', 5)];
  const proposed = [o('a', 1), o('a', 2, { amountIn: '200', amountOut: '18' }), o('b', 4), o('a', 5, { status: 'failed', fillPrice: undefined, amountOut: undefined, fillTimeMs: undefined })];
  const d = diffOrders(base, proposed);
  assert.deepEqual(d.appeared.map((x) => x.id), ['b4']);
  assert.deepEqual(d.disappeared.map((x) => x.id), ['b3']);
  assert.deepEqual(d.changed.map((c) => [c.proposed.id, c.fields]), [
    ['a2', ['amountIn', 'amountOut']],
    ['a5', ['status', 'fillPrice', 'amountOut']],
  ]);
  assert.equal(d.unchanged, 1);
});

test('identical runs: nothing appears, disappears or changes', () => {
  const runA = [o('a', 1), o('b', 2)];
  const d = diffOrders(runA, runA.map((x) => ({ ...x })));
  assert.deepEqual([d.appeared.length, d.disappeared.length, d.changed.length, d.unchanged], [0, 0, 0, 2]);
});

/** engine/messages/codec.ts: execution reports and their bus forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportFromJson, reportToJson } from '../../engine/messages/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import type { ExecutionReport } from '../../engine/orders/index.ts';

const report = (): ExecutionReport => ({ orderId: 'ord_1', executor: 'paper', status: 'filled', amountIn: 1000n, amountOut: 990n, feeAtoms: 3n, networkFeeLamports: 0n, simulated: true, at: '2024-01-01T00:00:00.000Z', fillPriceUsd: 1.5 });

test('a report and its bus form convert to each other once: the same objects both ways; a form parsed from text converts afresh, equal', () => {
  const r = report();
  const json = reportToJson(r);
  assert.equal(json.amountIn, '1000');
  assert.equal(reportToJson(r), json);
  assert.equal(reportFromJson(json), r, 'the engine and the backtest runner decode the one report a worker published');
  const parsed = JSON.parse(JSON.stringify(json));
  const again = reportFromJson(parsed);
  assert.notEqual(again, r);
  assert.deepEqual(again, r);
});

test('a bus form with atoms that are not a decimal string is refused (EXEC_BAD_REPORT)', () => {
  const bad = { ...JSON.parse(JSON.stringify(reportToJson(report()))), feeAtoms: 1.5 };
  assert.throws(() => reportFromJson(bad), (e: unknown) => isSolrulesError(e, 'EXEC_BAD_REPORT'));
});

/** `--fail-if` conditions: grammar, evaluation against two runs' metrics, and errors that point at the column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DIFF_METRICS, evaluateFailIf, parseFailIf } from '../../engine/backtest/index.ts';

const base = { maxDrawdownPct: 20, sharpe: 1.5, trades: 10, profitFactor: null, totalReturnPct: 30 };
const holds = (text: string, proposed: Record<string, number | null>) => evaluateFailIf(parseFailIf(text, DIFF_METRICS), proposed, base);

test('a bare base is the base value of the first metric named; base.<name> and arithmetic', () => {
  assert.equal(holds('maxDrawdownPct > base + 5', { maxDrawdownPct: 25 }), false); // 25 > 25 is false
  assert.equal(holds('maxDrawdownPct > base + 5', { maxDrawdownPct: 25.01 }), true);
  assert.equal(holds('sharpe < base * 0.8', { sharpe: 1.19 }), true); // 1.19 < 1.2
  assert.equal(holds('sharpe < base * 0.8', { sharpe: 1.21 }), false);
  assert.equal(holds('totalReturnPct - base.totalReturnPct < -(2 + 3)', { totalReturnPct: 24 }), true); // -6 < -5
  assert.equal(holds('trades == 0', { trades: 0 }), true);
  assert.equal(holds('trades != base', { trades: 10 }), false);
  assert.equal(holds('2 * maxDrawdownPct / 4 >= base / 2', { maxDrawdownPct: 20 }), true); // precedence: 10 >= 10
});

test('a metric that is n/a makes the condition hold (undecidable checks fail the run)', () => {
  assert.equal(holds('profitFactor < base', { profitFactor: 2 }), null);
});

test('bad conditions name the problem and the column', () => {
  const err = (text: string) => {
    try {
      parseFailIf(text, DIFF_METRICS);
    } catch (e) {
      return (e as Error & { code: string }).code + ': ' + (e as Error).message;
    }
    return 'no error';
  };
  assert.match(err('drawdown > 5'), /DIFF_BAD_FAIL_IF: .*unknown metric 'drawdown' \(one of totalReturnPct, .*\) at column 1/);
  assert.match(err('maxDrawdownPct base'), /expected a comparison .* at column 16/);
  assert.match(err('maxDrawdownPct > (base + 5'), /expected '\)' at column 27/);
  assert.match(err('maxDrawdownPct > base +'), /expression ends too early/);
  assert.match(err('maxDrawdownPct > base $ 5'), /unexpected '\$' at column 23/);
  assert.match(err('5 > 3'), /names no metric/);
});

/** `solrules backtest` and `npm start` (which runs it) end to end through the real CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../support/paths.ts';
import { HAND_BARS, HAND_DCA, hourlyCsv, writeProject } from '../backtest/project.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [CLI, 'backtest', ...args], { cwd, encoding: 'utf8' });

/** report.json without the one field that changes from run to run. */
function reportWithoutClock(dir: string): unknown {
  const r = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  delete r.metadata.generatedAt;
  return r;
}

test('npm start (solrules backtest on the defaults) backtests grid and DCA on the 47,360 SOL 1h bars, the same every time', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  assert.equal(pkg.scripts.start, 'node bin/solrules.js backtest');
  const outs = [mkdtempSync(join(tmpdir(), 'solrules-start-')), mkdtempSync(join(tmpdir(), 'solrules-start-'))];
  try {
    for (const out of outs) {
      const started = Date.now();
      const run = cli(REPO_ROOT, ['--out', out]);
      const seconds = (Date.now() - started) / 1000;
      console.log(`npm start (solrules backtest) took ${seconds.toFixed(1)} s`);
      assert.equal(run.status, 0, run.stderr);
      // A hang guard, not a speed claim: the time is printed (≈6 s on an idle 2-core machine) and a
      // loaded machine (several test files at once, other jobs) can take many times that.
      assert.ok(seconds < 300, `took ${seconds} s`);
      assert.match(run.stdout, /SIMULATED fills, nothing is sent to any chain/);
      assert.match(run.stdout, /47,360 1h bars of SOL\/USDC/);
      assert.match(run.stdout, /100 % {2}bar 47,360\/47,360/); // progress
      assert.match(run.stdout, /max drawdown/);
      assert.match(run.stdout, new RegExp(`report: ${join(out, 'report.html').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.ok(existsSync(join(out, 'report.html')));
    }
    const [a, b] = outs.map(reportWithoutClock) as [{ strategies: Array<{ id: string; trades: unknown[]; fills: unknown[] }> }, unknown];
    assert.deepEqual(a.strategies.map((s) => s.id), ['grid', 'dca']);
    for (const s of a.strategies) assert.ok(s.fills.length > 50, `${s.id}: only ${s.fills.length} fills`);
    assert.deepEqual(a, b, 'a second run gives the same report');
  } finally {
    for (const o of outs) rmSync(o, { recursive: true, force: true });
  }
});

test('backtest of a small project: the summary, the report files and the hand-computed trades', () => {
  const dir = writeProject({ strategies: HAND_DCA, bars: hourlyCsv(HAND_BARS) });
  try {
    const run = cli(dir, ['--out', 'rep']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /6 1h bars of SOL\/USDC/);
    assert.match(run.stdout, /fill model: decision at bar close, fill at the next bar open, slippage 10 bps, fee 30 bps/);
    assert.match(run.stdout, /orders: 4 decided, 3 filled, 1 not filled/);
    const report = JSON.parse(readFileSync(join(dir, 'rep', 'report.json'), 'utf8'));
    assert.equal(report.simulated, true);
    assert.deepEqual(report.strategies[0].trades.map((t: { pnlQuoteAtoms: string }) => t.pnlQuoteAtoms), ['3092582', '7300444']);
    assert.equal(report.portfolio.metrics.finalEquityExact.atoms, '1010393026');
    assert.match(readFileSync(join(dir, 'rep', 'report.html'), 'utf8'), /SIMULATED/);
    // --fill-at close overrides strategies.yaml
    const atClose = cli(dir, ['--out', 'rep2', '--fill-at', 'close', '--quiet']);
    assert.equal(atClose.status, 0, atClose.stderr);
    const closeReport = JSON.parse(readFileSync(join(dir, 'rep2', 'report.json'), 'utf8'));
    assert.equal(closeReport.strategies[0].fills[0].price, 100 * 1.001);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: each a clear error naming the field or the file and line', () => {
  const dir = writeProject({ strategies: HAND_DCA, bars: hourlyCsv(HAND_BARS) });
  try {
    const badFill = cli(dir, ['--fill-at', 'tomorrow']);
    assert.equal(badFill.status, 2);
    assert.match(badFill.stderr, /--fill-at must be one of next-open, close; got 'tomorrow'/);
    const unknown = cli(dir, ['--strategy', 'nope']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /BACKTEST_UNKNOWN_STRATEGY: no strategy 'nope' in strategies.yaml \(dca\)/);
    const period = cli(dir, ['--from', '2030-01-01']);
    assert.equal(period.status, 1);
    assert.match(period.stderr, /BACKTEST_NO_BARS: no bars in the selected period/);
    const badDate = cli(dir, ['--from', 'yesterday']);
    assert.equal(badDate.status, 1);
    assert.match(badDate.stderr, /BACKTEST_BAD_PERIOD: --from must be an ISO date/);
    writeFileSync(join(dir, 'nan.csv'), hourlyCsv(HAND_BARS).replace('102,103,101,102', '102,103,101,NaN'));
    const nan = cli(dir, ['--data', 'nan.csv']);
    assert.equal(nan.status, 1);
    assert.match(nan.stderr, /CANDLES_NOT_A_NUMBER: .*nan\.csv:3: close must be a number; found "NaN"/);
    const missing = cli(dir, ['--data', 'missing.csv']);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /BACKTEST_DATA_NOT_FOUND: bar file not found: .*missing\.csv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** `solrules run` — what `npm run paper` runs (`npm start` is the backtest) — end to end through the real CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../support/paths.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');

/** Each run its own embedded store: the default one in the repo would carry state from run to run. */
const isolatedStore = (dir: string) => ({ ...process.env, SOLRULES_STORE: `pglite:${join(dir, 'store')}` });

// The run takes seconds (its figure is printed); the bound only catches a hang, generous enough for a loaded machine.
test('the default run replays the whole SOL-USD series and writes its summary', () => {
  const out = mkdtempSync(join(tmpdir(), 'solrules-run-'));
  try {
    const started = Date.now();
    // An in-memory store: what this test checks is the replay and its summary; PGlite's per-tick
    // checkpoints (most of a full-series run's time) are checked by run-continue and run-kill.
    const run = spawnSync(process.execPath, [CLI, 'run', '--no-watch', '--out', out], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, SOLRULES_STORE: 'memory' } });
    const seconds = (Date.now() - started) / 1000;
    console.log(`solrules run (full series) took ${seconds.toFixed(1)} s`);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(seconds < 300, `took ${seconds.toFixed(1)} s`);
    assert.match(run.stdout, /PAPER TRADING/);
    assert.match(run.stdout, /SIMULATED: .*nothing was sent to any chain/);
    assert.match(run.stdout, /2022-11 {2}SOL \$/); // progress as it goes
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.simulated, true);
    assert.equal(summary.period.ticks, 971 * 4);
    assert.deepEqual(Object.keys(summary.strategies).sort(), ['dca', 'grid']);
    const rules = new Set(summary.orders.map((o: { rule: string }) => o.rule));
    for (const r of ['grid-buy', 'grid-sell', 'dca-buy']) assert.ok(rules.has(r), `no ${r} orders`);
    assert.ok(summary.fills > 100, `only ${summary.fills} fills`);
    assert.equal(summary.fills, summary.orders.reduce((a: number, o: { filled: number }) => a + o.filled, 0));
    assert.equal(summary.errors, 0);
    assert.match(readFileSync(join(out, 'summary.txt'), 'utf8'), /P&L per strategy/);
    // Realized + unrealized P&L of the strategies is the portfolio's gain (fees are inside both).
    const pnl = summary.totals.realizedPnlUsd + summary.totals.unrealizedPnlUsd;
    const gain = summary.portfolio.end.valueUsd - summary.portfolio.start.valueUsd;
    assert.ok(Math.abs(pnl - gain) < 0.05, `P&L ${pnl} vs portfolio gain ${gain}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('--from/--to select the replayed period; bad options are usage errors (exit 2)', () => {
  const out = mkdtempSync(join(tmpdir(), 'solrules-run-'));
  try {
    const run = spawnSync(process.execPath, [CLI, 'run', '--no-watch', '--quiet', '--from', '2022-11-01', '--to', '2022-11-30', '--out', out], { cwd: REPO_ROOT, encoding: 'utf8', env: isolatedStore(out) });
    assert.equal(run.status, 0, run.stderr);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    assert.deepEqual([summary.period.from, summary.period.to, summary.period.ticks], ['2022-11-01', '2022-11-30', 120]);
    for (const args of [['--from', '2022/11/01'], ['--speed', '-1'], ['--live'], ['--bogus']]) {
      const bad = spawnSync(process.execPath, [CLI, 'run', '--no-watch', ...args], { cwd: REPO_ROOT, encoding: 'utf8', env: isolatedStore(out) });
      assert.equal(bad.status, 2, `${args.join(' ')}: ${bad.stderr}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

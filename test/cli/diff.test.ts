/** `solrules diff` end to end: base as a git ref (HEAD) and as a directory, order changes, --fail-if exit codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../support/paths.ts';
import { HAND_BARS, HAND_DCA, hourlyCsv, writeProject } from '../backtest/project.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const diff = (cwd: string, args: string[]) => spawnSync(process.execPath, [CLI, 'diff', ...args], { cwd, encoding: 'utf8' });

/** The hand-computed project, committed in its own git repository; then the take-profit is raised from 5 % to 50 %. */
function project(): string {
  const dir = writeProject({ strategies: HAND_DCA, bars: hourlyCsv(HAND_BARS) });
  const git = (...a: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=test', '-c', 'user.email=test@example.com', ...a], { encoding: 'utf8' });
  git('init', '-q');
  git('add', '.');
  git('commit', '-qm', 'base');
  const file = join(dir, 'strategies.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('takeProfitPct: 5', 'takeProfitPct: 50'));
  return dir;
}

test('against HEAD: the take-profit sell and the buy after it disappear; --fail-if decides the exit code', () => {
  const dir = project();
  try {
    const r = diff(dir, ['--fail-if', 'trades < base', '--fail-if', 'maxDrawdownPct > base + 50']);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /base: HEAD \(git\)/);
    // base: buys decided at 01:00 and 03:00, the take-profit at 05:00, a buy at 06:00 left unfilled; proposed: the two buys
    assert.match(r.stdout, /orders: 0 appear, 2 disappear, 0 change, 2 unchanged/);
    assert.match(r.stdout, /- 2024-01-01T05:00 dca\/dca-take-profit sell 1992805113 filled 2024-01-01T05:00 at 105\.8940 → 210393026/);
    assert.match(r.stdout, /- 2024-01-01T06:00 dca\/dca-buy buy 100000000 failed/);
    assert.match(r.stdout, /trades\s+2\s+0\s+-2/);
    assert.match(r.stdout, /FAIL: trades < base/);
    assert.doesNotMatch(r.stdout, /FAIL: maxDrawdownPct/);
    const pass = diff(dir, ['--fail-if', 'maxDrawdownPct > base + 50']);
    assert.equal(pass.status, 0, pass.stderr);
    assert.match(pass.stdout, /ok: no --fail-if condition holds/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('base as a directory, and only the named paths taken from the working tree', () => {
  const dir = project();
  const baseDir = mkdtempSync(join(tmpdir(), 'solrules-diff-basedir-'));
  try {
    execFileSync('git', ['-C', dir, 'stash', '-q']); // the directory copy is the base
    cpSync(dir, baseDir, { recursive: true });
    execFileSync('git', ['-C', dir, 'stash', 'pop', '-q']);
    const same = diff(dir, ['--base', baseDir, 'rules']); // strategies.yaml (the change) is not among the paths
    assert.equal(same.status, 0, same.stderr);
    assert.match(same.stdout, /orders: 0 appear, 0 disappear, 0 change, 4 unchanged/);
    const changed = diff(dir, ['--base', baseDir, 'strategies.yaml']);
    assert.equal(changed.status, 0, changed.stderr);
    assert.match(changed.stdout, /orders: 0 appear, 2 disappear/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(baseDir, { recursive: true, force: true });
  }
});

test('usage errors exit 2: a bad --fail-if, an unknown base', () => {
  const dir = project();
  try {
    const bad = diff(dir, ['--fail-if', 'drawdown > 5']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown metric 'drawdown'/);
    const ref = diff(dir, ['--base', 'no-such-ref']);
    assert.equal(ref.status, 2);
    assert.match(ref.stderr, /--base 'no-such-ref' is neither a directory nor a git commit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

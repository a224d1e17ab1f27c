/** `solrules test` fails on a broken case (with its diff) and below the coverage threshold; `solrules explain` shows each condition with values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../support/paths.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-cli-'));
  cpSync(join(REPO_ROOT, 'strategies.yaml'), join(dir, 'strategies.yaml'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  return dir;
}
const cli = (dir: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });

test('a failing case exits 1 and prints what differed; coverage below the threshold exits 1', () => {
  const dir = project();
  try {
    const path = join(dir, 'rules', 'grid.test.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('params: { side: sell, amountIn: "4000000000" }', 'params: { side: sell, amountIn: "4000000001" }'));
    const failing = cli(dir, 'test');
    assert.equal(failing.status, 1, failing.stdout + failing.stderr);
    assert.match(failing.stdout, /✗ sells holding levels when the price rises to their sell level/);
    assert.match(failing.stdout, /~ orders\[0\] params\.amountIn: expected "4000000001", got "4000000000"/);
    assert.match(failing.stdout, /\d+ passed, 1 failed/);

    // Without the DCA tests, its leaves are never seen true or false: coverage drops.
    writeFileSync(path, readFileSync(join(REPO_ROOT, 'rules', 'grid.test.yaml'), 'utf8'));
    rmSync(join(dir, 'rules', 'dca.test.yaml'));
    const low = cli(dir, 'test', '--threshold', '90');
    assert.equal(low.status, 1, low.stdout);
    assert.match(low.stdout, /never true and false: dca\/dca-buy/);
    assert.match(low.stdout, /coverage [\d.]+% is below the threshold 90%/);
    // Above the threshold, but the DCA rules are never seen firing (nor not firing): still a failure.
    const half = cli(dir, 'test', '--threshold', '50');
    assert.equal(half.status, 1, half.stdout);
    assert.doesNotMatch(half.stdout, /below the threshold/);
    assert.match(half.stdout, /rule dca\/dca-buy never fired in any case/);
    assert.equal(cli(dir, 'test', '--threshold', 'lots').status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explain shows why each rule fired or not, condition by condition, with values on both sides', () => {
  const dir = project();
  try {
    writeFileSync(join(dir, 'facts.yaml'), 'price: { usd: 40 }\nwallet: { quoteBalance: 100 }\ndca: { due: true, costAfterBuyUsd: 500, buyAmountUsd: 100, buys: 1, pnlPct: 3, drawdownPct: 0 }\n');
    const run = cli(dir, 'explain', '--facts', 'facts.yaml', 'rules/dca.yaml');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /FIRED {2}dca\/dca-buy/);
    assert.match(run.stdout, /not fired {2}dca\/dca-take-profit/);
    assert.match(run.stdout, /✓ price\.usd lessThanInclusive params\.dca\.maxPriceUsd = 150 {3}\(price\.usd = 40\)/);
    assert.match(run.stdout, /✗ dca\.pnlPct greaterThanInclusive params\.dca\.takeProfitPct = 150 {3}\(dca\.pnlPct = 3\)/);
    const json = JSON.parse(cli(dir, 'explain', '--facts', 'facts.yaml', '--json', 'rules/dca.yaml').stdout) as Array<{ ruleId: string; fired: boolean }>;
    assert.deepEqual(json.map((o) => [o.ruleId, o.fired]), [['dca-stop-loss', false], ['dca-take-profit', false], ['dca-buy', true]]);
    assert.equal(cli(dir, 'explain').status, 2, 'no --facts is a usage error');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Every rule file shipped in rules/ passes `solrules validate` and `solrules test --coverage --threshold 90`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../support/paths.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');

test('solrules validate passes on the shipped project', () => {
  const run = spawnSync(process.execPath, [CLI, 'validate'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
});

test('solrules test --coverage --threshold 90 passes on the shipped rules', () => {
  const run = spawnSync(process.execPath, [CLI, 'test', '--coverage', '--threshold', '90'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const m = /coverage: ([\d.]+)%/.exec(run.stdout);
  assert.ok(m && Number(m[1]) >= 90, `coverage line missing or low: ${m?.[1]}`);
  assert.match(run.stdout, /(\d+) passed, 0 failed/);
  for (const file of ['grid', 'dca', 'routing', 'risk', 'arbitrage']) assert.match(run.stdout, new RegExp(`rules/${file}\\.test\\.yaml`));
});

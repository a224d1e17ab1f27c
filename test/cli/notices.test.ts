/**
 * Quiet when all is well: a clean `validate` prints its one summary line and nothing else, and
 * no command starts with a dependency's load-time notice — while other warnings still print.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEPENDENCY_NOTICES, dropDependencyNotices } from '../../engine/cli/notices.ts';
import { REPO_ROOT } from '../support/paths.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const NOTICE = 'bigint: Failed to load bindings, pure JS will be used (try npm run rebuild?)';

test('the dependency does print its notice when loaded on its own (what the CLI must keep out)', () => {
  const run = spawnSync(process.execPath, ['-e', "require('@solana/spl-token')"], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(run.stderr.includes(NOTICE), `expected the notice, got: ${run.stderr}`);
  assert.deepEqual(DEPENDENCY_NOTICES, [NOTICE]);
});

test('a clean validate prints exactly its summary line; --help starts with the usage', () => {
  const ok = spawnSync(process.execPath, [CLI, 'validate', join('test', 'fixtures', 'validate', 'context')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.equal(ok.stderr, 'ok: 5 file(s) valid\n');
  // --help loads every command module, @solana/spl-token included
  const help = spawnSync(process.execPath, [CLI, '--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(help.status, 0, help.stderr);
  assert.equal(help.stderr, '');
  assert.match(help.stdout, /^usage: solrules <command>/);
  assert.doesNotMatch(help.stdout + help.stderr, /bigint/);
});

test('only the exact notice is dropped: other warnings, and the notice with more arguments, still print', () => {
  const printed: unknown[][] = [];
  const target = { warn: (...args: unknown[]) => void printed.push(args) };
  const undo = dropDependencyNotices(target);
  target.warn(NOTICE);
  target.warn('bigint: something else');
  target.warn(NOTICE, 'with detail');
  target.warn(new Error(NOTICE));
  assert.equal(printed.length, 3);
  assert.deepEqual(printed[0], ['bigint: something else']);
  undo();
  target.warn(NOTICE);
  assert.equal(printed.length, 4, 'undo restores the original warn');
});

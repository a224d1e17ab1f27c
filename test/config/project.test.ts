/** A project's strategies.yaml may name rule files outside rules/: they are part of the project and validated with it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadProject } from '../../engine/config/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

test('rule files strategies.yaml names outside rules/ are loaded and validated with the project', () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-project-'));
  try {
    cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
    mkdirSync(join(dir, 'extra'));
    // The DCA rules move to extra/, with a typo in a fact name.
    const dca = readFileSync(join(dir, 'rules', 'dca.yaml'), 'utf8').replace('{ fact: dca, path: due,', '{ fact: dcaa, path: due,');
    writeFileSync(join(dir, 'extra', 'dca.yaml'), dca.replace('../schemas/', '../../schemas/'));
    rmSync(join(dir, 'rules', 'dca.yaml'));
    rmSync(join(dir, 'rules', 'dca.test.yaml'));
    writeFileSync(join(dir, 'strategies.yaml'), readFileSync(join(REPO_ROOT, 'strategies.yaml'), 'utf8').replace('rules: rules/dca.yaml', 'rules: extra/dca.yaml'));

    const project = loadProject(dir);
    const unknown = project.diagnostics.find((d) => d.code === 'RULES_UNKNOWN_FACT');
    assert.ok(unknown, JSON.stringify(project.diagnostics));
    assert.equal(unknown.file, join(dir, 'extra', 'dca.yaml'));

    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'solrules.js'), 'validate', '--format', 'json'], { cwd: dir, encoding: 'utf8' });
    assert.equal(run.status, 1, run.stderr);
    const reported = JSON.parse(run.stdout) as Array<{ file: string; code: string }>;
    assert.deepEqual(reported.map((d) => [d.file, d.code]), [['extra/dca.yaml', 'RULES_UNKNOWN_FACT']]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** compose() versions every rule set it applies in the store: the one it starts with and each applied reload, not refused ones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compose, type FactSource } from '../../engine/app/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { evaluatorFactory } from '../../engine/rules/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

test('the startup rule set and each applied reload are recorded with their hash, source and content', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-versions-'));
  cpSync(join(REPO_ROOT, 'strategies.yaml'), join(dir, 'strategies.yaml'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  const saved = process.env.SOLRULES_STORE;
  process.env.SOLRULES_STORE = 'memory';
  const factory = evaluatorFactory('compiled');
  const built = await buildActiveConfig(dir, factory, 'startup');
  assert.ok(built.active);
  const source: FactSource = { mode: 'replay', description: 'nothing', run: async () => {} };
  const app = await compose({ root: dir, active: built.active, factory, log: createLogger({ level: 'silent' }), source, watch: false });
  try {
    const file = join(dir, 'strategies.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('takeProfitPct: 150', 'takeProfitPct: 90'));
    const applied = await app.reloader.reload('test-edit');
    assert.equal(applied.applied, true);
    writeFileSync(file, readFileSync(file, 'utf8').replace('takeProfitPct: 90', 'takeProfitPct: -5')); // invalid: refused
    assert.equal((await app.reloader.reload('bad-edit')).applied, false);
    const versions = await app.store.listRuleSets();
    assert.deepEqual(versions.map((v) => [v.hash, v.source]), [
      [built.active.ruleSet.hash, 'startup'],
      [applied.hash, 'test-edit'],
    ]);
    assert.notEqual(versions[0]!.hash, versions[1]!.hash);
    const content = JSON.parse(versions[1]!.content);
    assert.equal(content.params.dca.takeProfitPct, 90);
    assert.equal(content.strategies.strategies.dca.params.takeProfitPct, 90);
    assert.ok(content.files.some((f: { id: string }) => f.id === 'dca'));
  } finally {
    await app.close();
    if (saved === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});

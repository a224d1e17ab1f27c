/**
 * `admin rollback [HASH]` against a running engine (compose(): in-process bus, memory store):
 * back to the previous applied rule set by default, to a named one by hash prefix, over the
 * control path (ControlState.command, the admin HTTP endpoint and the CLI); a version that no
 * longer validates or whose rule tests fail is refused with a typed code and the running rules
 * stay; every instance on the bus goes to the hash the asking one resolved.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { compose, type FactSource } from '../../engine/app/index.ts';
import { buildActiveConfig, type RuleSetContent } from '../../engine/config/index.ts';
import { ControlState } from '../../engine/control/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { evaluatorFactory } from '../../engine/rules/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { deleteNamespace, openTestBus, testNamespace } from '../infra/bus/nats/support.ts';

const run = promisify(execFile);
const TOKEN = 'rollback-test-token';

async function runningEngine() {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-rollback-'));
  for (const f of ['strategies.yaml', 'wallets.yaml', 'rules']) cpSync(join(REPO_ROOT, f), join(dir, f), { recursive: true });
  const saved = { store: process.env.SOLRULES_STORE, bus: process.env.SOLRULES_BUS, token: process.env.SOLRULES_ADMIN_TOKEN };
  process.env.SOLRULES_STORE = 'memory';
  process.env.SOLRULES_BUS = 'memory';
  process.env.SOLRULES_ADMIN_TOKEN = TOKEN;
  const factory = evaluatorFactory('compiled');
  const built = await buildActiveConfig(dir, factory, 'startup');
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const source: FactSource = { mode: 'replay', description: 'nothing', run: async () => {} };
  const app = await compose({ root: dir, active: built.active, factory, log: createLogger({ level: 'silent' }), source, watch: false, metricsPort: 0 });
  const restore = (k: string, v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  return {
    dir,
    app,
    startup: built.active.ruleSet.hash,
    takeProfit: () => (app.holder.current.ruleSet.params.dca as { takeProfitPct: number }).takeProfitPct,
    async close() {
      await app.close();
      restore('SOLRULES_STORE', saved.store);
      restore('SOLRULES_BUS', saved.bus);
      restore('SOLRULES_ADMIN_TOKEN', saved.token);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), `${file} has '${from}'`);
  writeFileSync(path, text.replace(from, to));
}

test('rollback brings the running engine back to the previous rule set, then to a named one; unknown hashes are refused', async () => {
  const e = await runningEngine();
  try {
    const { app } = e;
    edit(e.dir, 'strategies.yaml', 'takeProfitPct: 150', 'takeProfitPct: 90');
    const edited = await app.reloader.reload('edit');
    assert.equal(edited.applied, true);
    assert.equal(e.takeProfit(), 90);

    // Default: the previous one.
    const back = await app.control.command('rollback', 'take-profit edit was wrong');
    assert.equal(back.rollback?.ok, true, back.rollback?.detail);
    assert.equal(back.rollback?.hash, e.startup);
    assert.equal(app.holder.current.ruleSet.hash, e.startup);
    assert.equal(e.takeProfit(), 150, 'the running params are the startup ones again');
    assert.match(back.rollback!.detail!, /files on disk are unchanged/);
    assert.match(readFileSync(join(e.dir, 'strategies.yaml'), 'utf8'), /takeProfitPct: 90/, 'the files on disk are not touched');
    let versions = await app.store.listRuleSets();
    assert.deepEqual(versions.map((v) => v.hash), [e.startup, edited.hash, e.startup]);
    assert.match(versions[2]!.source, /^rollback to /);

    // Again without a hash: the latest version that is not running (the edit: an undo of the rollback).
    assert.equal((await app.control.command('rollback')).rollback?.hash, edited.hash);
    assert.equal(e.takeProfit(), 90);
    // By hash prefix.
    const named = await app.control.command('rollback', undefined, { hash: e.startup.slice(0, 10) });
    assert.equal(named.rollback?.hash, e.startup);
    assert.equal(e.takeProfit(), 150);

    // An unknown hash: refused with its code, nothing changes, nothing recorded.
    const unknown = await app.control.command('rollback', undefined, { hash: '0000000000' });
    assert.equal(unknown.rollback?.ok, false);
    assert.equal(unknown.rollback?.code, 'CONFIG_ROLLBACK_UNKNOWN');
    assert.equal(app.holder.current.ruleSet.hash, e.startup);
    versions = await app.store.listRuleSets();
    assert.equal(versions.length, 5, 'startup, edit and three rollbacks; the refused one is not recorded');
  } finally {
    await e.close();
  }
});

test('a version that no longer validates, or whose rule tests fail, is refused with a typed code and the running rules stay', async () => {
  const e = await runningEngine();
  try {
    const { app } = e;
    const [startup] = await app.store.listRuleSets();
    const content = JSON.parse(startup!.content) as RuleSetContent;
    assert.ok(content.sources?.['strategies.yaml'] && content.sources['rules/dca.yaml'] && content.sources['rules/dca.test.yaml'], 'versions keep the source text of strategies.yaml, rule files and rule tests');
    // Stored versions as the engine would have recorded them, now invalid under its checks.
    const invalid = { ...content, sources: { ...content.sources, 'strategies.yaml': content.sources!['strategies.yaml']!.replace('takeProfitPct: 150', 'takeProfitPct: -5') } };
    const failing = { ...content, sources: { ...content.sources, 'rules/dca.test.yaml': content.sources!['rules/dca.test.yaml']!.replace('urgency: low }', 'urgency: high }') } };
    await app.store.recordRuleSet({ hash: 'a'.repeat(64), content: JSON.stringify(invalid), source: 'test: invalid', appliedAt: new Date().toISOString() });
    await app.store.recordRuleSet({ hash: 'b'.repeat(64), content: JSON.stringify(failing), source: 'test: failing tests', appliedAt: new Date().toISOString() });
    const running = app.holder.current;

    const bad = await app.control.command('rollback', undefined, { hash: 'aaaaaa' });
    assert.equal(bad.rollback?.ok, false);
    assert.equal(bad.rollback!.code, 'SCHEMA_EXCLUSIVE_MINIMUM', 'the schema check a reload of that file would fail');
    assert.match(bad.rollback!.detail!, /refused; the running rule set stays.*rule set aaaaaaaaaaaa: strategies\.yaml/);
    assert.equal(app.holder.current, running, 'the running config is untouched');

    const tests = await app.control.command('rollback', undefined, { hash: 'bbbbbb' });
    assert.equal(tests.rollback?.ok, false);
    assert.match(tests.rollback!.detail!, /rule test failed: .*dca\.test\.yaml/);
    assert.equal(app.holder.current, running);

    // A version recorded before versions kept sources cannot be rebuilt: refused, not guessed.
    const { sources: _s, ...old } = content;
    await app.store.recordRuleSet({ hash: 'c'.repeat(64), content: JSON.stringify(old), source: 'test: old', appliedAt: new Date().toISOString() });
    const legacy = await app.control.command('rollback', undefined, { hash: 'cccccc' });
    assert.equal(legacy.rollback?.code, 'CONFIG_ROLLBACK_UNUSABLE');
    assert.equal(app.holder.current, running);
  } finally {
    await e.close();
  }
});

test('solrules admin rollback --list and rollback HASH over the admin endpoint', async () => {
  const e = await runningEngine();
  try {
    const { app } = e;
    edit(e.dir, 'strategies.yaml', 'takeProfitPct: 150', 'takeProfitPct: 120');
    const edited = await app.reloader.reload('edit');
    assert.equal(edited.applied, true);
    const cli = async (...args: string[]) => {
      try {
        const r = await run(process.execPath, [join(REPO_ROOT, 'bin/solrules.js'), 'admin', ...args, '--url', app.server!.url], { env: { ...process.env, SOLRULES_ADMIN_TOKEN: TOKEN }, cwd: e.dir, timeout: 60_000 });
        return { code: 0, stdout: r.stdout };
      } catch (err) {
        const x = err as { code: number; stdout: string; stderr: string };
        return { code: x.code, stdout: x.stdout + x.stderr };
      }
    };
    const list = await cli('rollback', '--list');
    assert.equal(list.code, 0, list.stdout);
    assert.match(list.stdout, new RegExp(`  ${e.startup.slice(0, 12)} .* startup`));
    assert.match(list.stdout, new RegExp(`\\* ${edited.hash!.slice(0, 12)} .* edit`), 'the running one is marked');
    const back = await cli('rollback', e.startup.slice(0, 8));
    assert.equal(back.code, 0, back.stdout);
    assert.match(back.stdout, new RegExp(`rollback: +ok — running rule set ${e.startup}`));
    assert.equal(app.holder.current.ruleSet.hash, e.startup);
    const refused = await cli('rollback', 'deadbeef');
    assert.equal(refused.code, 1, 'a refused rollback exits 1');
    assert.match(refused.stdout, /REFUSED \(CONFIG_ROLLBACK_UNKNOWN\)/);
  } finally {
    await e.close();
  }
});

test('every instance on the bus goes to the hash the asking instance resolved', async () => {
  const bus = new MemoryBus();
  const states = [new ControlState({ instanceId: 'engine-0' }), new ControlState({ instanceId: 'engine-1' })];
  const asked: Array<[string, string | undefined]> = [];
  for (const s of states) await s.attach(bus, { syncTimeoutMs: 0 });
  states[0]!.onRollback((hash) => (asked.push(['engine-0', hash]), { ok: true, hash: 'f'.repeat(64) }));
  states[1]!.onRollback((hash) => (asked.push(['engine-1', hash]), { ok: true, hash: hash! }));
  const r = await states[0]!.command('rollback');
  await bus.settle();
  assert.equal(r.rollback?.hash, 'f'.repeat(64));
  assert.deepEqual(asked, [['engine-0', undefined], ['engine-1', 'f'.repeat(64)]], 'the other instance is told the resolved hash, not "previous"');
  // Refused where asked: the others are not told.
  states[0]!.onRollback(() => ({ ok: false, code: 'CONFIG_ROLLBACK_UNKNOWN', detail: 'no such version' }));
  asked.length = 0;
  assert.equal((await states[0]!.command('rollback', undefined, { hash: 'abcd' })).rollback?.ok, false);
  await bus.settle();
  assert.deepEqual(asked, []);
  for (const s of states) await s.detach();
  await bus.close();
});

test('over NATS: the other instance is told the resolved hash and rolls back to it', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const url = SERVICES.nats.url;
  const ns = testNamespace('rollback');
  const buses = [await openTestBus(url, ns), await openTestBus(url, ns)];
  const states = [new ControlState({ instanceId: 'nats-0' }), new ControlState({ instanceId: 'nats-1' })];
  try {
    for (let i = 0; i < 2; i++) await states[i]!.attach(buses[i]!, { syncTimeoutMs: 0 });
    const told = new Promise<string | undefined>((resolve) => states[1]!.onRollback((hash) => (resolve(hash), { ok: true, hash: hash! })));
    states[0]!.onRollback(() => ({ ok: true, hash: 'e'.repeat(64) }));
    const r = await states[0]!.command('rollback', 'over nats');
    assert.equal(r.rollback?.ok, true);
    const hash = await Promise.race([told, new Promise((_, reject) => setTimeout(() => reject(new Error('no rollback reached the other instance over NATS in 10 s')), 10_000))]);
    assert.equal(hash, 'e'.repeat(64));
  } finally {
    for (const s of states) await s.detach();
    for (const b of buses) await b.close();
    await deleteNamespace(url, ns);
  }
});

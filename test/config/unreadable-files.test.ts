/**
 * Files the parser cannot turn into a document — a YAML alias bomb, a directory where a YAML
 * file belongs (rules/dca.yaml, strategies.yaml), a symlink loop — each become one positioned
 * diagnostic with a stable code: in `validate` (text, json, github; exit 1, no stack trace)
 * and in a reload (refused, counted by solrules_ruleset_reloads_total{outcome="refused"}).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildActiveConfig, ConfigHolder, Reloader } from '../../engine/config/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { createLogger, metrics } from '../../engine/infra/telemetry/index.ts';
import { run as validate } from '../../engine/cli/validate.ts';
import { REPO_ROOT } from '../support/paths.ts';

const BOMB = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]',
  'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
  'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
  'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
  'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
  'f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]',
  '',
].join('\n');

const CASES: Array<{ name: string; file: string; code: string; break: (dir: string) => void }> = [
  { name: 'an alias bomb in rules/dca.yaml', file: 'rules/dca.yaml', code: 'YAML_ALIAS_LIMIT', break: (d) => writeFileSync(join(d, 'rules/dca.yaml'), BOMB) },
  { name: 'a directory in place of rules/dca.yaml', file: 'rules/dca.yaml', code: 'CONFIG_NOT_A_FILE', break: (d) => (rmSync(join(d, 'rules/dca.yaml')), mkdirSync(join(d, 'rules/dca.yaml'))) },
  { name: 'a directory in place of strategies.yaml', file: 'strategies.yaml', code: 'CONFIG_NOT_A_FILE', break: (d) => (rmSync(join(d, 'strategies.yaml')), mkdirSync(join(d, 'strategies.yaml'))) },
  { name: 'a symlink loop in rules/', file: 'rules/loop.yaml', code: 'CONFIG_SYMLINK_LOOP', break: (d) => symlinkSync('loop.yaml', join(d, 'rules/loop.yaml')) },
];

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-unreadable-'));
  cpSync(join(REPO_ROOT, 'strategies.yaml'), join(dir, 'strategies.yaml'));
  cpSync(join(REPO_ROOT, 'wallets.yaml'), join(dir, 'wallets.yaml'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  return dir;
}

/** Runs `solrules validate` in `dir` in this process; returns its exit code and what it printed. */
async function runValidate(dir: string, args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = { log: console.log, error: console.error, cwd: process.cwd() };
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  process.chdir(dir);
  try {
    const code = await validate(args);
    return { code, out: lines.join('\n') };
  } catch (err) {
    return { code: -1, out: `${lines.join('\n')}\nTHREW ${(err as Error).stack}` };
  } finally {
    console.log = orig.log;
    console.error = orig.error;
    process.chdir(orig.cwd);
  }
}

async function refusedCount(): Promise<number> {
  const m = await metrics.rules.reloads.get();
  return m.values.find((v) => v.labels.outcome === 'refused')?.value ?? 0;
}

for (const c of CASES) {
  test(`${c.name}: a positioned ${c.code} in validate (all formats) and in a counted reload refusal`, async () => {
    const dir = project();
    try {
      const built = await buildActiveConfig(dir, referenceEvaluator, 'startup');
      assert.ok(built.active);
      c.break(dir);

      const text = await runValidate(dir, []);
      assert.equal(text.code, 1, text.out);
      assert.doesNotMatch(text.out, /THREW|    at /, 'no stack trace');
      assert.match(text.out, new RegExp(`^${c.file.replace('.', '\\.')}:\\d+:\\d+: ${c.code} `, 'm'), text.out);
      const json = await runValidate(dir, ['--format', 'json']);
      assert.equal(json.code, 1, json.out);
      const diags = JSON.parse(json.out) as Array<{ file: string; line: number; column: number; code: string }>;
      const d = diags.find((x) => x.code === c.code);
      assert.ok(d && d.file === c.file && d.line >= 1 && d.column >= 1, json.out);
      const gh = await runValidate(dir, ['--format', 'github']);
      assert.equal(gh.code, 1, gh.out);
      assert.match(gh.out, new RegExp(`^::error file=${c.file.replace('.', '\\.')},line=\\d+,col=\\d+,title=${c.code}::`, 'm'), gh.out);

      const logLines: Array<Record<string, unknown>> = [];
      const log = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => void logLines.push(JSON.parse(l)) } });
      const holder = new ConfigHolder(built.active);
      const reloader = new Reloader({ root: dir, factory: referenceEvaluator, holder, log });
      const before = await refusedCount();
      const outcome = await reloader.reload(c.file);
      assert.equal(outcome.applied, false);
      assert.ok(outcome.diagnostics.some((x) => x.code === c.code && x.file === join(dir, c.file)), JSON.stringify(outcome.diagnostics));
      assert.equal(await refusedCount(), before + 1, 'the reloads-refused metric counts it');
      assert.ok(logLines.some((l) => l.code === c.code && l.file === join(dir, c.file)), JSON.stringify(logLines));
      assert.equal(holder.current, built.active, 'the previous set keeps serving');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

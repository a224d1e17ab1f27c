/**
 * The corpus of broken user files: each file under test/fixtures/validate/invalid/ ends with
 * `# expect: CODE line:column` comments, and `solrules validate --format json` must report
 * exactly those (no more, no fewer) — through the real CLI, in a subprocess.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from '../support/paths.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const DIR = join(REPO_ROOT, 'test', 'fixtures', 'validate');
const INVALID = join(DIR, 'invalid');
const CONTEXT = join(DIR, 'context', 'strategies.yaml');

interface Reported {
  file: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

function expectations(file: string): string[] {
  return [...readFileSync(join(INVALID, file), 'utf8').matchAll(/^# expect: (\S+) (\d+):(\d+)$/gm)].map((m) => `${m[1]} ${m[2]}:${m[3]}`).sort();
}

test('the corpus has at least 25 broken files of every kind, each with expectations', () => {
  const files = readdirSync(INVALID);
  assert.ok(files.length >= 25, `only ${files.length} files`);
  for (const kind of [/^rule-/, /\.test\.yaml$/, /^strategies\./, /^wallets\./]) {
    assert.ok(files.some((f) => kind.test(f)), `no broken file matching ${kind}`);
  }
  for (const f of files) assert.ok(expectations(f).length > 0, `${f} has no '# expect:' lines`);
});

test('validate --format json reports exactly the expected code, line and column for every broken file', () => {
  const run = spawnSync(process.execPath, [CLI, 'validate', '--format', 'json', '--strategies', CONTEXT, INVALID], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(run.status, 1, `exit status ${run.status}; stderr: ${run.stderr}`);
  const reported = JSON.parse(run.stdout) as Reported[];
  for (const d of reported) {
    assert.deepEqual(Object.keys(d).sort(), ['code', 'column', 'file', 'line', 'message', 'severity']);
    assert.ok(d.message.length > 10, `empty message for ${d.file}`);
  }
  const byFile = new Map<string, string[]>();
  for (const d of reported) {
    const name = d.file.split('/').pop()!;
    byFile.set(name, [...(byFile.get(name) ?? []), `${d.code} ${d.line}:${d.column}`]);
  }
  for (const file of readdirSync(INVALID)) {
    assert.deepEqual((byFile.get(file) ?? []).sort(), expectations(file), `diagnostics for ${file}`);
  }
  assert.equal(byFile.size, readdirSync(INVALID).length, 'a diagnostic named a file outside the corpus');
});

test('messages say what was expected and what was found, and never echo wallet key material', () => {
  const secret = /4wBqpZM9xaSheZzJSMawUKKwhdpChKbZ5eu5ky4Vigw9WpNhHR8UwkZXvV4fLGxJtDuJxb85nRqmCWY8sRPRpsqJ/;
  for (const format of ['text', 'json', 'github']) {
    const run = spawnSync(process.execPath, [CLI, 'validate', '--format', format, '--strategies', CONTEXT, INVALID], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.doesNotMatch(run.stdout + run.stderr, secret, `${format} output leaked the inline key`);
    assert.doesNotMatch(run.stdout + run.stderr, /4wBqpZM9/, `${format} output leaked part of the inline key`);
    // rule-keypair.yaml holds 64 byte values 7, 10, 13, …: none of its content may be shown
    assert.doesNotMatch(run.stdout + run.stderr, /7,\s*10,\s*13/, `${format} output showed the keypair's bytes`);
    if (format === 'text') {
      assert.match(run.stdout, /rule-unknown-fact\.yaml:8:19: RULES_UNKNOWN_FACT unknown fact 'prise' \(did you mean 'price'\?\); expected one of price, .*; found 'prise'/);
    }
    if (format === 'github') {
      assert.match(run.stdout, /^::error file=test\/fixtures\/validate\/invalid\/rule-unknown-fact\.yaml,line=8,col=19,title=RULES_UNKNOWN_FACT::unknown fact/m);
    }
  }
});

test('the context project itself is valid (exit 0), and usage errors exit 2', () => {
  const ok = spawnSync(process.execPath, [CLI, 'validate', join(DIR, 'context')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const usage = spawnSync(process.execPath, [CLI, 'validate', '--format', 'xml', join(DIR, 'context')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--format must be one of text, json, github/);
  const missing = spawnSync(process.execPath, [CLI, 'validate', join(DIR, 'no-such-dir')], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(missing.status, 2);
});

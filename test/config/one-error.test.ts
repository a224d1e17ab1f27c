/**
 * One error per mistake: a broken strategies.yaml is reported once, in strategies.yaml, and the
 * rule files are checked against what parsed instead of each claiming no strategies.yaml exists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject } from '../../engine/config/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

/** The repository's own project (strategies.yaml + rules/) in a temp dir, strategies.yaml edited. */
function projectWith(edit: (strategies: string) => string): { dir: string; codes: string[]; files: Set<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-one-error-'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  const original = readFileSync(join(REPO_ROOT, 'strategies.yaml'), 'utf8');
  const edited = edit(original);
  assert.notEqual(edited, original, 'the edit applies');
  writeFileSync(join(dir, 'strategies.yaml'), edited.replace(/\.\.\/shared\//g, '/nonexistent/shared/'));
  const project = loadProject(dir);
  return { dir, codes: project.diagnostics.map((d) => `${d.file.slice(dir.length + 1)}:${d.line}:${d.column} ${d.code}`), files: new Set(project.diagnostics.map((d) => d.file)) };
}

test('the untouched project is valid (so every diagnostic below comes from the one edit)', () => {
  const { dir, codes } = projectWith((s) => s + '\n');
  rmSync(dir, { recursive: true });
  assert.deepEqual(codes, []);
});

test("one misspelt key in strategies.yaml ('enabeld') is one error in one file", () => {
  const { dir, codes } = projectWith((s) => s.replace('rules: rules/grid.yaml', 'rules: rules/grid.yaml').replace(/(grid:\n\s+kind: grid\n\s+)enabled:/, '$1enabeld:'));
  rmSync(dir, { recursive: true });
  // before: the schema error twice (the invalid file was checked again), its 'missing enabled' twin twice, and
  // RULES_NO_STRATEGIES on every params reference of every rule file
  assert.equal(codes.length, 1, codes.join('\n'));
  assert.match(codes[0]!, /^strategies\.yaml:\d+:5 SCHEMA_ADDITIONAL_PROPERTIES$/);
});

test("a broken params section: its rules' params references are not checked against it; the others still are", () => {
  // grid's params key misspelt: grid's params did not parse, dca's did
  const { dir, codes } = projectWith((s) => s.replace(/(grid:\n(?:.*\n)*?\s+)params:/, '$1parms:'));
  rmSync(dir, { recursive: true });
  assert.equal(codes.length, 1, codes.join('\n'));
  assert.match(codes[0]!, /^strategies\.yaml:\d+:5 SCHEMA_ADDITIONAL_PROPERTIES$/);
  assert.ok(!codes.some((c) => c.includes('RULES_NO_STRATEGIES')));
});

test('a params reference to what did parse is still checked when strategies.yaml is invalid', () => {
  // grid's key misspelt (the file is invalid) and dca's stopLossPct renamed: dca's params parsed, so
  // rules/dca.yaml's reference to params dca.stopLossPct is reported
  const { dir, codes } = projectWith((s) => s.replace(/(grid:\n\s+kind: grid\n\s+)enabled:/, '$1enabeld:').replace(/(\n\s+)stopLossPct:/, '$1stopLossPercent:'));
  rmSync(dir, { recursive: true });
  assert.equal(codes.filter((c) => c.startsWith('strategies.yaml')).length, 2, `two edits, two errors:\n${codes.join('\n')}`);
  assert.ok(codes.some((c) => /^rules\/dca\.yaml:\d+:\d+ RULES_UNKNOWN_PARAM$/.test(c)), codes.join('\n'));
  assert.ok(!codes.some((c) => c.includes('RULES_NO_STRATEGIES')));
});

test('a YAML syntax error in strategies.yaml is one error; no rule file reports anything', () => {
  const { dir, codes, files } = projectWith((s) => s.replace(/^strategies:\n/m, 'strategies:\n  grid: [\n'));
  rmSync(dir, { recursive: true });
  assert.ok(codes.length >= 1);
  assert.deepEqual([...files].map((f) => f.split('/').pop()), ['strategies.yaml'], codes.join('\n'));
  assert.ok(codes.every((c) => / YAML_(SYNTAX|DUPLICATE_KEY)$/.test(c)), codes.join('\n'));
});

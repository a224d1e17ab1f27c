/** A strategy's `ai:` entry against its rules: declared for rules that never read the fact it is refused (it would be paid for nothing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorsOf, loadProject } from '../../engine/config/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

test('ai: on a strategy whose rules never read ai is STRATEGIES_AI_UNREAD at the ai key; the example that reads it is valid', () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-ai-entry-'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  const yaml = readFileSync(join(REPO_ROOT, 'strategies.yaml'), 'utf8').replace('    rules: rules/dca.yaml\n', '    rules: rules/dca.yaml\n    ai: { every: 4h }\n');
  writeFileSync(join(dir, 'strategies.yaml'), yaml);
  const errors = errorsOf(loadProject(dir).diagnostics);
  assert.deepEqual(errors.map((d) => d.code), ['STRATEGIES_AI_UNREAD']);
  const line = yaml.split('\n').findIndex((l) => l.includes('ai: { every: 4h }')) + 1;
  assert.equal(errors[0]!.line, line);
  assert.match(errors[0]!.message, /strategy 'dca' declares ai: analyses, but no rule of .*dca\.yaml reads the ai fact/);
  assert.deepEqual(errorsOf(loadProject(join(REPO_ROOT, 'examples', 'ai-trend')).diagnostics), []);
});

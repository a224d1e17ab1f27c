/**
 * The rule-file schema in a real editor: the real yaml-language-server, driven over stdio (LSP
 * JSON-RPC), on broken corpus files and half-written documents. Its diagnostics must flag what
 * `solrules validate` flags, on the same line, in words a person understands; its completions
 * must offer the catalog's facts and operators and every kind of condition.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { pathToFileURL } from 'node:url';
import { OPERATORS } from '../../engine/rules/index.ts';
import { FACT_CATALOG as FACTS } from '../../engine/strategies/index.ts';
import { schemaPath } from '../../engine/config/index.ts';
import { LspClient, type LspDiagnostic } from '../support/lsp.ts';
import { REPO_ROOT } from '../support/paths.ts';

const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'validate', 'invalid');
const CONTEXT = join(REPO_ROOT, 'test', 'fixtures', 'validate', 'context', 'strategies.yaml');
const SCHEMA_URL = pathToFileURL(schemaPath('rule-file')).href;
let lsp: LspClient;

before(async () => {
  lsp = new LspClient({ yaml: { validate: true, completion: true, hover: true, format: { enable: false }, schemaStore: { enable: false }, schemas: {} } });
  await lsp.start();
});
after(async () => {
  await lsp.stop();
});

const show = (ds: LspDiagnostic[]) => ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.message}`).join('\n');

/** The editor's diagnostics for a corpus file (opened under its own path, so its `$schema` modeline resolves). */
async function editor(file: string): Promise<LspDiagnostic[]> {
  const path = join(CORPUS, file);
  return lsp.open(pathToFileURL(path).href, readFileSync(path, 'utf8'));
}

/** The CLI's diagnostics for the same files. */
function cli(files: string[]): Map<string, Array<{ line: number; column: number; code: string; message: string }>> {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'solrules.js'), 'validate', '--format', 'json', '--strategies', CONTEXT, ...files.map((f) => join(CORPUS, f))], { cwd: REPO_ROOT, encoding: 'utf8' });
  const out = new Map<string, Array<{ line: number; column: number; code: string; message: string }>>();
  for (const d of JSON.parse(run.stdout) as Array<{ file: string; line: number; column: number; code: string; message: string }>) {
    const name = d.file.split('/').pop()!;
    out.set(name, [...(out.get(name) ?? []), d]);
  }
  return out;
}

const BROKEN = ['rule-operator-equalz.yaml', 'rule-unknown-fact.yaml', 'rule-typo-all.yaml', 'rule-extra-property.yaml', 'rule-comparison-missing-value.yaml', 'rule-jsonpath.yaml'];

test('broken files: the editor flags the line the CLI flags, in words from the schema (no $defs names)', async () => {
  const byCli = cli(BROKEN);
  for (const file of BROKEN) {
    const ours = byCli.get(file) ?? [];
    assert.equal(ours.length, 1, `${file}: the CLI reports one error: ${JSON.stringify(ours)}`);
    const theirs = await editor(file);
    assert.ok(
      theirs.some((d) => d.range.start.line + 1 === ours[0]!.line),
      `${file}: the CLI flags line ${ours[0]!.line} (${ours[0]!.code}); the editor:\n${show(theirs)}`,
    );
    for (const d of theirs) assert.doesNotMatch(d.message, /topCondition|conditionRef|"leaf"|"event"|"condition"\.|\$defs/, `${file}: an internal name in '${d.message}'`);
  }
});

test('operator: equalz and fact: prise are flagged by the editor with the catalog names; the CLI says the same', async () => {
  const equalz = await editor('rule-operator-equalz.yaml');
  const onOperator = equalz.filter((d) => d.range.start.line + 1 === 10);
  assert.ok(onOperator.length > 0, show(equalz));
  assert.ok(onOperator.some((d) => d.message.includes('"equal"') || d.message.includes('not an operator of the catalog')), show(onOperator));
  const prise = await editor('rule-unknown-fact.yaml');
  assert.ok(prise.some((d) => d.range.start.line + 1 === 8 && d.message.includes('"price"')), show(prise));
  const byCli = cli(['rule-operator-equalz.yaml', 'rule-unknown-fact.yaml']);
  assert.match(byCli.get('rule-operator-equalz.yaml')![0]!.message, /unknown operator 'equalz' \(did you mean 'equal'\?\)/);
  assert.match(byCli.get('rule-unknown-fact.yaml')![0]!.message, /unknown fact 'prise' \(did you mean 'price'\?\)/);
});

test("alll: is an unknown key, not a missing 'condition' (editor and CLI)", async () => {
  const theirs = await editor('rule-typo-all.yaml');
  assert.ok(theirs.some((d) => d.range.start.line + 1 === 7 && /alll/.test(d.message)), show(theirs));
  assert.ok(!theirs.some((d) => d.message.includes('Missing property "condition"')), show(theirs));
  const ours = cli(['rule-typo-all.yaml']).get('rule-typo-all.yaml')!;
  assert.deepEqual(ours.map((d) => `${d.line}:${d.column} ${d.code}`), ['7:7 SCHEMA_ADDITIONAL_PROPERTIES']);
  assert.match(ours[0]!.message, /unknown property 'alll' \(did you mean 'all'\?\)/);
  assert.doesNotMatch(ours[0]!.message, /condition'/);
});

test('the shipped rule files have no editor diagnostics (no false alarms from the enums)', async () => {
  const files = readdirSync(join(REPO_ROOT, 'rules')).filter((f) => f.endsWith('.yaml') && !f.endsWith('.test.yaml'));
  assert.ok(files.length >= 5);
  for (const f of files) {
    const path = join(REPO_ROOT, 'rules', f);
    const ds = await lsp.open(pathToFileURL(path).href, readFileSync(path, 'utf8'));
    assert.deepEqual(ds, [], `${f}:\n${show(ds)}`);
  }
});

/** A half-written document (virtual, beside the temp dir) with the cursor at `|`. */
async function completeAt(name: string, body: string): Promise<string[]> {
  const text = `# yaml-language-server: $schema=${SCHEMA_URL}\n${body}`;
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes('|'));
  const character = lines[line]!.indexOf('|');
  const uri = pathToFileURL(join(tmpdir(), `solrules-lsp-${name}.yaml`)).href;
  await lsp.open(uri, text.replace('|', ''));
  return lsp.completion(uri, line, character);
}

test('completion: after operator: and fact: the catalog names; under conditions: all / any / not / condition; in a list item also fact / operator / value', async () => {
  const head = 'id: t\nstrategy: grid\nrules:\n  - id: a\n    conditions:\n';
  const tail = '    event: { type: signal }\n';
  const operators = await completeAt('operator', `${head}      all:\n        - fact: price\n          path: usd\n          operator: |\n${tail}`);
  for (const op of Object.keys(OPERATORS)) assert.ok(operators.includes(op), `operator ${op} not offered: ${operators.join(', ')}`);
  const facts = await completeAt('fact', `${head}      all:\n        - fact: |\n${tail}`);
  for (const f of Object.keys(FACTS)) assert.ok(facts.includes(f), `fact ${f} not offered: ${facts.join(', ')}`);
  const roots = await completeAt('root', `${head}      |\n${tail}`);
  for (const k of ['all', 'any', 'not', 'condition']) assert.ok(roots.includes(k), `'${k}' not offered under conditions: ${roots.join(', ')}`);
  const item = await completeAt('item', `${head}      all:\n        - |\n${tail}`);
  for (const k of ['fact', 'operator', 'value', 'path', 'all', 'any', 'not', 'condition']) assert.ok(item.includes(k), `'${k}' not offered in a list item: ${item.join(', ')}`);
  assert.equal(item.filter((k) => k === 'all').length, 1, `'all' offered once: ${item.join(', ')}`);
});

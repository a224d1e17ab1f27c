/**
 * Every rule file and every rule test case in the repo (`rules/*.yaml`, `rules/*.test.yaml`,
 * found by globbing, so new files are included): the compiled evaluator gives the events and
 * explanations json-rules-engine gives — for each case's facts, for each case's facts with
 * values perturbed (fields dropped, nulled, set to edge values), and for every rule file
 * against every test file's facts. `solrules test` results are the same with either evaluator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadProject } from '../../../engine/config/index.ts';
import {
  compiledEvaluator,
  deepMerge,
  referenceEvaluator,
  runTestFile,
  type FactSnapshot,
  type RuleFile,
} from '../../../engine/rules/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { rng } from './random.ts';

const RULES_DIR = join(REPO_ROOT, 'rules');
const PERTURBATIONS = process.env.SOLRULES_FULL === '1' ? 200 : 30;

const yamlFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yaml')).sort();
const ruleFileNames = yamlFiles.filter((f) => !f.endsWith('.test.yaml')).map((f) => join(RULES_DIR, f));
const testFileNames = yamlFiles.filter((f) => f.endsWith('.test.yaml')).map((f) => join(RULES_DIR, f));
const project = loadProject(REPO_ROOT);
const baseParams = project.strategies?.params ?? {};

async function compare(file: RuleFile, facts: FactSnapshot, params: Record<string, unknown>, label: string): Promise<number> {
  let refEvents: unknown;
  let refError: unknown;
  try {
    refEvents = await referenceEvaluator.create(file, params).evaluate(facts);
  } catch (err) {
    refError = err;
  }
  const cmp = compiledEvaluator.create(file, params);
  if (refError) {
    assert.throws(() => cmp.evaluate(facts), `${label}: json-rules-engine failed (${String(refError)}), the compiled evaluator must too`);
    return 0;
  }
  assert.deepStrictEqual(cmp.evaluate(facts), refEvents, `${label}: events`);
  const outcomes = await referenceEvaluator.create(file, params).explain(facts);
  assert.deepStrictEqual(cmp.explain(facts), outcomes, `${label}: explanation`);
  for (const o of outcomes) assert.deepStrictEqual(cmp.explainRule(facts, o.ruleId), o, `${label}: explanation of ${o.ruleId} alone`);
  return (refEvents as unknown[]).length;
}

const EDGE = [undefined, null, NaN, 0, -0, -1, 1e12, Infinity, '', '1', '2abc', true, false, [], [1, 2], {}];

/** A copy of `facts` with a few values changed: dropped, nulled, scaled, or set to an edge value. */
function perturb(facts: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const out = structuredClone(facts);
  const leaves: Array<[Record<string, unknown>, string]> = [];
  const walk = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      leaves.push([o, k]);
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>);
    }
  };
  walk(out);
  const changes = 1 + Math.floor(random() * 3);
  for (let i = 0; i < changes && leaves.length; i++) {
    const [o, k] = leaves[Math.floor(random() * leaves.length)]!;
    const r = random();
    if (r < 0.25) delete o[k];
    else if (r < 0.5 && typeof o[k] === 'number') o[k] = (o[k] as number) * (0.5 + random());
    else if (r < 0.6 && typeof o[k] === 'boolean') o[k] = !o[k];
    else o[k] = EDGE[Math.floor(random() * EDGE.length)];
  }
  return out;
}

test('the repo has rule files and rule tests, and every one of them loads', () => {
  assert.ok(ruleFileNames.length >= 5, `rule files found: ${ruleFileNames.length}`);
  assert.ok(testFileNames.length >= 1, `rule test files found: ${testFileNames.length}`);
  assert.ok(project.strategies, 'strategies.yaml loads');
  const loaded = new Set(project.ruleFiles.map((r) => r.file.file));
  for (const f of ruleFileNames) assert.ok(loaded.has(f), `${f} loads without errors`);
  const tests = new Set(project.testFiles.map((t) => t.src.file));
  for (const f of testFileNames) assert.ok(tests.has(f), `${f} loads without errors`);
});

test('every rule test case: same events and explanations, also with perturbed facts', async (t) => {
  const random = rng(17);
  let cases = 0;
  let snapshots = 0;
  let events = 0;
  for (const testFile of project.testFiles) {
    const target = project.ruleFiles.find((r) => r.file.file === testFile.rulesPath);
    assert.ok(target, `${testFile.src.file}: its rule file ${testFile.rulesPath} is loaded`);
    const doc = testFile.doc;
    const fileParams = deepMerge(baseParams, doc.params);
    for (const c of doc.cases) {
      cases++;
      const params = deepMerge(fileParams, c.params) as Record<string, unknown>;
      const facts = deepMerge(doc.facts ?? {}, c.facts ?? {}) as Record<string, unknown>;
      const label = `${testFile.src.file} / ${c.name}`;
      events += await compare(target.file, facts, params, label);
      snapshots++;
      for (let i = 0; i < PERTURBATIONS; i++) {
        const changed = perturb(facts, random);
        events += await compare(target.file, changed, params, `${label} (perturbed: ${JSON.stringify(changed)})`);
        snapshots++;
      }
    }
  }
  t.diagnostic(`${project.testFiles.length} test files, ${cases} cases, ${snapshots} fact snapshots compared, ${events} events`);
  assert.ok(cases > 0 && events > 0);
});

test('every rule file against every test file\'s facts', async (t) => {
  let pairs = 0;
  for (const { file } of project.ruleFiles) {
    for (const testFile of project.testFiles) {
      for (const c of testFile.doc.cases) {
        const facts = deepMerge(testFile.doc.facts ?? {}, c.facts ?? {}) as Record<string, unknown>;
        await compare(file, facts, baseParams as Record<string, unknown>, `${file.file} with ${testFile.src.file} / ${c.name}`);
        pairs++;
      }
    }
  }
  t.diagnostic(`${project.ruleFiles.length} rule files × test cases: ${pairs} evaluations compared`);
  assert.ok(pairs > 0);
});

test('solrules test gives the same results with either evaluator, and the shipped tests pass', async () => {
  for (const testFile of project.testFiles) {
    const target = project.ruleFiles.find((r) => r.file.file === testFile.rulesPath)!;
    const ref = await runTestFile(testFile.doc, testFile.src.file, target.file, baseParams, referenceEvaluator);
    const cmp = await runTestFile(testFile.doc, testFile.src.file, target.file, baseParams, compiledEvaluator);
    assert.deepStrictEqual(cmp, ref);
    for (const c of cmp.cases) assert.ok(c.passed, `${testFile.src.file} / ${c.name}: ${c.diff.join('; ')}`);
  }
});

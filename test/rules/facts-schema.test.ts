import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { spawnSync } from 'node:child_process';
import { DECORATORS, factsJsonSchema, OPERATORS, ruleFileJsonSchema } from '../../engine/rules/index.ts';
import { FACT_CATALOG as FACTS, producerText } from '../../engine/strategies/index.ts';
import { validator, schemaPath } from '../../engine/config/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

test('schemas/facts.schema.json is the one generated from the catalog (run `npx solrules schemas` after changing it)', () => {
  assert.deepEqual(JSON.parse(readFileSync(schemaPath('facts'), 'utf8')), factsJsonSchema(FACTS, producerText));
  assert.deepEqual(Object.keys((factsJsonSchema(FACTS, producerText).properties as object)).sort(), Object.keys(FACTS).sort());
});

test('schemas/rule-file.schema.json is the one generated from the catalog, with its facts and operators; `solrules schemas --check` says so', () => {
  assert.deepEqual(JSON.parse(readFileSync(schemaPath('rule-file'), 'utf8')), ruleFileJsonSchema(FACTS));
  const defs = (ruleFileJsonSchema(FACTS).$defs ?? {}) as Record<string, { properties?: Record<string, { enum?: string[]; anyOf?: Array<{ enum?: string[]; pattern?: string }> }> }>;
  const comparison = defs.comparison!.properties!;
  assert.deepEqual(comparison.fact!.enum, Object.keys(FACTS));
  assert.deepEqual(comparison.operator!.anyOf![0]!.enum, Object.keys(OPERATORS));
  const decorated = new RegExp(comparison.operator!.anyOf![1]!.pattern!);
  for (const d of Object.keys(DECORATORS)) assert.match(`${d}:greaterThan`, decorated);
  assert.match('not:someFact:between', decorated);
  assert.doesNotMatch('anyFact:greaterThan', decorated);
  assert.doesNotMatch('greaterThan', decorated, 'plain names are the enum branch');
  const check = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'solrules.js'), 'schemas', '--check'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  assert.match(check.stdout, /rule-file\.schema\.json is current/);
  assert.match(check.stdout, /facts\.schema\.json is current/);
});

test('the facts of every shipped rule test validate against the facts schema; a mistyped field does not', () => {
  const validate = validator('facts');
  for (const f of readdirSync(join(REPO_ROOT, 'rules')).filter((x) => x.endsWith('.test.yaml'))) {
    const doc = parse(readFileSync(join(REPO_ROOT, 'rules', f), 'utf8'));
    for (const c of doc.cases) {
      const facts = { ...(doc.facts ?? {}) };
      for (const [k, v] of Object.entries(c.facts ?? {})) facts[k] = v === null ? undefined : { ...(facts[k] ?? {}), ...(v as object) };
      for (const k of Object.keys(facts)) if (facts[k] === undefined) delete facts[k];
      assert.ok(validate(facts), `${f} / ${c.name}: ${JSON.stringify(validate.errors)}`);
    }
  }
  assert.equal(validate({ price: { usd: '100' } }), false);
  assert.equal(validate({ grid: { buySizeAtoms: 12.5 } }), false);
  assert.equal(validate({ prise: {} }), false);
});

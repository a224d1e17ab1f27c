/**
 * Mistakes that would trade: plausibility warnings with a hint in validate (every format;
 * exit 0 unless --strict) and in the reload log, refusal of an order larger than the whole
 * paper portfolio, rules whose conditions can never all hold, and `test --coverage` failing
 * on a rule no case sees both firing and not firing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildActiveConfig, ConfigHolder, Reloader } from '../../engine/config/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { run as validate } from '../../engine/cli/validate.ts';
import { run as ruleTest } from '../../engine/cli/test.ts';
import { REPO_ROOT } from '../support/paths.ts';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-plausible-'));
  cpSync(join(REPO_ROOT, 'strategies.yaml'), join(dir, 'strategies.yaml'));
  cpSync(join(REPO_ROOT, 'wallets.yaml'), join(dir, 'wallets.yaml'));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  return dir;
}

function edit(dir: string, from: string, to: string): void {
  const path = join(dir, 'strategies.yaml');
  const text = readFileSync(path, 'utf8');
  assert.ok(text.includes(from), from);
  writeFileSync(path, text.replace(from, to));
}

async function capture(fn: (argv: string[]) => Promise<number>, argv: string[], cwd: string): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const orig = { log: console.log, error: console.error, cwd: process.cwd() };
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  process.chdir(cwd);
  try {
    return { code: await fn(argv), out: lines.join('\n') };
  } finally {
    console.log = orig.log;
    console.error = orig.error;
    process.chdir(orig.cwd);
  }
}

const MISTAKES = [
  { from: 'spacing: { type: percent, value: 6 }', to: 'spacing: { type: percent, value: 0.06 }', hint: /grid spacing is 0\.06 %; did you mean 6 %\?/ },
  { from: 'stopLossPct: 60', to: 'stopLossPct: 0.6', hint: /dca\.stopLossPct is 0\.6 %; did you mean 60 %\?/ },
];

test('a percent written as a fraction is a warning with a hint: validate exit 0 (1 with --strict), every format', async () => {
  const dir = project();
  try {
    for (const m of MISTAKES) edit(dir, m.from, m.to);
    const text = await capture(validate, [], dir);
    assert.equal(text.code, 0, text.out);
    for (const m of MISTAKES) assert.match(text.out, m.hint);
    assert.match(text.out, /^strategies\.yaml:\d+:\d+: warning STRATEGIES_PERCENT_AS_FRACTION /m);
    assert.match(text.out, /ok: \d+ file\(s\) valid, 2 warning\(s\)/);
    const json = await capture(validate, ['--format', 'json'], dir);
    assert.equal(json.code, 0);
    const diags = JSON.parse(json.out) as Array<{ code: string; severity: string }>;
    assert.deepEqual(diags.map((d) => [d.code, d.severity]), [['STRATEGIES_PERCENT_AS_FRACTION', 'warning'], ['STRATEGIES_PERCENT_AS_FRACTION', 'warning']]);
    const gh = await capture(validate, ['--format', 'github'], dir);
    assert.equal(gh.code, 0);
    assert.match(gh.out, /^::warning file=strategies\.yaml,line=\d+,col=\d+,title=STRATEGIES_PERCENT_AS_FRACTION::/m);
    assert.equal((await capture(validate, ['--strict'], dir)).code, 1, '--strict fails on warnings');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an order larger than the whole paper portfolio is refused; an absurd amount is named', async () => {
  const dir = project();
  try {
    edit(dir, 'orderSizeUsd: 400', 'orderSizeUsd: 1e23');
    const r = await capture(validate, [], dir);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /^strategies\.yaml:\d+:\d+: STRATEGIES_ORDER_EXCEEDS_PORTFOLIO grid\.orderSizeUsd of 1e\+23 USD is larger than the whole paper portfolio \(20000 USD/m);
    assert.match(r.out, /warning STRATEGIES_IMPLAUSIBLE_AMOUNT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the reload log carries the warnings of an applied edit; an impossible order size is refused', async () => {
  const dir = project();
  try {
    const built = await buildActiveConfig(dir, referenceEvaluator, 'startup');
    assert.ok(built.active);
    const lines: Array<Record<string, unknown>> = [];
    const log = createLogger({ level: 'info', format: 'json', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
    const reloader = new Reloader({ root: dir, factory: referenceEvaluator, holder: new ConfigHolder(built.active), log });
    edit(dir, MISTAKES[0]!.from, MISTAKES[0]!.to);
    const applied = await reloader.reload('strategies.yaml');
    assert.equal(applied.applied, true, 'a warning refuses nothing');
    const warned = lines.find((l) => l.code === 'STRATEGIES_PERCENT_AS_FRACTION');
    assert.ok(warned && (warned.level === 'warn' || warned.level === 40), JSON.stringify(lines));
    assert.match(String(warned.msg), MISTAKES[0]!.hint);
    edit(dir, 'orderSizeUsd: 400', 'orderSizeUsd: 1e23');
    const refused = await reloader.reload('strategies.yaml');
    assert.equal(refused.applied, false);
    assert.ok(refused.diagnostics.some((d) => d.code === 'STRATEGIES_ORDER_EXCEEDS_PORTFOLIO'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const CONTRADICTORY = `id: contradictions
kind: risk
rules:
  - id: price-band
    conditions:
      all:
        - { fact: order, path: notionalUsd, operator: greaterThan, value: 200 }
        - { fact: order, path: notionalUsd, operator: lessThan, value: 100 }
    event: { type: block, params: { reason: never } }
  - id: two-symbols
    conditions:
      all:
        - { fact: order, path: side, operator: equal, value: buy }
        - all:
            - { fact: order, path: side, operator: equal, value: sell }
    event: { type: block, params: { reason: never } }
  - id: satisfiable
    conditions:
      all:
        - { fact: order, path: notionalUsd, operator: greaterThan, value: 100 }
        - { fact: order, path: notionalUsd, operator: lessThanInclusive, value: 200 }
    event: { type: block, params: { reason: in band } }
`;

test('conditions that can never all hold are flagged statically, at the second condition', async () => {
  const dir = project();
  try {
    writeFileSync(join(dir, 'rules', 'contradictions.yaml'), CONTRADICTORY);
    const r = await capture(validate, ['--format', 'json'], dir);
    assert.equal(r.code, 1, r.out);
    const found = (JSON.parse(r.out) as Array<{ file: string; line: number; code: string; message: string }>).filter((d) => d.code === 'RULES_CONTRADICTION');
    assert.deepEqual(found.map((d) => [d.file, d.line]), [['rules/contradictions.yaml', 8], ['rules/contradictions.yaml', 15]]);
    assert.match(found[0]!.message, /rule 'price-band' can never fire: order\.notionalUsd > 200 and order\.notionalUsd < 100 cannot both hold/);
    assert.match(found[1]!.message, /order\.side == "buy" and order\.side == "sell"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('test --coverage fails when a rule is never seen firing, or never seen not firing', async () => {
  const dir = project();
  try {
    writeFileSync(join(dir, 'rules', 'band.yaml'), CONTRADICTORY.split('  - id: price-band')[0] + '  - id: satisfiable' + CONTRADICTORY.split('  - id: satisfiable')[1]);
    const cases = (prices: number[]) => [
      'rules: band.yaml',
      'cases:',
      ...prices.map((p) => `  - { name: at ${p}, facts: { order: { notionalUsd: ${p} } }, expect: { fired: [satisfiable] } }`),
      '',
    ].join('\n');
    // Condition coverage is complete only with a case outside the band; one inside only: the rule always fires.
    writeFileSync(join(dir, 'rules', 'band.test.yaml'), cases([150]));
    const always = await capture(ruleTest, ['--coverage'], dir);
    assert.equal(always.code, 1, always.out);
    assert.match(always.out, /rule contradictions\/satisfiable fired in every case/);
    writeFileSync(join(dir, 'rules', 'band.test.yaml'), cases([150]).replace('cases:', 'cases:\n  - { name: above, facts: { order: { notionalUsd: 250 } }, expect: { notFired: [satisfiable] } }'));
    const both = await capture(ruleTest, ['--coverage'], dir);
    assert.equal(both.code, 0, both.out);
    assert.doesNotMatch(both.out, /contradictions\/satisfiable (fired in every|never fired)/, both.out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

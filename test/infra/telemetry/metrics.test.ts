import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  allSpecs,
  CATALOG,
  FORBIDDEN_LABEL_NAMES,
  labelValueProblem,
  metrics,
  onLabelViolation,
  registry,
  resetMetrics,
  type LabelViolation,
} from '../../../engine/infra/telemetry/index.ts';

const UNIT_SUFFIXES = ['seconds', 'usd', 'sol', 'lamports', 'slots', 'ratio', 'bytes'];

test('every metric follows the naming conventions', () => {
  const names = new Set<string>();
  for (const spec of allSpecs()) {
    assert.match(spec.name, /^solrules_[a-z][a-z0-9_]*$/, `${spec.name}: solrules_ prefix, snake_case`);
    assert.ok(!names.has(spec.name), `${spec.name} declared twice`);
    names.add(spec.name);
    if (spec.type === 'counter') assert.ok(spec.name.endsWith('_total'), `counter ${spec.name} must end in _total`);
    else assert.ok(!spec.name.endsWith('_total'), `${spec.type} ${spec.name} must not end in _total`);
    if (spec.unit) {
      assert.ok(UNIT_SUFFIXES.includes(spec.unit), `${spec.name}: unit '${spec.unit}' is not a base unit we use`);
      const stem = spec.type === 'counter' ? spec.name.slice(0, -'_total'.length) : spec.name;
      assert.ok(stem.endsWith(`_${spec.unit}`), `${spec.name} must carry its unit '${spec.unit}' as a suffix`);
    } else {
      for (const u of UNIT_SUFFIXES) assert.ok(!spec.name.replace(/_total$/, '').endsWith(`_${u}`), `${spec.name} ends in _${u} but declares no unit`);
    }
    assert.ok(spec.help.length > 10, `${spec.name} needs a help text`);
    for (const [label, bound] of Object.entries(spec.labels)) {
      assert.match(label, /^[a-z][a-z0-9_]*$/, `${spec.name}: label ${label}`);
      assert.ok(!FORBIDDEN_LABEL_NAMES.includes(label), `${spec.name}: label '${label}' would carry one value per order, transaction or account`);
      assert.ok(bound.kind === 'enum' || bound.kind === 'info' || ((bound.kind === 'named' || bound.kind === 'declared') && bound.max > 0 && bound.max <= 500), `${spec.name}: label ${label} is not bounded`);
    }
  }
});

test('the catalog declares every metric the issue lists', () => {
  // what issue 8 asks for, domain by domain, by the key components use
  const wanted: Record<string, string[]> = {
    scanner: ['events', 'latency', 'errors'],
    strategy: ['opportunities', 'expectedProfit', 'realizedPnl', 'invested'],
    rules: ['hits', 'evaluationDuration', 'reloads', 'active'],
    execution: ['submissions', 'results', 'confirmationDuration', 'tips', 'expectedProfit', 'realizedProfit'],
    quotes: ['duration', 'rateLimitWaits'],
    cache: ['requests'],
    wallets: ['balance', 'floor'],
    rpc: ['duration', 'errors'],
  };
  for (const [domain, keys] of Object.entries(wanted)) {
    for (const key of keys) assert.ok((CATALOG as Record<string, Record<string, unknown>>)[domain]?.[key], `catalog lacks ${domain}.${key}`);
  }
  assert.deepEqual(Object.keys(CATALOG.execution.submissions.labels).sort(), ['executor', 'route']);
  assert.deepEqual(Object.keys(CATALOG.rules.hits.labels).sort(), ['file', 'rule_id']);
});

test('every catalog metric is registered up front', async () => {
  const registered = new Set((await registry.getMetricsAsJSON()).map((m) => m.name));
  for (const spec of allSpecs()) assert.ok(registered.has(spec.name), `${spec.name} not registered`);
});

test('label values that are ids, signatures, addresses or URLs are refused', () => {
  const named = { kind: 'named', source: 't', max: 10 } as const;
  assert.equal(labelValueProblem(named, 'two-leg-arb'), undefined);
  assert.equal(labelValueProblem(named, 'grid'), undefined);
  assert.match(labelValueProblem(named, 'ord_0123456789abcdef0123456789abcdef') ?? '', /order id/);
  assert.match(labelValueProblem(named, '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW') ?? '', /address or a signature/);
  assert.match(labelValueProblem(named, 'So11111111111111111111111111111111111111112') ?? '', /address/);
  assert.match(labelValueProblem(named, 'https://mainnet.helius-rpc.com/?api-key=abc') ?? '', /URL/);
  assert.match(labelValueProblem(named, `rule_${'a'.repeat(60)}`) ?? '', /short name/);
  assert.match(labelValueProblem(named, '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b') ?? '', /hash/);
  assert.match(labelValueProblem({ kind: 'enum', values: ['hit', 'miss', 'other'] }, 'maybe') ?? '', /not one of/);
  assert.equal(labelValueProblem({ kind: 'info', source: 't' }, '9f86d081884c7d65'), undefined);
});

test('a refused label value is recorded as other, reported once, and never exported', async () => {
  resetMetrics();
  const seen: LabelViolation[] = [];
  const off = onLabelViolation((v) => seen.push(v));
  try {
    const orderId = 'ord_00112233445566778899aabbccddeeff';
    metrics.rules.hits.inc({ rule_id: orderId, file: 'grid' });
    metrics.rules.hits.inc({ rule_id: 'ord_ffeeddccbbaa99887766554433221100', file: 'grid' });
    metrics.rules.hits.labels({ rule_id: 'grid-buy', file: 'grid' }).inc();
    metrics.rules.hits.labels('grid-sell', 'grid').inc();
    metrics.execution.results.inc({ executor: 'paper', route: 'route-default-to-jito', status: 'exploded' as 'filled' });
    const end = metrics.rpc.duration.startTimer({ endpoint: 'https://rpc.example/?api-key=SECRET' });
    end({ method: 'getSlot' });
    const text = await registry.metrics();
    assert.ok(!text.includes('ord_'), 'an order id reached /metrics');
    assert.ok(!text.includes('SECRET'), 'a URL with a key reached /metrics');
    assert.match(text, /solrules_rule_hits_total\{rule_id="other",file="grid"\} 2/);
    assert.match(text, /solrules_rule_hits_total\{rule_id="grid-buy",file="grid"\} 1/);
    assert.match(text, /solrules_rule_hits_total\{rule_id="grid-sell",file="grid"\} 1/);
    assert.match(text, /solrules_execution_results_total\{executor="paper",route="route-default-to-jito",status="other"\} 1/);
    assert.match(text, /solrules_rpc_request_duration_seconds_count\{endpoint="other",method="getSlot"\} 1/);
    assert.deepEqual(
      seen.map((v) => `${v.metric}/${v.label}`),
      ['solrules_rule_hits_total/rule_id', 'solrules_execution_results_total/status', 'solrules_rpc_request_duration_seconds/endpoint'],
    );
  } finally {
    off();
    resetMetrics();
  }
});

test('a named label folds values past its maximum into other', async () => {
  resetMetrics();
  const max = (CATALOG.strategy.opportunities.labels.strategy as { max: number }).max;
  for (let i = 0; i < max + 20; i++) metrics.strategy.opportunities.inc({ strategy: `s${i}` });
  const series = (await registry.getSingleMetric('solrules_opportunities_total')!.get()).values;
  assert.equal(series.length, max + 1);
  assert.equal(series.find((v) => v.labels.strategy === 'other')?.value, 20);
  resetMetrics();
});

test('an info label keeps one live series', async () => {
  resetMetrics();
  metrics.rules.active.set({ hash: 'aaaaaaaaaaaaaaaa' }, 1);
  metrics.rules.active.set({ hash: 'bbbbbbbbbbbbbbbb' }, 1);
  const series = (await registry.getSingleMetric('solrules_ruleset_info')!.get()).values;
  assert.deepEqual(series.map((v) => v.labels.hash), ['bbbbbbbbbbbbbbbb']);
  resetMetrics();
});

test('docs/observability.md lists every metric', async () => {
  const { readFileSync } = await import('node:fs');
  const { REPO_ROOT } = await import('../../support/paths.ts');
  const doc = readFileSync(`${REPO_ROOT}/docs/observability.md`, 'utf8');
  for (const spec of allSpecs()) assert.ok(doc.includes(`| \`${spec.name}\` | ${spec.type} |`), `${spec.name} is not in the docs' metrics table`);
});

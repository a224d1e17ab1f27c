/**
 * No label carries unbounded values: after a real replay through every instrumented component
 * (rules, orders, coordinator, executor, reloads, control), every series in the registry passes
 * the audit — each metric in the catalog, each label value within its bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../engine/cli/run.ts';
import { Counter } from 'prom-client';
import { auditRegistry, registry, resetMetrics } from '../../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';

test('after a replay, every series has bounded labels and every metric is in the catalog', async () => {
  resetMetrics();
  const out = mkdtempSync(join(tmpdir(), 'solrules-audit-'));
  const cwd = process.cwd();
  const log = console.log;
  const savedStore = process.env.SOLRULES_STORE;
  // A store of its own: the repository's .solrules/store would hold whatever earlier runs left, and
  // a replay continuing from it exercises fewer components (213 series instead of 224), and takes
  // as long as that history makes it.
  process.env.SOLRULES_STORE = `pglite:${join(out, 'store')}`;
  try {
    process.chdir(REPO_ROOT);
    console.log = () => {};
    assert.equal(await run(['--no-watch', '--quiet', '--from', '2021-01-01', '--to', '2022-06-30', '--out', join(out, 'out')]), 0);
  } finally {
    console.log = log;
    process.chdir(cwd);
    if (savedStore === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = savedStore;
    rmSync(out, { recursive: true, force: true });
  }
  const series = (await registry.getMetricsAsJSON()).reduce((a, m) => a + m.values.length, 0);
  const text = await registry.metrics();
  assert.match(text, /solrules_rule_hits_total\{rule_id="grid-buy",file="grid"\} \d+/, 'the replay was instrumented');
  assert.match(text, /solrules_execution_results_total\{executor="paper",route="route-default-to-jito",status="filled"\} \d+/);
  assert.ok(!/ord_[0-9a-f]{8}/.test(text), 'no order id anywhere in /metrics');
  assert.deepEqual(await auditRegistry(), []);
  console.log(`label audit after a replay: ${series} series, all bounded`);
});

test('the audit catches a metric outside the catalog and an id as a label value', async () => {
  // a metric registered past the catalog (prom-client's own API) has no label guard: exactly what the audit is for
  const rogue = new Counter({ name: 'solrules_rogue_total', help: 'a metric nobody declared', labelNames: ['order_id'], registers: [registry] });
  rogue.inc({ order_id: 'ord_00112233445566778899aabbccddeeff' });
  try {
    const problems = await auditRegistry();
    assert.ok(problems.some((p) => p.startsWith('solrules_rogue_total: not in the metrics catalog')), problems.join('\n'));
  } finally {
    registry.removeSingleMetric('solrules_rogue_total');
  }
  // a catalog metric whose label value was set past the guard (prom-client's own API on the registry copy)
  const hits = registry.getSingleMetric('solrules_rule_hits_total') as unknown as { hashMap: Record<string, { labels: Record<string, string>; value: number }> };
  hits.hashMap['planted'] = { labels: { rule_id: 'ord_ffeeddccbbaa99887766554433221100', file: 'grid' }, value: 1 };
  try {
    const problems = await auditRegistry();
    assert.ok(problems.some((p) => /solrules_rule_hits_total\{rule_id="ord_ffee.*looks like an order id/.test(p)), problems.join('\n'));
  } finally {
    delete hits.hashMap['planted'];
  }
});

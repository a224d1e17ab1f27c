/**
 * Every metric a dashboard panel or an alert rule queries is one the engine registers, with the
 * labels it has; every query parses (promtool); and the helper that reads queries reads them right.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parser as logqlParser } from '@grafana/lezer-logql';
import { buildDashboard, dashboardLogQueries, dashboardQueries } from '../../deploy/grafana/build.ts';
import { DASHBOARDS } from '../../deploy/grafana/dashboards.ts';
import { enableProcessMetrics, registry } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { queryRefs, substituteGrafanaVariables } from '../support/promql.ts';
import { requireTool } from '../support/tools.ts';

/** Labels Prometheus adds to every scraped series (target labels from deploy/prometheus/prometheus.yml). */
const TARGET_LABELS = ['job', 'instance', 'env'];
/** Series Prometheus makes itself for each target. */
const PROMETHEUS_SERIES: Record<string, string[]> = { up: [] };

/** Every metric the engine registers, with its label names (histograms with _bucket, _sum and _count). */
function engineMetrics(): Map<string, string[]> {
  enableProcessMetrics();
  const out = new Map<string, string[]>();
  for (const m of registry.getMetricsAsArray() as unknown as Array<{ name: string; labelNames?: string[]; constructor: { name: string } }>) {
    const labels = [...(m.labelNames ?? [])];
    out.set(m.name, labels);
    if (m.constructor.name === 'Histogram') {
      out.set(`${m.name}_bucket`, [...labels, 'le']);
      out.set(`${m.name}_sum`, labels);
      out.set(`${m.name}_count`, labels);
    }
  }
  return out;
}

function alertQueries(): Array<{ where: string; expr: string }> {
  const doc = parse(readFileSync(join(REPO_ROOT, 'deploy/prometheus/rules/solrules-alerts.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
  return doc.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert ?? r.record}`, expr: r.expr })));
}

function allQueries(): Array<{ where: string; expr: string }> {
  return [...alertQueries(), ...Object.values(DASHBOARDS).flatMap((spec) => dashboardQueries(buildDashboard(spec)))];
}

test('the query reader finds metrics, matcher labels and grouping labels', () => {
  const refs = queryRefs('sum by (executor, le) (rate(solrules_x_bucket{status!="filled", instance=~"$instance"}[$__rate_interval])) / on (executor) group_left sum(up) > 1e9 and absent(foo{job="a"}) offset 5m');
  assert.deepEqual(refs.selectors, [
    { metric: 'solrules_x_bucket', labels: ['status', 'instance'] },
    { metric: 'up', labels: [] },
    { metric: 'foo', labels: ['job'] },
  ]);
  assert.deepEqual(refs.groupingLabels, ['executor', 'le', 'executor']);
  assert.deepEqual(queryRefs('label_values(solrules_wallet_balance_sol{tier=~"$tier"}, wallet)').selectors, [{ metric: 'solrules_wallet_balance_sol', labels: ['tier', 'wallet'] }]);
  assert.deepEqual(queryRefs('histogram_quantile(0.95, sum by (le) (rate(a_bucket{b="x:y[1m]"}[5m])))').selectors, [{ metric: 'a_bucket', labels: ['b'] }]);
  assert.equal(substituteGrafanaVariables('rate(x{a=~"$a"}[$__rate_interval])'), 'rate(x{a=~".*"}[5m])');
});

/** What is wrong with the queries against the engine's metrics (empty: nothing). */
function problemsIn(queries: Array<{ where: string; expr: string }>, metrics: Map<string, string[]>): { problems: string[]; selectors: number } {
  const problems: string[] = [];
  let selectors = 0;
  for (const { where, expr } of queries) {
    const refs = queryRefs(expr);
    if (refs.selectors.length === 0) problems.push(`${where}: no metric found in ${expr}`);
    const labelsInQuery = new Set<string>(TARGET_LABELS);
    for (const s of refs.selectors) {
      selectors++;
      const labels = metrics.get(s.metric) ?? PROMETHEUS_SERIES[s.metric];
      if (!labels) {
        problems.push(`${where}: '${s.metric}' is not a metric the engine registers`);
        continue;
      }
      labels.forEach((l) => labelsInQuery.add(l));
      for (const l of s.labels) if (!labels.includes(l) && !TARGET_LABELS.includes(l)) problems.push(`${where}: '${s.metric}' has no label '${l}'`);
    }
    for (const l of refs.groupingLabels) if (!labelsInQuery.has(l)) problems.push(`${where}: groups by '${l}', which none of its metrics has`);
  }
  return { problems, selectors };
}

test('every metric a dashboard panel or an alert queries is registered by the engine, with those labels', () => {
  const { problems, selectors } = problemsIn(allQueries(), engineMetrics());
  assert.deepEqual(problems, []);
  assert.ok(selectors > 120, `only ${selectors} selectors checked`);
  console.log(`${allQueries().length} queries (${selectors} metric selectors) in 5 dashboards and ${alertQueries().length} alerts: every metric registered by the engine`);
});

test('the checker catches an unknown metric, a label a metric lacks, and grouping by a missing label', () => {
  const metrics = engineMetrics();
  assert.ok(metrics.get('solrules_execution_confirmation_duration_seconds_bucket')?.includes('le'));
  assert.ok(metrics.has('process_cpu_seconds_total') && metrics.has('nodejs_eventloop_lag_p99_seconds'));
  const { problems } = problemsIn(
    [
      { where: 'typo', expr: 'rate(solrules_rule_hit_total[5m])' },
      { where: 'label', expr: 'solrules_rule_hits_total{order_id="x"}' },
      { where: 'grouping', expr: 'sum by (wallet) (solrules_rule_hits_total)' },
      { where: 'fine', expr: 'sum by (file, instance) (rate(solrules_rule_hits_total{rule_id="a", job="solrules"}[5m]))' },
    ],
    metrics,
  );
  assert.deepEqual(problems, [
    "typo: 'solrules_rule_hit_total' is not a metric the engine registers",
    "label: 'solrules_rule_hits_total' has no label 'order_id'",
    "grouping: groups by 'wallet', which none of its metrics has",
  ]);
});

test('every dashboard query parses as PromQL (promtool)', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const dir = mkdtempSync(join(tmpdir(), 'solrules-queries-'));
  try {
    const queries = allQueries().filter((q) => !q.where.startsWith('alert ') && !/label_values\(/.test(q.expr));
    const rules = { groups: [{ name: 'dashboard-queries', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: substituteGrafanaVariables(q.expr) })) }] };
    const file = join(dir, 'queries.yml');
    writeFileSync(file, stringify(rules));
    const r = spawnSync(promtool, ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Parse errors and stream-selector label names of a LogQL query, by Grafana's own LogQL grammar. */
function logql(expr: string): { errors: number; streamLabels: string[] } {
  let errors = 0;
  const streamLabels: string[] = [];
  const tree = logqlParser.parse(expr);
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) errors++;
      // Matchers nest (left recursion); a Matcher under Selector > Matchers+ is a stream label
      let up = n.node.parent;
      while (up?.name === 'Matchers') up = up.parent;
      if (n.name === 'Matcher' && up?.name === 'Selector') {
        const id = n.node.getChild('Identifier');
        if (id) streamLabels.push(expr.slice(id.from, id.to));
      }
    },
  });
  return { errors, streamLabels };
}

/** The labels Promtail gives the engine's streams: its `labels` stages and relabel targets. */
function promtailLabels(file: string): Set<string> {
  const doc = parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as {
    scrape_configs: Array<{ relabel_configs?: Array<{ target_label?: string }>; pipeline_stages?: Array<Record<string, unknown>> }>;
  };
  const out = new Set<string>();
  for (const sc of doc.scrape_configs) {
    for (const r of sc.relabel_configs ?? []) if (r.target_label) out.add(r.target_label);
    for (const stage of sc.pipeline_stages ?? []) if (stage.labels) for (const k of Object.keys(stage.labels as object)) out.add(k);
  }
  return out;
}

test('the LogQL reader finds parse errors and stream labels', () => {
  assert.deepEqual(logql('{service="solrules", level=~"error|warn"} | json | component=`x`'), { errors: 0, streamLabels: ['service', 'level'] });
  assert.ok(logql('{service="solrules" |~ "x"').errors > 0);
  assert.ok(logql('{service=solrules}').errors > 0);
});

test('every logs panel query parses as LogQL and selects streams by labels Promtail sets', () => {
  const labels = promtailLabels('deploy/loki/promtail-compose.yaml');
  const k8s = promtailLabels('deploy/loki/promtail-k8s.yaml');
  for (const l of ['service', 'role', 'level']) assert.ok(labels.has(l) && k8s.has(l), `a Promtail config sets no '${l}' label`);
  const queries = Object.values(DASHBOARDS).flatMap((spec) => dashboardLogQueries(buildDashboard(spec)));
  assert.equal(queries.length, Object.keys(DASHBOARDS).length, 'one logs panel per dashboard');
  for (const { where, expr } of queries) {
    const r = logql(expr);
    assert.equal(r.errors, 0, `${where}: ${expr} does not parse as LogQL`);
    assert.ok(r.streamLabels.length > 0, `${where}: no stream selector`);
    for (const l of r.streamLabels) assert.ok(labels.has(l), `${where}: stream label '${l}' is not one Promtail sets (${[...labels].join(', ')})`);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/paths.ts';
import { requireTool } from '../support/tools.ts';

const DIR = join(REPO_ROOT, 'deploy', 'prometheus');
const RULES = join(DIR, 'rules', 'solrules-alerts.yml');
const TESTS = join(DIR, 'tests', 'solrules-alerts.test.yml');

function run(tool: string, args: string[]): { status: number | null; output: string } {
  const r = spawnSync(tool, args, { cwd: DIR, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

interface Rule {
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const groups = (parse(readFileSync(RULES, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups;
const alerts = groups.flatMap((g) => g.rules.filter((r) => r.alert));

test('promtool check config passes (and finds the rule files)', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const r = run(promtool, ['check', 'config', 'prometheus.yml']);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /SUCCESS: 1 rule files found/);
});

test('promtool check rules passes', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const r = run(promtool, ['check', 'rules', RULES]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, new RegExp(`SUCCESS: ${alerts.length} rules found`));
});

test('promtool test rules passes', (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const r = run(promtool, ['test', 'rules', TESTS]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /SUCCESS/);
});

test('every alert has a unit test where it fires and one where it stays silent', () => {
  const doc = parse(readFileSync(TESTS, 'utf8')) as { tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }> };
  const cases = doc.tests.flatMap((tc) => tc.alert_rule_test ?? []);
  for (const a of alerts) {
    const mine = cases.filter((c) => c.alertname === a.alert);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${a.alert}: no test where it fires`);
    assert.ok(mine.some((c) => (c.exp_alerts ?? []).length === 0), `${a.alert}: no test where it stays silent`);
  }
  for (const c of cases) assert.ok(alerts.some((a) => a.alert === c.alertname), `test for unknown alert ${c.alertname}`);
});

test('alerts cover what the issue lists, with a severity and a summary each', () => {
  const bySeverity = (s: string) => alerts.filter((a) => a.labels?.severity === s).map((a) => a.alert);
  for (const a of alerts) {
    assert.ok(['critical', 'warning', 'info'].includes(a.labels?.severity ?? ''), `${a.alert}: severity`);
    assert.ok(a.annotations?.summary && a.annotations.description, `${a.alert}: summary and description`);
  }
  const critical = bySeverity('critical');
  for (const name of ['SolrulesEngineDown', 'SolrulesWalletBelowFloor', 'SolrulesExecutorFailureRate']) assert.ok(critical.includes(name), `critical ${name}`);
  const warning = bySeverity('warning');
  for (const name of ['SolrulesRpcErrorRate', 'SolrulesScannerErrors', 'SolrulesQuoteFailures', 'SolrulesSlowConfirmations', 'SolrulesCacheMisses']) assert.ok(warning.includes(name), `warning ${name}`);
  const info = bySeverity('info');
  for (const name of ['SolrulesStrategyCompleted', 'SolrulesWalletRebalanced', 'SolrulesStrategyRebalanced']) assert.ok(info.includes(name), `info ${name}`);
});

test('the Alertmanager example routes each severity and groups alerts', (t) => {
  const config = parse(readFileSync(join(DIR, 'alertmanager.yml'), 'utf8')) as {
    route: { receiver: string; group_by: string[]; routes: Array<{ matchers: string[]; receiver: string; group_by?: string[] }> };
    receivers: Array<{ name: string }>;
  };
  const receivers = new Set(config.receivers.map((r) => r.name));
  assert.ok(receivers.has(config.route.receiver));
  assert.ok(config.route.group_by.includes('alertname'));
  for (const r of config.route.routes) assert.ok(receivers.has(r.receiver), `route to unknown receiver ${r.receiver}`);
  for (const sev of ['critical', 'warning', 'info']) assert.ok(config.route.routes.some((r) => r.matchers.some((m) => m.includes(`"${sev}"`))), `no route for ${sev}`);
  const amtool = requireTool(t, 'amtool');
  if (!amtool) return;
  const r = run(amtool, ['check-config', 'alertmanager.yml']);
  assert.equal(r.status, 0, r.output);
  const routed = run(amtool, ['config', 'routes', 'test', '--config.file=alertmanager.yml', 'severity=critical', 'alertname=SolrulesEngineDown']);
  assert.equal(routed.output.split('\n')[0], 'pager,chat', routed.output);
});

test('every runbook link in the alerts points at a section of docs/observability.md', () => {
  const doc = readFileSync(join(REPO_ROOT, 'docs', 'observability.md'), 'utf8');
  const slugs = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^a-z0-9 -]/g, '').trim().replace(/ /g, '-')));
  for (const a of alerts) {
    const runbook = a.annotations?.runbook;
    if (!runbook) continue;
    const [file, anchor] = runbook.split('#');
    assert.equal(file, 'docs/observability.md', a.alert);
    assert.ok(slugs.has(anchor!), `${a.alert}: no section '#${anchor}' in docs/observability.md`);
  }
});

/**
 * Every metric the catalog declares is set by some code path (a reference in engine/ or sandbox/),
 * or stands in PENDING_METRICS, which the dashboards show — never neither, never both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOG, PENDING_METRICS } from '../../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (entry.endsWith('.ts') && !path.endsWith(join('telemetry', 'catalog.ts'))) out.push(readFileSync(path, 'utf8'));
  }
  return out;
}

const code = [...sources(join(REPO_ROOT, 'engine')), ...sources(join(REPO_ROOT, 'sandbox'))].join('\n');
const declared = Object.entries(CATALOG as unknown as Record<string, Record<string, { name: string }>>).flatMap(([domain, specs]) => Object.entries(specs).map(([key, spec]) => ({ domain, key, name: spec.name })));
const setByCode = (m: { domain: string; key: string }) => new RegExp(`metrics\\.${m.domain}\\.${m.key}\\b`).test(code);

test('every declared metric is set by code or listed as pending (and the list names only declared metrics)', () => {
  const neither = declared.filter((m) => !setByCode(m) && !PENDING_METRICS[m.name]).map((m) => m.name);
  assert.deepEqual(neither, [], `declared, set nowhere, not in PENDING_METRICS: ${neither.join(', ')}`);
  const unknown = Object.keys(PENDING_METRICS).filter((n) => !declared.some((m) => m.name === n));
  assert.deepEqual(unknown, [], `PENDING_METRICS names metrics the catalog does not declare: ${unknown.join(', ')}`);
});

test('a pending metric is not set anywhere (once code sets it, take it off the list)', () => {
  const both = declared.filter((m) => PENDING_METRICS[m.name] && setByCode(m)).map((m) => m.name);
  assert.deepEqual(both, [], `set by code but still listed as pending: ${both.join(', ')}`);
});

test('the generated dashboards say which of their panels read pending metrics', () => {
  const dir = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards');
  const panels = readdirSync(dir).flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels: Array<{ title: string; description?: string; targets?: Array<{ expr?: string }> }> }).panels);
  let marked = 0;
  for (const p of panels) {
    for (const name of Object.keys(PENDING_METRICS)) {
      if (!p.targets?.some((t) => t.expr?.includes(name))) continue;
      assert.match(p.description ?? '', new RegExp(`Pending: ${name}`), `panel '${p.title}' reads ${name} without saying it is pending`);
      marked += 1;
    }
    // A note about a metric no longer pending is stale (regenerate: npm run dashboards).
    for (const m of (p.description ?? '').matchAll(/Pending: (\w+)/g)) assert.ok(PENDING_METRICS[m[1]!], `panel '${p.title}' says ${m[1]} is pending, but it is set now: npm run dashboards`);
  }
  const readers = panels.filter((p) => Object.keys(PENDING_METRICS).some((n) => p.targets?.some((t) => t.expr?.includes(n)))).length;
  assert.equal(marked > 0, readers > 0, 'every panel reading a pending metric was checked');
  assert.ok(panels.length > 0, 'no dashboard panels found: the checks above checked nothing');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboards } from '../../deploy/grafana/dashboards.ts';
import { REPO_ROOT } from '../support/paths.ts';

const DIR = join(REPO_ROOT, 'deploy', 'grafana', 'dashboards');

test('the committed dashboards are the generated ones (npm run dashboards)', () => {
  const rendered = renderDashboards();
  assert.deepEqual(readdirSync(DIR).filter((f) => f.endsWith('.json')).sort(), Object.keys(rendered).sort());
  for (const [file, text] of Object.entries(rendered)) assert.equal(readFileSync(join(DIR, file), 'utf8'), text, `${file} is stale: run npm run dashboards`);
});

test('each dashboard is importable: a Prometheus datasource variable every panel uses, unique ids, panels on the grid', () => {
  const titles: string[] = [];
  const uids = new Set<string>();
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as {
      uid: string;
      title: string;
      schemaVersion: number;
      templating: { list: Array<{ name: string; type: string; query: unknown; datasource?: { uid: string } }> };
      panels: Array<{ id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { type: string; uid: string }; targets?: Array<{ expr: string; refId: string; datasource: { uid: string } }> }>;
    };
    titles.push(d.title);
    assert.ok(!uids.has(d.uid), `duplicate uid ${d.uid}`);
    uids.add(d.uid);
    assert.ok(d.schemaVersion >= 36);
    const ds = d.templating.list.find((v) => v.type === 'datasource' && v.query === 'prometheus');
    assert.ok(ds, `${file}: no Prometheus datasource variable`);
    const loki = d.templating.list.find((v) => v.type === 'datasource' && v.query === 'loki');
    for (const v of d.templating.list.filter((x) => x.type === 'query')) assert.equal(v.datasource?.uid, `\${${ds.name}}`, `${file}: variable ${v.name}`);
    const ids = new Set<number>();
    for (const p of d.panels) {
      assert.ok(!ids.has(p.id), `${file}: duplicate panel id ${p.id}`);
      ids.add(p.id);
      assert.ok(p.gridPos.x >= 0 && p.gridPos.x + p.gridPos.w <= 24, `${file}: ${p.title} off the grid`);
      if (p.type === 'row') continue;
      // logs panels query Loki through the Loki variable, every other panel Prometheus through its own
      const want: { name: string } | undefined = p.type === 'logs' ? loki : ds;
      assert.ok(want, `${file}: ${p.title} is a logs panel but there is no Loki datasource variable`);
      assert.equal(p.datasource?.uid, `\${${want.name}}`, `${file}: ${p.title} does not use the datasource variable`);
      assert.ok((p.targets ?? []).length > 0, `${file}: ${p.title} has no query`);
      for (const t of p.targets ?? []) assert.equal(t.datasource.uid, `\${${want.name}}`);
    }
    // no two panels overlap
    const cells = new Set<string>();
    for (const p of d.panels)
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          assert.ok(!cells.has(`${x},${y}`), `${file}: ${p.title} overlaps another panel`);
          cells.add(`${x},${y}`);
        }
  }
  assert.deepEqual(titles.sort(), [
    'solrules / RPC Health',
    'solrules / Strategy Analytics',
    'solrules / System Overview',
    'solrules / Trading Performance',
    'solrules / Wallet Management',
  ]);
});

test('every dashboard has a logs panel on Loki', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as { panels: Array<{ type: string; datasource?: { type: string }; targets?: Array<{ expr: string }> }> };
    const logs = d.panels.filter((p) => p.type === 'logs');
    assert.ok(logs.length > 0, `${file}: no logs panel`);
    for (const p of logs) {
      assert.equal(p.datasource?.type, 'loki', file);
      assert.match(p.targets?.[0]?.expr ?? '', /^\{service="solrules"/, `${file}: a logs query selects the engine's streams`);
    }
  }
});

test('Trading Performance shows P&L, ROI and success rate', () => {
  const d = JSON.parse(readFileSync(join(DIR, 'solrules-trading-performance.json'), 'utf8')) as { panels: Array<{ title: string; targets?: Array<{ expr: string }> }> };
  const byTitle = (t: string) => d.panels.find((p) => p.title === t)?.targets?.map((x) => x.expr).join(' ') ?? '';
  assert.match(byTitle('Total P&L'), /solrules_strategy_realized_pnl_usd.*solrules_strategy_unrealized_pnl_usd/);
  assert.match(byTitle('ROI'), /solrules_strategy_invested_usd/);
  assert.match(byTitle('Success rate (range)'), /status="filled"/);
});

/**
 * Builds Grafana dashboard JSON (schema 39, importable as is) from compact specs: panels flow
 * left to right in rows on Grafana's 24-column grid, every PromQL query goes to the `$datasource`
 * Prometheus variable, filters are template variables fed by label_values(), and logs panels
 * query Loki (LogQL) through the `$loki` variable.
 */

import { PENDING_METRICS } from '../../engine/infra/telemetry/index.ts';

/** A panel's description, with a note for each metric it reads that nothing sets yet (dashboards say what is pending). */
function describe(p: PanelSpec): string | undefined {
  const pending = Object.entries(PENDING_METRICS).filter(([name]) => p.targets.some((t) => t.expr.includes(name)));
  const notes = pending.map(([name, why]) => `Pending: ${name} is not produced yet — ${why}.`);
  const text = [p.description, ...notes].filter(Boolean).join(' ');
  return text || undefined;
}

export type PanelType = 'timeseries' | 'stat' | 'table' | 'bargauge' | 'logs';

export interface Target {
  expr: string;
  legend?: string;
  /** Instant query (tables, stats of "now"). */
  instant?: boolean;
}

export interface PanelSpec {
  title: string;
  type: PanelType;
  targets: Target[];
  description?: string;
  /** Grafana unit id: short, s, percentunit, currencyUSD, bytes, reqps, ... */
  unit?: string;
  decimals?: number;
  w?: number;
  h?: number;
  min?: number;
  max?: number;
  /** Stat / bargauge colours: [value, colour] steps after the base colour. */
  thresholds?: { base: string; steps?: Array<[number, string]> };
  /** Stat value text for numbers (e.g. 0 → "off", 1 → "ENGAGED"). */
  mappings?: Array<{ value: number; text: string; color: string }>;
  stacked?: boolean;
}

export interface VariableSpec {
  name: string;
  label: string;
  /** label_values(<metric>, <label>) */
  query: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: VariableSpec[];
  rows: Array<{ title: string; panels: PanelSpec[] }>;
}

const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };
const LOKI = { type: 'loki', uid: '${loki}' };

/** A logs panel: LogQL on Loki; trace ids in the lines link to Jaeger (the Loki data source's derived field). */
function logsPanel(p: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  return {
    id,
    type: 'logs',
    title: p.title,
    ...(p.description ? { description: p.description } : {}),
    datasource: LOKI,
    gridPos,
    targets: p.targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: LOKI, expr: t.expr, queryType: 'range', editorMode: 'code' })),
    options: { showTime: true, showLabels: false, showCommonLabels: false, wrapLogMessage: true, prettifyLogMessage: false, enableLogDetails: true, dedupStrategy: 'none', sortOrder: 'Descending' },
  };
}

function variable(v: VariableSpec): Record<string, unknown> {
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DATASOURCE,
    query: { query: v.query, refId: `${v.name}-values` },
    definition: v.query,
    refresh: 2,
    includeAll: true,
    multi: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    sort: 1,
    hide: 0,
  };
}

function panel(p: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }): Record<string, unknown> {
  if (p.type === 'logs') return logsPanel(p, id, gridPos);
  const defaults: Record<string, unknown> = { unit: p.unit ?? 'short' };
  if (p.decimals !== undefined) defaults.decimals = p.decimals;
  if (p.min !== undefined) defaults.min = p.min;
  if (p.max !== undefined) defaults.max = p.max;
  defaults.thresholds = {
    mode: 'absolute',
    steps: [{ color: p.thresholds?.base ?? 'green', value: null }, ...(p.thresholds?.steps ?? []).map(([value, color]) => ({ color, value }))],
  };
  if (p.mappings) {
    defaults.mappings = [{ type: 'value', options: Object.fromEntries(p.mappings.map((m, i) => [String(m.value), { text: m.text, color: m.color, index: i }])) }];
  }
  if (p.type === 'timeseries') {
    defaults.custom = { drawStyle: 'line', lineWidth: 1, fillOpacity: p.stacked ? 30 : 10, showPoints: 'never', spanNulls: true, stacking: { mode: p.stacked ? 'normal' : 'none', group: 'A' } };
    defaults.color = { mode: 'palette-classic' };
  } else {
    defaults.color = { mode: 'thresholds' };
  }
  const options: Record<string, unknown> =
    p.type === 'timeseries'
      ? { legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } }
      : p.type === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'background', graphMode: 'none', textMode: 'auto', justifyMode: 'auto', orientation: 'auto' }
        : p.type === 'bargauge'
          ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, displayMode: 'gradient', orientation: 'horizontal', showUnfilled: true }
          : { showHeader: true, cellHeight: 'sm', footer: { show: false } };
  return {
    id,
    type: p.type,
    title: p.title,
    ...(describe(p) ? { description: describe(p) } : {}),
    datasource: DATASOURCE,
    gridPos,
    targets: p.targets.map((t, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource: DATASOURCE,
      expr: t.expr,
      legendFormat: t.legend ?? '__auto',
      range: !(t.instant ?? p.type === 'table'),
      instant: t.instant ?? p.type === 'table',
      ...(p.type === 'table' ? { format: 'table' } : {}),
      editorMode: 'code',
    })),
    fieldConfig: { defaults, overrides: [] },
    options,
    ...(p.type === 'table' ? { transformations: [{ id: 'merge', options: {} }, { id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true } } }] } : {}),
  };
}

const DEFAULT_SIZE: Record<PanelType, { w: number; h: number }> = {
  stat: { w: 4, h: 4 },
  timeseries: { w: 12, h: 8 },
  table: { w: 12, h: 8 },
  bargauge: { w: 12, h: 8 },
  logs: { w: 24, h: 10 },
};

/** The dashboard JSON for a spec. */
export function buildDashboard(spec: DashboardSpec): Record<string, unknown> {
  const panels: Record<string, unknown>[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({ id: id++, type: 'row', title: row.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const p of row.panels) {
      const w = p.w ?? DEFAULT_SIZE[p.type].w;
      const h = p.h ?? DEFAULT_SIZE[p.type].h;
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panel(p, id++, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['solrules'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: true,
    graphTooltip: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    links: [{ title: 'solrules dashboards', type: 'dashboards', tags: ['solrules'], asDropdown: true, includeVars: true, keepTime: true }],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', includeAll: false, multi: false },
        ...(spec.rows.some((r) => r.panels.some((p) => p.type === 'logs'))
          ? [{ name: 'loki', label: 'Loki', type: 'datasource', query: 'loki', current: {}, hide: 0, refresh: 1, regex: '', includeAll: false, multi: false }]
          : []),
        ...spec.variables.map(variable),
      ],
    },
    panels,
  };
}

/** Every PromQL expression in a dashboard JSON (panel targets and variable queries; logs panels hold LogQL). */
export function dashboardQueries(dashboard: Record<string, unknown>): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const title = String(dashboard.title);
  for (const v of ((dashboard.templating as { list?: Array<Record<string, unknown>> } | undefined)?.list ?? [])) {
    if (v.type === 'query') out.push({ where: `${title} / variable ${String(v.name)}`, expr: String(v.definition) });
  }
  for (const p of (dashboard.panels as Array<Record<string, unknown>>) ?? []) {
    if (p.type === 'logs') continue;
    for (const t of (p.targets as Array<Record<string, unknown>> | undefined) ?? []) out.push({ where: `${title} / ${String(p.title)}`, expr: String(t.expr) });
  }
  return out;
}

/** Every LogQL expression in a dashboard JSON (the targets of its logs panels). */
export function dashboardLogQueries(dashboard: Record<string, unknown>): Array<{ where: string; expr: string }> {
  const title = String(dashboard.title);
  return ((dashboard.panels as Array<Record<string, unknown>>) ?? [])
    .filter((p) => p.type === 'logs')
    .flatMap((p) => ((p.targets as Array<Record<string, unknown>> | undefined) ?? []).map((t) => ({ where: `${title} / ${String(p.title)}`, expr: String(t.expr) })));
}

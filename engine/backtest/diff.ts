/**
 * What-if diff of two backtests on the same bars: the orders that appear, disappear or change
 * (matched by strategy, rule, side and decision time), and the portfolio metrics side by side.
 */
import type { Metrics } from './report/index.ts';
import type { OrderOutcome } from './runner.ts';

export interface OrderChange {
  key: string;
  base: OrderOutcome;
  proposed: OrderOutcome;
  /** Fields that differ: amountIn, status, fillPrice, amountOut. */
  fields: string[];
}

export interface OrderDiff {
  appeared: OrderOutcome[];
  disappeared: OrderOutcome[];
  changed: OrderChange[];
  unchanged: number;
}

/** The key two runs' orders are matched on. */
export function orderKey(o: OrderOutcome): string {
  return `${o.strategy}/${o.rule}/${o.side}@${new Date(o.decidedAtMs).toISOString()}`;
}

/** Orders of `proposed` that `base` lacks, those it no longer has, and those that differ. */
export function diffOrders(base: readonly OrderOutcome[], proposed: readonly OrderOutcome[]): OrderDiff {
  const index = (list: readonly OrderOutcome[]) => {
    const m = new Map<string, OrderOutcome[]>();
    for (const o of list) m.set(orderKey(o), [...(m.get(orderKey(o)) ?? []), o]);
    return m;
  };
  const b = index(base);
  const p = index(proposed);
  const out: OrderDiff = { appeared: [], disappeared: [], changed: [], unchanged: 0 };
  for (const [key, ps] of p) {
    const bs = b.get(key) ?? [];
    ps.forEach((o, i) => {
      const was = bs[i];
      if (!was) return void out.appeared.push(o);
      const fields = (['amountIn', 'status', 'fillPrice', 'amountOut'] as const).filter((f) => was[f] !== o[f]);
      if (fields.length) out.changed.push({ key, base: was, proposed: o, fields });
      else out.unchanged += 1;
    });
    for (const o of bs.slice(ps.length)) out.disappeared.push(o);
  }
  for (const [key, bs] of b) if (!p.has(key)) out.disappeared.push(...bs);
  const byTime = (x: OrderOutcome, y: OrderOutcome) => x.decidedAtMs - y.decidedAtMs || orderKey(x).localeCompare(orderKey(y));
  out.appeared.sort(byTime);
  out.disappeared.sort(byTime);
  out.changed.sort((x, y) => byTime(x.proposed, y.proposed));
  return out;
}

/** The metrics `--fail-if` may name and the diff prints, as numbers (null: n/a). */
export const DIFF_METRICS = ['totalReturnPct', 'cagrPct', 'maxDrawdownPct', 'sharpe', 'sortino', 'calmar', 'trades', 'winRatePct', 'profitFactor', 'exposurePct', 'feesUsd', 'pnlUsd', 'finalEquityUsd', 'fills'] as const;

/** The diff metrics of one run. */
export function metricValues(m: Metrics): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const k of DIFF_METRICS) out[k] = (m as unknown as Record<string, number | null>)[k] ?? null;
  return out;
}

function describe(o: OrderOutcome): string {
  const fill = o.status === 'filled' ? ` filled ${new Date(o.fillTimeMs!).toISOString().slice(0, 16)} at ${o.fillPrice!.toFixed(4)} → ${o.amountOut}` : ` ${o.status}${o.reason ? ` (${o.reason})` : ''}`;
  return `${new Date(o.decidedAtMs).toISOString().slice(0, 16)} ${o.strategy}/${o.rule} ${o.side} ${o.amountIn}${fill}`;
}

/** The diff as text: metrics side by side, then up to `limit` orders of each kind. */
export function formatDiff(d: OrderDiff, base: Record<string, number | null>, proposed: Record<string, number | null>, limit = 20): string {
  const fmt = (v: number | null) => (v === null ? 'n/a' : Number.isInteger(v) ? String(v) : v.toFixed(2));
  const lines = [`${'portfolio metric'.padEnd(18)}${'base'.padStart(14)}${'proposed'.padStart(14)}${'change'.padStart(14)}`];
  for (const k of DIFF_METRICS) {
    const b = base[k] ?? null;
    const p = proposed[k] ?? null;
    const change = b === null || p === null ? 'n/a' : p === b ? '=' : `${p > b ? '+' : ''}${fmt(p - b)}`;
    lines.push(`${k.padEnd(18)}${fmt(b).padStart(14)}${fmt(p).padStart(14)}${change.padStart(14)}`);
  }
  lines.push('', `orders: ${d.appeared.length} appear, ${d.disappeared.length} disappear, ${d.changed.length} change, ${d.unchanged} unchanged`);
  const list = (title: string, mark: string, items: string[]) => {
    if (!items.length) return;
    lines.push(`${title}:`);
    for (const s of items.slice(0, limit)) lines.push(`  ${mark} ${s}`);
    if (items.length > limit) lines.push(`  … ${items.length - limit} more (--limit N)`);
  };
  list('appear (proposed only)', '+', d.appeared.map(describe));
  list('disappear (base only)', '-', d.disappeared.map(describe));
  list('change', '~', d.changed.map((c) => `${describe(c.proposed)}  [was: ${c.fields.map((f) => `${f} ${String(c.base[f as keyof OrderOutcome] ?? '-')}`).join(', ')}]`));
  return lines.join('\n');
}

/**
 * prom-client objects for the catalog, in the shared registry, with their labels guarded: a
 * value outside its bound (labels.ts) is replaced by `other` and logged once per metric and label,
 * and a `named` label past its maximum count of values folds new values into `other` too. So
 * every component reports with one call — `metrics.execution.submissions.inc({ executor, route })`
 * — and a careless call cannot blow up the number of series.
 */
import { readFileSync } from 'node:fs';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client';
import { CATALOG, specByName, type MetricSpec } from './catalog.ts';
import { labelValueProblem, OTHER, type LabelBound } from './labels.ts';

/** The registry /metrics serves. */
export const registry = new Registry();

type Built<S> = S extends MetricSpec<infer K, 'counter'> ? Counter<K> : S extends MetricSpec<infer K, 'gauge'> ? Gauge<K> : S extends MetricSpec<infer K, 'histogram'> ? Histogram<K> : never;

export type Metrics = { readonly [D in keyof typeof CATALOG]: { readonly [M in keyof (typeof CATALOG)[D]]: Built<(typeof CATALOG)[D][M]> } };

/** Reports of a label value refused by its bound (for the log and for tests). */
export interface LabelViolation {
  metric: string;
  label: string;
  /** At most 80 characters of what was given. */
  value: string;
  problem: string;
}

type ViolationListener = (v: LabelViolation) => void;
const violationListeners = new Set<ViolationListener>();
const reported = new Set<string>();

/** Calls `listener` for each label value refused (the logger subscribes; tests do too). Returns an unsubscribe. */
export function onLabelViolation(listener: ViolationListener): () => void {
  violationListeners.add(listener);
  return () => violationListeners.delete(listener);
}

class LabelGuard {
  private readonly accepted = new Map<string, Set<string>>();
  private readonly infoValue = new Map<string, string>();

  constructor(
    private readonly spec: MetricSpec,
    /** The unwrapped `remove`, to drop an info series without passing the guard again. */
    private readonly removeSeries: (labels: Record<string, string>) => void,
  ) {}

  private refuse(label: string, value: string, problem: string): string {
    const key = `${this.spec.name}\u0000${label}\u0000${problem}`;
    if (!reported.has(key)) {
      reported.add(key);
      const v: LabelViolation = { metric: this.spec.name, label, value: value.slice(0, 80), problem };
      for (const l of violationListeners) l(v);
    }
    return OTHER;
  }

  value(label: string, raw: unknown): string {
    const bound: LabelBound | undefined = (this.spec.labels as Record<string, LabelBound>)[label];
    const value = String(raw);
    if (!bound) return value; // prom-client itself refuses an unknown label name
    let seen = this.accepted.get(label);
    if (seen?.has(value)) return value;
    const problem = labelValueProblem(bound, value, declaredValues(this.spec.name, label));
    if (problem) return this.refuse(label, value, problem);
    if (bound.kind === 'info') {
      // one live series: a new value replaces the old one
      const previous = this.infoValue.get(label);
      if (previous !== undefined && previous !== value) this.removeSeries({ [label]: previous });
      this.infoValue.set(label, value);
      this.accepted.set(label, new Set([value]));
      return value;
    }
    if (!seen) this.accepted.set(label, (seen = new Set()));
    if (bound.kind === 'named' && seen.size >= bound.max) return this.refuse(label, value, `more than ${bound.max} distinct values`);
    seen.add(value);
    return value;
  }

  /** `given` itself when every value is already accepted (the hot path: no copy), else a copy with the refused values replaced. */
  labels(given: Record<string, unknown>): Record<string, unknown> {
    let out: Record<string, unknown> | undefined;
    for (const k in given) {
      const raw = given[k];
      if (typeof raw === 'string' && this.accepted.get(k)?.has(raw)) continue;
      const v = this.value(k, raw);
      if (v !== raw) (out ??= { ...given })[k] = v;
    }
    return out ?? given;
  }

  forget(): void {
    this.accepted.clear();
    this.infoValue.clear();
  }

  /** Forgets the accepted values of `label` (its declared set changed: a value no longer declared is refused again). */
  forgetLabel(label: string): void {
    this.accepted.delete(label);
  }
}

const guards: LabelGuard[] = [];
const guardsByMetric = new Map<string, LabelGuard>();
/** Values the loaded config declared for `declared` labels, by metric and label. */
const declared = new Map<string, ReadonlySet<string>>();
const NONE: ReadonlySet<string> = new Set();

function declaredValues(metric: string, label: string): ReadonlySet<string> {
  return declared.get(`${metric}\u0000${label}`) ?? NONE;
}

/**
 * Sets the values the loaded config declares for a `declared` label (replacing the previous
 * declaration: call it at start and on each applied reload). Values that are not short names, and
 * those past the bound's maximum, are not declared; they are returned with why, for a warning.
 */
export function declareLabelValues(metric: string, label: string, values: Iterable<string>): Array<{ value: string; problem: string }> {
  const spec = specByName(metric);
  const bound = (spec?.labels as Record<string, LabelBound> | undefined)?.[label];
  if (!spec || bound?.kind !== 'declared') throw new TypeError(`${metric}: label '${label}' is not a declared-values label`);
  const kept = new Set<string>();
  const refused: Array<{ value: string; problem: string }> = [];
  for (const value of values) {
    if (bound.values.includes(value) || kept.has(value)) continue;
    const problem = labelValueProblem({ kind: 'named', source: bound.source, max: bound.max }, value) ?? (kept.size >= bound.max ? `more than ${bound.max} declared values` : undefined);
    if (problem) refused.push({ value: value.slice(0, 80), problem });
    else kept.add(value);
  }
  declared.set(`${metric}\u0000${label}`, kept);
  guardsByMetric.get(metric)?.forgetLabel(label);
  return refused;
}

/** Wraps the label-taking methods of a prom-client metric so every label value passes its guard. */
function guarded<M extends Metric<string>>(spec: MetricSpec, metric: M): M {
  const labelNames = Object.keys(spec.labels);
  if (labelNames.length === 0) return metric;
  const m = metric as unknown as Record<string, (...args: unknown[]) => unknown>;
  const remove = m.remove!;
  const guard = new LabelGuard(spec, (labels) => void remove.call(metric, labels));
  guards.push(guard);
  guardsByMetric.set(spec.name, guard);
  const wrapFirstArg = (method: string) => {
    const original = m[method];
    if (typeof original !== 'function') return;
    m[method] = function (this: unknown, ...args: unknown[]) {
      if (args[0] !== null && typeof args[0] === 'object') args[0] = guard.labels(args[0] as Record<string, unknown>);
      return original.apply(metric, args);
    };
  };
  for (const method of ['inc', 'dec', 'set', 'observe', 'remove', 'zero']) wrapFirstArg(method);
  const startTimer = m.startTimer;
  if (typeof startTimer === 'function') {
    // the end function takes more labels too
    m.startTimer = function (...args: unknown[]) {
      if (args[0] !== null && typeof args[0] === 'object') args[0] = guard.labels(args[0] as Record<string, unknown>);
      const end = startTimer.apply(metric, args) as (...a: unknown[]) => unknown;
      return (...endArgs: unknown[]) => {
        if (endArgs[0] !== null && typeof endArgs[0] === 'object') endArgs[0] = guard.labels(endArgs[0] as Record<string, unknown>);
        return end(...endArgs);
      };
    };
  }
  const labels = m.labels;
  if (typeof labels === 'function') {
    m.labels = function (...args: unknown[]) {
      if (args[0] !== null && typeof args[0] === 'object') return labels.call(metric, guard.labels(args[0] as Record<string, unknown>));
      return labels.apply(metric, args.map((v, i) => guard.value(labelNames[i] ?? '', v)));
    };
  }
  return metric;
}

function build(spec: MetricSpec): Metric<string> {
  const existing = registry.getSingleMetric(spec.name);
  if (existing) return existing;
  const common = { name: spec.name, help: spec.help, labelNames: Object.keys(spec.labels), registers: [registry] };
  if (spec.type === 'counter') return guarded(spec, new Counter(common));
  if (spec.type === 'gauge') return guarded(spec, new Gauge(common));
  return guarded(spec, new Histogram({ ...common, buckets: [...(spec.buckets ?? [])] }));
}

function buildAll(): Metrics {
  const out: Record<string, Record<string, Metric<string>>> = {};
  for (const [domain, specs] of Object.entries(CATALOG)) {
    out[domain] = {};
    for (const [key, spec] of Object.entries(specs)) out[domain][key] = build(spec as MetricSpec);
  }
  return out as unknown as Metrics;
}

/** Every solrules metric, by domain, registered up front in `registry`. */
export const metrics: Metrics = buildAll();

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The running version (solrules_build_info): also what dashboards list instances by. */
export const VERSION = packageVersion();
metrics.engine.info.set({ version: VERSION }, 1);

let processMetrics = false;

/** Adds prom-client's process and Node.js metrics (CPU, memory, event loop lag, GC) to the registry once. */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: registry });
}

/** What prom-client (15.x) keeps per histogram series: read by `HistogramBatch` to merge a batch in one step. */
interface HistogramSeries {
  labels: Record<string, string | number>;
  bucketValues: Record<number, number>;
  sum: number;
  count: number;
}

/**
 * Observations of one histogram series summed locally (count, sum and a count per bucket) and
 * merged into the metric by `flush()`: the same buckets, sum and count as one `observe` per value,
 * for a hot loop that observes once per bar (a backtest's rule evaluations). The first value of a
 * flush goes through `observe` itself (label guard, validation, the series created); the rest is
 * added to that series.
 */
export class HistogramBatch {
  private readonly bounds: readonly number[];
  private readonly counts: Float64Array;
  private count = 0;
  private sum = 0;
  private first = 0;

  constructor(
    private readonly metric: Histogram<string>,
    private readonly labels: Record<string, string>,
  ) {
    this.bounds = (metric as unknown as { upperBounds: number[] }).upperBounds;
    if (!Array.isArray(this.bounds)) throw new TypeError(`HistogramBatch: ${(metric as unknown as { name: string }).name} has no upperBounds (prom-client internals changed)`);
    this.counts = new Float64Array(this.bounds.length);
  }

  /** Observations waiting for `flush()`. */
  get pending(): number {
    return this.count;
  }

  observe(value: number): void {
    if (this.count === 0) {
      this.first = value;
      this.count = 1;
      return;
    }
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        this.counts[i]! += 1;
        break;
      }
    }
    this.count += 1;
    this.sum += value;
  }

  /** Adds what was observed since the last flush to the metric. */
  flush(): void {
    if (this.count === 0) return;
    this.metric.observe(this.labels, this.first);
    if (this.count > 1) {
      const series = this.series();
      series.sum += this.sum;
      series.count += this.count - 1;
      for (let i = 0; i < this.bounds.length; i++) if (this.counts[i]) series.bucketValues[this.bounds[i]!] = (series.bucketValues[this.bounds[i]!] ?? 0) + this.counts[i]!;
    }
    this.counts.fill(0);
    this.count = 0;
    this.sum = 0;
  }

  /** The series `observe` just wrote to: the one whose labels are this batch's (or the guard's replacement of them). */
  private series(): HistogramSeries {
    const all = Object.values((this.metric as unknown as { hashMap: Record<string, HistogramSeries> }).hashMap);
    const keys = Object.keys(this.labels);
    const exact = all.find((s) => keys.every((k) => String(s.labels[k]) === this.labels[k]));
    const found = exact ?? all.find((s) => keys.every((k) => String(s.labels[k]) === this.labels[k] || s.labels[k] === OTHER));
    if (!found) throw new TypeError(`HistogramBatch: no series for ${JSON.stringify(this.labels)} after observe (prom-client internals changed)`);
    return found;
  }
}

/** Zeroes every metric and forgets accepted label values (tests, and a replay that restarts). */
export function resetMetrics(): void {
  registry.resetMetrics();
  for (const g of guards) g.forget();
  reported.clear();
  metrics.engine.info.set({ version: VERSION }, 1);
}

/** Series labels prom-client adds itself (histogram buckets, summary quantiles). */
const STRUCTURAL_LABELS = new Set(['le', 'quantile']);

/**
 * Checks every series in the registry: each metric is in the catalog (or is a process / Node.js
 * default), each label is declared, each value passes its bound, and no label holds more values
 * than its bound allows. Returns what is wrong (empty: nothing).
 */
export async function auditRegistry(reg: Registry = registry): Promise<string[]> {
  const problems: string[] = [];
  for (const m of await reg.getMetricsAsJSON()) {
    const spec = specByName(m.name);
    if (!spec) {
      if (!/^(process|nodejs)_/.test(m.name)) problems.push(`${m.name}: not in the metrics catalog (engine/infra/telemetry/catalog.ts)`);
      continue;
    }
    const distinct = new Map<string, Set<string>>();
    for (const v of m.values) {
      for (const [label, raw] of Object.entries(v.labels)) {
        if (STRUCTURAL_LABELS.has(label)) continue;
        const bound = (spec.labels as Record<string, LabelBound>)[label];
        const value = String(raw);
        if (!bound) {
          problems.push(`${m.name}: label '${label}' is not declared`);
          continue;
        }
        const problem = labelValueProblem(bound, value, declaredValues(m.name, label));
        if (problem) problems.push(`${m.name}{${label}="${value.slice(0, 80)}"}: ${problem}`);
        if (!distinct.has(label)) distinct.set(label, new Set());
        distinct.get(label)!.add(value);
      }
    }
    for (const [label, values] of distinct) {
      const bound = (spec.labels as Record<string, LabelBound>)[label]!;
      const max = bound.kind === 'named' ? bound.max : bound.kind === 'info' ? 1 : bound.kind === 'declared' ? bound.values.length + bound.max : bound.values.length;
      if (values.size > max) problems.push(`${m.name}: label '${label}' has ${values.size} values (bound: ${max})`);
    }
  }
  return problems;
}

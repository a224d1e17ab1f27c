/**
 * The clock of a multi-market backtest: the bars of several markets merged in time order. Each
 * step is one bar-open time on which at least one traded market has a bar; the engine evaluates
 * at that bar's close. Markets are never aligned by filling: a market with no bar at a step has
 * index -1 there, and every step where a strategy's traded market has a bar but a market it reads
 * does not is counted and reported (`misalignments`), never filled from a neighbouring bar.
 */
import { SolrulesError } from '../errors/index.ts';
import { formatTimeframe, type CandleSeries } from '../market/index.ts';

export interface MergedClock {
  /** Bar open times of the steps, increasing (ms UTC). */
  times: Float64Array;
  /** Bar length shared by every market (ms). */
  intervalMs: number;
  /** Per market id: the bar index at each step, -1 where the market has no bar. */
  index: Map<string, Int32Array>;
}

/**
 * Merges the markets' bars: steps are the union of the `traded` markets' bar times; every market
 * (traded or only read) gets its index per step. All markets must share one timeframe.
 */
export function mergeClock(markets: ReadonlyMap<string, CandleSeries>, traded: readonly string[]): MergedClock {
  const ids = [...markets.keys()];
  const intervalMs = markets.get(traded[0]!)!.meta.timeframeMs;
  for (const id of ids) {
    const tf = markets.get(id)!.meta.timeframeMs;
    if (tf !== intervalMs) throw new SolrulesError('BACKTEST_TIMEFRAME_MISMATCH', `market ${id} has ${formatTimeframe(tf)} bars and ${traded[0]} has ${formatTimeframe(intervalMs)}; the markets of one backtest must share a timeframe (aggregate the finer files first)`, { field: 'backtest.data', value: { [id]: formatTimeframe(tf), [traded[0]!]: formatTimeframe(intervalMs) } });
  }
  // Union of the traded markets' bar times. The loaders give strictly increasing series: one
  // linear merge per market (a set of every time and a sort cost a third of a short run's CPU);
  // a series built otherwise gets the set and the sort.
  const columns = traded.map((id) => markets.get(id)!.time);
  let times: Float64Array;
  if (columns.every(increasing)) {
    times = Float64Array.from(columns[0]!);
    for (const col of columns.slice(1)) times = mergeSorted(times, col);
  } else {
    const all = new Set<number>();
    for (const col of columns) for (const t of col) all.add(t);
    times = Float64Array.from([...all].sort((a, b) => a - b));
  }
  const index = new Map<string, Int32Array>();
  for (const id of ids) {
    const time = markets.get(id)!.time;
    const col = new Int32Array(times.length).fill(-1);
    let p = 0;
    for (let s = 0; s < times.length; s++) {
      const t = times[s]!;
      while (p < time.length && time[p]! < t) p++;
      if (p < time.length && time[p] === t) col[s] = p;
    }
    index.set(id, col);
  }
  return { times, intervalMs, index };
}

function increasing(col: ArrayLike<number>): boolean {
  for (let i = 1; i < col.length; i++) if (!(col[i]! > col[i - 1]!)) return false;
  return true;
}

/** The union of two strictly increasing sequences, strictly increasing. */
function mergeSorted(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const x = i < a.length ? a[i]! : Infinity;
    const y = j < b.length ? b[j]! : Infinity;
    if (x <= y) {
      out[n++] = x;
      i++;
      if (x === y) j++;
    } else {
      out[n++] = y;
      j++;
    }
  }
  return out.slice(0, n);
}

/** Steps where a strategy's traded market has a bar and a market it reads has none (its indicators do not move there). */
export interface Misalignment {
  strategy: string;
  traded: string;
  reads: string;
  /** Such steps. */
  steps: number;
  /** Bar open times of the first few, ms UTC. */
  firstMs: number[];
}

/** Every (strategy, market it reads) with at least one step its traded market has and the read one lacks. */
export function misalignments(clock: MergedClock, pairs: ReadonlyArray<{ strategy: string; traded: string; reads: string }>, keep = 5): Misalignment[] {
  const out: Misalignment[] = [];
  for (const { strategy, traded, reads } of pairs) {
    const a = clock.index.get(traded)!;
    const b = clock.index.get(reads)!;
    const firstMs: number[] = [];
    let steps = 0;
    for (let s = 0; s < a.length; s++) {
      if (a[s]! < 0 || b[s]! >= 0) continue;
      steps++;
      if (firstMs.length < keep) firstMs.push(clock.times[s]!);
    }
    if (steps) out.push({ strategy, traded, reads, steps, firstMs });
  }
  return out;
}

/** One line per misalignment, for stdout and the report's notes. */
export function describeMisalignment(m: Misalignment): string {
  const at = m.firstMs.map((t) => new Date(t).toISOString().slice(0, 16)).join(', ');
  return `${m.strategy}: ${m.steps} bar(s) of ${m.traded} have no ${m.reads} bar at the same time (not filled: ${m.reads}'s indicators keep their last value there); first at ${at}${m.steps > m.firstMs.length ? ', …' : ''} UTC`;
}

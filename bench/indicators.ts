/**
 * `npm run bench:indicators`: ns per bar of each indicator, ours beside trading-signals (the npm
 * library the tests use as an oracle), in the same run, over the 47,360 hourly SOL/USDT bars;
 * then a 15-indicator IndicatorSet (the path strategies use: update + the `indicator` fact), and
 * the load time of the CSV beside a bare split-and-Number loop over the same text (the floor).
 *
 * Each figure is the median, over samples of a few ms, of CPU time per bar of full-series passes
 * with a fresh indicator (warm-up included), after two warm-up passes. `ratio` = theirs / ours (state). Options (environment): BENCH_SECONDS per figure (default 0.6).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import * as TS from 'trading-signals';
import { IndicatorSet, INDICATOR_CATALOG, type IndicatorBar } from '../engine/indicators/index.ts';
import { loadCandlesStrict, parseCandleCsv } from '../engine/market/candles/index.ts';
import { sharedFixture } from '../test/support/paths.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 0.6);
const FILE = sharedFixture('candles', 'sol-usdt-1h-binance-spot', 'SOLUSDT_1h.csv');

const cpuNs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/**
 * Median CPU ns per bar of `pass`, which runs over `n` bars. CPU time of this process, not wall
 * time: on a machine shared with other jobs, wall time counts the time we wait for a core.
 */
function nsPerBar(pass: () => number, n: number): number {
  let sink = pass(); // warm-up
  sink += pass();
  const samples: number[] = [];
  const end = performance.now() + SECONDS * 1000;
  while (performance.now() < end || samples.length < 5) {
    const t0 = cpuNs();
    let passes = 0;
    // Batch passes so each sample spans several ms (cpuUsage has µs resolution).
    do {
      sink += pass();
      passes++;
    } while (cpuNs() - t0 < 5e6);
    samples.push((cpuNs() - t0) / passes / n);
  }
  if (sink === 42.4242) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

const { series } = loadCandlesStrict(FILE);
const bars: IndicatorBar[] = series.toBars();
const closes = bars.map((b) => b.close);
const n = bars.length;

/**
 * A pass over the bars with one indicator state. The loop is compiled per case (new Function) so
 * its call site sees one class, as each call site of a compiled IndicatorSet does.
 */
function ours(kind: string, params: Array<number | 'day'>): () => number {
  const loop = new Function('make', 'bars', `return function pass() {
    const s = make();
    let acc = 0;
    for (let i = 0; i < bars.length; i++) { s.update(bars[i]); acc += s.out[0]; }
    return acc;
  };`)(() => INDICATOR_CATALOG[kind]!.create(params), bars) as () => number;
  return loop;
}

/** A pass through a one-indicator IndicatorSet: the engine's path (checks, update, fact). */
function oursInSet(kind: string, params: Array<number | 'day'>): () => number {
  return () => {
    const set = IndicatorSet.fromConfig({ x: { [kind]: params } });
    const f = set.fact();
    let acc = 0;
    for (let i = 0; i < n; i++) {
      set.update(bars[i]!);
      if (f.x!.ready) acc++;
    }
    return acc;
  };
}

type Lib = { add(x: never): unknown };
function theirs(make: () => Lib, input: 'close' | 'bar'): () => number {
  return () => {
    const ind = make();
    let acc = 0;
    for (let i = 0; i < n; i++) if (ind.add((input === 'close' ? closes[i] : bars[i]) as never) !== null) acc++;
    return acc;
  };
}

const CASES: Array<{ label: string; kind: string; params: Array<number | 'day'>; lib?: [() => Lib, 'close' | 'bar'] }> = [
  { label: 'sma 20', kind: 'sma', params: [20], lib: [() => new TS.SMA(20), 'close'] },
  { label: 'ema 50', kind: 'ema', params: [50], lib: [() => new TS.EMA(50), 'close'] },
  { label: 'wma 20', kind: 'wma', params: [20], lib: [() => new TS.WMA(20), 'close'] },
  { label: 'rsi 14', kind: 'rsi', params: [14], lib: [() => new TS.RSI(14), 'close'] },
  { label: 'macd 12 26 9', kind: 'macd', params: [12, 26, 9], lib: [() => new TS.MACD(new TS.EMA(12), new TS.EMA(26), new TS.EMA(9)), 'close'] },
  { label: 'bollinger 20 2', kind: 'bollinger', params: [20, 2], lib: [() => new TS.BollingerBands(20, 2), 'close'] },
  { label: 'atr 14', kind: 'atr', params: [14], lib: [() => new TS.ATR(14), 'bar'] },
  { label: 'stddev 20', kind: 'stddev', params: [20] },
  { label: 'roc 12', kind: 'roc', params: [12], lib: [() => new TS.ROC(12), 'close'] },
  { label: 'donchian 20', kind: 'donchian', params: [20], lib: [() => new TS.DonchianChannels(20), 'bar'] },
  { label: 'highest 200', kind: 'highest', params: [200], lib: [() => new TS.DonchianChannels(200), 'bar'] },
  { label: 'lowest 200', kind: 'lowest', params: [200] },
  { label: 'vwap day', kind: 'vwap', params: ['day'], lib: [() => new TS.VWAP(), 'bar'] },
  { label: 'vwap 24', kind: 'vwap', params: [24] },
  { label: 'obv', kind: 'obv', params: [], lib: [() => new TS.OBV(2), 'bar'] },
];

console.log(
  `bench:indicators — ${process.version}, ${n.toLocaleString('en-US')} SOL/USDT 1h bars, median of passes over ${SECONDS}s per figure ` +
    `(load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores: figures scale with the machine's load)`,
);
console.log(`${'CPU ns per bar'.padEnd(16)} ${'ours: state'.padStart(12)} ${'ours: in a set'.padStart(15)} ${'trading-signals'.padStart(16)} ${'ratio'.padStart(7)}`);
for (const c of CASES) {
  const o = nsPerBar(ours(c.kind, c.params), n);
  const inSet = nsPerBar(oursInSet(c.kind, c.params), n);
  const t = c.lib ? nsPerBar(theirs(...c.lib), n) : NaN;
  console.log(
    `${c.label.padEnd(16)} ${o.toFixed(1).padStart(12)} ${inSet.toFixed(1).padStart(15)} ${(c.lib ? t.toFixed(1) : '—').padStart(16)} ${(c.lib ? `${(t / o).toFixed(1)}x` : '').padStart(7)}`,
  );
}

const DECLS = {
  sma20: { sma: 20 }, ema50: { ema: 50 }, wma20: { wma: 20 }, rsi14: { rsi: 14 }, macd: { macd: [12, 26, 9] },
  bb: { bollinger: [20, 2] }, atr14: { atr: 14 }, sd20: { stddev: 20 }, roc12: { roc: 12 }, dc20: { donchian: 20 },
  hi55: { highest: 55 }, lo55: { lowest: 55 }, vwapDay: { vwap: 'day' }, vwap24: { vwap: 24 }, obv: { obv: [] },
};
const setNs = nsPerBar(() => {
  const set = IndicatorSet.fromConfig(DECLS);
  let acc = 0;
  for (let i = 0; i < n; i++) {
    set.update(bars[i]!);
    if (set.fact().rsi14!.ready) acc++;
  }
  return acc;
}, n);
const count = Object.keys(DECLS).length;
console.log(`IndicatorSet of ${count} indicators (update + fact): ${setNs.toFixed(0)} ns/bar = ${(setNs / count).toFixed(1)} ns per indicator-bar`);

const text = readFileSync(FILE, 'utf8');
const loadMs = nsPerBar(() => parseCandleCsv(text, FILE).time.length, 1) / 1e6;
const floorMs = nsPerBar(() => {
  const lines = text.split('\n');
  let s = 0;
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i]!.split(',');
    if (c.length < 6) continue;
    s += Number(c[1]) + Number(c[2]) + Number(c[3]) + Number(c[4]) + Number(c[5]) + Date.parse(`${c[0]!.replace(' ', 'T')}Z`);
  }
  return s;
}, 1) / 1e6;
const fileMs = nsPerBar(() => loadCandlesStrict(FILE).series.length, 1) / 1e6;
console.log(`load SOLUSDT_1h.csv (${n.toLocaleString('en-US')} bars): parse+check ${loadMs.toFixed(1)} ms, loadCandles (read, README kind, gaps) ${fileMs.toFixed(1)} ms; bare split+Number floor ${floorMs.toFixed(1)} ms`);

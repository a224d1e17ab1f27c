/**
 * Our indicators against trading-signals (a maintained npm library, used here only as a test
 * oracle) on the full real series: 47,360 hourly Binance SOL/USDT spot bars. Every declared kind is
 * compared bar by bar wherever both sides have a value, and the ready flags are compared with the
 * library's `isStable`. The largest absolute and relative difference per indicator is printed.
 * Where the library has no equivalent (rolling VWAP, stddev as a series) a direct O(n) recomputation
 * over the window is the reference.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ATR, BollingerBands, DonchianChannels, EMA, getStandardDeviation, MACD, OBV, ROC, RSI, SMA, VWAP, WMA } from 'trading-signals';
import { IndicatorSet, type IndicatorValue } from '../../engine/indicators/index.ts';
import { loadCandlesStrict, type Candle, type CandleSeries } from '../../engine/market/candles/index.ts';
import { sharedFixture } from '../support/paths.ts';

const table: string[] = [];
after(() => console.log(`\nagainst trading-signals on ${bars.length} SOL/USDT 1h bars: largest difference per field\n${table.join('\n')}`));

let series: CandleSeries;
let bars: Candle[] = [];
/** Per declared name, per bar: a copy of the fact (null fields while warming up). */
const facts = new Map<string, Array<IndicatorValue>>();

const DECLARATIONS = {
  sma20: { sma: 20 },
  ema50: { ema: 50 },
  wma20: { wma: 20 },
  rsi14: { rsi: 14 },
  macd: { macd: [12, 26, 9] },
  bb: { bollinger: [20, 2] },
  atr14: { atr: 14 },
  sd20: { stddev: 20 },
  roc12: { roc: 12 },
  dc20: { donchian: 20 },
  hi55: { highest: 55 },
  lo55: { lowest: 55 },
  vwapDay: { vwap: 'day' },
  vwap24: { vwap: 24 },
  obv: { obv: [] },
};

before(() => {
  series = loadCandlesStrict(sharedFixture('candles', 'sol-usdt-1h-binance-spot', 'SOLUSDT_1h.csv')).series;
  bars = series.toBars();
  const set = IndicatorSet.fromConfig(DECLARATIONS, { hasVolume: series.hasVolume });
  for (const name of set.names) facts.set(name, []);
  for (const b of bars) {
    set.update(b);
    const f = set.fact();
    for (const name of set.names) {
      const v = f[name]!;
      facts.get(name)!.push({ ...v, previous: v.previous ? { ...v.previous } : null });
    }
  }
});

/**
 * Compares our field with the reference per bar. `theirs[i]` is undefined where the reference has
 * no value; `theirReady[i]`, when given, must equal our ready flag.
 */
function check(name: string, field: string, theirs: Array<number | undefined>, theirReady?: boolean[], tolerance = 1e-9): void {
  const ours = facts.get(name)!;
  let worstAbs = 0;
  let worstRel = 0;
  let compared = 0;
  for (let i = 0; i < ours.length; i++) {
    const o = ours[i]!;
    if (theirReady) assert.equal(o.ready, theirReady[i], `${name}: ready at bar ${i} (${new Date(bars[i]!.time).toISOString()})`);
    const t = theirs[i];
    if (!o.ready || t === undefined) continue;
    const v = o[field] as number;
    const abs = Math.abs(v - t);
    const rel = abs / Math.max(Math.abs(t), 1);
    worstAbs = Math.max(worstAbs, abs);
    worstRel = Math.max(worstRel, rel);
    compared++;
    assert.ok(rel <= tolerance, `${name}.${field} at bar ${i}: ours ${v}, trading-signals ${t}`);
  }
  assert.ok(compared > bars.length * 0.9, `${name}.${field}: compared only ${compared} bars`);
  table.push(`  ${`${name}.${field}`.padEnd(18)} ${String(compared).padStart(6)} bars  max |Δ| ${worstAbs.toExponential(2)}  max |Δ|/max(|ref|,1) ${worstRel.toExponential(2)}`);
}

/** Runs a trading-signals indicator over every bar, collecting a numeric output and isStable. */
function reference<R>(ind: { add(x: never): R | null; isStable: boolean }, input: (b: Candle) => unknown, pick: (r: R) => number): { values: Array<number | undefined>; stable: boolean[] } {
  const values: Array<number | undefined> = [];
  const stable: boolean[] = [];
  for (const b of bars) {
    const r = ind.add(input(b) as never);
    values.push(r === null || r === undefined ? undefined : pick(r));
    stable.push(ind.isStable);
  }
  return { values, stable };
}

const close = (b: Candle) => b.close;
const self = (x: number) => x;

describe('indicators against trading-signals on 47,360 real bars', () => {
  it('loads the full series', () => {
    assert.equal(bars.length, 47_360);
  });

  it('sma, ema, wma (values and ready)', () => {
    const s = reference(new SMA(20), close, self);
    check('sma20', 'value', s.values, s.stable);
    const e = reference(new EMA(50), close, self);
    check('ema50', 'value', e.values, e.stable);
    const w = reference(new WMA(20), close, self);
    check('wma20', 'value', w.values, w.stable);
  });

  it('rsi (Wilder)', () => {
    const r = reference(new RSI(14), close, self);
    check('rsi14', 'value', r.values, r.stable);
  });

  it('macd line, signal, histogram', () => {
    const mk = () => new MACD(new EMA(12), new EMA(26), new EMA(9));
    check('macd', 'value', reference(mk(), close, (r: { macd: number }) => r.macd).values);
    check('macd', 'signal', reference(mk(), close, (r: { signal: number }) => r.signal).values);
    check('macd', 'histogram', reference(mk(), close, (r: { histogram: number }) => r.histogram).values);
  });

  it('bollinger upper, middle, lower, %b, width (population σ)', () => {
    const bb = reference(new BollingerBands(20, 2), close, (r: { upper: number; middle: number; lower: number }) => r.upper);
    check('bb', 'upper', bb.values, bb.stable);
    check('bb', 'middle', reference(new BollingerBands(20, 2), close, (r: { middle: number }) => r.middle).values);
    const lowers = reference(new BollingerBands(20, 2), close, (r: { lower: number }) => r.lower).values;
    check('bb', 'lower', lowers);
    const pb = bb.values.map((u, i) => (u === undefined ? undefined : (bars[i]!.close - lowers[i]!) / (u - lowers[i]!)));
    // %b divides by the band width, which amplifies σ's last-bit differences when the bands are narrow.
    check('bb', 'percentB', pb, undefined, 1e-8);
    const mids = reference(new BollingerBands(20, 2), close, (r: { middle: number }) => r.middle).values;
    check('bb', 'width', bb.values.map((u, i) => (u === undefined ? undefined : (u - lowers[i]!) / mids[i]!)));
  });

  it('atr (Wilder) and stddev', () => {
    const a = reference(new ATR(14), (b) => b, self);
    check('atr14', 'value', a.values, a.stable);
    const sd = bars.map((_, i) => (i < 19 ? undefined : getStandardDeviation(bars.slice(i - 19, i + 1).map(close))));
    check('sd20', 'value', sd);
  });

  it('roc, donchian, highest, lowest', () => {
    const r = reference(new ROC(12), close, self);
    check('roc12', 'value', r.values, r.stable);
    const dc = (pick: (r: { upper: number; middle: number; lower: number }) => number, n = 20) => reference(new DonchianChannels(n), (b) => b, pick);
    const up = dc((r) => r.upper);
    check('dc20', 'upper', up.values, up.stable);
    check('dc20', 'middle', dc((r) => r.middle).values);
    check('dc20', 'lower', dc((r) => r.lower).values);
    check('hi55', 'value', dc((r) => r.upper, 55).values);
    check('lo55', 'value', dc((r) => r.lower, 55).values);
  });

  it('vwap (UTC-day session: trading-signals VWAP restarted each day; rolling: direct recomputation)', () => {
    let vwap = new VWAP();
    let day = -1;
    const session = bars.map((b) => {
      const d = Math.floor(b.time / 86_400_000);
      if (d !== day) (vwap = new VWAP()), (day = d);
      return vwap.add(b as { high: number; low: number; close: number; volume: number }) ?? undefined;
    });
    check('vwapDay', 'value', session);
    const rolling = bars.map((_, i) => {
      if (i < 23) return undefined;
      let pv = 0;
      let v = 0;
      for (let k = i - 23; k <= i; k++) {
        const b = bars[k]!;
        pv += ((b.high + b.low + b.close) / 3) * b.volume!;
        v += b.volume!;
      }
      return v > 0 ? pv / v : undefined;
    });
    check('vwap24', 'value', rolling);
  });

  it('obv', () => {
    // trading-signals' OBV(2) starts one bar later at the same running total (0 ± the second bar's volume).
    const o = reference(new OBV(2), (b) => b, self);
    check('obv', 'value', o.values);
  });
});

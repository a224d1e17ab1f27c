/**
 * The indicator catalog, as data: every kind a strategy may declare, its parameters, the fields
 * its fact carries (with description and unit), its warm-up in bars as a function of the
 * parameters, and the factory of its incremental state. The rules fact catalog is generated from
 * `INDICATOR_CATALOG`; declarations are validated against it.
 */
import { EmaState, SmaState, WmaState } from './averages.ts';
import { MacdState, RocState, RsiState } from './momentum.ts';
import type { IndicatorState } from './types.ts';
import { AtrState, BollingerState, DonchianState, ExtremeState, StddevState } from './volatility.ts';
import { ObvState, RollingVwapState, SessionVwapState } from './volume.ts';

/** A parameter value after validation: a whole number of bars, a positive real, or an anchor name. */
export type IndicatorParam = number | 'day';

export interface IndicatorParamSpec {
  name: string;
  /** period: integer ≥ 1 (bars); positive: real > 0; period-or-day: integer ≥ 1 or the word `day`. */
  type: 'period' | 'positive' | 'period-or-day';
  description: string;
  /** Used when the declaration leaves this parameter out. */
  default?: IndicatorParam;
}

export interface IndicatorFieldSpec {
  type: 'number' | 'boolean' | 'object';
  /** price = the bar's quote currency per base unit (USD for SOL/USDT); ratio = 0.05 means 5 %. */
  unit?: 'price' | 'ratio' | 'index-0-100' | 'base-volume' | 'bars';
  description: string;
}

export interface IndicatorKind {
  kind: string;
  title: string;
  params: readonly IndicatorParamSpec[];
  /** Output fields in the order of the state's `out` slots; `value` is always first. */
  outputs: Readonly<Record<string, IndicatorFieldSpec>>;
  needsVolume: boolean;
  /** Bars consumed before `ready` becomes true (a bar-count formula, also shown as text). */
  warmupBars(params: readonly IndicatorParam[]): number;
  warmupText: string;
  /** Conventions a user comparing with another tool must know. */
  convention: string;
  create(params: readonly IndicatorParam[]): IndicatorState;
}

const num = (p: IndicatorParam | undefined): number => p as number;
const period = (description = 'Window length in bars.'): IndicatorParamSpec => ({ name: 'period', type: 'period', description });
const priceField = (description: string): IndicatorFieldSpec => ({ type: 'number', unit: 'price', description });

/** Fields every indicator fact has besides its outputs. */
export const COMMON_INDICATOR_FIELDS: Readonly<Record<string, IndicatorFieldSpec>> = {
  ready: { type: 'boolean', description: 'True once the warm-up is over; while false, value, prev and every output are null.' },
  prev: { type: 'number', description: "`value` at the previous bar; null until the indicator was ready on the previous bar. Same unit as value." },
  previous: {
    type: 'object',
    description: 'Every output at the previous bar ({ value, upper, … }); null until the indicator was ready on the previous bar. Crossing operators read it.',
  },
  bars: { type: 'number', unit: 'bars', description: 'Bars consumed so far.' },
};

const KINDS: IndicatorKind[] = [
  {
    kind: 'sma',
    title: 'Simple moving average of the close',
    params: [period()],
    outputs: { value: priceField('Mean of the last `period` closes.') },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: 'Arithmetic mean of the closes of the last `period` bars, the current bar included.',
    create: (p) => new SmaState(num(p[0])),
  },
  {
    kind: 'ema',
    title: 'Exponential moving average of the close',
    params: [period('Span in bars; alpha = 2/(period+1).')],
    outputs: { value: priceField('Exponential average of the closes.') },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention:
      'alpha = 2/(period+1), seeded with the first close (Tulip, Achelis, trading-signals). TA-Lib and TradingView seed with the SMA of the first `period` closes instead: values differ during the first few × period bars, then agree.',
    create: (p) => new EmaState(num(p[0])),
  },
  {
    kind: 'wma',
    title: 'Linearly weighted moving average of the close',
    params: [period()],
    outputs: { value: priceField('Closes weighted 1..period, the newest heaviest.') },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: 'Weights 1, 2, …, period from oldest to newest, divided by period·(period+1)/2.',
    create: (p) => new WmaState(num(p[0])),
  },
  {
    kind: 'rsi',
    title: 'Relative strength index (Wilder)',
    params: [period()],
    outputs: { value: { type: 'number', unit: 'index-0-100', description: 'RSI between 0 and 100.' } },
    needsVolume: false,
    warmupBars: (p) => num(p[0]) + 1,
    warmupText: 'period + 1',
    convention:
      "Wilder's smoothing (alpha = 1/period) of gains and losses, seeded with the mean of the first `period` close-to-close changes; RSI = 100·gain/(gain+loss); 50 when both are 0.",
    create: (p) => new RsiState(num(p[0])),
  },
  {
    kind: 'macd',
    title: 'Moving average convergence / divergence',
    params: [
      { name: 'fast', type: 'period', description: 'Fast EMA span.', default: 12 },
      { name: 'slow', type: 'period', description: 'Slow EMA span (must exceed fast).', default: 26 },
      { name: 'signal', type: 'period', description: 'Signal EMA span.', default: 9 },
    ],
    outputs: {
      value: priceField('MACD line: EMA(fast) − EMA(slow) of the close.'),
      signal: priceField('EMA(signal) of the MACD line.'),
      histogram: priceField('MACD line − signal.'),
    },
    needsVolume: false,
    warmupBars: (p) => num(p[1]) + num(p[2]) - 1,
    warmupText: 'slow + signal − 1',
    convention:
      'EMAs with alpha = 2/(n+1) seeded with the first close; the signal EMA starts at bar `slow` seeded with the first MACD value. Tulip (and Achelis) use alpha 0.15 / 0.075 for 12/26, and report from bar `slow` before the signal is warm.',
    create: (p) => new MacdState(num(p[0]), num(p[1]), num(p[2])),
  },
  {
    kind: 'bollinger',
    title: 'Bollinger bands',
    params: [period(), { name: 'k', type: 'positive', description: 'Band width in standard deviations.', default: 2 }],
    outputs: {
      value: priceField('Middle band (same as middle).'),
      upper: priceField('middle + k·σ.'),
      middle: priceField('SMA(period) of the close.'),
      lower: priceField('middle − k·σ.'),
      percentB: { type: 'number', unit: 'ratio', description: '(close − lower)/(upper − lower): 0 at the lower band, 1 at the upper; 0.5 when the bands coincide.' },
      width: { type: 'number', unit: 'ratio', description: '(upper − lower)/middle.' },
    },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: 'σ is the population standard deviation (divide by n) of the same closes as the SMA, as in Bollinger, Tulip and trading-signals (pandas .std() uses n − 1).',
    create: (p) => new BollingerState(num(p[0]), num(p[1])),
  },
  {
    kind: 'atr',
    title: 'Average true range (Wilder)',
    params: [period()],
    outputs: {
      value: priceField("Wilder's average of the true range."),
      tr: priceField('True range of the current bar.'),
    },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: "TR = max(high−low, |high−prev close|, |low−prev close|), high−low on the first bar; Wilder's smoothing seeded with the mean of the first `period` TRs.",
    create: (p) => new AtrState(num(p[0])),
  },
  {
    kind: 'stddev',
    title: 'Standard deviation of the close',
    params: [period()],
    outputs: { value: priceField('Population standard deviation of the last `period` closes.') },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: 'Population σ (divide by n), as Tulip and Bollinger bands.',
    create: (p) => new StddevState(num(p[0])),
  },
  {
    kind: 'roc',
    title: 'Rate of change of the close',
    params: [period()],
    outputs: { value: { type: 'number', unit: 'ratio', description: '(close − close `period` bars ago) / close `period` bars ago; 0.05 = +5 %.' } },
    needsVolume: false,
    warmupBars: (p) => num(p[0]) + 1,
    warmupText: 'period + 1',
    convention: 'A ratio, not a percentage (Tulip `roc`, trading-signals ROC); multiply by 100 for TradingView-style ROC.',
    create: (p) => new RocState(num(p[0])),
  },
  {
    kind: 'donchian',
    title: 'Donchian channel',
    params: [period()],
    outputs: {
      value: priceField('Middle of the channel (same as middle).'),
      upper: priceField('Highest high of the last `period` bars.'),
      middle: priceField('(upper + lower)/2.'),
      lower: priceField('Lowest low of the last `period` bars.'),
    },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: 'The window includes the current bar (a breakout test `close > upper` is then never true: compare with `previous.upper`).',
    create: (p) => new DonchianState(num(p[0])),
  },
  {
    kind: 'highest',
    title: 'Highest high over a window',
    params: [period()],
    outputs: { value: priceField('Highest high of the last `period` bars, current included.') },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: 'Reads the bar high (Tulip `max` reads a single series).',
    create: (p) => new ExtremeState(num(p[0]), 'max'),
  },
  {
    kind: 'lowest',
    title: 'Lowest low over a window',
    params: [period()],
    outputs: { value: priceField('Lowest low of the last `period` bars, current included.') },
    needsVolume: false,
    warmupBars: (p) => num(p[0]),
    warmupText: 'period',
    convention: 'Reads the bar low (Tulip `min` reads a single series).',
    create: (p) => new ExtremeState(num(p[0]), 'min'),
  },
  {
    kind: 'vwap',
    title: 'Volume-weighted average price',
    params: [{ name: 'window', type: 'period-or-day', description: 'Bars in a rolling window, or `day` for a session VWAP restarting at 00:00 UTC.', default: 'day' }],
    outputs: { value: priceField('Σ(typical price × volume)/Σ volume, typical price = (high+low+close)/3.') },
    needsVolume: true,
    warmupBars: (p) => (p[0] === 'day' || p[0] === undefined ? 1 : num(p[0])),
    warmupText: 'window (rolling), 1 (day); not ready while the window has no volume',
    convention: 'Typical price (h+l+c)/3. `day` restarts at each UTC midnight (trading-signals VWAP is cumulative from its first bar).',
    create: (p) => (p[0] === 'day' || p[0] === undefined ? new SessionVwapState() : new RollingVwapState(num(p[0]))),
  },
  {
    kind: 'obv',
    title: 'On-balance volume',
    params: [],
    outputs: { value: { type: 'number', unit: 'base-volume', description: 'Cumulative volume signed by the close-to-close direction.' } },
    needsVolume: true,
    warmupBars: () => 1,
    warmupText: '1',
    convention: '0 on the first bar; + volume when the close rose, − when it fell, unchanged when equal (Granville, Tulip).',
    create: () => new ObvState(),
  },
];

/** Every declarable indicator kind, keyed by the word used in strategies.yaml. */
export const INDICATOR_CATALOG: Readonly<Record<string, IndicatorKind>> = Object.freeze(Object.fromEntries(KINDS.map((k) => [k.kind, k])));

/** The declarable kinds, sorted (for messages and docs). */
export const INDICATOR_KINDS: readonly string[] = Object.keys(INDICATOR_CATALOG).sort();

/** What rules may read under `indicator.<name>` for a set of declarations: kind, warm-up and every field. */
export interface IndicatorFactDescription {
  kind: string;
  params: readonly IndicatorParam[];
  warmupBars: number;
  fields: Record<string, IndicatorFieldSpec>;
}

/**
 * The fields of the `indicator` fact for these declarations (common fields plus each kind's
 * outputs), as data for the rules fact catalog and path validation.
 */
export function describeIndicatorFact(declarations: ReadonlyArray<{ name: string; kind: string; params: readonly IndicatorParam[] }>): Record<string, IndicatorFactDescription> {
  const out: Record<string, IndicatorFactDescription> = {};
  for (const d of declarations) {
    const kind = INDICATOR_CATALOG[d.kind]!;
    out[d.name] = { kind: d.kind, params: d.params, warmupBars: kind.warmupBars(d.params), fields: { ...COMMON_INDICATOR_FIELDS, ...kind.outputs } };
  }
  return out;
}

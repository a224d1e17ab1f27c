/**
 * The indicators a signal strategy declares, split by the market whose bars feed them, and the
 * `indicator` fact its rules read: per declared name the IndicatorSet fields (ready, value, prev,
 * previous, bars, outputs) plus `series.<output>` = [previous, current] for the crossing operators
 * ([] until both are numbers, so a crossing on an unready indicator is false).
 */
import { IndicatorSet, INDICATOR_CATALOG, validateIndicatorDeclarations, type IndicatorDeclaration, type IndicatorDiagnostic } from '../../indicators/index.ts';
import type { PriceBar } from '../planner.ts';

/** The market of an indicator declared without `market:`: the strategy's own bars. */
export const OWN_MARKET = '';

export interface SignalIndicatorDeclarations {
  declarations: Array<IndicatorDeclaration & { market: string }>;
  diagnostics: IndicatorDiagnostic[];
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates `indicators:` of a strategy entry. Each declaration is the indicator catalog's
 * `{ kind: params }` plus an optional `market: NAME` (computed on that market's bars, which the
 * runner feeds as `otherBars[NAME]`). Paths start at the strategy entry (['indicators', name, …]).
 */
export function readSignalIndicators(input: unknown): SignalIndicatorDeclarations {
  const markets = new Map<string, string>();
  const diagnostics: IndicatorDiagnostic[] = [];
  let stripped = input;
  if (isMap(input)) {
    stripped = Object.fromEntries(
      Object.entries(input).map(([name, decl]) => {
        if (!isMap(decl) || !Object.hasOwn(decl, 'market')) return [name, decl];
        const { market, ...rest } = decl;
        if (typeof market !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_./-]*$/.test(market)) {
          diagnostics.push({ code: 'INDICATOR_BAD_PARAM', path: ['indicators', name, 'market'], value: market, message: `indicator ${name}: market must be the name of a market series (e.g. SOL); found ${JSON.stringify(market)}`, expected: 'a market name such as SOL' });
        } else markets.set(name, market);
        return [name, rest];
      }),
    );
  }
  const result = validateIndicatorDeclarations(stripped, ['indicators']);
  return {
    declarations: result.declarations.map((d) => ({ ...d, market: markets.get(d.name) ?? OWN_MARKET })),
    diagnostics: [...diagnostics, ...result.diagnostics],
  };
}

/** Fields rules may read of each declared indicator. */
export function signalIndicatorFields(input: unknown): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  // A name whose declaration is wrong is still declared (its error is reported once, in strategies.yaml).
  const anyField = ['ready', 'value', 'prev', 'previous', 'bars', 'series', ...new Set(Object.values(INDICATOR_CATALOG).flatMap((k) => Object.keys(k.outputs)))];
  if (isMap(input)) for (const name of Object.keys(input)) out[name] = anyField;
  for (const d of readSignalIndicators(input).declarations) {
    out[d.name] = ['ready', 'value', 'prev', 'previous', 'bars', 'series', ...Object.keys(INDICATOR_CATALOG[d.kind]!.outputs).filter((o) => o !== 'value')];
  }
  return out;
}

interface SeriesSlot {
  output: string;
  target: number[];
}

/** One market's indicators of a strategy: its set, the fact slots it fills, the last bar fed. */
interface MarketIndicators {
  set: IndicatorSet;
  slots: Array<{ fact: Record<string, unknown>; series: SeriesSlot[] }>;
  lastTime: number;
  fed: number;
}

/** The sets of one strategy (one per market) and the merged `indicator` fact. */
export class SignalIndicators {
  /** Per market, everything a bar of it updates (one lookup per bar). */
  private readonly markets = new Map<string, MarketIndicators>();
  readonly fact: Record<string, unknown> = {};
  /** Markets other than the strategy's own that feed some indicator. */
  readonly otherMarkets: string[];

  constructor(declarations: ReadonlyArray<IndicatorDeclaration & { market: string }>) {
    const byMarket = new Map<string, IndicatorDeclaration[]>();
    for (const d of declarations) byMarket.set(d.market, [...(byMarket.get(d.market) ?? []), d]);
    for (const [market, decls] of byMarket) {
      // Volume needs are checked when a bar without volume arrives (INDICATOR_VOLUME_MISSING).
      const set = new IndicatorSet(decls);
      const live = set.fact();
      const slots: Array<{ fact: Record<string, unknown>; series: SeriesSlot[] }> = [];
      for (const d of decls) {
        const f = live[d.name] as unknown as Record<string, unknown>;
        const series: SeriesSlot[] = Object.keys(INDICATOR_CATALOG[d.kind]!.outputs).map((output) => ({ output, target: [] }));
        f.series = Object.fromEntries(series.map((s) => [s.output, s.target]));
        slots.push({ fact: f, series });
        this.fact[d.name] = f;
      }
      this.markets.set(market, { set, slots, lastTime: -Infinity, fed: 0 });
    }
    this.otherMarkets = [...byMarket.keys()].filter((m) => m !== OWN_MARKET);
  }

  /** Markets in the order their first bar came. */
  private readonly fedOrder: string[] = [];

  /** Bars each market fed so far (in the order their first bar came). */
  get barsFed(): Map<string, number> {
    return new Map(this.fedOrder.map((name) => [name, this.markets.get(name)!.fed]));
  }

  /** Feeds a closed bar of `market`; a bar not newer than the last one fed is the same bar again and is skipped. */
  update(market: string, bar: PriceBar): boolean {
    const m = this.markets.get(market);
    if (!m) return false;
    if (bar.time <= m.lastTime) return false;
    m.set.update(bar);
    m.lastTime = bar.time;
    if (m.fed++ === 0) this.fedOrder.push(market);
    for (const { fact, series } of m.slots) {
      const previous = fact.previous as Record<string, number | null> | null;
      for (const s of series) {
        const cur = fact[s.output] as number | null;
        const prev = previous ? previous[s.output] ?? null : null;
        s.target.length = 0;
        if (cur !== null && prev !== null) s.target.push(prev, cur);
      }
    }
    return true;
  }

  /** Time of the last bar fed per market (for snapshots). */
  lastTimes(): Record<string, number> {
    return Object.fromEntries(this.fedOrder.map((name) => [name, this.markets.get(name)!.lastTime]));
  }
}

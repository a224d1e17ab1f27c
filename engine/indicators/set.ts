/**
 * IndicatorSet: the declared indicators of one market and timeframe, updated once per closed bar,
 * exposing the `indicator` fact:
 *
 *   { <name>: { ready, value, prev, previous, bars, ...outputs } }
 *
 * e.g. indicator.fast.value, indicator.fast.prev, indicator.bb.upper, indicator.macd.signal,
 * indicator.bb.previous.upper. While an indicator warms up, `ready` is false and `value`, `prev`,
 * `previous` and every output are null (never a partial or seeded number). `prev` / `previous`
 * become non-null from the second ready bar on.
 *
 * Speed: `update` allocates nothing. The fact is one object mutated in place (a live view):
 * read it before the next `update`, or copy it with `snapshot()`.
 */
import { SolrulesError } from '../errors/index.ts';
import { INDICATOR_CATALOG, type IndicatorKind } from './catalog.ts';
import { diagnosticError, validateIndicatorDeclarations, type DiagnosticPath, type IndicatorDeclaration } from './declarations.ts';
import type { IndicatorBar, IndicatorState } from './types.ts';

/** The fact of one indicator: common fields plus the outputs of its kind (see the catalog). */
export interface IndicatorValue {
  ready: boolean;
  value: number | null;
  prev: number | null;
  previous: Record<string, number | null> | null;
  bars: number;
  [output: string]: number | boolean | null | Record<string, number | null>;
}

export type IndicatorFact = Record<string, IndicatorValue>;

type Updater = (bar: IndicatorBar) => void;

/**
 * The per-bar loop of a set, generated once per set: one call site per indicator (each sees a
 * single class, so V8 inlines it) and straight-line stores into fact objects of a fixed shape —
 * several times faster than a generic loop over states and keyed stores. The generated text holds
 * only catalog field names (identifiers) and indexes, never user input.
 */
function compileUpdater(entries: readonly Entry[]): Updater {
  const lines: string[] = [];
  entries.forEach((_, i) => lines.push(`const s${i} = E[${i}].state, f${i} = E[${i}].fact, p${i} = E[${i}].previous, o${i} = s${i}.out;`));
  const body = entries
    .map((e, i) => {
      const outputs = Object.keys(e.kind.outputs);
      const keep = outputs.map((o) => `p${i}.${o} = f${i}.${o};`).join(' ');
      const set = outputs.map((o, k) => `f${i}.${o} = o${i}[${k}];`).join(' ');
      const clear = outputs.map((o) => `f${i}.${o} = null;`).join(' ');
      return `s${i}.update(bar);
    if (f${i}.ready) { ${keep} f${i}.previous = p${i}; f${i}.prev = f${i}.value; } else { f${i}.previous = null; f${i}.prev = null; }
    if (s${i}.ready) { ${set} f${i}.ready = true; } else { ${clear} f${i}.ready = false; }
    f${i}.bars++;`;
    })
    .join('\n    ');
  return new Function('E', `${lines.join('\n')}\nreturn function update(bar) {\n    ${body}\n  };`)(entries) as Updater;
}

interface Entry {
  name: string;
  kind: IndicatorKind;
  state: IndicatorState;
  fact: IndicatorValue;
  previous: Record<string, number | null>;
  warmupBars: number;
}

export interface IndicatorSetOptions {
  /** False when the series has no volume: volume indicators are then rejected at construction. */
  hasVolume?: boolean;
  /** Where the declarations sit in their file, for error paths. */
  basePath?: DiagnosticPath;
}

export class IndicatorSet {
  private readonly entries: Entry[];
  private readonly factObject: IndicatorFact;
  private lastTime = -Infinity;
  private readonly updateAll: Updater;
  /** Bars until every indicator of the set is ready. */
  readonly warmupBars: number;

  /** Builds a set from validated declarations (see `IndicatorSet.fromConfig` for raw YAML values). */
  constructor(declarations: readonly IndicatorDeclaration[], options: IndicatorSetOptions = {}) {
    this.entries = declarations.map((d) => {
      const kind = INDICATOR_CATALOG[d.kind]!;
      if (kind.needsVolume && options.hasVolume === false) {
        throw diagnosticError({
          code: 'INDICATOR_NEEDS_VOLUME',
          path: [...d.path, d.kind],
          value: d.kind,
          message: `indicator ${d.name} (${d.kind}) at ${[...d.path, d.kind].join('.')} needs volume, and this market's bars have none`,
          expected: 'bars with a volume column, or an indicator that reads prices only',
        });
      }
      const outputs = Object.keys(kind.outputs);
      const fact: IndicatorValue = { ready: false, value: null, prev: null, previous: null, bars: 0 };
      const previous: Record<string, number | null> = {};
      for (const o of outputs) {
        fact[o] = null;
        previous[o] = null;
      }
      return { name: d.name, kind, state: kind.create(d.params), fact, previous, warmupBars: kind.warmupBars(d.params) };
    });
    this.factObject = Object.fromEntries(this.entries.map((e) => [e.name, e.fact]));
    this.updateAll = compileUpdater(this.entries);
    this.warmupBars = this.entries.reduce((m, e) => Math.max(m, e.warmupBars), 0);
  }

  /** Validates raw declarations (as parsed from YAML) and builds the set; throws the first problem. */
  static fromConfig(input: unknown, options: IndicatorSetOptions = {}): IndicatorSet {
    const { declarations, diagnostics } = validateIndicatorDeclarations(input, options.basePath);
    if (diagnostics.length > 0) throw diagnosticError(diagnostics[0]!, diagnostics);
    return new IndicatorSet(declarations, options);
  }

  /** Declared names, in declaration order. */
  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** Warm-up bars of one declared indicator. */
  warmupOf(name: string): number | undefined {
    return this.entries.find((e) => e.name === name)?.warmupBars;
  }

  /** Feeds one closed bar to every indicator (bars must come in strictly increasing time). */
  update(bar: IndicatorBar): void {
    const t = bar.time;
    if (!(t > this.lastTime)) {
      throw new SolrulesError('INDICATOR_BAR_ORDER', `indicator bars must come in strictly increasing time; got ${String(t)} after ${String(this.lastTime)}`, {
        field: 'time',
        value: t,
        previous: this.lastTime,
      });
    }
    const { high, low, close } = bar;
    // NaN fails every comparison: one check rejects NaN, non-positive and inverted bars.
    if (!(low > 0 && high >= low && close >= low && close <= high)) {
      throw new SolrulesError('INDICATOR_BAD_BAR', `bar at ${Number.isFinite(t) ? new Date(t).toISOString() : String(t)} is not a valid positive OHLC bar (high ${high}, low ${low}, close ${close})`, {
        field: 'bar',
        value: { time: t, high, low, close },
      });
    }
    this.lastTime = t;
    this.updateAll(bar);
  }

  /** The `indicator` fact: a live view, mutated by the next `update`. */
  fact(): IndicatorFact {
    return this.factObject;
  }

  /** A deep copy of the fact, safe to keep across updates. */
  snapshot(): IndicatorFact {
    return structuredClone(this.factObject);
  }
}

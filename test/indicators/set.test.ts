/** IndicatorSet: the `indicator` fact, warm-up per the catalog, prev / previous, bad bars. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { INDICATOR_CATALOG, INDICATOR_KINDS, IndicatorSet, validateIndicatorDeclarations, type IndicatorBar } from '../../engine/indicators/index.ts';

const HOUR = 3_600_000;
/** A deterministic wavy series with volume. */
function bars(n: number): IndicatorBar[] {
  return Array.from({ length: n }, (_, i) => {
    const c = 100 + 10 * Math.sin(i / 7) + (i % 5);
    return { time: i * HOUR, open: c - 0.5, high: c + 1, low: c - 1.5, close: c, volume: 1000 + (i % 13) * 10 };
  });
}

describe('IndicatorSet', () => {
  it('every kind becomes ready exactly after the warm-up the catalog states, and not before', () => {
    for (const kind of INDICATOR_KINDS) {
      const spec = INDICATOR_CATALOG[kind]!;
      const params = spec.params.length === 0 ? [] : spec.params.map((p, i) => p.default ?? (i === 0 ? 7 : 3));
      const decl = { x: { [kind]: params } };
      const { declarations, diagnostics } = validateIndicatorDeclarations(decl);
      assert.deepEqual(diagnostics, [], kind);
      const set = new IndicatorSet(declarations);
      const warm = set.warmupOf('x')!;
      assert.equal(warm, spec.warmupBars(declarations[0]!.params));
      const series = bars(warm + 3);
      series.forEach((b, i) => {
        set.update(b);
        const f = set.fact().x!;
        assert.equal(f.ready, i + 1 >= warm, `${kind}: ready after bar ${i + 1} (warm-up ${warm})`);
        assert.equal(f.bars, i + 1);
        if (!f.ready) {
          for (const field of ['value', 'prev', 'previous', ...Object.keys(spec.outputs)]) assert.equal(f[field], null, `${kind}.${field} while warming up`);
        } else assert.equal(typeof f.value, 'number', kind);
      });
    }
  });

  it('prev and previous hold the previous bar\'s values from the second ready bar on', () => {
    const set = IndicatorSet.fromConfig({ fast: { sma: 2 }, bb: { bollinger: [3, 2] } });
    const closes = [10, 12, 14, 13, 11];
    const seen: Array<{ value: number | null; prev: number | null; prevUpper: unknown }> = [];
    closes.forEach((c, i) => {
      set.update({ time: i * HOUR, open: c, high: c, low: c, close: c });
      const f = set.fact();
      seen.push({ value: f.fast!.value, prev: f.fast!.prev, prevUpper: f.bb!.previous?.upper ?? null });
    });
    assert.deepEqual(seen.map((s) => s.value), [null, 11, 13, 13.5, 12]);
    assert.deepEqual(seen.map((s) => s.prev), [null, null, 11, 13, 13.5]);
    // bb ready from bar 3: previous.upper exists from bar 4 on and equals bar 3's upper.
    assert.equal(seen[2]!.prevUpper, null);
    const mean = 12;
    const sd = Math.sqrt(((10 - mean) ** 2 + (12 - mean) ** 2 + (14 - mean) ** 2) / 3);
    assert.ok(Math.abs((seen[3]!.prevUpper as number) - (mean + 2 * sd)) < 1e-12);
  });

  it('fact() is a live view; snapshot() is a copy', () => {
    const set = IndicatorSet.fromConfig({ s: { sma: 1 } });
    set.update({ time: 0, open: 5, high: 5, low: 5, close: 5 });
    const live = set.fact();
    const copy = set.snapshot();
    set.update({ time: 1, open: 6, high: 6, low: 6, close: 6 });
    assert.equal(live.s!.value, 6);
    assert.equal(copy.s!.value, 5);
  });

  it('macd fields and bollinger %b / width are exposed under their names', () => {
    const set = IndicatorSet.fromConfig({ macd: { macd: [3, 6, 4] }, bb: { bollinger: [5, 2] } });
    for (const b of bars(30)) set.update(b);
    const f = set.fact();
    assert.ok(Math.abs((f.macd!.histogram as number) - ((f.macd!.value as number) - (f.macd!.signal as number))) < 1e-12);
    const { upper, lower, middle, percentB, width } = f.bb! as unknown as Record<string, number>;
    assert.ok(Math.abs(percentB! - (bars(30)[29]!.close - lower!) / (upper! - lower!)) < 1e-12);
    assert.ok(Math.abs(width! - (upper! - lower!) / middle!) < 1e-12);
    assert.equal(f.bb!.value, middle);
  });

  it('rejects bars out of time order, NaN / non-positive / inverted prices, and a missing volume', () => {
    const set = IndicatorSet.fromConfig({ s: { sma: 2 }, o: { obv: [] } });
    set.update({ time: HOUR, open: 1, high: 1, low: 1, close: 1, volume: 1 });
    assert.throws(() => set.update({ time: HOUR, open: 1, high: 1, low: 1, close: 1, volume: 1 }), (e) => isSolrulesError(e, 'INDICATOR_BAR_ORDER') && e.context.value === HOUR);
    assert.throws(() => set.update({ time: 2 * HOUR, open: 1, high: 1, low: 1, close: NaN, volume: 1 }), (e) => isSolrulesError(e, 'INDICATOR_BAD_BAR'));
    assert.throws(() => set.update({ time: 2 * HOUR, open: 1, high: 1, low: -1, close: 1, volume: 1 }), (e) => isSolrulesError(e, 'INDICATOR_BAD_BAR'));
    assert.throws(() => set.update({ time: 2 * HOUR, open: 1, high: 1, low: 2, close: 1.5, volume: 1 }), (e) => isSolrulesError(e, 'INDICATOR_BAD_BAR'));
    assert.throws(() => set.update({ time: 3 * HOUR, open: 1, high: 1, low: 1, close: 1 }), (e) => isSolrulesError(e, 'INDICATOR_VOLUME_MISSING') && e.context.field === 'volume');
  });

  it('the set warm-up is the longest of its indicators', () => {
    const set = IndicatorSet.fromConfig({ a: { sma: 20 }, b: { rsi: 14 }, c: { macd: [12, 26, 9] } });
    assert.equal(set.warmupBars, 34);
  });
});

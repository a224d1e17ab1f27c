/** Declarations as written in strategies.yaml: every bad input is a typed error with the path and value. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { describeIndicatorFact, IndicatorSet, parseIndicatorDeclarations, validateIndicatorDeclarations } from '../../engine/indicators/index.ts';

const BASE = ['strategies', 'x', 'indicators'];

function only(input: unknown) {
  const r = validateIndicatorDeclarations(input, BASE);
  assert.equal(r.diagnostics.length, 1, JSON.stringify(r.diagnostics));
  return r.diagnostics[0]!;
}

describe('indicator declarations', () => {
  it('accepts the issue\'s example and fills documented defaults', () => {
    const d = parseIndicatorDeclarations(
      { fast: { sma: 20 }, slow: { ema: 50 }, rsi: { rsi: 14 }, bb: { bollinger: [20, 2] }, macd: { macd: [12, 26, 9] }, b1: { bollinger: 20 }, m: { macd: [] }, v: { vwap: 'day' }, o: { obv: null }, named: { bollinger: { period: 10, k: 1.5 } } },
      BASE,
    );
    const by = Object.fromEntries(d.map((x) => [x.name, x]));
    assert.deepEqual(by.fast!.params, [20]);
    assert.deepEqual(by.bb!.params, [20, 2]);
    assert.deepEqual(by.b1!.params, [20, 2]);
    assert.deepEqual(by.m!.params, [12, 26, 9]);
    assert.deepEqual(by.v!.params, ['day']);
    assert.deepEqual(by.o!.params, []);
    assert.deepEqual(by.named!.params, [10, 1.5]);
    assert.deepEqual(by.fast!.path, [...BASE, 'fast']);
  });

  it('unknown indicator', () => {
    const d = only({ fast: { smaa: 20 } });
    assert.equal(d.code, 'INDICATOR_UNKNOWN');
    assert.deepEqual(d.path, [...BASE, 'fast', 'smaa']);
    assert.equal(d.value, 'smaa');
    assert.match(d.message, /unknown indicator "smaa" at strategies\.x\.indicators\.fast\.smaa; known: .*sma/);
    // Inherited object keys are not kinds.
    assert.equal(only({ fast: { constructor: 20 } }).code, 'INDICATOR_UNKNOWN');
  });

  it('period 0', () => {
    const d = only({ fast: { sma: 0 } });
    assert.equal(d.code, 'INDICATOR_BAD_PERIOD');
    assert.deepEqual(d.path, [...BASE, 'fast', 'sma']);
    assert.equal(d.value, 0);
  });

  it('negative period', () => {
    const d = only({ r: { rsi: -14 } });
    assert.equal(d.code, 'INDICATOR_BAD_PERIOD');
    assert.deepEqual(d.path, [...BASE, 'r', 'rsi']);
    assert.equal(d.value, -14);
  });

  it('non-integer period, inside an array (path ends with the index)', () => {
    const d = only({ bb: { bollinger: [20.5, 2] } });
    assert.equal(d.code, 'INDICATOR_BAD_PERIOD');
    assert.deepEqual(d.path, [...BASE, 'bb', 'bollinger', 0]);
    assert.equal(d.value, 20.5);
  });

  it('a period given as text', () => {
    const d = only({ fast: { sma: '20' } });
    assert.equal(d.code, 'INDICATOR_BAD_PERIOD');
    assert.equal(d.value, '20');
  });

  it('wrong arity: too many and too few', () => {
    const many = only({ fast: { sma: [20, 2] } });
    assert.equal(many.code, 'INDICATOR_ARITY');
    assert.deepEqual(many.path, [...BASE, 'fast', 'sma']);
    assert.deepEqual(many.value, [20, 2]);
    assert.match(many.message, /takes 1 parameter .*found 2/);
    const few = only({ fast: { sma: [] } });
    assert.equal(few.code, 'INDICATOR_ARITY');
    const named = only({ bb: { bollinger: { k: 2 } } });
    assert.equal(named.code, 'INDICATOR_ARITY');
    assert.match(named.message, /missing parameter period/);
  });

  it('bad non-period parameters: k ≤ 0, unknown named parameter, vwap anchor, macd slow ≤ fast', () => {
    const k = only({ bb: { bollinger: [20, 0] } });
    assert.equal(k.code, 'INDICATOR_BAD_PARAM');
    assert.deepEqual(k.path, [...BASE, 'bb', 'bollinger', 1]);
    const named = only({ bb: { bollinger: { period: 20, sigma: 2 } } });
    assert.equal(named.code, 'INDICATOR_BAD_PARAM');
    assert.deepEqual(named.path, [...BASE, 'bb', 'bollinger', 'sigma']);
    const v = only({ v: { vwap: 'week' } });
    assert.equal(v.code, 'INDICATOR_BAD_PARAM');
    assert.equal(v.value, 'week');
    const m = only({ m: { macd: [26, 12, 9] } });
    assert.equal(m.code, 'INDICATOR_BAD_PARAM');
    assert.deepEqual(m.path, [...BASE, 'm', 'macd', 1]);
  });

  it('malformed declarations and names', () => {
    assert.equal(only({ fast: { sma: 20, ema: 10 } }).code, 'INDICATOR_BAD_DECLARATION');
    assert.equal(only({ fast: 20 }).code, 'INDICATOR_BAD_DECLARATION');
    const name = only({ 'my-fast': { sma: 20 } });
    assert.equal(name.code, 'INDICATOR_BAD_NAME');
    assert.deepEqual(name.path, [...BASE, 'my-fast']);
    assert.equal(only({ ready: { sma: 20 } }).code, 'INDICATOR_BAD_NAME');
    assert.equal(only([{ sma: 20 }]).code, 'INDICATOR_DECLARATIONS_NOT_MAP');
  });

  it('collects every problem, and the throwing form names the first with path, field and value', () => {
    const r = validateIndicatorDeclarations({ a: { sma: 0 }, b: { nope: 1 }, c: { ema: 10 } }, BASE);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['INDICATOR_BAD_PERIOD', 'INDICATOR_UNKNOWN']);
    assert.deepEqual(r.declarations.map((d) => d.name), ['c']);
    assert.throws(
      () => parseIndicatorDeclarations({ a: { sma: 0 }, b: { nope: 1 } }, BASE),
      (err) =>
        isSolrulesError(err, 'INDICATOR_BAD_PERIOD') &&
        err.context.field === 'strategies.x.indicators.a.sma' &&
        err.context.value === 0 &&
        Array.isArray(err.context.path) &&
        (err.context.diagnostics as unknown[]).length === 2,
    );
  });

  it('a volume indicator on a series without volume', () => {
    assert.throws(
      () => IndicatorSet.fromConfig({ o: { obv: [] } }, { hasVolume: false, basePath: BASE }),
      (err) => isSolrulesError(err, 'INDICATOR_NEEDS_VOLUME') && err.context.field === 'strategies.x.indicators.o.obv',
    );
    assert.doesNotThrow(() => IndicatorSet.fromConfig({ s: { sma: 3 } }, { hasVolume: false }));
  });

  it('describes the fact fields of declarations for the rules catalog', () => {
    const d = describeIndicatorFact(parseIndicatorDeclarations({ bb: { bollinger: [20, 2] }, m: { macd: [] } }));
    assert.deepEqual(Object.keys(d.bb!.fields), ['ready', 'prev', 'previous', 'bars', 'value', 'upper', 'middle', 'lower', 'percentB', 'width']);
    assert.equal(d.bb!.fields.upper!.unit, 'price');
    assert.equal(d.bb!.fields.percentB!.unit, 'ratio');
    assert.equal(d.m!.warmupBars, 34);
    assert.ok(d.m!.fields.signal && d.m!.fields.histogram);
  });
});

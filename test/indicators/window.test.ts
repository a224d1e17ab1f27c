/** The rolling primitives against direct recomputation over long, awkward series. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RollingExtreme, RollingSum, RollingVariance, WmaState } from '../../engine/indicators/index.ts';

/** Deterministic pseudo-random numbers (LCG) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('rolling windows', () => {
  it('RollingVariance keeps a tiny σ on a large price exact to 1e-6 relative over 200,000 values', () => {
    const r = rng(1);
    const n = 50;
    const w = new RollingVariance(n);
    const xs: number[] = [];
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      const x = 200 + (r() - 0.5) * 0.01; // σ ≈ 0.003 on 200: variance/mean² ≈ 2e-10
      xs.push(x);
      w.push(x);
      if (i >= n - 1 && i % 997 === 0) {
        const win = xs.slice(i - n + 1, i + 1);
        const mean = win.reduce((a, b) => a + b, 0) / n;
        const v = win.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
        worst = Math.max(worst, Math.abs(w.variance - v) / v);
      }
    }
    assert.ok(worst < 1e-6, `relative variance error ${worst}`);
  });

  it('RollingSum stays exact-ish after a million pushes (resynchronised)', () => {
    const r = rng(2);
    const s = new RollingSum(20);
    const last: number[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      const x = 1e4 * r();
      s.push(x);
      last.push(x);
      if (last.length > 20) last.shift();
    }
    const exact = last.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(s.sum - exact) / exact < 1e-12);
  });

  it('RollingExtreme equals a brute-force max / min, including runs of equal values', () => {
    const r = rng(3);
    for (const n of [1, 2, 5, 64]) {
      const hi = new RollingExtreme(n, 'max');
      const lo = new RollingExtreme(n, 'min');
      const xs: number[] = [];
      for (let i = 0; i < 5000; i++) {
        const x = Math.floor(r() * 10); // many ties
        xs.push(x);
        hi.push(x);
        lo.push(x);
        const win = xs.slice(Math.max(0, i - n + 1));
        assert.equal(hi.value, Math.max(...win));
        assert.equal(lo.value, Math.min(...win));
      }
    }
  });

  it('the incremental WMA equals the direct weighted sum over 100,000 bars', () => {
    const r = rng(4);
    const n = 30;
    const w = new WmaState(n);
    const xs: number[] = [];
    let worst = 0;
    for (let i = 0; i < 100_000; i++) {
      const c = 50 + 100 * r();
      xs.push(c);
      w.update({ time: i, open: c, high: c, low: c, close: c });
      if (i >= n - 1 && i % 101 === 0) {
        let num = 0;
        for (let k = 0; k < n; k++) num += (k + 1) * xs[i - n + 1 + k]!;
        worst = Math.max(worst, Math.abs(w.out[0]! - num / ((n * (n + 1)) / 2)));
      }
    }
    assert.ok(worst < 1e-9, `WMA drift ${worst}`);
  });
});

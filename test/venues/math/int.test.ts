/** Shared integer helpers in engine/venues/math: rounding is what the name says, widths are checked where promised. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { U64_MAX, div, divCeil, msb, mulDiv, mulShiftRight, priceImpactBps, requireU64Amount } from '../../../engine/venues/math/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { rng } from '../support/random.ts';

test('mulDiv / div / divCeil round as named; a zero divisor is a typed DivideByZero', () => {
  assert.equal(mulDiv(7n, 3n, 2n, 'floor'), 10n);
  assert.equal(mulDiv(7n, 3n, 2n, 'ceil'), 11n);
  assert.equal(mulDiv(6n, 3n, 2n, 'ceil'), 9n);
  assert.equal(divCeil(0n, 5n), 0n);
  assert.throws(() => div(1n, 0n, 'floor'), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.reason === 'DivideByZero');
  const r = rng(3);
  for (let i = 0; i < 5000; i++) {
    const a = r.logBig(128);
    const b = r.logBig(128);
    const d = r.logBig(100);
    const floor = mulDiv(a, b, d, 'floor');
    const ceil = mulDiv(a, b, d, 'ceil');
    assert.ok(floor * d <= a * b && (floor + 1n) * d > a * b);
    assert.equal(ceil - floor, (a * b) % d === 0n ? 0n : 1n);
  }
});

test('mulShiftRight rounds the shifted-out bits; msb matches the binary length', () => {
  assert.equal(mulShiftRight(3n, 1n << 63n, 64n, 'floor'), 1n);
  assert.equal(mulShiftRight(3n, 1n << 63n, 64n, 'ceil'), 2n);
  const r = rng(4);
  for (let i = 0; i < 5000; i++) {
    const x = r.logBig(256);
    assert.equal(msb(x), x.toString(2).length - 1);
  }
});

test('priceImpactBps: 0 at the spot price, 10000 for nothing out, 4 decimals in between', () => {
  assert.equal(priceImpactBps(100n, 100n, 1n, 1n), 0);
  assert.equal(priceImpactBps(0n, 100n, 1n, 1n), 10_000);
  assert.equal(priceImpactBps(99n, 100n, 1n, 1n), 100);
  assert.equal(priceImpactBps(1n, 3n, 1n, 1n), 6666.6667);
  assert.equal(priceImpactBps(2n, 1n, 1n, 1n), 0, 'better than spot is floored at 0');
});

test('requireU64Amount accepts 1 … 2^64−1', () => {
  requireU64Amount(1n, 'amountIn');
  requireU64Amount(U64_MAX, 'amountIn');
  for (const bad of [0n, -1n, U64_MAX + 1n]) assert.throws(() => requireU64Amount(bad, 'amountIn'), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID') && e.context.field === 'amountIn');
});

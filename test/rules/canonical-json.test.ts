/** canonicalJson: the text the order id and facts digest hash, so it must never change for a value. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../../engine/rules/index.ts';

/** The reference: JSON.stringify with keys sorted at every level, bigints as decimal strings. */
function reference(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (Array.isArray(v)) return v.map((x) => (x === undefined || typeof x === 'function' ? null : sort(x)));
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value) ?? null);
}

test('canonicalJson equals sorted-key JSON for every kind of string, key and number', () => {
  const strings = ['', 'plain', 'with "quote"', 'back\\slash', 'tab\there', 'nl\n', '\u0000\u001f', '\u007f del', 'é ü 中文', '😀', '\ud800 lone', 'x\udc00', '/slash', '~}{|'];
  const value: Record<string, unknown> = { z: 1, a: [1.5, -0, 1e21, 1e-7, NaN, Infinity, null, undefined, 'x'], n: { b: true, a: false, big: 12345678901234567890n }, skip: undefined, fn: () => 1 };
  for (const [i, s] of strings.entries()) {
    value[`s${i}`] = s;
    value[s] = i; // the same texts as keys
  }
  assert.equal(canonicalJson(value), reference(value));
  // Twice: the second call reads the quoted keys remembered by the first.
  assert.equal(canonicalJson(value), reference(value));
  for (const s of strings) assert.equal(canonicalJson(s), JSON.stringify(s), JSON.stringify(s));
});

test('canonicalJson of an object changed in place follows its keys (the sorted order it remembers per object is checked)', () => {
  const fact: Record<string, unknown> = { open: false, sizeAtoms: '0', pnlUsd: 0 };
  const outer = { position: fact, bar: { close: 1 } };
  assert.equal(canonicalJson(outer), reference(outer));
  fact.pnlUsd = -1.25; // same keys, new values
  assert.equal(canonicalJson(outer), reference(outer));
  fact.added = 'late'; // a key more
  assert.equal(canonicalJson(outer), reference(outer));
  delete fact.open; // a key fewer
  assert.equal(canonicalJson(outer), reference(outer));
  // The same keys in another own order, then a different key at the same count.
  const reordered: Record<string, unknown> = {};
  for (const k of Object.keys(fact).reverse()) reordered[k] = fact[k];
  assert.equal(canonicalJson(reordered), reference(reordered));
  delete reordered.added;
  reordered.aaa = 1;
  assert.equal(canonicalJson(reordered), reference(reordered));
  assert.equal(canonicalJson(reordered), '{"aaa":1,"pnlUsd":-1.25,"sizeAtoms":"0"}');
});

test('canonicalJson of new objects with a shape it has seen (remembered sorted keys per shape) equals sorted-key JSON', () => {
  // Fresh objects with the same keys in the same order (an order's fact snapshot each time) reuse
  // the sorted keys of the first; the same keys in another order, one key more or less, or another
  // key of the same count are other shapes.
  const shapes: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 40; i++) {
    shapes.push({ zeta: i, alpha: [i, { y: i, b: 'x' }], mid: { q: i, a: null } });
    shapes.push({ alpha: i, zeta: i + 1, mid: `m${i}` });
    shapes.push({ zeta: i, alpha: i, other: i });
    shapes.push({ zeta: i, alpha: i });
    shapes.push({ zeta: i, alpha: i, mid: i, extra: i });
    // More shapes of one key count than are remembered per count: older ones are sorted again.
    for (let k = 0; k < 12; k++) shapes.push({ [`k${(k * 7) % 12}`]: k, [`c${i % 3}`]: i, [`a${k}`]: true });
  }
  for (const v of shapes) assert.equal(canonicalJson(v), reference(v));
  for (const v of shapes.reverse()) assert.equal(canonicalJson({ ...v }), reference(v));
});

test('sha256Hex equals a node:crypto SHA-256 of the UTF-8 text', () => {
  for (const text of ['', 'abc', 'é 中文 😀', canonicalJson({ b: 1, a: [1n, 'x'] })]) assert.equal(sha256Hex(text), createHash('sha256').update(text, 'utf8').digest('hex'));
  assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

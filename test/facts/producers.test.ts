/** The fact producers registry stays honest: every catalog path is produced or listed as not produced yet, never both. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOT_PRODUCED_YET, unproducedPaths, whyUnproduced } from '../../engine/facts/index.ts';
import { FACT_CATALOG, FACT_PRODUCERS, STRATEGY_KINDS } from '../../engine/strategies/index.ts';

test('what no producer supplies is exactly the NOT_PRODUCED_YET list (an entry that is in fact produced, or a gap missing from it, fails)', () => {
  const unproduced = unproducedPaths(FACT_CATALOG, FACT_PRODUCERS);
  const gaps = unproduced.filter((p) => !NOT_PRODUCED_YET[p] && !NOT_PRODUCED_YET[p.split('.')[0]!]);
  assert.deepEqual(gaps, [], `produced by nobody and not listed in NOT_PRODUCED_YET: ${gaps.join(', ')}`);
  const produced = Object.keys(NOT_PRODUCED_YET).filter((k) => !unproduced.includes(k));
  assert.deepEqual(produced, [], `listed as not produced yet, but a producer supplies them: ${produced.join(', ')}`);
});

test('every strategy kind produces its own facts, for its own rules only', () => {
  for (const k of STRATEGY_KINDS) {
    for (const fact of Object.keys(k.facts)) {
      assert.equal(whyUnproduced(FACT_PRODUCERS, fact, undefined, { scope: 'strategy', strategyKind: k.kind }), undefined, `${k.kind} does not produce ${fact}`);
      const other = STRATEGY_KINDS.find((o) => o.kind !== k.kind);
      if (other) assert.match(whyUnproduced(FACT_PRODUCERS, fact, undefined, { scope: 'strategy', strategyKind: other.kind }) ?? '', new RegExp(`'${k.kind}' strategies`));
    }
  }
});

test('mode matters: quoteAccuracy reaches risk rules only in chain runs; price reaches strategy rules in a replay', () => {
  assert.equal(whyUnproduced(FACT_PRODUCERS, 'quoteAccuracy', 'samples', { scope: 'order' }), undefined);
  assert.match(whyUnproduced(FACT_PRODUCERS, 'quoteAccuracy', 'samples', { scope: 'order', mode: 'replay' }) ?? '', /chain runs/);
  assert.equal(whyUnproduced(FACT_PRODUCERS, 'price', 'usd', { scope: 'strategy', strategyKind: 'grid', mode: 'replay' }), undefined);
  assert.match(whyUnproduced(FACT_PRODUCERS, 'price', 'bidUsd', { scope: 'strategy', strategyKind: 'grid' }) ?? '', /not produced yet/);
  assert.match(whyUnproduced(FACT_PRODUCERS, 'order', 'notionalUsd', { scope: 'strategy', strategyKind: 'grid' }) ?? '', /risk and routing rules/);
});

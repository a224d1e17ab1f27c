/**
 * `npm run demo`, shorter: the engine LIVE on the sandbox (real Whirlpool and DLMM programs,
 * SIMULATED traders) until at least 20 orders are confirmed, one of them a cross-venue round
 * trip; the demo's own reconciliation (every order expected = realized, every worker atom
 * predicted = on chain) must hold and no transaction that passed the guard may fail on chain.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runDemo } from '../../engine/cli/demo.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';

test('demo loop: ≥ 20 confirmed orders over 2 strategies and 2 venues incl. a round trip, all reconciled, none failed after the guard', async () => {
  const prevStore = process.env.SOLRULES_STORE;
  process.env.SOLRULES_STORE = 'memory';
  const lines: string[] = [];
  try {
    const r = await runDemo({ seconds: 55, seed: 1, flowMode: 'random-walk', paceMs: 20, write: (s) => void lines.push(s), log: createLogger({ level: 'silent' }), minConfirmed: 20 });
    assert.deepEqual(r.mismatches, [], lines.slice(-20).join('\n'));
    assert.equal(r.failedOnChain, 0);
    assert.ok(r.confirmed >= 20, `confirmed ${r.confirmed}`);
    assert.ok(r.strategies.length >= 2, r.strategies.join(','));
    assert.deepEqual(r.venues, ['meteora-dlmm', 'orca-whirlpool']);
    assert.ok(r.roundTrips >= 1);
    assert.equal(r.flashLoanWrapped, r.roundTrips, 'every round trip borrowed its input from the Kamino reserve (klend ran in its transaction)');
    assert.ok(r.ok);
    assert.ok(lines.some((l) => l.includes('SIMULATED: ') && l.includes('other traders')), 'the demo says what is simulated');
    assert.equal(lines.filter((l) => /^  worker-\d.* reconciled$/.test(l)).length, 6, 'two workers × lamports, wSOL, USDC reconciled');
  } finally {
    if (prevStore === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = prevStore;
  }
});

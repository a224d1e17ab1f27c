/**
 * The send guard on the real programs (sandbox market): a plan the program would execute as
 * quoted passes; a plan whose quote the simulation cannot meet is refused as a shortfall unless
 * the rules' tolerance covers it; a plan built on a state another trader has since moved (its
 * min-out no longer reachable) is refused as one that would fail. Nothing is sent in any case.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PublicKey } from '@solana/web3.js';
import { startSandbox } from '../../../sandbox/index.ts';
import { createMarket, readPoolState, swapExactIn } from '../../../sandbox/market/index.ts';
import { engineWallets } from '../../../sandbox/demo/live-context.ts';
import { SendGuard, VenueSource, type RouteSource } from '../../../engine/executors/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { registry, resetMetrics } from '../../../engine/infra/telemetry/index.ts';
import type { Order } from '../../../engine/orders/index.ts';

function order(inputMint: string, outputMint: string, amountIn: bigint, minAmountOut: bigint): Order {
  return {
    id: 'ord_guard', strategy: 'grid', rule: 'grid-buy', ruleFile: 'grid', ruleSetHash: 'test', side: 'buy', inputMint, outputMint, amountIn, minAmountOut,
    notionalUsd: 100, urgency: 'normal', createdAt: new Date(0).toISOString(), expiresAt: new Date(3_600_000).toISOString(), params: {}, factsDigest: 'x',
    explanation: { ruleId: 'grid-buy', ruleSetHash: 'test', conditions: { kind: 'all', result: true } } as Order['explanation'],
  };
}

test('guard: passes an exact plan, refuses a shortfall beyond the tolerance and a send that would fail; sends nothing', async () => {
  resetMetrics();
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  try {
    const market = createMarket({ chain: sb.chain, seed: 1 });
    const { workers } = engineWallets(market, { workers: 1 });
    const wallet = workers[0]!.publicKey;
    const dlmm = market.pool('meteora-dlmm').address;
    const pools = { statesFor: async () => [readPoolState(sb.chain, 'meteora-dlmm', dlmm).state] };
    const venues = new VenueSource(pools);
    const buy = order(market.mints.usdc, market.mints.sol, 100_000_000n, 1n);

    let tolerance = 0;
    const exact = new SendGuard({ inner: venues, rpcUrl: sb.rpcUrl, maxShortfallBps: () => tolerance });
    const plan = await exact.plan(buy, wallet);
    assert.ok(plan.expected.amountOut > 0n);
    assert.deepEqual(exact.stats, { checked: 1, passed: 1, refused: { wouldFail: 0, shortfall: 0 } });

    // A quote 0.05 % above what the program pays: refused at 0 bps, accepted at 10 bps.
    const optimistic: RouteSource = { name: 'optimistic', plan: async (o: Order, w: PublicKey) => {
      const p = await venues.plan(o, w);
      return { ...p, expected: { ...p.expected, amountOut: (p.expected.amountOut * 10_005n) / 10_000n } };
    } };
    const guard = new SendGuard({ inner: optimistic, rpcUrl: sb.rpcUrl, maxShortfallBps: () => tolerance });
    await assert.rejects(guard.plan(buy, wallet), (err) => isSolrulesError(err, 'EXEC_GUARD_SHORTFALL') && /falls short of the quote/.test(err.message));
    tolerance = 10;
    await guard.plan(buy, wallet);
    assert.deepEqual(guard.stats.refused, { wouldFail: 0, shortfall: 1 });
    assert.equal(guard.stats.passed, 1);

    // Planned on a state a trader then moves: the exact min-out can no longer be met.
    const exactMin = order(market.mints.usdc, market.mints.sol, 100_000_000n, plan.expected.amountOut);
    const stale = readPoolState(sb.chain, 'meteora-dlmm', dlmm).state;
    swapExactIn(sb.chain, market.traders[0]!, 'meteora-dlmm', dlmm, market.mints.usdc, 5_000_000_000n);
    const staleGuard = new SendGuard({ inner: new VenueSource({ statesFor: async () => [stale] }), rpcUrl: sb.rpcUrl, maxShortfallBps: () => 10_000 });
    await assert.rejects(staleGuard.plan(exactMin, wallet), (err) => isSolrulesError(err, 'EXEC_GUARD_WOULD_FAIL'));
    assert.deepEqual(staleGuard.stats.refused, { wouldFail: 1, shortfall: 0 });
    assert.equal(sb.stats().rpcRequests.sendTransaction ?? 0, 0, 'the guard only simulates');
    const exposition = await registry.metrics();
    assert.match(exposition, /solrules_execution_guard_refusals_total\{reason="shortfall"\} 1/);
    assert.match(exposition, /solrules_execution_guard_refusals_total\{reason="would-fail"\} 1/);
  } finally {
    await sb.close();
  }
});

/**
 * The send path's round trips, counted at the sandbox's RPC: an order through the send guard and
 * the rpc (then the jito) executor simulates once — the guard's simulation sizes the compute
 * limit, the builder does not simulate again — and, with the blockhash cache warm, nothing on the
 * path waits on getLatestBlockhash. The transaction lands within the limit sized from the guard's
 * units (a real DLMM swap on the sandbox's programs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, readPoolState } from '../../sandbox/market/index.ts';
import { engineWallets } from '../../sandbox/demo/live-context.ts';
import { BlockhashCache, ConfirmationMonitor, createLiveExecutor, MemorySubmissionJournal, RpcPool, SendGuard, VenueSource, type LiveReport } from '../../engine/executors/index.ts';
import { WorkerPool } from '../../engine/wallets/index.ts';
import type { Order } from '../../engine/orders/index.ts';

function order(id: string, inputMint: string, outputMint: string, amountIn: bigint): Order {
  return {
    id, strategy: 'grid', rule: 'grid-buy', ruleFile: 'grid', ruleSetHash: 'test', side: 'buy', inputMint, outputMint, amountIn, minAmountOut: 1n,
    notionalUsd: 100, urgency: 'normal', createdAt: new Date(0).toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), params: {}, factsDigest: 'x',
    explanation: { ruleId: 'grid-buy', ruleSetHash: 'test', conditions: { kind: 'all', result: true } } as Order['explanation'],
  };
}

test('one simulation per send (the guard\'s sizes the compute limit), no blockhash fetch on the path; rpc and jito', async () => {
  const sb = await startSandbox({ slotMs: 40, genesisUnixMs: 1_700_000_000_000 });
  try {
    const market = createMarket({ chain: sb.chain, seed: 1 });
    const { workers } = engineWallets(market, { workers: 1 });
    const dlmm = market.pool('meteora-dlmm').address;
    const rpc = new RpcPool([sb.rpcUrl]);
    const blockhashes = new BlockhashCache(rpc, { refreshMs: 200, maxAgeMs: 5_000 });
    const pools = { statesFor: async () => [readPoolState(sb.chain, 'meteora-dlmm', dlmm).state] };
    const guard = new SendGuard({ inner: new VenueSource(pools), rpcUrl: sb.rpcUrl, maxShortfallBps: () => 0, blockhashes });
    const monitor = new ConfirmationMonitor(rpc, { initialIntervalMs: 20, maxIntervalMs: 100 });
    const ctx = { rpc, workers: new WorkerPool(workers, rpc), source: guard, journal: new MemorySubmissionJournal(), monitor, blockhashes };
    await blockhashes.get();
    const count = (method: string) => sb.stats().rpcRequests[method] ?? 0;
    for (const [name, cfg] of [['rpc', { type: 'rpc' }], ['jito', { type: 'jito', transport: 'json-rpc', blockEngine: sb.blockEngineUrl }]] as const) {
      const executor = await createLiveExecutor(name, cfg, ctx);
      const sims = count('simulateTransaction');
      const waits = blockhashes.stats.waits;
      // A background refresh in flight is counted by the cache before the chain sees it: read both at rest.
      await blockhashes.settled();
      const hashFetches = count('getLatestBlockhash') - blockhashes.stats.fetches;
      const report = (await executor.execute({ order: order(`ord_${name}`, market.mints.usdc, market.mints.sol, 50_000_000n), route: { executor: name, ruleId: 'r', params: {} } })) as LiveReport;
      assert.equal(report.status, 'filled', `${name}: ${report.reason}`);
      assert.equal(count('simulateTransaction') - sims, 1, `${name}: the guard's simulation is the only one`);
      assert.equal(blockhashes.stats.waits, waits, `${name}: the send took the cached blockhash`);
      await blockhashes.settled();
      assert.equal(count('getLatestBlockhash') - blockhashes.stats.fetches, hashFetches, `${name}: every getLatestBlockhash was the cache's own refresh`);
      const tx = report.txs![0]!;
      const used = report.reconciliation!.computeUnits;
      console.log(`# ${name}: ${used} CU used on chain, ${tx.unitsSimulated} from the guard's simulation (+ the builder's own instructions), limit ${tx.computeUnitLimit}`);
      assert.ok(used > 0 && used <= tx.computeUnitLimit, `${name}: ${used} CU used within the limit ${tx.computeUnitLimit}`);
      assert.ok(tx.unitsSimulated >= used, `${name}: the sizing covers what it used (${tx.unitsSimulated} >= ${used})`);
      await executor.close();
    }
    monitor.close();
    blockhashes.close();
  } finally {
    await sb.close();
  }
});

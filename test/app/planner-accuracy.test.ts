/**
 * A planner process (`run --role planner`) sends nothing, so its quoteAccuracy fact follows the
 * reconciliations the executor processes publish with their live fills: the risk rule
 * quote-accuracy-guard holds there as it does in one `--live` process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { composeEngine } from '../../engine/app/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { SUBJECTS, type ExecutionResultMessage } from '../../engine/messages/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { HandedPartition, price } from './support/planners.ts';

/** A live fill another process reported: `expectedOut` quoted, `realizedOut` landed. */
function liveFill(i: number, expectedOut: bigint, realizedOut: bigint, mint: string): ExecutionResultMessage {
  const order = { id: `ord_elsewhere_${i}`, strategy: 'elsewhere', rule: 'r', side: 'buy', inputMint: mint, outputMint: mint, amountIn: '1000', minAmountOut: '0', createdAt: '2022-01-01T00:00:00.000Z', params: {} };
  const report = { orderId: order.id, executor: 'rpc', status: 'filled', amountIn: '1000', amountOut: realizedOut.toString(), feeAtoms: '0', networkFeeLamports: '5000', simulated: false, at: '2022-01-01T00:00:01.000Z' };
  return { order, report, reconciliation: { venue: 'orca-whirlpool', route: 'live-route', expectedAmountIn: '1000', realizedAmountIn: '1000', expectedAmountOut: expectedOut.toString(), realizedAmountOut: realizedOut.toString(), shortfallBps: 0 } } as unknown as ExecutionResultMessage;
}

for (const shortfall of [false, true]) {
  test(`planner process: ${shortfall ? 'confirmed fills 1 % short of their quotes block its next orders (quote-accuracy-guard)' : 'fills equal to their quotes block nothing'}`, async () => {
    const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
    const active = built.active!;
    const bus = new MemoryBus();
    const store = new MemoryStore();
    const engine = await composeEngine({ holder: new ConfigHolder(active), bus, store, log: createLogger({ level: 'silent' }), partition: new HandedPartition(true), role: { plan: true, execute: false } });
    await engine.start();
    try {
      // The samples the guard asks for (strategies.yaml risk.minAccuracySamples: 10), as executors report them.
      for (let i = 0; i < 12; i++) await bus.publish(SUBJECTS.confirmed, liveFill(i, 1_000_000n, shortfall ? 990_000n : 1_000_000n, active.strategies.market.quote.mint));
      await bus.settle();
      await engine.onPrice(price(active, 100, '2022-01-01T00:00:00Z'));
      await engine.onPrice(price(active, 80, '2022-01-01T06:00:00Z'));
      await bus.settle();
      const decided = await store.listOrders({ strategy: 'grid' });
      assert.ok(decided.length >= 1, 'the grid decided orders at the fall');
      const blocked = decided.filter((r) => r.status === 'blocked' && (r.reason ?? '').includes('quote-accuracy-guard'));
      if (shortfall) assert.equal(blocked.length, decided.length, `every grid order blocked by quote-accuracy-guard: ${decided.map((r) => `${r.status} ${r.reason}`).join('; ')}`);
      else assert.deepEqual(blocked, [], 'none blocked by the guard');
    } finally {
      await engine.stop();
      await bus.close();
    }
  });
}

/** The coordinator against the shipped risk and routing rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { ExecutorWorker, QuoteAccuracy, type Executor } from '../../engine/executors/index.ts';
import { Coordinator, type CoordinatorDeps } from '../../engine/coordinator/index.ts';
import { buildOrders, type Order } from '../../engine/orders/index.ts';
import { evaluatorFactory, referenceEvaluator, type EvaluatorFactory } from '../../engine/rules/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger, metrics, resetMetrics } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';
import type { ControlFact } from '../../engine/control/index.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const log = createLogger({ level: 'silent' });

async function setup(control: ControlFact = { killSwitch: false, paused: false }, extra: Partial<CoordinatorDeps> = {}, evaluators: EvaluatorFactory = referenceEvaluator) {
  const built = await buildActiveConfig(REPO_ROOT, evaluators, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const bus = new MemoryBus();
  const store = new MemoryStore();
  let now = new Date('2022-01-01T00:00:00Z');
  const coordinator = new Coordinator({ bus, store, ruleSet: () => built.active!.ruleSet, control: () => control, exposureUsd: () => 0, solUsd: () => 100, now: () => now, log, ...extra });
  const executed: string[] = [];
  const executor: Executor = {
    name: 'fake-chain',
    kind: 'test',
    execute: async ({ order, route }) => {
      executed.push(`${order.id}@${route.executor}`);
      return { orderId: order.id, executor: 'fake-chain', status: 'filled', amountIn: order.amountIn, amountOut: 1n, feeAtoms: 0n, networkFeeLamports: 5000n, simulated: true, at: now.toISOString() };
    },
    close: async () => {},
  };
  const worker = new ExecutorWorker({ bus, store, executorFor: () => executor, now: () => now, log });
  await coordinator.start();
  await worker.start();
  return { bus, store, coordinator, executed, setNow: (d: Date) => (now = d) };
}

function order(params: Record<string, unknown>, strategy = 'grid', facts: Record<string, unknown> = { n: Math.random() }): Order {
  return buildOrders(
    { ruleId: `${strategy}-rule`, fileId: strategy, priority: 1, type: 'order', params: { side: 'buy', amountIn: '100000000', ...params } },
    {
      strategy, ruleFile: strategy, ruleSetHash: 'd'.repeat(64), base: SOL, quote: USDC,
      priceUsd: (m) => (m === SOL.mint ? 100 : 1), now: new Date('2022-01-01T00:00:00Z'), facts,
      explanation: { ruleId: 'x', ruleSetHash: 'd'.repeat(64), conditions: { kind: 'all', result: true } },
    },
  )[0]!;
}

test('routes by the shipped policy: low urgency -> rpc, profitable -> jito, default -> jito', async () => {
  const { coordinator } = await setup();
  const low = await coordinator.decide(order({ urgency: 'low' }));
  assert.deepEqual(low.kind === 'routed' && [low.route.executor, low.route.ruleId], ['rpc', 'route-low-urgency-to-rpc']);
  const profit = await coordinator.decide(order({ urgency: 'low', expectedProfitLamports: '100000000' })); // 0.1 SOL = 10 USD > 5
  assert.deepEqual(profit.kind === 'routed' && profit.route.executor, 'jito');
  const arb = await coordinator.decide(order({ side: 'roundtrip', urgency: 'high' }, 'arbitrage'));
  assert.deepEqual(arb.kind === 'routed' && arb.route.ruleId, 'route-arbitrage-to-jito');
  const dflt = await coordinator.decide(order({ urgency: 'normal' }));
  assert.deepEqual(dflt.kind === 'routed' && dflt.route.ruleId, 'route-default-to-jito');
});

test('decide answers synchronously with the compiled evaluator (no promise per order), the same decisions as the reference evaluator', async () => {
  const compiled = await setup(undefined, {}, evaluatorFactory('compiled'));
  const reference = await setup();
  for (const o of [order({ urgency: 'low' }), order({ urgency: 'low', expectedProfitLamports: '100000000' }), order({ amountIn: '3000000000' })]) {
    const now = compiled.coordinator.decide(o);
    assert.ok(!(now instanceof Promise), 'a compiled rule set decides without a promise');
    assert.deepEqual(now, await reference.coordinator.decide(o));
  }
});

test('risk rules block before any executor sees the order; the kill switch blocks everything', async () => {
  const big = await (await setup()).coordinator.decide(order({ amountIn: '3000000000' })); // 3,000 USD > 2,500
  assert.equal(big.kind, 'blocked');
  assert.match(big.kind === 'blocked' ? big.reason : '', /max-order-notional/);
  const killed = await setup({ killSwitch: true, paused: false });
  const d = await killed.coordinator.handle(order({}));
  assert.equal(d.kind, 'blocked');
  await killed.bus.settle();
  assert.deepEqual(killed.executed, []);
  const stored = await killed.store.listOrders();
  assert.equal(stored[0]!.status, 'blocked');
  assert.match(stored[0]!.reason!, /kill switch/);
});

test('an order published twice is executed once; results reach execution.confirmed with the route', async () => {
  const { bus, store, executed } = await setup();
  const confirmed: unknown[] = [];
  await bus.subscribe(SUBJECTS.confirmed, (m) => void confirmed.push(m.data));
  const o = order({ urgency: 'low' });
  const json = (await import('../../engine/orders/index.ts')).orderToJson(o);
  await bus.publish(`${SUBJECTS.opportunities}.grid`, json);
  await bus.publish(`${SUBJECTS.opportunities}.grid`, json); // no msg id: only the store's dedup stops it
  await bus.settle();
  assert.deepEqual(executed, [`${o.id}@rpc`]);
  assert.equal((await store.getOrder(o.id))!.status, 'filled');
  assert.equal(confirmed.length, 1);
  assert.equal((confirmed[0] as { route: { executor: string } }).route.executor, 'rpc');
});

test('more orders a minute than params.risk.maxOrdersPerMinute are blocked; expired orders never route', async () => {
  const { coordinator, setNow } = await setup();
  const results = [];
  for (let i = 0; i < 31; i++) results.push((await coordinator.handle(order({}, 'grid', { i }))).kind);
  assert.deepEqual(results.slice(0, 30), Array(30).fill('routed'));
  assert.equal(results[30], 'blocked');
  setNow(new Date('2022-01-01T00:01:00.001Z'));
  assert.equal((await coordinator.handle(order({}, 'grid', { i: 'later' }))).kind, 'routed');
  setNow(new Date('2022-01-02T00:00:00Z')); // past the 12 h TTL
  assert.equal((await coordinator.handle(order({}, 'grid', { i: 'stale' }))).kind, 'expired');
});

test('quote accuracy: realized against expected per venue and route; the shipped guard blocks once enough fills fall short', async () => {
  const accuracy = new QuoteAccuracy();
  const { coordinator } = await setup(undefined, { quoteAccuracy: () => accuracy.fact() });
  assert.equal(accuracy.record('orca-whirlpool', 'jito', 1_000_000n, 1_000_000n), 0);
  assert.equal(accuracy.record('raydium-clmm', 'rpc', 1_000_000n, 990_000n), 100, '1% short = 100 bps');
  assert.equal(accuracy.record('raydium-clmm', 'jito', 3n, 4n), -3333.33, 'more than quoted is negative');
  const fact = accuracy.fact();
  assert.deepEqual([fact.samples, fact.worstShortfallBps, fact.lastShortfallBps], [3, 100, -3333.33]);
  assert.deepEqual(Object.keys(fact.byVenue).sort(), ['orca-whirlpool', 'raydium-clmm']);
  assert.deepEqual([fact.byVenue['raydium-clmm']!.samples, fact.byRoute.jito!.samples, fact.byRoute.rpc!.meanShortfallBps], [2, 2, 100]);
  // strategies.yaml: risk.maxMeanShortfallBps 50 over at least risk.minAccuracySamples 10.
  const short = new QuoteAccuracy();
  const guarded = await setup(undefined, { quoteAccuracy: () => short.fact() });
  for (let i = 0; i < 9; i++) short.record('orca-whirlpool', 'jito', 1_000_000n, 990_000n);
  assert.equal((await guarded.coordinator.decide(order({}))).kind, 'routed', '9 samples: too few to judge');
  short.record('orca-whirlpool', 'jito', 1_000_000n, 990_000n);
  const blocked = await guarded.coordinator.decide(order({}));
  assert.deepEqual(blocked.kind === 'blocked' && blocked.rules, ['quote-accuracy-guard']);
  assert.equal((await coordinator.decide(order({}))).kind, 'routed', 'a mean of 3 samples is not judged');
});

test('the tip fact reaches the routing rules: an arbitrage route carries the recommended tip, which the Jito tip policy bounds', async () => {
  const { StaticTipFloor, TipAdvisor, tipFloorFromFile } = await import('../../engine/executors/index.ts');
  const { tipLamports, tipPolicyOf } = await import('../../engine/executors/live/plan.ts');
  const { sharedFixture } = await import('../support/paths.ts');
  const advisor = new TipAdvisor(new StaticTipFloor(tipFloorFromFile(sharedFixture('jito', 'tip-accounts-and-limits.json'))));
  for (let i = 0; i < 10; i++) advisor.record(i < 5, 10_000n); // half landed: the 95th percentile
  const { coordinator } = await setup(undefined, { tip: () => advisor.fact() });
  const profitable = order({ side: 'roundtrip', urgency: 'high', expectedProfitLamports: '10000000' }, 'arbitrage'); // 0.01 SOL
  const d = await coordinator.decide(profitable);
  assert.ok(d.kind === 'routed');
  assert.equal(d.route.ruleId, 'route-arbitrage-to-jito');
  assert.equal(d.route.params.tipLamports, '1447906', 'the 95th percentile of the recorded tip floor');
  // 70 % of 0.01 SOL is 7,000,000 lamports, above the recommendation: the recommendation is tipped; the cap (5,000,000) is not reached.
  assert.equal(tipLamports(10_000_000n, tipPolicyOf(d.route)), 1_447_906n);
  // A small profit: its share is the ceiling.
  assert.equal(tipLamports(1_000_000n, tipPolicyOf(d.route)), 700_000n);
  // No tip fact (no floor known): the route carries no tipLamports, the share policy applies.
  const plain = await (await setup(undefined, { tip: () => undefined })).coordinator.decide(order({ side: 'roundtrip', urgency: 'high' }, 'arbitrage'));
  assert.ok(plain.kind === 'routed');
  assert.equal(plain.route.params.tipLamports, undefined);
});

/** solrules_rule_evaluations_total of one rule file, as exported. */
async function evaluationsOf(file: string): Promise<number> {
  const values = (await metrics.rules.evaluations.get()).values.filter((v) => v.labels.file === file);
  return values.reduce((sum, v) => sum + v.value, 0);
}

test('risk and routing evaluation metrics: per order in a run; summed and added at stop when batched (a backtest)', async () => {
  resetMetrics();
  const plain = await setup();
  await plain.coordinator.decide(order({ urgency: 'low' }));
  assert.equal(await evaluationsOf('risk'), 1, 'a run adds each evaluation at once');
  assert.equal(await evaluationsOf('routing'), 1);
  await plain.coordinator.stop();

  resetMetrics();
  const batched = await setup(undefined, { batchEvaluationMetrics: true });
  for (let i = 0; i < 3; i++) assert.equal((await batched.coordinator.decide(order({ urgency: 'low' }))).kind, 'routed');
  assert.equal(await evaluationsOf('risk'), 0, 'batched: nothing added before the flush');
  await batched.coordinator.stop();
  assert.equal(await evaluationsOf('risk'), 3, 'the stop adds every evaluation the batch summed');
  assert.equal(await evaluationsOf('routing'), 3);
});

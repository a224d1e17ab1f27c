/**
 * A reload of paper.feeBps / paper.slippageBps changes the fills that follow (the paper executor
 * reads them at fill time); settings the running engine built at start are reported as needing a
 * restart instead of as applied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder, Reloader } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { compose, composeEngine, settingsNeedingRestart, type FactSource } from '../../engine/app/index.ts';
import { feeAtoms } from '../../engine/executors/paper/paper.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const log = createLogger({ level: 'silent' });

test('a reload of paper.feeBps and paper.slippageBps changes the fees and prices of the next fills', async () => {
  const root = mkdtempSync(join(tmpdir(), 'solrules-paper-reload-'));
  try {
    for (const f of ['strategies.yaml', 'rules']) cpSync(join(REPO_ROOT, f), join(root, f), { recursive: true });
    const built = await buildActiveConfig(root, compiledEvaluator, 'test', { runTests: false });
    assert.ok(built.active);
    assert.equal(built.active.strategies.paper?.feeBps, 25);
    const holder = new ConfigHolder(built.active);
    const store = new MemoryStore();
    const bus = new MemoryBus();
    const engine = await composeEngine({ holder, bus, store, log });
    await engine.start();
    const SOL = built.active.strategies.market.base;
    let t = Date.parse('2022-01-01T00:00:00Z');
    const prices = new Map<string, number>();
    const tick = async (usd: number) => {
      prices.set(new Date(t).toISOString(), usd);
      await engine.onPrice({ mint: SOL.mint, symbol: 'SOL', usd, time: new Date(t).toISOString(), source: 'test' });
      await bus.settle();
      t += 6 * 3_600_000;
    };
    for (const usd of [100, 93, 86, 80]) await tick(usd); // the grid buys through its levels
    const before = (await store.listExecutions()).filter((e) => e.status === 'filled');
    assert.ok(before.length >= 2, `fills before the reload (${before.length})`);
    for (const e of before) {
      assert.equal(e.feeAtoms, feeAtoms(e.amountIn, 25), 'fee at 25 bps before the reload');
      const order = (await store.getOrder(e.orderId))!.order;
      assert.equal(e.fillPriceUsd, prices.get(order.createdAt)! * (order.side === 'buy' ? 1.001 : 0.999), 'slippage 10 bps before the reload');
    }

    const file = join(root, 'strategies.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('feeBps: 25', 'feeBps: 50').replace('slippageBps: 10', 'slippageBps: 40'));
    const reloader = new Reloader({ root, factory: compiledEvaluator, holder, log });
    const outcome = await reloader.reload('test');
    assert.ok(outcome.applied, 'the reload was applied');
    assert.deepEqual(settingsNeedingRestart(built.active.strategies, holder.current.strategies), [], 'fee and slippage take effect without a restart');

    for (const usd of [74, 69, 64, 60]) await tick(usd);
    const seen = new Set(before.map((e) => e.orderId));
    const after = (await store.listExecutions()).filter((e) => e.status === 'filled' && !seen.has(e.orderId));
    assert.ok(after.length >= 2, `fills after the reload (${after.length})`);
    for (const e of after) {
      assert.equal(e.feeAtoms, feeAtoms(e.amountIn, 50), `fee at 50 bps after the reload (order ${e.orderId})`);
      const order = (await store.getOrder(e.orderId))!.order;
      const market = prices.get(order.createdAt)!;
      assert.equal(e.fillPriceUsd, order.side === 'buy' ? market * 1.004 : market * 0.996, `filled 40 bps against the order after the reload (order ${e.orderId})`);
    }
    await engine.stop();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a reload that changes what the engine built at start says those settings need a restart', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const a = built.active!.strategies;
  const b = structuredClone(a);
  b.paper = { ...b.paper, feeBps: 50, startingBalances: { base: '0', quote: '1' } };
  b.market.base = { ...b.market.base, decimals: 8 };
  b.executors.jito = { ...b.executors.jito!, concurrency: 9 };
  b.replay = { ...b.replay, from: '2022-02-02' };
  b.strategies.grid = { ...b.strategies.grid!, kind: 'dca' };
  b.strategies.extra = { ...b.strategies.dca! };
  delete b.strategies.arbitrage;
  b.risk.params.maxOrdersPerMinute = 1; // a threshold: takes effect at once
  // (market.base is not listed: a reload changing the pair is refused, test/config/reload-restart.test.ts)
  assert.deepEqual(settingsNeedingRestart(a, b), [
    'paper.startingBalances',
    'executors.jito',
    'replay.from',
    'strategies.grid.kind',
    'strategies.extra (added)',
    'strategies.arbitrage (removed)',
  ]);
});

test('the running system reports a reload of paper.startingBalances as needing a restart, and fee changes as not', async () => {
  const root = mkdtempSync(join(tmpdir(), 'solrules-restart-'));
  const saved = process.env.SOLRULES_STORE;
  process.env.SOLRULES_STORE = 'memory';
  try {
    for (const f of ['strategies.yaml', 'rules']) cpSync(join(REPO_ROOT, f), join(root, f), { recursive: true });
    const built = await buildActiveConfig(root, compiledEvaluator, 'test', { runTests: false });
    const said: string[][] = [];
    const source: FactSource = { mode: 'replay', description: 'nothing (test)', run: async () => {} };
    const app = await compose({ root, active: built.active!, factory: compiledEvaluator, log, source, watch: false, onReload: (o, needsRestart) => void (o.applied && said.push(needsRestart)) });
    try {
      const file = join(root, 'strategies.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('feeBps: 25', 'feeBps: 30'));
      await app.reloader.reload('test');
      writeFileSync(file, readFileSync(file, 'utf8').replace('quote: "20000000000"', 'quote: "50000000000"'));
      await app.reloader.reload('test');
      assert.deepEqual(said, [[], ['paper.startingBalances']]);
    } finally {
      await app.close();
    }
  } finally {
    if (saved === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = saved;
    rmSync(root, { recursive: true, force: true });
  }
});

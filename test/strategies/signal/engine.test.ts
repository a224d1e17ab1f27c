/**
 * A signal strategy through the whole engine: bars in as price events (PriceEvent.bar), the
 * planner's indicator and position facts, the shipped sma-cross rules, orders over the bus, the
 * coordinator's risk and routing rules, the paper executor, fills back into the position.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBus } from '../../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../../engine/config/index.ts';
import { compiledEvaluator } from '../../../engine/rules/index.ts';
import { composeEngine, type PriceEvent } from '../../../engine/app/index.ts';
import { MemoryStore } from '../../../engine/infra/store/index.ts';
import { createLogger, currentOrderId } from '../../../engine/infra/telemetry/index.ts';
import type { SignalTrade } from '../../../engine/strategies/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';

const log = createLogger({ level: 'silent' });

const SMA_CROSS = `  sma-cross:
    kind: signal
    enabled: true
    rules: rules/sma-cross.yaml
    indicators:
      fast: { sma: 2 }
      slow: { sma: 3 }
    params:
      sizing: { type: usd, value: 500 }
      stopLoss: { pct: 20 }
      maxSlippageBps: 200
      maxExitChunkUsd: 2400
`;

/** A project copy where only sma-cross (as SMA_CROSS) is enabled, built; `dir` is the caller's to remove. */
async function smaCrossProject(prefix: string): Promise<{ dir: string; built: Awaited<ReturnType<typeof buildActiveConfig>> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO_ROOT, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(REPO_ROOT, 'schemas'), join(dir, 'schemas'), { recursive: true });
  let yaml = readFileSync(join(REPO_ROOT, 'strategies.yaml'), 'utf8').replace(/kind: (grid|dca)\n    enabled: true/g, 'kind: $1\n    enabled: false');
  yaml = yaml.replace(/  sma-cross:\n[\s\S]*?(?=\n  rsi-revert:)/, SMA_CROSS);
  writeFileSync(join(dir, 'strategies.yaml'), yaml);
  return { dir, built: await buildActiveConfig(dir, compiledEvaluator, 'test', { runTests: false }) };
}

test('sma-cross on hourly bars: buys on the cross up, sells the whole position on the cross down', async () => {
  const { dir, built } = await smaCrossProject('solrules-signal-engine-');
  try {
    assert.ok(built.active, JSON.stringify(built.diagnostics));
    const bus = new MemoryBus();
    const engine = await composeEngine({ holder: new ConfigHolder(built.active), bus, store: new MemoryStore(), log });
    await engine.start();
    const SOL = built.active.strategies.market.base;
    // closes by hand: sma2 / sma3 cross up at bar 5 (97.5 ≤ 98, then 98.5 > 98.33), down at bar 9 (105.5 ≥ 105, then 100 < 102.67)
    const closes = [100, 99, 98, 97, 100, 104, 108, 103, 97, 96];
    const hits: number[] = [];
    for (const [i, close] of closes.entries()) {
      const time = Date.UTC(2024, 0, 1, i);
      const event: PriceEvent = { mint: SOL.mint, symbol: 'SOL', usd: close, time: new Date(time + 3_600_000).toISOString(), source: 'test', bar: { time, open: close, high: close + 0.5, low: close - 0.5, close } };
      const before = engine.stats.ruleHits.size ? [...engine.stats.ruleHits.values()].reduce((a, b) => a + b, 0) : 0;
      await engine.onPrice(event);
      await bus.settle();
      if ([...engine.stats.ruleHits.values()].reduce((a, b) => a + b, 0) > before) hits.push(i + 1);
    }
    assert.deepEqual(hits, [5, 9], 'rules fire on bar 5 (enter) and bar 9 (exit) only');
    const planner = engine.planners.get('sma-cross')!;
    const summary = planner.summary!() as { trades: SignalTrade[] };
    assert.equal(summary.trades.length, 1, JSON.stringify(engine.stats, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v)));
    const t = summary.trades[0]!;
    assert.equal(t.exitReason, 'cross-down');
    assert.equal(t.costQuoteAtoms, '500000000', 'the buy spent exactly 500 USDC in atoms');
    assert.equal(t.barsHeld, 4);
    assert.equal(planner.pnl(96, 1).inventoryAtoms, 0n, 'the whole position was sold');
    assert.ok(t.pnlUsd < 0 && t.pnlUsd > -30, `bought near 100, sold near 97: ${t.pnlUsd}`);
    await engine.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('orderLogContext: an order is published with its id in the context (log lines carry it) unless turned off, as a backtest does', async () => {
  const { dir, built } = await smaCrossProject('solrules-signal-context-');
  try {
    assert.ok(built.active, JSON.stringify(built.diagnostics));
    const SOL = built.active.strategies.market.base;
    // What the coordinator's side sees of each order: its id, and the order id of the context it
    // runs in (a bus sharing payloads, as a backtest's, runs handlers in the publisher's context).
    const seen = async (orderLogContext: boolean | undefined): Promise<Array<{ id: string; context: string | undefined }>> => {
      const bus = new MemoryBus({ sharePayloads: true });
      const engine = await composeEngine({ holder: new ConfigHolder(built.active!), bus, store: new MemoryStore(), log, ...(orderLogContext === undefined ? {} : { orderLogContext }) });
      const out: Array<{ id: string; context: string | undefined }> = [];
      await bus.subscribe<{ id: string }>('trade.opportunities.>', (m) => void out.push({ id: m.data.id, context: currentOrderId() }));
      await engine.start();
      for (const [i, close] of [100, 99, 98, 97, 100, 104].entries()) {
        const time = Date.UTC(2024, 0, 1, i);
        await engine.onPrice({ mint: SOL.mint, symbol: 'SOL', usd: close, time: new Date(time + 3_600_000).toISOString(), source: 'test', bar: { time, open: close, high: close, low: close, close } });
        await bus.settle();
      }
      await engine.stop();
      return out;
    };
    const tagged = await seen(undefined);
    assert.equal(tagged.length, 1, 'one entry decided (the cross up at bar 5)');
    assert.equal(tagged[0]!.context, tagged[0]!.id, 'by default the order id is in the context');
    const plain = await seen(false);
    assert.deepEqual(plain.map((o) => o.id), tagged.map((o) => o.id), 'the same order either way');
    assert.equal(plain[0]!.context, undefined, 'orderLogContext: false (tracing off) publishes without it');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

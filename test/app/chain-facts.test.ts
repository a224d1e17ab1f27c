/**
 * In a chain run the scanners' price event carries the best bid / ask and the venue spread: the
 * engine passes them to strategy rules as `price.bidUsd` / `price.askUsd` and the `spread` fact
 * (what facts/producers.ts declares for chain runs); a replay's price event has neither.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { referenceEvaluator, type RuleFile } from '../../engine/rules/index.ts';
import { composeEngine, FactWatch } from '../../engine/app/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

class Recorder extends FactWatch {
  readonly seen: Record<string, unknown>[] = [];
  override observe(file: RuleFile, facts: Readonly<Record<string, unknown>>): void {
    this.seen.push({ file: file.id, ...facts });
  }
}

test('the chain price event reaches strategy rules as price.bidUsd / askUsd and the spread fact', async () => {
  const built = await buildActiveConfig(REPO_ROOT, referenceEvaluator, 'test', { runTests: false });
  assert.ok(built.active);
  const log = createLogger({ level: 'silent' });
  const bus = new MemoryBus();
  const watch = new Recorder(log, new Set());
  const engine = await composeEngine({ holder: new ConfigHolder(built.active), bus, store: new MemoryStore(), log, factWatch: watch });
  await engine.start();
  const sol = built.active.strategies.market.base.mint;
  const spread = { mint: sol, spreadBps: 12.5, bestBidVenue: 'meteora-dlmm', bestAskVenue: 'orca-whirlpool', venues: ['orca-whirlpool', 'meteora-dlmm'] };
  await bus.publish(`market.prices.${sol}`, { mint: sol, symbol: 'SOL', usd: 40.1, bidUsd: 40.05, askUsd: 40.15, time: '2026-01-01T00:00:00.000Z', source: 'venues', slot: 7, spread });
  await bus.publish(`market.prices.${sol}`, { mint: sol, symbol: 'SOL', usd: 40.2, time: '2026-01-01T00:00:01.000Z', source: 'replay' });
  await bus.settle();
  await engine.stop();
  const strategyFacts = watch.seen.filter((f) => f.price !== undefined);
  const [chain, replay] = [strategyFacts.filter((f) => (f.price as { usd: number }).usd === 40.1), strategyFacts.filter((f) => (f.price as { usd: number }).usd === 40.2)];
  assert.ok(chain.length > 0 && replay.length > 0);
  for (const f of chain) {
    assert.deepEqual(f.spread, spread);
    assert.equal((f.price as { bidUsd: number }).bidUsd, 40.05);
    assert.equal((f.price as { askUsd: number }).askUsd, 40.15);
  }
  for (const f of replay) {
    assert.equal(f.spread, undefined);
    assert.equal((f.price as { bidUsd?: number }).bidUsd, undefined);
  }
});

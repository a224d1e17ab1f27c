/**
 * The replay source reports its progress: solrules_replay_progress_ratio reaches exactly 1 once
 * the last tick settled (a scraper and the e2e:observability script wait for it), and a replay
 * stopped early stays below 1 with the ticks it replayed counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { composeEngine, ReplaySource } from '../../engine/app/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger, metrics } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const log = createLogger({ level: 'silent' });
const candles = [100, 95, 90, 97, 105, 110].map((c, i) => ({ date: `2022-01-0${i + 1}`, open: c, high: c + 3, low: c - 3, close: c + 1, volumeUsd: 1e6 }));

async function replayEngine() {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  assert.ok(built.active);
  const bus = new MemoryBus();
  const engine = await composeEngine({ holder: new ConfigHolder(built.active), bus, store: new MemoryStore(), log });
  await engine.start();
  return { bus, engine, base: built.active.strategies.market.base };
}

const progress = async () => (await metrics.engine.replayProgress.get()).values[0]?.value;
const ticksReplayed = async () => (await metrics.engine.replayTicks.get()).values[0]?.value ?? 0;

test('the replay progress gauge reads 1 once the last tick settled, and rises with each tick before', async () => {
  const { bus, engine, base } = await replayEngine();
  const seen: number[] = [];
  const source = new ReplaySource({ candles, base, file: 'test', afterTick: async () => void seen.push((await progress())!) });
  const ticksBefore = await ticksReplayed();
  await source.run(bus, engine);
  await engine.stop();
  assert.equal(source.ticks.length, candles.length * 4);
  assert.equal(await progress(), 1, 'the finished replay reports 1');
  assert.equal((await ticksReplayed()) - ticksBefore, source.ticks.length, 'every tick counted');
  assert.equal(seen.length, source.ticks.length);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, `progress rises at tick ${i}: ${seen[i - 1]} -> ${seen[i]}`);
});

test('a replay stopped early reports the share it replayed, below 1', async () => {
  const { bus, engine, base } = await replayEngine();
  let source: ReplaySource;
  const stopAt = 9;
  source = new ReplaySource({ candles, base, file: 'test', onTick: (_t, i) => void (i === stopAt - 1 && source.stop()) });
  await source.run(bus, engine);
  await engine.stop();
  assert.equal(await progress(), stopAt / source.ticks.length);
});

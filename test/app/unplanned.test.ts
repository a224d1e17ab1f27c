/** An enabled strategy that has no planner in the running engine is said (log and metric), once — never skipped quietly. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { composeEngine } from '../../engine/app/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { registry, type Logger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

test('a strategy without a planner (e.g. enabled by a reload) is warned once and counted, and the others keep trading', async () => {
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  assert.ok(built.active);
  const warnings: string[] = [];
  const log = { warn: (_o: unknown, msg: string) => void warnings.push(msg), child: () => log, info: () => {}, debug: () => {}, error: () => {} } as unknown as Logger;
  const engine = await composeEngine({ holder: new ConfigHolder(built.active), bus: new MemoryBus(), store: new MemoryStore(), log });
  engine.planners.delete('dca'); // as if dca had been added after the engine started
  const count = async () => (await registry.getSingleMetric('solrules_strategy_unplanned_total')!.get()).values.find((v) => v.labels.strategy === 'dca')?.value ?? 0;
  const before = await count();
  const base = built.active.strategies.market.base;
  for (let day = 1; day <= 3; day++) await engine.onPrice({ mint: base.mint, symbol: base.symbol, usd: 20 + day, time: `2023-01-0${day}T00:00:00.000Z`, source: 'test' });
  const said = warnings.filter((w) => w.includes("strategy 'dca' is enabled but has no planner"));
  assert.equal(said.length, 1, warnings.join('\n'));
  assert.equal((await count()) - before, 1);
  assert.equal(engine.stats.evaluations, 3, 'grid still evaluated on every tick');
});

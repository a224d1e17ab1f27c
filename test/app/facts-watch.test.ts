/**
 * The run-time half of "no silent no-ops": FactWatch warns once (and counts a metric) when a fact
 * a rule file reads stays absent, unproducedReads names what a run's mode cannot supply, and
 * DailyLoss is the day's realized loss (risk.dailyLossUsd was a constant 0 before).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DailyLoss, FactWatch, factReads, unproducedReads } from '../../engine/app/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { registry, type Logger } from '../../engine/infra/telemetry/index.ts';
import { evaluatorFactory, type RuleFile } from '../../engine/rules/index.ts';
import type { Planner } from '../../engine/strategies/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const ruleFile = (id: string): RuleFile =>
  ({
    id,
    kind: 'strategy',
    strategy: id,
    file: `${id}.yaml`,
    hash: `hash-${id}`,
    conditions: { cheap: { fact: 'price', path: 'usd', operator: 'lessThan', value: { fact: 'grid', path: 'buyLevelUsd' } } },
    rules: [{ id: 'r', conditions: { all: [{ fact: 'pool', path: 'priceUsd', operator: 'greaterThan', value: 1 }, { condition: 'cheap' }] }, event: { type: 'signal' } }],
  }) as unknown as RuleFile;

function capture(): { log: Logger; warnings: string[] } {
  const warnings: string[] = [];
  return { log: { warn: (_o: unknown, msg: string) => void warnings.push(msg) } as unknown as Logger, warnings };
}

async function missingCount(file: string, fact: string): Promise<number> {
  const m = registry.getSingleMetric('solrules_rule_facts_missing_total');
  return (await m!.get()).values.find((v) => v.labels.file === file && v.labels.fact === fact)?.value ?? 0;
}

test('factReads follows named conditions and fact-valued operands', () => {
  assert.deepEqual(factReads(ruleFile('a')).map((r) => `${r.fact}.${r.path}`).sort(), ['grid.buyLevelUsd', 'pool.priceUsd', 'price.usd']);
});

test('a fact absent for `threshold` evaluations in a row is warned once and counted; a present one resets the count', async () => {
  const { log, warnings } = capture();
  const watch = new FactWatch(log, new Set(), 5);
  const rf = ruleFile('watch-a');
  const before = await missingCount('watch-a', 'pool');
  for (let i = 0; i < 4; i++) watch.observe(rf, { price: { usd: 1 }, grid: {} });
  watch.observe(rf, { price: { usd: 1 }, grid: {}, pool: { priceUsd: 2 } }); // produced once: the streak restarts
  for (let i = 0; i < 4; i++) watch.observe(rf, { price: { usd: 1 }, grid: {} });
  assert.deepEqual(warnings, [], 'four in a row is not yet five');
  for (let i = 0; i < 20; i++) watch.observe(rf, { price: { usd: 1 }, grid: {} });
  assert.equal(warnings.length, 1, 'warned once, not on every evaluation after');
  assert.match(warnings[0]!, /'watch-a' read fact 'pool', which has not been produced for 5 evaluations in a row/);
  assert.equal((await missingCount('watch-a', 'pool')) - before, 1);
});

test('a fact already said at start to be unproduced in this mode is not warned again', () => {
  const { log, warnings } = capture();
  const watch = new FactWatch(log, new Set(['watch-b:pool']), 3);
  for (let i = 0; i < 10; i++) watch.observe(ruleFile('watch-b'), { price: {}, grid: {} });
  assert.deepEqual(warnings, []);
});

test('unproducedReads: a replay cannot feed the quote-accuracy guard or the wallet rules, a chain run can', async () => {
  const built = await buildActiveConfig(REPO_ROOT, evaluatorFactory('compiled'), 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const replay = unproducedReads(built.active, 'replay');
  assert.deepEqual([...new Set(replay.map((r) => `${r.file}/${r.rule}:${r.fact}`))], ['risk/quote-accuracy-guard:quoteAccuracy', 'wallets/worker-top-up:wallet', 'wallets/worker-sweep:wallet']);
  assert.match(replay[0]!.why, /confirmation monitor of live executors.*chain runs/);
  assert.deepEqual(unproducedReads(built.active, 'chain'), []);
});

test('DailyLoss is the realized loss since the UTC day began, across planners, never negative', () => {
  let realized = 100;
  const planner = { pnl: () => ({ realizedUsd: realized, unrealizedUsd: 0, feesUsd: 0, inventoryAtoms: 0n }) } as unknown as Planner;
  const planners = [planner, planner]; // two strategies, each realizing `realized`
  const loss = new DailyLoss();
  const at = (iso: string) => loss.lossUsd(new Date(iso), planners, 10);
  assert.equal(at('2024-01-01T01:00:00Z'), 0, 'the day starts at the realized P&L then');
  realized = 70;
  assert.equal(at('2024-01-01T05:00:00Z'), 60, 'both strategies lost 30');
  realized = 130;
  assert.equal(at('2024-01-01T23:00:00Z'), 0, 'a gain is no loss');
  realized = 50;
  assert.equal(at('2024-01-02T00:00:00Z'), 0, 'a new UTC day starts again from here');
  realized = 20;
  assert.equal(at('2024-01-02T12:00:00Z'), 60);
});

/**
 * The reason label of solrules_strategy_completions_total is bounded by the loaded rule files:
 * a signal rule's `exit:` (cross-down in rules/sma-cross.yaml, trend-or-ai in examples/ai-trend)
 * is counted under its own name once the running system declared it, and an undeclared reason
 * falls to `other` with one warning however often it recurs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { compose, declaredCompletionReasons, type FactSource } from '../../engine/app/index.ts';
import { createLogger, metrics, onLabelViolation, resetMetrics, type LabelViolation } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

const log = createLogger({ level: 'silent' });

async function completions(): Promise<Map<string, number>> {
  return new Map((await metrics.strategy.completions.get()).values.map((v) => [`${v.labels.strategy}/${v.labels.reason}`, v.value]));
}

test('the exit reasons the strategy rule files declare: cross-down (sma-cross), trend-or-ai (examples/ai-trend)', async () => {
  const shipped = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  assert.ok(shipped.active);
  assert.ok(declaredCompletionReasons(shipped.active).includes('cross-down'));
  const example = await buildActiveConfig(join(REPO_ROOT, 'examples', 'ai-trend'), compiledEvaluator, 'test', { runTests: false });
  assert.ok(example.active);
  const reasons = declaredCompletionReasons(example.active);
  assert.ok(reasons.includes('trend-or-ai'), reasons.join(', '));
  assert.ok(!reasons.includes('cross-down'), 'only what the loaded files declare');
});

test('the running system counts a declared exit reason under its name, and an undeclared one as other with one warning', async () => {
  resetMetrics();
  const violations: LabelViolation[] = [];
  const off = onLabelViolation((v) => violations.push(v));
  const saved = process.env.SOLRULES_STORE;
  process.env.SOLRULES_STORE = 'memory';
  const built = await buildActiveConfig(REPO_ROOT, compiledEvaluator, 'test', { runTests: false });
  const source: FactSource = { mode: 'replay', description: 'nothing (test)', run: async () => {} };
  const app = await compose({ root: REPO_ROOT, active: built.active!, factory: compiledEvaluator, log, source, watch: false });
  try {
    metrics.strategy.completions.inc({ strategy: 'sma-cross', reason: 'cross-down' });
    metrics.strategy.completions.inc({ strategy: 'sma-cross', reason: 'trailing-stop' });
    for (let i = 0; i < 5; i++) metrics.strategy.completions.inc({ strategy: 'sma-cross', reason: 'not-declared-anywhere' });
    const counted = await completions();
    assert.equal(counted.get('sma-cross/cross-down'), 1, 'declared by rules/sma-cross.yaml');
    assert.equal(counted.get('sma-cross/trailing-stop'), 1, "the signal planner's own reason");
    assert.equal(counted.get('sma-cross/other'), 5, 'an undeclared reason');
    const warned = violations.filter((v) => v.metric === 'solrules_strategy_completions_total');
    assert.equal(warned.length, 1, `one warning, not one per completion: ${JSON.stringify(warned)}`);
    assert.equal(warned[0]!.value, 'not-declared-anywhere');
  } finally {
    off();
    await app.close();
    if (saved === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = saved;
  }
});

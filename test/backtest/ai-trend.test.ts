/**
 * The ai-trend example backtested with its recorded answers (SCRIPTED loopback answers, see
 * scripts/record-ai-example.ts): every analysis is replayed from the recordings and none calls
 * the network; the summary and report say what was replayed and what was missing; and the report
 * shows where the AI changed a decision, each episode explained by the ai fact at that bar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { buildActiveConfig, type ActiveConfig } from '../../engine/config/index.ts';
import { fillModel, formatBacktestSummary, loadBacktestData, runBacktest, writeReport } from '../../engine/backtest/index.ts';
import { compiledEvaluator } from '../../engine/rules/index.ts';
import { createLogger, setLogger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';

setLogger(createLogger({ level: 'silent' }));

// The start of the recorded period (a later start draws the first charts from less history: other hashes).
const FROM = '2025-11-01';

async function example(): Promise<ActiveConfig> {
  const built = await buildActiveConfig(join(REPO_ROOT, 'examples', 'ai-trend'), compiledEvaluator, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics.slice(0, 3)));
  return built.active;
}

async function backtest(active: ActiveConfig, to: string) {
  const cfg = active.strategies;
  const data = loadBacktestData(cfg, active.project.strategies!.src.file, { from: FROM, to });
  return runBacktest({ active, series: data.series, strategies: ['ai-trend'], fill: fillModel({ fillAt: 'next-open', feeBps: 25, slippageBps: 10 }), generatedAt: '2026-01-01T00:00:00.000Z' });
}

/** fetch replaced for the test: any network call by the engine is counted (and fails). */
function countFetches(): { calls: () => number; restore: () => void } {
  const original = globalThis.fetch;
  let calls = 0;
  globalThis.fetch = (async () => {
    calls += 1;
    throw new Error('a backtest must not touch the network');
  }) as typeof fetch;
  return { calls: () => calls, restore: () => void (globalThis.fetch = original) };
}

test('the ai-trend example replays its recorded answers, calls nothing, and its report shows where the AI decided', async () => {
  const active = await example();
  const net = countFetches();
  let run;
  try {
    run = await backtest(active, '2025-11-12');
  } finally {
    net.restore();
  }
  assert.equal(net.calls(), 0, 'no network call');
  const ai = run.result.ai!;
  assert.ok(ai, 'the result has an AI section');
  assert.equal(ai.model, 'scripted-loopback-v1');
  assert.equal(ai.missing.length, 0);
  // First chart after 96 closed 1h candles (Nov 5 00:00), then every 4 h through Nov 12 00:00 (the last close).
  assert.equal(ai.replayed.length, 7 * 6 + 1);
  assert.deepEqual(ai.streams.map((s) => [s.counts.scheduled, s.counts.ok]), [[43, 43]]);

  const minConfidence = active.strategies.strategies['ai-trend']!.params.minConfidence as number;
  const episodes = ai.decisions.episodes;
  const vetoed = episodes.filter((e) => e.effect === 'vetoed');
  const enabled = episodes.filter((e) => e.effect === 'enabled');
  assert.ok(vetoed.length >= 2 && enabled.length >= 1, JSON.stringify(episodes));
  for (const e of vetoed) {
    // A veto is an entry the trend wanted and the AI's answer did not allow.
    assert.equal(e.rule, 'ai-trend-enter');
    assert.ok(!(e.ai.status === 'ok' && e.ai.recommendation === 'buy' && e.ai.confidence >= minConfidence), JSON.stringify(e));
  }
  for (const e of enabled) {
    // An exit the trend alone did not call: a fresh, confident sell answer did.
    assert.equal(e.rule, 'ai-trend-exit');
    assert.deepEqual([e.ai.status, e.ai.recommendation], ['ok', 'sell']);
    assert.ok(e.ai.confidence >= minConfidence);
    // ... and the engine did sell at that bar.
    assert.ok(run.orders.some((o) => o.rule === 'ai-trend-exit' && o.decidedAtMs === e.firstMs), `a sell decided at ${new Date(e.firstMs).toISOString()}`);
  }
  // Every entry the engine made had a confident AI buy behind it: none is in a vetoed episode.
  for (const o of run.orders.filter((x) => x.rule === 'ai-trend-enter')) assert.ok(!vetoed.some((e) => o.decidedAtMs >= e.firstMs && o.decidedAtMs <= e.lastMs));

  const dir = mkdtempSync(join(tmpdir(), 'solrules-ai-bt-'));
  const written = writeReport(run.result, dir);
  const json = JSON.parse(readFileSync(written.jsonPath, 'utf8')) as { ai: typeof ai };
  assert.equal(json.ai.decisions.episodes.length, episodes.length);
  assert.equal(json.ai.replayed.length, 43);
  const html = readFileSync(written.htmlPath, 'utf8');
  assert.equal(html.match(/<tr class="vetoed">/g)?.length, vetoed.length);
  assert.equal(html.match(/<tr class="enabled">/g)?.length, enabled.length);
  assert.match(html, /43 answer\(s\) replayed, <b>0 missing<\/b>/);
  const summary = formatBacktestSummary(run, written.model);
  assert.match(summary, /AI: 43 recorded answer\(s\) replayed \(model scripted-loopback-v1\), 0 missing — no model was called/);
  assert.match(summary, new RegExp(`AI decided: vetoed ${vetoed.reduce((a, e) => a + e.bars, 0)} bar\\(s\\)`));
});

test('answers missing from the recordings are reported as missing (which chart, which hash), never invented', async () => {
  const active = await example();
  const entry = active.strategies.strategies['ai-trend']!;
  const recorded = readFileSync(resolve(dirname(active.project.strategies!.src.file), entry.ai!.recordings!), 'utf8').trim().split('\n');
  // Keep every other recorded answer.
  const partial = join(mkdtempSync(join(tmpdir(), 'solrules-ai-rec-')), 'partial.jsonl');
  writeFileSync(partial, recorded.filter((_, i) => i % 2 === 0).join('\n') + '\n');
  const cut: ActiveConfig = { ...active, strategies: { ...active.strategies, strategies: { ...active.strategies.strategies, 'ai-trend': { ...entry, ai: { ...entry.ai!, recordings: partial } } } } };
  const run = await backtest(cut, '2025-11-06');
  const ai = run.result.ai!;
  assert.equal(ai.replayed.length + ai.missing.length, 7, "Nov 5 00:00 .. Nov 6 00:00, every 4 h");
  assert.equal(ai.missing.length, 3, "every other answer was removed (the first, kept, is Nov 5 00:00)");
  assert.deepEqual(ai.streams[0]!.counts.failed, { AI_REPLAY_MISSING: 3 });
  for (const m of ai.missing) assert.match(m.chartTo ?? '', /^2025-11-0[45] \d\d:00$/);
  assert.deepEqual(ai.recordings.map((r) => [r.replayed, r.missing]), [[4, 3]]);
});

test('the example validates and its rule tests cover at least 90 % of condition outcomes (the CLI, in its directory)', () => {
  const dir = join(REPO_ROOT, 'examples', 'ai-trend');
  const cli = (...args: string[]) => spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'solrules.js'), ...args], { cwd: dir, encoding: 'utf8' });
  const validate = cli('validate');
  assert.equal(validate.status, 0, validate.stdout + validate.stderr);
  const tests = cli('test', '--coverage', '--threshold', '90', '--strategies', 'strategies.yaml', 'ai-trend.yaml', 'ai-trend.test.yaml');
  assert.equal(tests.status, 0, tests.stdout + tests.stderr);
  assert.match(tests.stdout, /✓ buys when a fresh, confident buy and an up-trend agree/);
  const pct = Number(/coverage: ([\d.]+)% of leaf condition outcomes/.exec(tests.stdout)?.[1]);
  assert.ok(pct >= 90, tests.stdout);
});

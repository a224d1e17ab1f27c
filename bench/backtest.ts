/**
 * `npm run bench:backtest`: an SMA-crossover strategy (fast 20 / slow 50 closes, 1,000 USDC an
 * entry) backtested through the full engine path — the path `npx solrules backtest` runs
 * (runBacktest → composeEngine: the `signal` strategy kind's planner with its declared
 * indicators, the shipped rule file rules/sma-cross.yaml compiled, risk and routing rules in the
 * coordinator, the executor worker, the paper executor, on the in-process bus) — on the 47,360
 * hourly SOL/USDT bars and on a 50,000-bar 1-minute window, printed beside the same strategy as a
 * plain TypeScript loop measured in the same run (the floor), with a check that both produce the
 * same fills (time, side, price, atoms).
 *
 * Options (environment): BENCH_RUNS (timed runs per series, best is reported; default 3),
 * BENCH_STRATEGIES (copies of the strategy in one portfolio, default 1).
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildActiveConfig } from '../engine/config/index.ts';
import { evaluatorFactory } from '../engine/rules/index.ts';
import { loadCandlesStrict, type CandleSeries } from '../engine/market/candles/index.ts';
import { fillModel, runBacktest, type FillModelConfig } from '../engine/backtest/index.ts';
import { setLogger, createLogger } from '../engine/infra/telemetry/index.ts';
import { plainSmaCross, smaCrossStrategy, type SmaCrossParams } from './backtest/sma-cross.ts';
import { SHARED_FIXTURES } from '../test/support/paths.ts';
import { writeProject } from '../test/backtest/project.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COPIES = Number(process.env.BENCH_STRATEGIES ?? 1);
const PARAMS: SmaCrossParams = { fast: 20, slow: 50, orderUsd: 1000 };
const FILL: FillModelConfig = fillModel({ fillAt: 'next-open', feeBps: 25, slippageBps: 10 });

/** The project: COPIES signal strategies sma0… on the shipped SMA-crossover rule file; risk limits of the repo's strategies.yaml. */
function project(): string {
  const copies = Array.from({ length: COPIES }, (_, k) => smaCrossStrategy(`sma${k}`, PARAMS));
  return writeProject({
    repoRules: ['risk.yaml', 'routing.yaml'],
    strategies: copies.map((c) => c.entry).join(''),
    rules: Object.fromEntries(copies.map((c, k) => [`sma${k}.yaml`, c.rules])),
    feeBps: FILL.feeBps,
    slippageBps: FILL.slippageBps,
    quoteAtoms: String(20_000n * 1_000_000n * BigInt(COPIES)),
    maxOrderNotionalUsd: 2500,
    maxStrategyNotionalUsd: 15000,
  });
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function benchSeries(label: string, series: CandleSeries, dir: string): Promise<void> {
  const built = await buildActiveConfig(dir, evaluatorFactory('compiled'), 'bench', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics, null, 1));
  const n = series.length;
  // floor: the plain loop
  let plain = plainSmaCross(series, { ...PARAMS, ...FILL });
  let plainBest = Infinity;
  for (let r = 0; r < Math.max(RUNS, 5); r++) {
    const t = performance.now();
    plain = plainSmaCross(series, { ...PARAMS, ...FILL });
    plainBest = Math.min(plainBest, performance.now() - t);
  }
  let engineBest = Infinity;
  let run: Awaited<ReturnType<typeof runBacktest>> | undefined;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    run = await runBacktest({ active: built.active, series, fill: FILL, generatedAt: '2026-01-01T00:00:00Z' });
    engineBest = Math.min(engineBest, performance.now() - t);
  }
  // Where the time goes: the same bars with no order decided cost the per-bar path (facts,
  // evaluation, equity); the rest is the order path.
  // A second copy of the config whose params make every cross impossible.
  // A second copy of the config whose entries spend nothing: the rules still evaluate every bar,
  // and an entry of "0" atoms is skipped by the engine (nothing to trade), so no order is decided.
  const quiet = (await buildActiveConfig(dir, evaluatorFactory('compiled'), 'bench', { runTests: false })).active!;
  const quietParams = quiet.ruleSet.params as Record<string, Record<string, unknown>>;
  for (const k of Object.keys(quiet.strategies.strategies)) quietParams[k] = { ...quietParams[k], sizing: { type: 'usd', value: 0 } };
  let quietBest = Infinity;
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    const q = await runBacktest({ active: quiet, series, fill: FILL, generatedAt: '2026-01-01T00:00:00Z' });
    quietBest = Math.min(quietBest, performance.now() - t);
    assert.equal(q.stats.decided, 0, 'the quiet variant decided orders');
  }
  const fills = run!.result.strategies[0]!.fills.map((f) => ({ timeMs: f.timeMs, side: f.side, price: f.price, baseAtoms: f.sizeAtoms }));
  const expected = plain.map((f) => ({ timeMs: f.timeMs, side: f.side, price: f.price, baseAtoms: f.baseAtoms }));
  const same = JSON.stringify(fills, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(expected, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  const strategyBars = n * COPIES;
  console.log(`${label}: ${fmt(n)} bars × ${COPIES} strateg${COPIES === 1 ? 'y' : 'ies'}`);
  console.log(`  engine path (composeEngine, compiled rules, risk+routing, paper executor): ${(engineBest / 1000).toFixed(3)} s  ${fmt(strategyBars / (engineBest / 1000))} strategy-bars/s`);
  console.log(`  plain TypeScript loop (the floor):                                        ${(plainBest / 1000).toFixed(4)} s  ${fmt(n / (plainBest / 1000))} strategy-bars/s`);
  const orders = run!.stats.decided;
  console.log(`  of which: per-bar path (facts, rule evaluation, bus settle, equity; measured with entries of 0 USD: no order) ${(quietBest / 1000).toFixed(3)} s = ${((quietBest * 1000) / strategyBars).toFixed(2)} µs/strategy-bar; order path ${orders} orders ≈ ${(((engineBest - quietBest) / Math.max(1, orders)) * 1000).toFixed(0)} µs/order (decide, bus, risk+routing rules, store, worker, paper fill, planner update)`);
  console.log(`  engine / floor: ${(engineBest / COPIES / plainBest).toFixed(1)}x slower; fills: engine ${fills.length}, plain loop ${expected.length}: ${same ? 'SAME trades (time, side, price, base atoms)' : 'DIFFERENT'}`);
  if (!same) {
    const k = fills.findIndex((f, i) => JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(expected[i], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    console.log(`  first difference at fill ${k}: engine ${JSON.stringify(fills[k], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} plain ${JSON.stringify(expected[k], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    process.exitCode = 1;
  }
}

setLogger(createLogger({ level: 'error' }));
const dir = project();
try {
  console.log(`bench:backtest — SMA ${PARAMS.fast}/${PARAMS.slow} crossover, fill at next open, fee ${FILL.feeBps} bps, slippage ${FILL.slippageBps} bps; best of ${RUNS} runs; node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}`);
  const hourly = loadCandlesStrict(join(SHARED_FIXTURES, 'candles/sol-usdt-1h-binance-spot/SOLUSDT_1h.csv')).series;
  await benchSeries('SOL/USDT 1h spot (all)', hourly, dir);
  const minute = loadCandlesStrict(join(SHARED_FIXTURES, 'candles/sol-usdt-1m-binance-spot/SOLUSDT_1m_2024-10-01_2024-11-04.csv')).series;
  await benchSeries('SOL/USDT 1m spot (first 50,000 bars from 2024-10-01)', minute.between(-Infinity, minute.time[50_000]!), dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

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

/** Best wall and best CPU time (this process, user + system) of `runs` runs, in ms. */
interface Timing {
  wallMs: number;
  cpuMs: number;
}

async function timed<T>(runs: number, fn: () => T | Promise<T>): Promise<{ best: Timing; last: T }> {
  const best: Timing = { wallMs: Infinity, cpuMs: Infinity };
  let last: T | undefined;
  for (let r = 0; r < runs; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = await fn();
    const wall = performance.now() - t0;
    const c = process.cpuUsage(c0);
    best.wallMs = Math.min(best.wallMs, wall);
    best.cpuMs = Math.min(best.cpuMs, (c.user + c.system) / 1000);
  }
  return { best, last: last! };
}

const rate = (bars: number, ms: number) => fmt(bars / (ms / 1000));

async function benchSeries(label: string, series: CandleSeries, dir: string): Promise<void> {
  const built = await buildActiveConfig(dir, evaluatorFactory('compiled'), 'bench', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics, null, 1));
  const n = series.length;
  // floor: the plain loop
  plainSmaCross(series, { ...PARAMS, ...FILL });
  const { best: plainT, last: plain } = await timed(Math.max(RUNS, 5), () => plainSmaCross(series, { ...PARAMS, ...FILL }));
  const { best: engineT, last: run } = await timed(RUNS, () => runBacktest({ active: built.active!, series, fill: FILL, generatedAt: '2026-01-01T00:00:00Z' }));
  // Where the time goes: the same bars with no order decided cost the per-bar path (facts,
  // evaluation, equity); the rest is the order path. A second copy of the config whose entries
  // spend nothing: the rules still evaluate every bar, and an entry of "0" atoms is skipped by the
  // engine (nothing to trade), so no order is decided.
  const quiet = (await buildActiveConfig(dir, evaluatorFactory('compiled'), 'bench', { runTests: false })).active!;
  const quietParams = quiet.ruleSet.params as Record<string, Record<string, unknown>>;
  for (const k of Object.keys(quiet.strategies.strategies)) quietParams[k] = { ...quietParams[k], sizing: { type: 'usd', value: 0 } };
  const { best: quietT } = await timed(RUNS, async () => {
    const q = await runBacktest({ active: quiet, series, fill: FILL, generatedAt: '2026-01-01T00:00:00Z' });
    assert.equal(q.stats.decided, 0, 'the quiet variant decided orders');
    return q;
  });
  const fills = run.result.strategies[0]!.fills.map((f) => ({ timeMs: f.timeMs, side: f.side, price: f.price, baseAtoms: f.sizeAtoms }));
  const expected = plain.map((f) => ({ timeMs: f.timeMs, side: f.side, price: f.price, baseAtoms: f.baseAtoms }));
  const same = JSON.stringify(fills, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) === JSON.stringify(expected, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
  const strategyBars = n * COPIES;
  const orders = run.stats.decided;
  console.log(`${label}: ${fmt(n)} bars × ${COPIES} strateg${COPIES === 1 ? 'y' : 'ies'}, ${orders} orders`);
  console.log(`  engine path (runBacktest: signal planner, compiled rules, risk+routing rules, paper executor): ${(engineT.wallMs / 1000).toFixed(3)} s wall ${rate(strategyBars, engineT.wallMs)} strategy-bars/s; ${(engineT.cpuMs / 1000).toFixed(3)} s CPU ${rate(strategyBars, engineT.cpuMs)} strategy-bars/CPU-s`);
  console.log(`  plain TypeScript loop (the floor):  ${(plainT.wallMs / 1000).toFixed(4)} s wall ${rate(n, plainT.wallMs)} strategy-bars/s`);
  console.log(`  of which: per-bar path (planner facts, rule evaluation, equity; entries of 0 USD: no order) ${(quietT.wallMs / 1000).toFixed(3)} s wall = ${((quietT.wallMs * 1000) / strategyBars).toFixed(2)} µs/strategy-bar (${rate(strategyBars, quietT.wallMs)}/s), ${((quietT.cpuMs * 1000) / strategyBars).toFixed(2)} µs CPU (${rate(strategyBars, quietT.cpuMs)}/CPU-s)`);
  console.log(`            order path ≈ ${(((engineT.wallMs - quietT.wallMs) / Math.max(1, orders)) * 1000).toFixed(0)} µs wall, ${(((engineT.cpuMs - quietT.cpuMs) / Math.max(1, orders)) * 1000).toFixed(0)} µs CPU an order (decide, order id digest, bus, risk+routing rules, store, worker, paper fill, planner and ledger update)`);
  console.log(`  engine / floor: ${(engineT.wallMs / COPIES / plainT.wallMs).toFixed(1)}x slower (wall); fills: engine ${fills.length}, plain loop ${expected.length}: ${same ? 'SAME trades (time, side, price, base atoms)' : 'DIFFERENT'}`);
  if (!same) {
    const k = fills.findIndex((f, i) => JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(expected[i], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    console.log(`  first difference at fill ${k}: engine ${JSON.stringify(fills[k], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} plain ${JSON.stringify(expected[k], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    process.exitCode = 1;
  }
}

setLogger(createLogger({ level: 'error' }));
const dir = project();
try {
  console.log(`bench:backtest — signal strategy, SMA ${PARAMS.fast}/${PARAMS.slow} crossover, fill at next open, fee ${FILL.feeBps} bps, slippage ${FILL.slippageBps} bps; best of ${RUNS} runs (wall and CPU time of this process each; CPU time is the one-core figure on a loaded machine); node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'}, load ${os.loadavg()[0]!.toFixed(1)}`);
  const hourly = loadCandlesStrict(join(SHARED_FIXTURES, 'candles/sol-usdt-1h-binance-spot/SOLUSDT_1h.csv')).series;
  await benchSeries('SOL/USDT 1h spot (all)', hourly, dir);
  const minute = loadCandlesStrict(join(SHARED_FIXTURES, 'candles/sol-usdt-1m-binance-spot/SOLUSDT_1m_2024-10-01_2024-11-04.csv')).series;
  await benchSeries('SOL/USDT 1m spot (first 50,000 bars from 2024-10-01)', minute.between(-Infinity, minute.time[50_000]!), dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

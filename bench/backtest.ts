/**
 * `npm run bench:backtest`: an SMA-crossover strategy (fast 20 / slow 50 closes, 1,000 USDC an
 * entry) backtested through the full engine path — composeEngine: planner facts, the compiled
 * rule file, risk and routing rules in the coordinator, the executor worker, the paper executor,
 * on the in-process bus — on the 47,360 hourly SOL/USDT bars and on a 50,000-bar 1-minute window,
 * printed beside the same strategy as a plain TypeScript loop measured in the same run (the floor),
 * with a check that both produce the same fills (time, side, price, atoms).
 *
 * The strategy is a benchmark-only kind (bench/backtest/sma-cross.ts) until the rule-driven
 * `signal` kind with declared indicators lands; its planner computes the averages, its rule file
 * decides. Options (environment): BENCH_RUNS (timed runs per series, best is reported; default 3),
 * BENCH_STRATEGIES (copies of the strategy in one portfolio, default 1).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { buildActiveConfig } from '../engine/config/index.ts';
import { evaluatorFactory } from '../engine/rules/index.ts';
import { registerStrategyKind } from '../engine/strategies/index.ts';
import { generatedSchemas } from '../engine/app/index.ts';
import { useSchema } from '../engine/schemas/index.ts';
import { loadCandlesStrict, type CandleSeries } from '../engine/market/candles/index.ts';
import { fillModel, runBacktest, type FillModelConfig } from '../engine/backtest/index.ts';
import { setLogger, createLogger } from '../engine/infra/telemetry/index.ts';
import { plainSmaCross, SMA_CROSS_RULES, smaCrossKind, type SmaCrossParams } from './backtest/sma-cross.ts';
import { REPO_ROOT, SHARED_FIXTURES } from '../test/support/paths.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const COPIES = Number(process.env.BENCH_STRATEGIES ?? 1);
const PARAMS: SmaCrossParams = { fast: 20, slow: 50, orderUsd: 1000 };
const FILL: FillModelConfig = fillModel({ fillAt: 'next-open', feeBps: 25, slippageBps: 10 });

function project(): string {
  const dir = mkdtempSync(join(os.tmpdir(), 'solrules-bench-bt-'));
  mkdirSync(join(dir, 'rules'));
  for (const f of ['risk.yaml', 'routing.yaml']) writeFileSync(join(dir, 'rules', f), readRepo(`rules/${f}`));
  for (let k = 0; k < COPIES; k++) writeFileSync(join(dir, 'rules', `sma${k}.yaml`), SMA_CROSS_RULES.replace('id: sma-cross', `id: sma${k}`).replaceAll('id: sma-', `id: sma${k}-`));
  const strategies = Array.from({ length: COPIES }, (_, k) => `  sma${k}:\n    kind: bench-sma-cross\n    enabled: true\n    rules: rules/sma${k}.yaml\n    params: { fast: ${PARAMS.fast}, slow: ${PARAMS.slow}, orderUsd: ${PARAMS.orderUsd} }\n`).join('');
  writeFileSync(
    join(dir, 'strategies.yaml'),
    `version: 1
market:
  base: { symbol: SOL, mint: So11111111111111111111111111111111111111112, decimals: 9 }
  quote: { symbol: USDC, mint: EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v, decimals: 6 }
paper: { feeBps: ${FILL.feeBps}, slippageBps: ${FILL.slippageBps}, startingBalances: { base: "0", quote: "${20_000n * 1_000_000n * BigInt(COPIES)}" } }
strategies:
${strategies}routing:
  rules: rules/routing.yaml
  params: { jitoMinProfitUsd: 5, tipShareBps: 5000, arbitrageTipShareBps: 7000, tipFloorLamports: 10000, tipCapLamports: 5000000 }
risk:
  rules: rules/risk.yaml
  params: { maxOrderNotionalUsd: 2500, maxStrategyNotionalUsd: 15000, maxOrdersPerMinute: 30, killSwitch: false, maxMeanShortfallBps: 50, minAccuracySamples: 10 }
executors:
  paper: { type: paper }
  jito: { type: jito, transport: grpc }
  rpc: { type: rpc }
`,
  );
  return dir;
}

function readRepo(rel: string): string {
  return readFileSync(join(REPO_ROOT, rel), 'utf8');
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
  // Where the time goes: the same bars with rules that never fire (fast = slow: no cross) cost the
  // per-bar path (facts, evaluation, bus settle, equity); the rest is the order path.
  // A second copy of the config whose params make every cross impossible.
  const quiet = (await buildActiveConfig(dir, evaluatorFactory('compiled'), 'bench', { runTests: false })).active!;
  const quietParams = quiet.ruleSet.params as Record<string, Record<string, unknown>>;
  for (const k of Object.keys(quiet.strategies.strategies)) quietParams[k] = { ...quietParams[k], fast: PARAMS.slow };
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
  console.log(`  of which: per-bar path (facts, rule evaluation, bus settle, equity; measured with rules that never fire) ${(quietBest / 1000).toFixed(3)} s = ${((quietBest * 1000) / strategyBars).toFixed(2)} µs/strategy-bar; order path ${orders} orders ≈ ${(((engineBest - quietBest) / Math.max(1, orders)) * 1000).toFixed(0)} µs/order (decide, bus, risk+routing rules, store, worker, paper fill, planner update)`);
  console.log(`  engine / floor: ${(engineBest / COPIES / plainBest).toFixed(1)}x slower; fills: engine ${fills.length}, plain loop ${expected.length}: ${same ? 'SAME trades (time, side, price, base atoms)' : 'DIFFERENT'}`);
  if (!same) {
    const k = fills.findIndex((f, i) => JSON.stringify(f, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) !== JSON.stringify(expected[i], (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    console.log(`  first difference at fill ${k}: engine ${JSON.stringify(fills[k], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))} plain ${JSON.stringify(expected[k], (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    process.exitCode = 1;
  }
}

setLogger(createLogger({ level: 'error' }));
registerStrategyKind(smaCrossKind);
// the rule-file and strategies schemas know the registered kind's facts and params
for (const s of generatedSchemas()) useSchema(s.name, JSON.parse(s.text));
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

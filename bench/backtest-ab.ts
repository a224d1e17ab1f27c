/**
 * The backtest bench's engine path, two source trees alternated in ONE process: on a loaded
 * machine, separate bench runs minutes apart differ more than the change being measured; runs
 * interleaved in one process see the same load. Best CPU time of ROUNDS runs each, with orders
 * (`full`) and with entries of 0 USD (`quiet`: the per-bar path), the difference per order.
 *
 *   git archive main | tar -x -C /tmp/bt-base && ln -s "$PWD/node_modules" /tmp/bt-base/
 *   BASE=/tmp/bt-base [SERIES=1h|1m] [ROUNDS=5] node --import tsx bench/backtest-ab.ts
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
if (!process.env.BASE) throw new Error('BASE=<a checkout of the tree to compare with> is required');
const ROOTS = { base: process.env.BASE, new: join(dirname(fileURLToPath(import.meta.url)), '..') } as const;
type V = keyof typeof ROOTS;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- two copies of the engine's modules, typed by neither
const mods: Record<string, any> = {};
for (const v of Object.keys(ROOTS) as V[]) {
  const r = ROOTS[v];
  mods[v] = {
    config: await import(`${r}/engine/config/index.ts`),
    rules: await import(`${r}/engine/rules/index.ts`),
    candles: await import(`${r}/engine/market/candles/index.ts`),
    bt: await import(`${r}/engine/backtest/index.ts`),
    tel: await import(`${r}/engine/infra/telemetry/index.ts`),
  };
  mods[v].tel.setLogger(mods[v].tel.createLogger({ level: 'error' }));
}
const { smaCrossStrategy } = await import('./backtest/sma-cross.ts');
const { SHARED_FIXTURES } = await import('../test/support/paths.ts');
const { writeProject } = await import('../test/backtest/project.ts');
const c = smaCrossStrategy('sma0', { fast: 20, slow: 50, orderUsd: 1000 });
const dir = writeProject({ repoRules: ['risk.yaml', 'routing.yaml'], strategies: c.entry, rules: { 'sma0.yaml': c.rules }, feeBps: 25, slippageBps: 10, quoteAtoms: String(20_000n * 1_000_000n), maxOrderNotionalUsd: 2500, maxStrategyNotionalUsd: 15000 });
const SERIES = process.env.SERIES ?? '1h';
const results: Record<string, number[]> = {};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const setups: Record<string, any> = {};
for (const v of Object.keys(ROOTS) as V[]) {
  const m = mods[v];
  const full = (await m.config.buildActiveConfig(dir, m.rules.evaluatorFactory('compiled'), 'bench', { runTests: false })).active;
  const quiet = (await m.config.buildActiveConfig(dir, m.rules.evaluatorFactory('compiled'), 'bench', { runTests: false })).active;
  (quiet.ruleSet.params as any).sma0 = { ...(quiet.ruleSet.params as any).sma0, sizing: { type: 'usd', value: 0 } };
  let series;
  if (SERIES === '1h') series = m.candles.loadCandlesStrict(join(SHARED_FIXTURES, 'candles/sol-usdt-1h-binance-spot/SOLUSDT_1h.csv')).series;
  else { const mm = m.candles.loadCandlesStrict(join(SHARED_FIXTURES, 'candles/sol-usdt-1m-binance-spot/SOLUSDT_1m_2024-10-01_2024-11-04.csv')).series; series = mm.between(-Infinity, mm.time[50_000]); }
  setups[v] = { full, quiet, series, fill: m.bt.fillModel({ fillAt: 'next-open', feeBps: 25, slippageBps: 10 }) };
}
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const decided: Record<string, number> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const v of Object.keys(ROOTS) as V[]) {
    for (const kind of ['full', 'quiet'] as const) {
      const s = setups[v];
      const c0 = process.cpuUsage();
      const run = await mods[v].bt.runBacktest({ active: s[kind], series: s.series, fill: s.fill, generatedAt: '2026-01-01T00:00:00Z' });
      const cu = process.cpuUsage(c0);
      (results[`${v} ${kind}`] ??= []).push((cu.user + cu.system) / 1000);
      if (kind === 'full' && r === 0) {
        decided[v] = run.stats.decided;
        console.log(v, 'decided', run.stats.decided, 'fills', run.result.strategies[0].fills.length);
      }
    }
  }
}
const n = setups.new.series.length;
const orders = decided.new ?? 1;
const best = (k: string) => Math.min(...results[k]!);
for (const v of Object.keys(ROOTS)) {
  const f = best(`${v} full`), q = best(`${v} quiet`);
  console.log(`${SERIES} ${v}: full ${f.toFixed(0)} ms CPU (${Math.round(n / (f / 1000)).toLocaleString('en-US')} strategy-bars/CPU-s), quiet ${q.toFixed(0)} ms = ${(q * 1000 / n).toFixed(2)} µs/bar, order ≈ ${((f - q) * 1000 / orders).toFixed(0)} µs (all runs full: ${results[`${v} full`]!.map((x) => x.toFixed(0)).join(' ')}; quiet: ${results[`${v} quiet`]!.map((x) => x.toFixed(0)).join(' ')})`);
}
rmSync(dir, { recursive: true, force: true });

/**
 * `npm run e2e:observability`: a real Prometheus (Debian's package) scrapes the engine during a
 * replay, then its HTTP API is asked for rule hits, orders, fills and P&L, and each value is
 * compared with what the engine's own summary reports. Everything runs on loopback, on free
 * ports, with a temporary data directory; the replay is paper trading (simulated fills).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '../../engine/app/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { whichTool } from '../support/tools.ts';
import { exited, query, sleep, startPrometheus, waitFor } from './prometheus.ts';

const SPEED = Number(process.env.E2E_SPEED ?? 120); // replayed days per second: ~8 s for the whole series
const SCRAPE_INTERVAL = '1s';

async function main(): Promise<number> {
  const prometheusBin = whichTool('prometheus');
  if (!prometheusBin) {
    console.error('prometheus is not installed: apt-get install prometheus (Debian package; it brings promtool too)');
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'solrules-e2e-observability-'));
  const children: ChildProcess[] = [];
  try {
    const prometheus = await startPrometheus(prometheusBin, dir, SCRAPE_INTERVAL);
    children.push(prometheus.proc);
    const { url: prom, enginePort } = prometheus;
    console.log(`prometheus ${prometheusBin} on 127.0.0.1:${prometheus.port}, data in ${join(dir, 'data')}; engine telemetry on 127.0.0.1:${enginePort}`);

    console.log(`replaying the SOL-USD series at ${SPEED} days/s with /metrics on :${enginePort} (paper trading: fills are simulated)`);
    const out = join(dir, 'out');
    const engine = spawn(process.execPath, [join(REPO_ROOT, 'bin/solrules.js'), 'run', '--no-watch', '--quiet', '--speed', String(SPEED), '--metrics-port', String(enginePort), '--linger', '10', '--out', out], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SOLRULES_LOG_FORMAT: 'json', SOLRULES_STORE: `pglite:${join(dir, 'store')}` }, // a fresh store: the project's would resume its last run
    });
    children.push(engine);
    let engineOut = '';
    engine.stdout!.on('data', (d: Buffer) => (engineOut += d.toString()));
    engine.stderr!.on('data', (d: Buffer) => (engineOut += d.toString()));

    // during the replay: what Prometheus has scraped so far
    let lastProgress = -1;
    for (;;) {
      if (engine.exitCode !== null) break;
      const [progress] = await query(prom, 'solrules_replay_progress_ratio{job="solrules"}').catch(() => []);
      const [hits] = await query(prom, 'sum(solrules_rule_hits_total{job="solrules"})').catch(() => []);
      const p = progress ? Number(progress.value[1]) : -1;
      if (p !== lastProgress && p >= 0) {
        console.log(`  scraped during the replay: ${(p * 100).toFixed(0).padStart(3)}% done, ${hits ? hits.value[1] : 0} rule hits so far`);
        lastProgress = p;
      }
      if (p === 1) break;
      await sleep(1000);
    }
    if (lastProgress !== 1) await waitFor('a scrape of the finished replay', 15_000, async () => Number((await query(prom, 'solrules_replay_progress_ratio{job="solrules"}'))[0]?.value[1]) === 1);
    // the engine keeps serving the final values (--linger); let one more scrape land after the summary.
    // Prometheus is asked while the engine still lingers: once it exits, the next failed scrape marks
    // its series stale and instant queries return nothing.
    await waitFor('the engine to write its summary', 30_000, async () => /summary written/.test(engineOut));
    await sleep(2500);
    if (engine.exitCode !== null) throw new Error(`solrules run exited (${engine.exitCode}) before its linger ended:\n${engineOut}`);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;

    const scrapes = await query(prom, 'count_over_time(solrules_replay_ticks_total{job="solrules"}[10m])');
    const samples = Number(scrapes[0]?.value[1] ?? 0);
    console.log(`\nPrometheus scraped the engine ${samples} times; values it holds now, beside the engine's summary:`);

    const rows: Array<{ what: string; prometheus: number; summary: number; ok: boolean }> = [];
    const compare = (what: string, prometheus: number, expected: number, tolerance = 0) => rows.push({ what, prometheus, summary: expected, ok: Math.abs(prometheus - expected) <= tolerance });
    const byLabels = async (promql: string, key: (m: Record<string, string>) => string) => new Map((await query(prom, promql)).map((s) => [key(s.metric), Number(s.value[1])]));

    const strategyFiles = [...new Set(Object.keys(summary.ruleHits).map((k) => k.split('/')[0]!))];
    const hits = await byLabels(`sum by (file, rule_id) (solrules_rule_hits_total{job="solrules", file=~"${strategyFiles.join('|')}"})`, (m) => `${m.file}/${m.rule_id}`);
    for (const key of [...new Set([...Object.keys(summary.ruleHits), ...hits.keys()])].sort()) compare(`rule hits ${key}`, hits.get(key) ?? 0, summary.ruleHits[key] ?? 0);

    const decided = await byLabels('sum by (strategy) (solrules_orders_decided_total{job="solrules"})', (m) => m.strategy!);
    const fills = await byLabels('sum by (strategy) (solrules_fills_total{job="solrules"})', (m) => m.strategy!);
    const realized = await byLabels('solrules_strategy_realized_pnl_usd{job="solrules"}', (m) => m.strategy!);
    const unrealized = await byLabels('solrules_strategy_unrealized_pnl_usd{job="solrules"}', (m) => m.strategy!);
    for (const strategy of Object.keys(summary.strategies).sort()) {
      const rowsOf = summary.orders.filter((o) => o.strategy === strategy);
      compare(`orders decided ${strategy}`, decided.get(strategy) ?? 0, rowsOf.reduce((a, o) => a + o.decided, 0));
      compare(`orders filled ${strategy}`, fills.get(strategy) ?? 0, rowsOf.reduce((a, o) => a + o.filled, 0));
      compare(`realized P&L USD ${strategy}`, realized.get(strategy) ?? NaN, summary.strategies[strategy]!.realizedPnlUsd, 0.006);
      compare(`unrealized P&L USD ${strategy}`, unrealized.get(strategy) ?? NaN, summary.strategies[strategy]!.unrealizedPnlUsd, 0.006);
    }
    const [filledTotal] = await query(prom, 'sum(solrules_execution_results_total{job="solrules", status="filled"})');
    compare('executions filled (all executors)', Number(filledTotal?.value[1] ?? 0), summary.fills);
    const [ticks] = await query(prom, 'solrules_replay_ticks_total{job="solrules"}');
    compare('price ticks replayed', Number(ticks?.value[1] ?? 0), summary.period.ticks);

    const width = Math.max(...rows.map((r) => r.what.length));
    console.log(`  ${'value'.padEnd(width)}  ${'prometheus'.padStart(12)}  ${'summary'.padStart(12)}`);
    for (const r of rows) console.log(`  ${r.what.padEnd(width)}  ${String(round(r.prometheus)).padStart(12)}  ${String(round(r.summary)).padStart(12)}  ${r.ok ? 'match' : 'MISMATCH'}`);
    const [ruleSet] = await query(prom, 'solrules_ruleset_info{job="solrules"}');
    console.log(`  active rule set (solrules_ruleset_info): ${ruleSet?.metric.hash ?? 'none'}; summary: ${summary.ruleSetHash.slice(0, 16)}`);
    const bad = rows.filter((r) => !r.ok).length + (ruleSet?.metric.hash === summary.ruleSetHash.slice(0, 16) ? 0 : 1);
    const code = await exited(engine);
    if (code !== 0) throw new Error(`solrules run exited with ${code}:\n${engineOut}`);
    if (samples < 3) {
      console.error(`only ${samples} scrapes landed during the replay; expected several`);
      return 1;
    }
    if (bad) {
      console.error(`\n${bad} value(s) differ between Prometheus and the engine's summary`);
      if (prometheus.log()) console.error(`prometheus log:\n${prometheus.log()}`);
      return 1;
    }
    console.log(`\nall ${rows.length + 1} values match the engine's summary`);
    return 0;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => Promise.race([exited(c), sleep(5000)])));
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

process.exitCode = await main().catch((err: Error) => {
  console.error(`e2e:observability failed: ${err.message}`);
  return 1;
});

/**
 * `npm run e2e:observability-live`: a real Prometheus (Debian's package) scrapes the engine while
 * `demo` runs LIVE on the sandbox (the real DEX programs; SIMULATED other traders), then every
 * metric the Grafana dashboards read is looked up in Prometheus. A metric with no data fails the
 * run unless NOT_FED_BY_CHAIN_RUNS below names it with the reason this mode does not feed it — so
 * a new dashboard metric nobody feeds in a chain run fails here until it is fed or listed.
 *
 * Once the engine has started, a deposit is made to worker-2 behind the engine's back
 * (SIMULATED, a sandbox write): the balance scanner must catch it, so the discrepancy series have data.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../engine/cli/demo.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { whichTool } from '../support/tools.ts';
import { exited, query, sleep, startPrometheus, waitFor } from './prometheus.ts';

const SCRAPE_INTERVAL = '1s';
const SECONDS = Number(process.env.E2E_DEMO_SECONDS ?? 25);

/**
 * Dashboard metrics a chain run (demo, run --rpc --live) legitimately leaves without data, and why.
 * Anything else without data after the demo is a failure.
 */
export const NOT_FED_BY_CHAIN_RUNS: Readonly<Record<string, string>> = {
  solrules_rpc_errors_total: 'the sandbox answers every call (fault tests cover it)',
  solrules_wallet_rebalances_total: 'the demo workers start far above their floor and have no cap: the wallet rules fire nothing',
  solrules_orders_dead_lettered_total: 'nothing is dead-lettered in a healthy demo (the fault tests dead-letter on purpose)',
  solrules_admin_requests_total: 'nobody calls the admin API during the demo (test/cli/admin.test.ts does)',
  solrules_control_actions_total: 'no kill switch or pause during the demo',
  solrules_control_orders_refused_total: 'no kill switch or pause during the demo',
  solrules_ruleset_reloads_total: 'the demo does not watch its files (no reload)',
  solrules_rpc_failovers_total: 'one RPC endpoint (the sandbox): nothing to fail over to',
  solrules_rule_evaluation_errors_total: 'a healthy rule set raises none',
  solrules_quote_requests_total: 'the quote optimizer (local, Jupiter, cache) is not on the chain run path: sends are quoted by the venues on fresh pool state (engine/executors/live/plan.ts)',
  solrules_quote_duration_seconds_bucket: 'the quote optimizer is not on the chain run path (as above)',
  solrules_aggregator_circuit_open: 'no aggregator (Jupiter) in a sandbox run: tests never call Jupiter',
  solrules_aggregator_rate_limit_waits_total: 'no aggregator (Jupiter) in a sandbox run',
  solrules_aggregator_rate_limit_wait_seconds_bucket: 'no aggregator (Jupiter) in a sandbox run',
};

/** Events a healthy demo may or may not produce (no failure either way; printed). */
export const OCCASIONAL_IN_CHAIN_RUNS: Readonly<Record<string, string>> = {
  solrules_orders_blocked_total: 'only when a risk rule blocks an order (rate limits, exposure) in that run',
  solrules_orders_duplicate_total: 'only when the same decision is made twice (a redelivered tick)',
  solrules_scanner_errors_total: 'only when a scanner read fails',
  solrules_scanner_reconnects_total: 'only when the market WebSocket goes quiet and is reopened (a loaded machine)',
};

/** Every solrules_* series name the generated dashboards query. */
export function dashboardMetrics(): string[] {
  const dir = join(REPO_ROOT, 'deploy/grafana/dashboards');
  const names = new Set<string>();
  for (const f of readdirSync(dir)) {
    const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { panels: { targets?: { expr?: string }[] }[] };
    for (const p of d.panels) for (const t of p.targets ?? []) for (const m of (t.expr ?? '').matchAll(/solrules_[a-z0-9_]+/g)) names.add(m[0]);
  }
  return [...names].sort();
}

async function main(): Promise<number> {
  const prometheusBin = whichTool('prometheus');
  if (!prometheusBin) {
    console.error('prometheus is not installed: apt-get install prometheus (Debian package; it brings promtool too)');
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'solrules-e2e-observability-live-'));
  const children: ChildProcess[] = [];
  try {
    const prometheus = await startPrometheus(prometheusBin, dir, SCRAPE_INTERVAL);
    children.push(prometheus.proc);
    const { url: prom, enginePort, port: promPort } = prometheus;
    console.log(`prometheus ${prometheusBin} on :${promPort}; demo (LIVE on the sandbox, SIMULATED traders) for ${SECONDS} s with /metrics on :${enginePort}`);

    process.env.SOLRULES_STORE = 'memory'; // as `solrules demo` runs: nothing written beside examples/live
    const result = await runDemo({
      seconds: SECONDS,
      seed: 1,
      flowMode: 'random-walk',
      paceMs: 20,
      write: () => undefined,
      log: createLogger({ level: 'silent' }),
      metricsPort: enginePort,
      onStarted: async ({ sandbox, wallets }) => {
        sandbox.airdrop(wallets.workers[1]!.publicKey, 1_000_000_000n); // SIMULATED: a deposit behind our back
        // The engine keeps serving until the demo ends; Prometheus scrapes every second meanwhile.
      },
    });
    console.log(`demo: ${result.confirmed} confirmed orders (${result.roundTrips} round trips), ${result.wallets.scans} balance scans, holds: ${result.wallets.holds.join('; ') || 'none'}; stored ${result.wallets.stored.walletBalances} wallet balance rows, ${result.wallets.stored.pnl} P&L snapshot rows`);

    const scrapes = Number((await query(prom, 'count_over_time(up{job="solrules"}[10m])'))[0]?.value[1] ?? 0);
    // The engine is gone: its series are stale now, so each is looked up over the run's window.
    const missing: string[] = [];
    const fed: string[] = [];
    const listedButFed: string[] = [];
    for (const name of dashboardMetrics()) {
      const has = (await query(prom, `count(last_over_time({__name__="${name}", job="solrules"}[10m]))`)).length > 0;
      if (has) fed.push(name);
      if (has && NOT_FED_BY_CHAIN_RUNS[name]) listedButFed.push(name);
      if (!has && !NOT_FED_BY_CHAIN_RUNS[name] && !OCCASIONAL_IN_CHAIN_RUNS[name]) missing.push(name);
    }
    const wallet = (q: string) => query(prom, q).then((r) => r.map((s) => `${s.metric.wallet ?? s.metric.tier ?? ''}=${s.value[1]}`).join(' '));
    console.log(`\nPrometheus scraped the engine ${scrapes} times; ${fed.length} dashboard metric(s) have data:`);
    console.log(`  solrules_wallet_balance_sol: ${await wallet('last_over_time(solrules_wallet_balance_sol{job="solrules"}[10m])')}`);
    console.log(`  solrules_wallet_min_balance_sol: ${await wallet('last_over_time(solrules_wallet_min_balance_sol{job="solrules"}[10m])')}`);
    console.log(`  solrules_wallet_balance_difference_lamports: ${await wallet('last_over_time(solrules_wallet_balance_difference_lamports{job="solrules"}[10m])')}`);
    console.log(`  solrules_wallet_discrepancies_total: ${await wallet('last_over_time(solrules_wallet_discrepancies_total{job="solrules"}[10m])')}`);
    console.log(`  solrules_execution_expected_profit_usd vs realized: ${await wallet('sum(last_over_time(solrules_execution_expected_profit_usd{job="solrules"}[10m]))')} vs ${await wallet('sum(last_over_time(solrules_execution_realized_profit_usd{job="solrules"}[10m]))')}`);
    console.log(`\nnot fed by a chain run (listed, with the reason):`);
    for (const [name, why] of Object.entries(NOT_FED_BY_CHAIN_RUNS)) console.log(`  ${name}: ${why}`);
    console.log(`occasional (no failure either way):`);
    for (const [name, why] of Object.entries(OCCASIONAL_IN_CHAIN_RUNS)) console.log(`  ${name}: ${fed.includes(name) ? 'had data' : 'no data'} — ${why}`);
    const stale = [...Object.keys(NOT_FED_BY_CHAIN_RUNS), ...Object.keys(OCCASIONAL_IN_CHAIN_RUNS)].filter((n) => !dashboardMetrics().includes(n));
    let bad = 0;
    if (scrapes < 5) {
      console.error(`only ${scrapes} scrapes landed during the demo`);
      bad++;
    }
    if (result.confirmed === 0) {
      console.error('the demo confirmed no order');
      bad++;
    }
    if (!result.wallets.holds.some((h) => h.startsWith('worker-2'))) {
      console.error('the deposit behind our back was not caught (no hold on worker-2)');
      bad++;
    }
    if (result.wallets.stored.walletBalances === 0 || result.wallets.stored.pnl === 0) {
      console.error('no wallet balance history or P&L snapshot rows were written');
      bad++;
    }
    if (missing.length) {
      console.error(`\n${missing.length} dashboard metric(s) have no data after the demo and are not listed as unfed: ${missing.join(', ')}`);
      bad++;
    }
    if (stale.length) {
      console.error(`listed but no dashboard reads them any more (take them off the lists): ${stale.join(', ')}`);
      bad++;
    }
    for (const name of ['solrules_execution_expected_profit_usd', 'solrules_execution_realized_profit_usd']) {
      if (!fed.includes(name)) continue;
      const v = Number((await query(prom, `sum(last_over_time(${name}{job="solrules"}[10m]))`))[0]?.value[1]);
      if (!Number.isFinite(v)) {
        console.error(`${name} has no finite value`);
        bad++;
      }
    }
    if (listedButFed.length) {
      console.error(`\nlisted as not fed by chain runs, but they have data now (take them off NOT_FED_BY_CHAIN_RUNS): ${listedButFed.join(', ')}`);
      bad++;
    }
    if (bad && prometheus.log()) console.error(`prometheus log:\n${prometheus.log()}`);
    if (!bad) console.log(`\nevery dashboard metric a chain run feeds has data (${fed.length}); ${Object.keys(NOT_FED_BY_CHAIN_RUNS).length} listed as not fed`);
    return bad ? 1 : 0;
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    await Promise.all(children.map((c) => Promise.race([exited(c), sleep(5000)])));
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((err: Error) => {
  console.error(`e2e:observability-live failed: ${err.stack ?? err.message}`);
  return 1;
});

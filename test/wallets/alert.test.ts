/**
 * SolrulesWalletBelowFloor fed from real recorded values: the balance scanner runs on the
 * sandbox while a worker's SOL is taken below its floor behind our back; the gauge values it set
 * (solrules_wallet_balance_sol, solrules_wallet_min_balance_sol) become a promtool unit test of
 * the shipped alert rule: silent while above the floor and for the first 2 minutes below, firing
 * after, for that worker only. The values are committed in
 * test/fixtures/wallets/below-floor-recorded.json (what the shipped promtool test,
 * deploy/prometheus/tests/solrules-alerts.test.yml, feeds the rule); this run must record the same
 * ones (SOLRULES_RECORD_FIXTURES=1 rewrites the file instead).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicKey, SystemProgram, TransactionMessage, VersionedTransaction, Keypair } from '@solana/web3.js';
import { stringify } from 'yaml';
import { startSandbox } from '../../sandbox/index.ts';
import { loadFiles } from '../../engine/config/index.ts';
import { RpcPool } from '../../engine/executors/index.ts';
import { metrics } from '../../engine/infra/telemetry/index.ts';
import { WalletManager } from '../../engine/wallets/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { requireTool } from '../support/tools.ts';
import { mintTo, sendRaw, wallets, walletsProject } from './support/project.ts';

type Gauge = { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> };
const read = async (g: Gauge, wallet: string) => (await g.get()).values.find((v) => v.labels.wallet === wallet)!.value;

test('SolrulesWalletBelowFloor fires in promtool on the values the scanner recorded', { timeout: 60_000 }, async (t) => {
  const promtool = requireTool(t, 'promtool');
  if (!promtool) return;
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const p = await walletsProject(sb, { controllers: 1, workers: 2 });
  const created = JSON.parse((await wallets(['init', '--config', p.config, '--format', 'json'])).stdout).created as { wallet: string; publicKey: string }[];
  const treasure = new PublicKey(created.find((c) => c.wallet === 'treasure')!.publicKey);
  sb.airdrop(treasure, 20_000_000_000n);
  await mintTo(sb, p, treasure, 1_000_000_000n);
  assert.equal((await wallets(['fund', '--config', p.config, '--rpc', sb.rpcUrl])).code, 0);
  const m = await WalletManager.open({ cfg: loadFiles([p.config]).wallets!.config, baseDir: p.dir, rpc: new RpcPool([sb.rpcUrl]) });
  const scanner = m.scanner({ intervalMs: 60_000 });

  await scanner.scan();
  const before = { w1: await read(metrics.wallets.balance, 'worker-1'), w2: await read(metrics.wallets.balance, 'worker-2'), floor: await read(metrics.wallets.floor, 'worker-1') };
  const w1 = m.keystore.get('worker-1');
  const tx = new VersionedTransaction(new TransactionMessage({ payerKey: w1.publicKey, recentBlockhash: sb.latestBlockhash().blockhash, instructions: [SystemProgram.transfer({ fromPubkey: w1.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 480_000_000 })] }).compileToV0Message());
  w1.sign(tx);
  await sendRaw(sb, tx);
  await scanner.scan();
  const after = { w1: await read(metrics.wallets.balance, 'worker-1'), w2: await read(metrics.wallets.balance, 'worker-2') };
  assert.deepEqual(before, { w1: 0.5, w2: 0.5, floor: 0.05 });
  assert.equal(after.w1, 0.019995);
  assert.equal(after.w2, 0.5);
  const fixtureFile = join(REPO_ROOT, 'test/fixtures/wallets/below-floor-recorded.json');
  const fixture = JSON.parse(readFileSync(fixtureFile, 'utf8')) as { scans: { scan: string; balanceSol: Record<string, number>; minBalanceSol: Record<string, number> }[] };
  const recorded = [
    { scan: 'after funding', balanceSol: { 'worker-1': before.w1, 'worker-2': before.w2 }, minBalanceSol: { 'worker-1': before.floor, 'worker-2': await read(metrics.wallets.floor, 'worker-2') } },
    { scan: 'after the withdrawal', balanceSol: { 'worker-1': after.w1, 'worker-2': after.w2 }, minBalanceSol: { 'worker-1': await read(metrics.wallets.floor, 'worker-1'), 'worker-2': await read(metrics.wallets.floor, 'worker-2') } },
  ];
  if (process.env.SOLRULES_RECORD_FIXTURES === '1') writeFileSync(fixtureFile, JSON.stringify({ ...fixture, recordedAt: new Date().toISOString().slice(0, 10), scans: recorded }, null, 2) + '\n');
  else assert.deepEqual(recorded, fixture.scans, 'this run recorded other values than the committed fixture: re-record it (SOLRULES_RECORD_FIXTURES=1) and update deploy/prometheus/tests/solrules-alerts.test.yml');
  // The shipped promtool test feeds the rule these same recorded values.
  const shipped = readFileSync(join(REPO_ROOT, 'deploy/prometheus/tests/solrules-alerts.test.yml'), 'utf8');
  assert.ok(shipped.includes(`values: '${before.w1} ${before.w1} ${after.w1} ${after.w1} ${after.w1} ${after.w1} ${after.w1}'`), 'deploy/prometheus/tests feeds SolrulesWalletBelowFloor the recorded worker-1 balances');
  assert.ok(shipped.includes(`holds ${after.w1} SOL`), 'deploy/prometheus/tests expects the alert text with the recorded balance');

  const labels = (wallet: string) => `{job="solrules",instance="engine-1:9464",wallet="${wallet}",tier="worker"}`;
  // One sample a minute: 2 minutes as first scanned, then 6 as scanned after the withdrawal.
  const series = (a: number, b: number) => `${a} ${a} ${b} ${b} ${b} ${b} ${b} ${b}`;
  const doc = {
    rule_files: [join(REPO_ROOT, 'deploy/prometheus/rules/solrules-alerts.yml')],
    evaluation_interval: '1m',
    tests: [
      {
        interval: '1m',
        input_series: [
          { series: `solrules_wallet_balance_sol${labels('worker-1')}`, values: series(before.w1, after.w1) },
          { series: `solrules_wallet_balance_sol${labels('worker-2')}`, values: series(before.w2, after.w2) },
          { series: `solrules_wallet_min_balance_sol${labels('worker-1')}`, values: series(before.floor, before.floor) },
          { series: `solrules_wallet_min_balance_sol${labels('worker-2')}`, values: series(before.floor, before.floor) },
        ],
        alert_rule_test: [
          { eval_time: '1m', alertname: 'SolrulesWalletBelowFloor', exp_alerts: [] },
          { eval_time: '3m', alertname: 'SolrulesWalletBelowFloor', exp_alerts: [] },
          {
            eval_time: '5m',
            alertname: 'SolrulesWalletBelowFloor',
            exp_alerts: [
              {
                exp_labels: { severity: 'critical', job: 'solrules', instance: 'engine-1:9464', wallet: 'worker-1', tier: 'worker' },
                exp_annotations: {
                  summary: 'wallet worker-1 (worker) is below its floor',
                  description: `worker-1 holds ${after.w1} SOL, under the minBalanceSol of its wallets.yaml entry. Orders that need it will fail; fund it or let the rebalancer top it up.`,
                  runbook: 'docs/observability.md#wallet-below-floor',
                },
              },
            ],
          },
        ],
      },
    ],
  };
  const file = join(mkdtempSync(join(tmpdir(), 'solrules-alert-')), 'wallet-floor.test.yml');
  writeFileSync(file, stringify(doc));
  const r = spawnSync(promtool, ['test', 'rules', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout + r.stderr, /SUCCESS/);
});

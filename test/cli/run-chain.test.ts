/**
 * `solrules run --rpc URL` as a user runs it: against a sandbox holding the market, from the
 * examples/live project, in DRY RUN (says so, sends nothing); its options are checked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket } from '../../sandbox/market/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { deleteNamespace, testNamespace } from '../infra/bus/nats/support.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const PROJECT = join(REPO_ROOT, 'examples/live');

test('run --rpc on the sandbox market: a DRY RUN that reads the pools, trades on paper and sends nothing', async () => {
  const sb = await startSandbox({ slotMs: 100 });
  try {
    createMarket({ chain: sb.chain, seed: 1 });
    const child = spawn(process.execPath, [CLI, 'run', '--rpc', sb.rpcUrl, '--ws', sb.wsUrl, '--seconds', '3', '--no-watch'], { cwd: PROJECT, env: { ...process.env, SOLRULES_STORE: 'memory' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, err);
    assert.match(out, /DRY RUN on the chain at http:\/\/127\.0\.0\.1:\d+ \(websocket scanner, 2 pool\(s\)/);
    assert.match(out, /DRY RUN summary \([\d.]+ s, [1-9]\d* price events/);
    assert.equal(sb.stats().rpcRequests.sendTransaction ?? 0, 0);
    assert.deepEqual(sb.stats().blockEngineRequests, {});
  } finally {
    await sb.close();
  }
});

test('run --rpc option errors are usage errors (exit 2)', () => {
  for (const args of [['--rpc', 'not-a-url'], ['--rpc', 'http://127.0.0.1:1', '--ws', 'http://x'], ['--ws', 'ws://127.0.0.1:1'], ['--rpc', 'http://127.0.0.1:1', '--seconds', '0'], ['--rpc', 'http://127.0.0.1:1', '--scanner', '/nonexistent.yaml']]) {
    const r = spawnSync(process.execPath, [CLI, 'run', '--no-watch', ...args], { cwd: PROJECT, encoding: 'utf8', env: { ...process.env, SOLRULES_STORE: 'memory' } });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});

test('run --role scanner stops cleanly at --seconds: leaves its group and says how much it forwarded', async (t) => {
  if (!(await requireService(t, 'nats'))) return;
  const ns = testNamespace('scanstop');
  const sb = await startSandbox({ slotMs: 100 });
  try {
    createMarket({ chain: sb.chain, seed: 1 });
    const child = spawn(process.execPath, [CLI, 'run', '--rpc', sb.rpcUrl, '--ws', sb.wsUrl, '--role', 'scanner', '--member', 'scanner-t', '--seconds', '3', '--no-watch'], {
      cwd: PROJECT,
      env: { ...process.env, SOLRULES_STORE: 'memory', SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=8388608` },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    assert.equal(code, 0, out);
    assert.match(out, /role scanner \(scanner-t\): watching \d of 2 pool\(s\)/);
    assert.match(out, /scanner scanner-t stopped: [1-9]\d* message\(s\) forwarded/);
    assert.doesNotMatch(out, /share changed: 0 of 2/, 'its own leaving is not reported as a share change');
  } finally {
    await sb.close();
    await deleteNamespace(SERVICES.nats.url, ns);
  }
});

/**
 * What a chain run loads at start: the modules `solrules run --rpc` imports must not bring in
 * the packages only some runs use (spl-token: a plan or a transfer; grpc: a shredstream client;
 * NATS: a NATS bus; resvg: a chart), each several MB resident in every process watching pools
 * (docs/market-data.md, bench:init).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test('a chain run imports neither spl-token, grpc, NATS nor resvg at start (each loads where it is used)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-loads-'));
  const record = join(dir, 'loads.txt');
  try {
    const script = ['engine/cli/run.ts', 'engine/cli/_run-chain.ts', 'engine/app/index.ts', 'engine/market/index.ts', 'engine/wallets/index.ts', 'engine/executors/index.ts', 'engine/infra/bus/index.ts'].map((m) => `await import(${JSON.stringify(join(ROOT, m))});`).join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', join(ROOT, 'test/app/support/record-loads.mjs'), '--input-type=module', '-e', script], { cwd: ROOT, env: { ...process.env, SOLRULES_RECORD_LOADS: record }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, r.stderr);
    const loaded = readFileSync(record, 'utf8').split('\n').filter(Boolean);
    // The recorder sees packages: web3.js and ws are loaded by a chain run.
    assert.ok(loaded.some((u) => u.includes('/node_modules/@solana/web3.js/')), 'web3.js recorded');
    assert.ok(loaded.some((u) => u.includes('/node_modules/ws/')), 'ws recorded');
    for (const pkg of ['@solana/spl-token', '@grpc/grpc-js', '@grpc/proto-loader', '@nats-io/', '@resvg/resvg-js']) {
      assert.deepEqual(loaded.filter((u) => u.includes(`/node_modules/${pkg}`)), [], `${pkg} is loaded at start`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

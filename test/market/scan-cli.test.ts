/** `solrules scan` through the real CLI against the local sandbox: facts as JSON lines, config errors with positions, usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.ts';
import { ORCA_POOL, PYTH_SOL_USD, RAYDIUM_POOL, SOL, USDC } from '../quotes/support.ts';
import { fixtureSandbox } from './support.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');

function solrules(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('solrules scan prints the facts of the configured pools and oracle as JSON lines', async () => {
  const sb = await fixtureSandbox({ slotMs: 100 });
  const dir = mkdtempSync(join(tmpdir(), 'solrules-scan-'));
  try {
    const file = join(dir, 'market.yaml');
    writeFileSync(
      file,
      [
        'subscriptionMode: websocket',
        `rpcUrl: ${sb.rpcUrl}`,
        `wsUrl: ${sb.wsUrl}`,
        `pools: [${RAYDIUM_POOL}, ${ORCA_POOL}]`,
        `oracles: [{ address: ${PYTH_SOL_USD}, mint: ${SOL} }]`,
        'tokens:',
        `  - { mint: ${SOL}, symbol: SOL, decimals: 9 }`,
        `  - { mint: ${USDC}, symbol: USDC, decimals: 6, usd: 1 }`,
        '',
      ].join('\n'),
    );
    const r = await solrules(['scan', '--config', file, '--duration', '1.5']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { subject: string; data: Record<string, unknown> });
    const subjects = new Set(lines.map((l) => l.subject));
    for (const s of ['market.events.raydium-amm-v4.pool', 'market.events.orca-whirlpool.pool', 'market.events.pyth.price', `market.prices.${SOL}`]) assert.ok(subjects.has(s), `${s} in ${[...subjects]}`);
    const pool = lines.find((l) => l.subject === 'market.events.raydium-amm-v4.pool')!.data;
    assert.equal(pool.address, RAYDIUM_POOL);
    assert.match(String(pool.reserveA), /^\d+$/);
    assert.match(r.stderr, /scan \(websocket\): \d+ updates, 0 duplicates, 0 filtered, \d+ facts, 0 errors, 0 reconnects, 2 pools decoded/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await sb.close();
  }
});

test('solrules scan: a bad config names file, line and column; usage errors exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-scan-'));
  try {
    const file = join(dir, 'market.yaml');
    writeFileSync(file, ['subscriptionMode: websocket', 'rpcUrl: http://127.0.0.1:1', `pools: [${RAYDIUM_POOL}]`, 'polling:', '  batchSize: 500', ''].join('\n'));
    const bad = await solrules(['scan', '--config', file]);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /SCAN_CONFIG_INVALID: .*market\.yaml:5:14: scanner config 'polling\.batchSize' must be an integer from 1 to 100/);
    assert.equal((await solrules(['scan'])).status, 2);
    assert.equal((await solrules(['scan', '--config', file, '--duration', '-1'])).status, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

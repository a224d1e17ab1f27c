/**
 * No key byte in any output of a full run: `npm run e2e:execution` (sandbox, funding, three
 * orders through jito gRPC, Jito JSON-RPC and RPC) is run with debug logging, and its stdout,
 * stderr and a dump of the store, journal and metrics are searched for every wallet's key in
 * base58, base64, hex and JSON-array form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { REPO_ROOT } from '../support/paths.ts';

function forms(secret: Buffer): string[] {
  const seed = secret.subarray(0, 32);
  return [
    bs58.encode(secret),
    secret.toString('base64'),
    secret.toString('base64url'),
    secret.toString('hex'),
    JSON.stringify(Array.from(secret)),
    Array.from(secret).join(','),
    Array.from(secret).join(', '),
    bs58.encode(seed),
    seed.toString('base64'),
    seed.toString('hex'),
    JSON.stringify(Array.from(seed)).slice(1, -1),
  ];
}

test('a full run (e2e:execution at debug log level) prints, logs and stores no key material', { timeout: 180_000 }, () => {
  const keysDir = mkdtempSync(join(tmpdir(), 'solrules-leak-'));
  const dump = join(keysDir, 'dump.json');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/executors/e2e-execution.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOLRULES_LOG_LEVEL: 'debug', SOLRULES_E2E_KEYS_DIR: keysDir, SOLRULES_E2E_DUMP: dump },
    encoding: 'utf8',
    timeout: 170_000,
  });
  assert.equal(run.status, 0, `e2e failed:\n${run.stdout}\n${run.stderr}`);
  const outputs = { stdout: run.stdout, stderr: run.stderr, 'store/journal/metrics dump': readFileSync(dump, 'utf8') };
  assert.match(outputs.stdout, /every balance reconciled to the lamport/);
  assert.ok(outputs.stderr.split('\n').length >= 8, 'debug logging produced log lines to search');
  const keys = readdirSync(keysDir).filter((f) => f.endsWith('.json') && f !== 'dump.json');
  assert.equal(keys.length, 5, 'treasure, controller, counterparty and two workers');
  let searched = 0;
  for (const f of keys) {
    const secret = Buffer.from(JSON.parse(readFileSync(join(keysDir, f), 'utf8')) as number[]);
    const address = Keypair.fromSecretKey(secret).publicKey.toBase58();
    assert.ok(outputs.stdout.includes(address) || outputs.stderr.includes(address), `${f}: its address appears (the search sees this wallet's output)`);
    for (const [where, text] of Object.entries(outputs)) {
      for (const form of forms(secret)) {
        searched += 1;
        assert.equal(text.includes(form), false, `${f}: key material found in ${where}`);
      }
    }
  }
  console.log(`# searched ${searched} (key form, output) pairs over ${Object.values(outputs).reduce((a, t) => a + t.length, 0)} characters of output`);
});

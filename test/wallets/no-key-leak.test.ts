/**
 * No key byte in any output. First a full run: `npm run e2e:execution` (sandbox, funding, three
 * orders through jito gRPC, Jito JSON-RPC and RPC) is run with debug logging, and its stdout,
 * stderr and a dump of the store, journal and metrics are searched for every wallet's key in
 * base58, base64, hex and JSON-array form. Then every `solrules wallets` subcommand, in text and
 * json, with keys from a file, an environment variable and a keyCommand (one that fails after
 * printing the key too), and the transfer journal, searched the same way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { REPO_ROOT } from '../support/paths.ts';
import { startSandbox } from '../../sandbox/index.ts';
import { mintTo, walletsProject } from './support/project.ts';

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

test('every `wallets` subcommand, text and json, with keys from files, env and a keyCommand, prints and journals no key material', { timeout: 180_000 }, async (t) => {
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const p = await walletsProject(sb, { controllers: 1, workers: 2 });
  const cli = (args: string[], env: Record<string, string> = {}) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolveRun) => {
      execFile(process.execPath, ['--import', 'tsx', 'bin/solrules.js', 'wallets', ...args], { cwd: REPO_ROOT, env: { ...process.env, SOLRULES_LOG_LEVEL: 'debug', ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
        resolveRun({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });
  const outputs: { what: string; text: string }[] = [];
  const record = (what: string, r: { code: number; stdout: string; stderr: string }) => outputs.push({ what: `${what} (exit ${r.code})`, text: r.stdout + r.stderr });

  for (const format of ['text', 'json']) {
    const init = await cli(['init', '--config', p.config, '--format', format]);
    record(`init --format ${format}`, init);
    if (format === 'text') assert.equal(init.code, 0, init.stderr);
  }
  const keys = ['treasure', 'controller-1', 'worker-1', 'worker-2'].map((w) => ({ wallet: w, file: join(p.dir, 'keys', `${w}.json`) }));
  const secrets = keys.map((k) => ({ ...k, secret: Buffer.from(JSON.parse(readFileSync(k.file, 'utf8')) as number[]) }));
  const address = (w: string) => Keypair.fromSecretKey(secrets.find((s) => s.wallet === w)!.secret).publicKey;
  // treasure from a keyCommand, worker-1 from an environment variable, the rest from files.
  const yaml = readFileSync(p.config, 'utf8');
  const w1Env = { SOLRULES_LEAK_WORKER_1: JSON.stringify(Array.from(secrets.find((s) => s.wallet === 'worker-1')!.secret)) };
  const treasureFile = keys[0]!.file;
  writeFileSync(p.config, yaml.replace('key: { file: keys/treasure.json }', `key: { keyCommand: [cat, ${treasureFile}] }`).replace('key: { file: keys/worker-1.json }', 'key: { env: SOLRULES_LEAK_WORKER_1 }'));
  sb.airdrop(address('treasure'), 20_000_000_000n);
  await mintTo(sb, p, address('treasure'), 1_000_000_000n);
  const rpc = ['--config', p.config, '--rpc', sb.rpcUrl];
  for (const format of ['text', 'json']) record(`fund --dry-run --format ${format}`, await cli(['fund', '--dry-run', ...rpc, '--format', format], w1Env));
  const fund = await cli(['fund', ...rpc], w1Env);
  record('fund', fund);
  assert.equal(fund.code, 0, fund.stdout + fund.stderr);
  record('fund --format json (nothing to move)', await cli(['fund', ...rpc, '--format', 'json'], w1Env));
  sb.airdrop(address('worker-2'), 123_456_789n);
  for (const format of ['text', 'json']) record(`status --format ${format}`, await cli(['status', ...rpc, '--format', format], w1Env));
  record('explain', await cli(['explain', 'worker-2', ...rpc, '--reason', 'leak test'], w1Env));
  for (const format of ['text', 'json']) record(`sweep --format ${format}`, await cli(['sweep', ...rpc, '--format', format], w1Env));
  sb.airdrop(address('worker-2'), 7n);
  for (const format of ['text', 'json']) {
    const r = await cli(['watch', ...rpc, '--for', '1', '--no-subscribe', '--format', format], w1Env);
    record(`watch --format ${format}`, r);
    if (format === 'text') assert.match(r.stdout, /worker-2 \(worker\) SOL: expected \d+, found \d+ \(difference 7;/, `watch reported the deposit: ${r.stdout} ${r.stderr}`);
    else assert.match(r.stderr, /"holds":\["worker-2"\]/, `watch --format json: ${r.stdout} ${r.stderr}`);
  }
  // Failures: a keyCommand that prints the key and then fails; worker-1's env unset.
  writeFileSync(p.config, yaml.replace('key: { file: keys/treasure.json }', `key: { keyCommand: [sh, -c, "cat ${treasureFile}; cat ${treasureFile} >&2; exit 4"] }`));
  for (const format of ['text', 'json']) {
    const r = await cli(['status', ...rpc, '--format', format]);
    assert.equal(r.code, 1);
    record(`status with a failing keyCommand --format ${format}`, r);
  }
  writeFileSync(p.config, yaml.replace('key: { file: keys/worker-1.json }', 'key: { env: SOLRULES_LEAK_WORKER_1 }'));
  record('status without the env key', await cli(['status', ...rpc, '--format', 'json']));
  outputs.push({ what: 'the journal', text: readFileSync(join(p.dir, '.solrules', 'wallets-journal.jsonl'), 'utf8') });

  const all = outputs.map((o) => o.text).join('\n');
  for (const w of ['treasure', 'worker-1', 'worker-2']) assert.ok(all.includes(address(w).toBase58()), `${w}'s address appears: the search sees its output`);
  let searched = 0;
  for (const s of secrets) {
    for (const o of outputs) {
      for (const form of forms(s.secret)) {
        searched += 1;
        assert.equal(o.text.includes(form), false, `${s.wallet}: key material in ${o.what}`);
      }
    }
  }
  console.log(`# searched ${searched} (key form, output) pairs over ${outputs.length} outputs, ${all.length} characters`);
});

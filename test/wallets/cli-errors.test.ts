/**
 * Bad input to `solrules wallets`, each refused with a typed error before anything is sent:
 * a key file others can read, a keyCommand that fails or times out, an invalid wallets.yaml,
 * and a missing RPC endpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import { startSandbox } from '../../sandbox/index.ts';
import { mintTo, wallets, walletsProject } from './support/project.ts';

test('wrong permissions, a failing or hanging keyCommand: typed errors, nothing sent, nothing journalled', { timeout: 60_000 }, async (t) => {
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const p = await walletsProject(sb, { controllers: 1, workers: 2 });
  const init = await wallets(['init', '--config', p.config, '--format', 'json']);
  assert.equal(init.code, 0, init.stderr);
  const created = JSON.parse(init.stdout).created as { wallet: string; file: string; publicKey: string }[];
  const treasure = new PublicKey(created.find((c) => c.wallet === 'treasure')!.publicKey);
  sb.airdrop(treasure, 50_000_000_000n);
  await mintTo(sb, p, treasure, 1_000_000_000n);
  const args = ['--config', p.config, '--rpc', sb.rpcUrl];
  const journal = join(p.dir, '.solrules', 'wallets-journal.jsonl');
  const untouched = () => {
    assert.equal(sb.getAccount(treasure)!.lamports, 50_000_000_000n, 'the treasure sent nothing');
    assert.equal(existsSync(journal), false, 'nothing journalled');
  };

  // A worker key file readable by the group.
  const w1 = created.find((c) => c.wallet === 'worker-1')!.file;
  chmodSync(w1, 0o640);
  for (const format of ['text', 'json']) {
    const r = await wallets(['fund', ...args, '--format', format]);
    assert.equal(r.code, 1);
    const text = format === 'json' ? JSON.stringify(JSON.parse(r.stdout).error) : r.stderr;
    // validation of wallets.yaml already refuses it (WALLETS_KEY_FILE_MODE, positioned), before any key is loaded
    assert.match(text, /key file .*worker-1\.json .*is readable or writable by group or others \(mode 0640\); run chmod 600/);
    assert.match(text, /WALLETS_KEY_FILE_MODE/);
    if (format === 'text') assert.match(r.stderr, /\[WALLETS_INVALID\]/);
    else assert.equal(JSON.parse(r.stdout).error.code, 'WALLETS_INVALID');
  }
  untouched();
  chmodSync(w1, 0o600);

  // The treasure's key from a command that fails, then one that hangs.
  const yaml = readFileSync(p.config, 'utf8');
  const treasureFile = created.find((c) => c.wallet === 'treasure')!.file;
  const withTreasureKey = (key: string) => writeFileSync(p.config, yaml.replace('key: { file: keys/treasure.json }', `key: ${key}`));
  withTreasureKey(`{ keyCommand: [sh, -c, "cat ${treasureFile}; echo 'vault: token expired' >&2; exit 3"] }`);
  let r = await wallets(['fund', ...args]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /wallet 'treasure': keyCommand 'sh' exited with code 3; stderr: vault: token expired \[WALLET_KEY_COMMAND_FAILED\]/);
  untouched();
  withTreasureKey('{ keyCommand: [sleep, "5"], timeoutMs: 200 }');
  r = await wallets(['status', ...args]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /did not finish within 200 ms; it was killed \[WALLET_KEY_COMMAND_TIMEOUT\]/);
  withTreasureKey(`{ keyCommand: [cat, ${treasureFile}], timeoutMs: 5000 }`);
  r = await wallets(['fund', ...args, '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /fund plan \(dry run, nothing sent\):\n {2}treasure → controller-1: 2\.000000000 SOL, 100\.000000 usdc, create usdc account/);
  untouched();

  // An invalid wallets.yaml: the diagnostic names file, line and column.
  writeFileSync(p.config, yaml.replace('lamports: "500000000"', 'lamports: 0.5'));
  r = await wallets(['fund', ...args]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /wallets\.yaml:7:\d+.*SCHEMA_TYPE/s);
  untouched();

  // Reading the chain needs an endpoint: none is assumed.
  writeFileSync(p.config, yaml);
  const saved = process.env.SOLRULES_RPC_URL;
  delete process.env.SOLRULES_RPC_URL;
  r = await wallets(['status', '--config', p.config]);
  if (saved !== undefined) process.env.SOLRULES_RPC_URL = saved;
  assert.equal(r.code, 2);
  assert.match(r.stderr, /give --rpc URL or set SOLRULES_RPC_URL/);
});

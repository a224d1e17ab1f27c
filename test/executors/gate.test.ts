/** The live gate: --live needs wallets whose keys load and executors that know where to send. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair } from '@solana/web3.js';
import bs58 from 'bs58';
import { liveReadiness } from '../../engine/executors/index.ts';

test('ready only with loadable keys, a worker, and executors with endpoints; every problem is listed, no key shown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-gate-'));
  const worker = Keypair.generate();
  const treasure = Keypair.generate();
  writeFileSync(join(dir, 'w.json'), JSON.stringify(Array.from(worker.secretKey)));
  chmodSync(join(dir, 'w.json'), 0o600);
  const file = join(dir, 'wallets.yaml');
  const config = { version: 1 as const, wallets: [{ name: 'treasure', tier: 'treasure' as const, key: { env: 'T_KEY' } }, { name: 'w', tier: 'worker' as const, key: { file: 'w.json' } }] };
  const executors = { rpc: { type: 'rpc', endpoints: ['http://127.0.0.1:8899'] }, jito: { type: 'jito', transport: 'grpc', blockEngine: '127.0.0.1:1234' }, paper: { type: 'paper' } };
  const ok = liveReadiness({ wallets: { file, config }, executors, env: { T_KEY: bs58.encode(treasure.secretKey) } });
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.ready, true);
  assert.deepEqual(ok.wallets.map((w) => w.address), [treasure.publicKey.toBase58(), worker.publicKey.toBase58()]);

  chmodSync(join(dir, 'w.json'), 0o644);
  const bad = liveReadiness({ wallets: { file, config }, executors: { rpc: { type: 'rpc' }, jito: { type: 'jito' } }, env: {} });
  assert.equal(bad.ready, false);
  assert.equal(bad.problems.length, 4);
  assert.match(bad.problems.join('\n'), /T_KEY .*is not set/);
  assert.match(bad.problems.join('\n'), /chmod 600/);
  assert.match(bad.problems.join('\n'), /executors\.rpc: an rpc executor needs endpoints/);
  assert.match(bad.problems.join('\n'), /executors\.jito: a jito executor needs blockEngine/);
  for (const secret of [bs58.encode(worker.secretKey), bs58.encode(treasure.secretKey)]) assert.equal(bad.problems.join('\n').includes(secret), false);
  assert.equal(liveReadiness({ executors: {} }).ready, false, 'no wallets.yaml');
});

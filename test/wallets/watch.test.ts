/** `solrules wallets watch`: the scanner as a command — a deposit behind our back is printed, the wallet held, exit 3. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicKey } from '@solana/web3.js';
import { startSandbox } from '../../sandbox/index.ts';
import { webSocketsIdle } from '../sandbox/helpers.ts';
import { waitUntil } from '../support/wait.ts';
import { mintTo, wallets, walletsProject } from './support/project.ts';

test('wallets watch prints a discrepancy seen through its subscription and exits 3 with the wallet on hold', { timeout: 60_000 }, async (t) => {
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const p = await walletsProject(sb, { controllers: 1, workers: 2 });
  const created = JSON.parse((await wallets(['init', '--config', p.config, '--format', 'json'])).stdout).created as { wallet: string; publicKey: string }[];
  const addr = (w: string) => new PublicKey(created.find((c) => c.wallet === w)!.publicKey);
  sb.airdrop(addr('treasure'), 20_000_000_000n);
  await mintTo(sb, p, addr('treasure'), 1_000_000_000n);
  const args = ['--config', p.config, '--rpc', sb.rpcUrl];
  assert.equal((await wallets(['fund', ...args])).code, 0);

  const running = wallets(['watch', ...args, '--for', '3', '--format', 'json']);
  await waitUntil(() => sb.stats().subscriptions >= 8, { what: 'watch to subscribe to 4 wallets and 4 token accounts' });
  sb.airdrop(addr('worker-2'), 42n);
  const r = await running;
  assert.equal(r.code, 3, r.stderr);
  const lines = r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { wallet: string; difference: string; trigger: string });
  assert.deepEqual(lines.map((l) => [l.wallet, l.difference, l.trigger]), [['worker-2', '42', 'subscription']]);
  assert.deepEqual(JSON.parse(r.stderr.split('\n').filter(Boolean).pop()!).holds, ['worker-2']);
  const status = await wallets(['status', ...args]);
  assert.equal(status.code, 3);
  assert.match(status.stdout, /worker-2\s+worker\s+SOL .* ON HOLD/);
  await webSocketsIdle(sb);
});

/**
 * Rebalancing as rules on the sandbox: rules/wallets.yaml (the shipped file) decides, per wallet,
 * from its facts; a worker a trade took under its floor is topped up from a controller, a worker
 * above its cap sweeps to the treasure, a worker on hold is left alone; every transfer is
 * journalled and reconciles to the lamport; a second run moves nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Keypair, PublicKey, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { startSandbox } from '../../sandbox/index.ts';
import { loadFiles } from '../../engine/config/index.ts';
import { RpcPool } from '../../engine/executors/index.ts';
import { evaluatorFactory } from '../../engine/rules/index.ts';
import { metrics } from '../../engine/infra/telemetry/index.ts';
import { WalletManager } from '../../engine/wallets/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { mintTo, sendRaw, wallets, walletsProject } from './support/project.ts';

test('rules/wallets.yaml tops up a worker under its floor from a controller, sweeps one above its cap, skips one on hold', { timeout: 60_000 }, async (t) => {
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const p = await walletsProject(sb, { controllers: 1, workers: 2, extraWallets: '  - { name: worker-9, tier: worker, key: { file: keys/worker-9.json }, minBalanceSol: 0.05, maxBalanceSol: 1 }' });
  const created = JSON.parse((await wallets(['init', '--config', p.config, '--format', 'json'])).stdout).created as { wallet: string; publicKey: string }[];
  const addr = (w: string) => new PublicKey(created.find((c) => c.wallet === w)!.publicKey);
  sb.airdrop(addr('treasure'), 20_000_000_000n);
  await mintTo(sb, p, addr('treasure'), 1_000_000_000n);
  const args = ['--config', p.config, '--rpc', sb.rpcUrl];
  assert.equal((await wallets(['fund', ...args])).code, 0);
  const m = await WalletManager.open({ cfg: loadFiles([p.config]).wallets!.config, baseDir: p.dir, rpc: new RpcPool([sb.rpcUrl]) });
  const send = async (from: string, lamports: number, journal: boolean) => {
    const signer = m.keystore.get(from);
    const bh = sb.latestBlockhash();
    const tx = new VersionedTransaction(new TransactionMessage({ payerKey: signer.publicKey, recentBlockhash: bh.blockhash, instructions: [SystemProgram.transfer({ fromPubkey: signer.publicKey, toPubkey: Keypair.generate().publicKey, lamports })] }).compileToV0Message());
    signer.sign(tx);
    const sig = bs58.encode(tx.signatures[0]!);
    if (journal) await m.beginExecution(sig, bh.lastValidBlockHeight, [from], `order-${from}`);
    await sendRaw(sb, tx);
    if (journal) assert.deepEqual(await m.settleExecution(sig), { ok: true });
  };
  await send('worker-1', 470_000_000, true); // a trade of ours: 0.029995 SOL left, under the 0.05 floor
  await send('worker-2', 470_000_000, false); // behind our back: on hold once scanned
  const found = (await m.scanner({ intervalMs: 60_000 }).scan()).discrepancies;
  assert.deepEqual(found.map((d) => d.wallet), ['worker-2']);
  sb.airdrop(addr('worker-9'), 2_000_000_000n); // proceeds arriving…
  assert.equal((await wallets(['explain', 'worker-9', ...args, '--reason', 'test: sale proceeds'])).code, 0); // …explained by the operator

  const ruleFile = loadFiles([join(REPO_ROOT, 'rules/wallets.yaml')]).ruleFiles[0]!.file;
  const evaluator = evaluatorFactory('compiled').create(ruleFile, {});
  const controllerBefore = sb.getAccount(addr('controller-1'))!.lamports;
  const worker2Before = sb.getAccount(addr('worker-2'))!.lamports;
  const r = await m.rebalance(evaluator);
  assert.deepEqual(
    r.decisions.map((d) => [d.wallet, d.rule, d.action, d.lamports, d.from ?? d.to]),
    [
      ['worker-1', 'worker-top-up', 'top-up', '470005000', 'controller-1'],
      ['worker-9', 'worker-sweep', 'sweep', '2000000000', 'treasure'],
    ],
  );
  assert.equal(r.results.length, 2);
  assert.equal(sb.getAccount(addr('worker-1'))!.lamports, 500_000_000n);
  assert.equal(sb.getAccount(addr('worker-9'))!.lamports, 500_000_000n);
  assert.equal(sb.getAccount(addr('worker-2'))!.lamports, worker2Before, 'on hold: untouched');
  assert.equal(sb.getAccount(addr('controller-1'))!.lamports, controllerBefore - 470_005_000n - 5_000n, 'the controller paid the top-up and its fee');
  assert.equal((await metrics.wallets.rebalances.get()).values.find((v) => v.labels.tier === 'worker')?.value, 2);

  const again = await m.rebalance(evaluator);
  assert.equal(again.results.length, 0, 'a second run moves nothing');
  for (const row of await m.status()) assert.equal(row.difference, row.wallet === 'worker-2' && row.asset === 'SOL' ? '-470005000' : '0', `${row.wallet} ${row.asset}`);
});

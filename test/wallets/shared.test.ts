/**
 * Expected balances shared through Redis by two wallet managers that share nothing else (each
 * its own journal file and in-process state, as two processes on two hosts): one funds and
 * settles a trade, the other's balance scanner sees the send in flight and then the expected
 * balances move — no false discrepancy — while a transfer made behind our back is still caught
 * and the hold is seen by both. A settlement recorded by both counts once; a restart replaying
 * its journal counts nothing twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import { startSandbox } from '../../sandbox/index.ts';
import { loadFiles } from '../../engine/config/index.ts';
import { RpcPool } from '../../engine/executors/index.ts';
import { RedisCache } from '../../engine/infra/cache/redis/index.ts';
import { WalletManager } from '../../engine/wallets/index.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { mintTo, sendRaw, tradeAway, wallets, walletsProject } from './support/project.ts';

test('two wallet managers on one Redis: a trade settled by one moves the other\'s expectations; a transfer behind our back is still held', { timeout: 90_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const prefix = `solrules-wallets-shared-${process.pid}-${Date.now()}:`;
  const p = await walletsProject(sb, { controllers: 1, workers: 2 });
  const created = JSON.parse((await wallets(['init', '--config', p.config, '--format', 'json'])).stdout).created as { wallet: string; publicKey: string }[];
  const addr = (w: string) => created.find((c) => c.wallet === w)!.publicKey;
  sb.airdrop(new PublicKey(addr('treasure')), 20_000_000_000n);
  await mintTo(sb, p, new PublicKey(addr('treasure')), 1_000_000_000n);

  const caches: RedisCache[] = [];
  const connect = async () => {
    const c = await RedisCache.connect(SERVICES.redis.url, { keyPrefix: prefix });
    caches.push(c);
    return c;
  };
  t.after(async () => {
    const keys = await caches[0]!.client.keys(`${prefix}*`);
    if (keys.length) await caches[0]!.client.del(...keys.map((k) => k.slice(prefix.length)));
    for (const c of caches) await c.close();
  });
  const cfg = loadFiles([p.config]).wallets!.config;
  const journalA = join(mkdtempSync(join(tmpdir(), 'solrules-host-a-')), 'journal.jsonl');
  const journalB = join(mkdtempSync(join(tmpdir(), 'solrules-host-b-')), 'journal.jsonl');
  const open = async (journalPath: string) => WalletManager.open({ cfg, baseDir: p.dir, rpc: new RpcPool([sb.rpcUrl]), cache: await connect(), journalPath });
  const a = await open(journalA);
  const b = await open(journalB);

  // A funds every wallet; B has journalled nothing, yet judges every balance against A's expectations.
  const funded = await a.run('fund');
  assert.equal(funded.results.length, 3);
  const scanner = b.scanner({ intervalMs: 60_000 });
  assert.deepEqual((await scanner.scan()).discrepancies, [], 'B: every balance as A recorded it');
  assert.equal(b.ledger.expected(addr('worker-1'), 'SOL'), 500_000_000n);
  assert.equal(b.ledger.journal().filter((e) => e.kind !== 'baseline').length, 0, 'B journalled no transfer');

  // A's worker-1 trades (pays 0.01 SOL and 1 usdc away): journalled by A before broadcast, settled by A after.
  const mint = a.mints[0]!;
  const { tx, signature, lastValidBlockHeight } = tradeAway(sb, a, 'worker-1', mint);
  const bh = { lastValidBlockHeight };
  await a.beginExecution(signature, bh.lastValidBlockHeight, ['worker-1'], 'order-1');
  await sendRaw(sb, tx);
  assert.deepEqual((await scanner.scan()).discrepancies, [], 'B: A\'s send is in flight, worker-1 is not judged');
  assert.ok(b.ledger.isPending(addr('worker-1')), 'B sees A\'s send in flight');

  // Both settle it (A's executor and, racing, B's hooks): the deltas count once.
  await Promise.all([a.settleExecution(signature), b.executionHooks().settle([signature], 'landed', bh.lastValidBlockHeight)]);
  assert.deepEqual((await scanner.scan()).discrepancies, [], 'B: settled by A, the expectation follows the trade');
  assert.equal(b.ledger.isPending(addr('worker-1')), false);
  const rent = sb.chain.minimumBalanceForRentExemption(165);
  assert.equal(b.ledger.expected(addr('worker-1'), 'SOL'), 500_000_000n - 10_000_000n - 5_000n - rent, 'transfer, fee and the token account rent, counted once');
  assert.equal(b.ledger.expected(addr('worker-1'), mint.address), 24_000_000n);
  assert.equal(b.ledger.expected(addr('worker-1'), 'SOL'), sb.getAccount(new PublicKey(addr('worker-1')))!.lamports, 'B\'s expectation is the chain\'s balance');

  // A restart of A (new connection, same journal) replays its journal: nothing counts twice.
  const a2 = await open(journalA);
  assert.ok(a2.ledger.journal().length >= 5, 'A\'s journal replayed');
  for (const r of await a2.status()) assert.equal(r.difference, '0', `after A's restart: ${r.wallet} ${r.asset}`);

  // Behind our back: 1 lamport into worker-2. B's scanner holds it; A sees the hold.
  sb.airdrop(new PublicKey(addr('worker-2')), 1n);
  const found = (await scanner.scan()).discrepancies;
  assert.deepEqual(found.map((d) => [d.wallet, d.asset, d.difference]), [['worker-2', 'SOL', '1']]);
  await a.ledger.sync();
  assert.equal(a.ledger.hold(addr('worker-2'))?.difference, '1', 'A sees the hold B journalled');
  assert.equal(a.ledger.hold(addr('worker-1')), undefined);
});

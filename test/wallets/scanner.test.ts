/**
 * The balance scanner's reads and its shared state: getMultipleAccounts in batches of at most
 * 100, and expected balances mirrored into Redis so a process without the journal (another
 * host) judges balances against the same expectations.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Keypair, PublicKey } from '@solana/web3.js';
import { startSandbox } from '../../sandbox/index.ts';
import { loadFiles } from '../../engine/config/index.ts';
import { RpcPool } from '../../engine/executors/index.ts';
import { RedisCache } from '../../engine/infra/cache/redis/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { WalletManager, getAccounts, MAX_ACCOUNTS_PER_CALL } from '../../engine/wallets/index.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { mintTo, sendRaw, tradeAway, wallets, walletsProject } from './support/project.ts';

test('getMultipleAccounts is called with at most 100 accounts, in order', async (t) => {
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const funded = Keypair.generate().publicKey;
  sb.airdrop(funded, 1_234_567n);
  const addrs = Array.from({ length: 250 }, () => Keypair.generate().publicKey.toBase58());
  addrs[187] = funded.toBase58();
  const before = sb.stats().rpcRequests.getMultipleAccounts ?? 0;
  const { accounts, calls } = await getAccounts(new RpcPool([sb.rpcUrl]), addrs);
  assert.equal(MAX_ACCOUNTS_PER_CALL, 100);
  assert.equal(calls, 3);
  assert.equal((sb.stats().rpcRequests.getMultipleAccounts ?? 0) - before, 3);
  assert.equal(accounts.length, 250);
  assert.equal(accounts.filter((a) => a !== null).length, 1);
  assert.equal(accounts[187]!.lamports, 1_234_567n);
});

test('expected balances mirrored into Redis: a scanner without the journal sees them and catches a difference', { timeout: 60_000 }, async (t) => {
  if (!(await requireService(t, 'redis'))) return;
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const prefix = `solrules-wallets-test-${process.pid}-${Date.now()}`;
  const p = await walletsProject(sb, { controllers: 1, workers: 2 });
  const init = await wallets(['init', '--config', p.config, '--format', 'json']);
  const created = JSON.parse(init.stdout).created as { wallet: string; publicKey: string }[];
  const addr = (w: string) => new PublicKey(created.find((c) => c.wallet === w)!.publicKey);
  sb.airdrop(addr('treasure'), 20_000_000_000n);
  await mintTo(sb, p, addr('treasure'), 1_000_000_000n);
  const saved = process.env.SOLRULES_CACHE;
  process.env.SOLRULES_CACHE = `${SERVICES.redis.url}?prefix=${prefix}`;
  try {
    const fund = await wallets(['fund', '--config', p.config, '--rpc', sb.rpcUrl]);
    assert.equal(fund.code, 0, fund.stderr);
  } finally {
    if (saved === undefined) delete process.env.SOLRULES_CACHE;
    else process.env.SOLRULES_CACHE = saved;
  }
  const cache = await RedisCache.connect(SERVICES.redis.url, { keyPrefix: `${prefix}:` });
  t.after(async () => {
    const keys = await cache.client.keys(`${prefix}:*`);
    if (keys.length) await cache.client.del(...keys.map((k) => k.slice(prefix.length + 1)));
    await cache.close();
  });
  // Another host: the same Redis, no journal of its own.
  const elsewhere = join(mkdtempSync(join(tmpdir(), 'solrules-elsewhere-')), 'journal.jsonl');
  const m = await WalletManager.open({ cfg: loadFiles([p.config]).wallets!.config, baseDir: p.dir, rpc: new RpcPool([sb.rpcUrl]), cache, journalPath: elsewhere });
  assert.equal(m.ledger.journal().length, 0, 'nothing in its own journal');
  assert.equal(m.ledger.expected(addr('worker-1').toBase58(), 'SOL'), 500_000_000n, 'read from Redis');
  const scanner = m.scanner({ intervalMs: 60_000 });
  assert.equal((await scanner.scan()).discrepancies.length, 0, 'every balance matches what the funding process recorded');
  sb.airdrop(addr('worker-2'), 1n);
  const found = (await scanner.scan()).discrepancies;
  assert.deepEqual(found.map((d) => [d.wallet, d.asset, d.difference]), [['worker-2', 'SOL', '1']]);
  assert.ok(scanner.isOnHold(addr('worker-2').toBase58()));
  const held = (await cache.readHash(`wallets:${addr('treasure').toBase58()}:holds`))[addr('worker-2').toBase58()];
  assert.equal((JSON.parse(held!) as { difference: string }).difference, '1', 'the hold is in Redis too');
});

test('a trade journalled by its executor (beginExecution → settleExecution) moves expected balances, not holds', { timeout: 60_000 }, async (t) => {
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const p = await walletsProject(sb, { controllers: 1, workers: 2 });
  const created = JSON.parse((await wallets(['init', '--config', p.config, '--format', 'json'])).stdout).created as { wallet: string; file: string; publicKey: string }[];
  const treasure = new PublicKey(created.find((c) => c.wallet === 'treasure')!.publicKey);
  sb.airdrop(treasure, 20_000_000_000n);
  await mintTo(sb, p, treasure, 1_000_000_000n);
  assert.equal((await wallets(['fund', '--config', p.config, '--rpc', sb.rpcUrl])).code, 0);
  const m = await WalletManager.open({ cfg: loadFiles([p.config]).wallets!.config, baseDir: p.dir, rpc: new RpcPool([sb.rpcUrl]) });
  const store = new MemoryStore();
  const scanner = m.scanner({ intervalMs: 60_000, history: store });
  assert.equal((await scanner.scan()).discrepancies.length, 0);
  const historyRows = async () => (await Promise.all(m.managed.map((w) => store.walletBalanceHistory(w.address)))).flat();
  assert.equal((await historyRows()).length, 8, 'first scan: SOL and usdc of each of the 4 wallets');
  await scanner.scan();
  assert.equal((await historyRows()).length, 8, 'nothing changed: nothing written');

  // worker-1 "trades": pays 0.01 SOL and 1 usdc away (a stand-in for a swap; what matters is that it is ours).
  const w1 = m.keystore.get('worker-1');
  const mint = m.mints[0]!;
  const { tx, signature, lastValidBlockHeight } = tradeAway(sb, m, 'worker-1', mint);
  const bh = { lastValidBlockHeight };
  await m.beginExecution(signature, bh.lastValidBlockHeight, ['worker-1'], 'order-1');
  await sendRaw(sb, tx);
  assert.equal((await scanner.scan()).discrepancies.length, 0, 'in flight: not judged');
  assert.deepEqual(await m.settleExecution(signature), { ok: true });
  assert.equal((await scanner.scan()).discrepancies.length, 0, 'settled: expected follows the trade');
  const w1History = await store.walletBalanceHistory(w1.address);
  assert.deepEqual(w1History.filter((b) => b.mint !== 'SOL').map((b) => b.atoms), [25_000_000n, 24_000_000n], 'balance history follows the change');
  assert.equal((await historyRows()).length, 10);
  const rows = await m.status();
  for (const r of rows) assert.equal(r.difference, '0', `${r.wallet} ${r.asset}`);
  const w1Sol = rows.find((r) => r.wallet === 'worker-1' && r.asset === 'SOL')!;
  assert.equal(BigInt(w1Sol.expected!), 500_000_000n - 10_000_000n - 5_000n - sb.chain.minimumBalanceForRentExemption(165), 'transfer, fee and the token account rent it paid');
  assert.equal(rows.find((r) => r.wallet === 'worker-1' && r.asset === 'usdc')!.expected, '24000000');
});

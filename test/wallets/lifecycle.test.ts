/**
 * Wallets on the sandbox, end to end through `solrules wallets`: init → a plan the treasure
 * cannot cover is refused before anything is sent → fund 3 controllers and 10 workers (SOL and
 * token accounts) → status shows expected = actual everywhere → fund again moves nothing → a
 * transfer made behind our back is caught within one scan interval (subscription, then the
 * interval alone), the wallet goes on hold, the metric is set and the worker pool skips it →
 * explain, fund, sweep → every balance reconciles to the lamport.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Keypair, PublicKey, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { getAssociatedTokenAddressSync } from '@solana/spl-token';
import { startSandbox } from '../../sandbox/index.ts';
import { loadFiles } from '../../engine/config/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { metrics } from '../../engine/infra/telemetry/index.ts';
import { RpcPool } from '../../engine/executors/index.ts';
import { WalletManager, WorkerPool, type Discrepancy, type JournalEntry, type StatusRow } from '../../engine/wallets/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { waitUntil } from '../support/wait.ts';
import { webSocketsIdle } from '../sandbox/helpers.ts';
import { mintTo, sendRaw, wallets, walletsProject } from './support/project.ts';

const journalOf = (dir: string): JournalEntry[] =>
  readFileSync(join(dir, '.solrules', 'wallets-journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalEntry);

async function gaugeValue(g: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, wallet: string): Promise<number | undefined> {
  return (await g.get()).values.find((v) => v.labels.wallet === wallet)?.value;
}

test('wallets: init, refused plan, fund 13 wallets, status, idempotent fund, discrepancy → hold → explain, sweep, reconcile', { timeout: 120_000 }, async (t) => {
  const sb = await startSandbox({ slotMs: 'manual' });
  t.after(() => sb.close());
  const p = await walletsProject(sb);
  const cfgArgs = ['--config', p.config, '--rpc', sb.rpcUrl];

  // init: 14 key files, mode 0600, public keys printed; a second init creates nothing.
  const init = await wallets(['init', '--config', p.config, '--format', 'json']);
  assert.equal(init.code, 0, init.stderr);
  const created = JSON.parse(init.stdout).created as { wallet: string; file: string; publicKey: string }[];
  assert.equal(created.length, 14);
  for (const c of created) assert.equal(statSync(c.file).mode & 0o777, 0o600, `${c.file} mode`);
  const again = await wallets(['init', '--config', p.config]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /refusing to overwrite existing key files \(nothing was created\).*\[WALLET_KEY_FILE_EXISTS\]/);
  const addr = Object.fromEntries(created.map((c) => [c.wallet, new PublicKey(c.publicKey)]));
  const keyOf = (name: string) => Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(created.find((c) => c.wallet === name)!.file, 'utf8')) as number[]));

  // A treasure at its floor with no tokens: the plan is refused, naming each shortfall; nothing is sent.
  sb.airdrop(addr.treasure!, 1_500_000_000n);
  const refused = await wallets(['fund', ...cfgArgs, '--format', 'json']);
  assert.equal(refused.code, 1);
  const err = JSON.parse(refused.stdout).error;
  assert.equal(err.code, 'WALLET_FUNDING_SHORTFALL');
  assert.deepEqual(err.context.shortfalls.map((s: { asset: string }) => s.asset).sort(), ['SOL', 'usdc']);
  const usdcShort = err.context.shortfalls.find((s: { asset: string }) => s.asset === 'usdc');
  assert.equal(usdcShort.needed, (3n * 100_000_000n + 10n * 25_000_000n).toString());
  assert.equal(usdcShort.short, usdcShort.needed);
  assert.match(err.message, /nothing was sent/);
  assert.equal(journalOf(p.dir).filter((e) => e.kind === 'sent').length, 0);
  assert.equal(sb.getAccount(addr['worker-1']!), null, 'no wallet was funded');

  // Fund for real.
  sb.airdrop(addr.treasure!, 100_000_000_000n);
  await mintTo(sb, p, addr.treasure!, 2_000_000_000n);
  const totalBefore = totalLamports();
  const fund = await wallets(['fund', ...cfgArgs, '--format', 'json']);
  assert.equal(fund.code, 0, fund.stderr + fund.stdout);
  const funded = JSON.parse(fund.stdout);
  assert.equal(funded.transfers.length, 13);
  console.log(`# funding 13 wallets (SOL + token account + tokens each): ${funded.ms} ms`);
  for (let i = 1; i <= 10; i++) {
    assert.equal(sb.getAccount(addr[`worker-${i}`]!)!.lamports, 500_000_000n);
    assert.equal(tokenAtoms(addr[`worker-${i}`]!), 25_000_000n);
  }
  assert.equal(tokenAtoms(addr['controller-2']!), 100_000_000n);

  const status = await wallets(['status', ...cfgArgs, '--format', 'json']);
  assert.equal(status.code, 0, status.stderr);
  const rows = JSON.parse(status.stdout).wallets as StatusRow[];
  assert.equal(rows.length, 14 * 2);
  for (const r of rows) {
    assert.equal(r.expected, r.actual, `${r.wallet} ${r.asset}: expected ${r.expected}, actual ${r.actual}`);
    assert.equal(r.difference, '0');
  }
  const table = await wallets(['status', ...cfgArgs]);
  assert.match(table.stdout, /controller-2\s+controller\s+usdc\s+100\.000000\s+100\.000000\s+0\s+100\.000000\s+ok\s+lookup tables, grid 2/);

  // Run twice: the second moves nothing.
  const treasureBefore = sb.getAccount(addr.treasure!)!.lamports;
  const sentBefore = journalOf(p.dir).filter((e) => e.kind === 'sent').length;
  const fund2 = await wallets(['fund', ...cfgArgs]);
  assert.equal(fund2.code, 0, fund2.stderr);
  assert.match(fund2.stdout, /fund: nothing to move/);
  assert.equal(sb.getAccount(addr.treasure!)!.lamports, treasureBefore);
  assert.equal(journalOf(p.dir).filter((e) => e.kind === 'sent').length, sentBefore);

  // The scanner (its own process state: a fresh cache filled from the journal).
  const rpc = new RpcPool([sb.rpcUrl]);
  const cfg = loadFiles([p.config]).wallets!.config;
  const bus = new MemoryBus();
  const published: Discrepancy[] = [];
  await bus.subscribe<Discrepancy>('wallets.discrepancy.>', (m) => void published.push(m.data));
  const manager = await WalletManager.open({ cfg, baseDir: p.dir, rpc, cache: new MemoryCache() });
  const intervalMs = 400;
  const scanner = manager.scanner({ intervalMs, wsUrl: sb.wsUrl, bus });
  const first = await scanner.start();
  assert.equal(first.discrepancies.length, 0);
  assert.equal(first.accounts, 28);
  assert.equal(first.calls, 1);
  await waitUntil(() => sb.stats().subscriptions >= 28, { what: 'the scanner to subscribe to every account' });

  // Behind our back: worker-3 sends 0.1 SOL to a stranger, directly on the sandbox.
  const stranger = Keypair.generate().publicKey;
  const w3 = keyOf('worker-3');
  const sneak = new VersionedTransaction(new TransactionMessage({ payerKey: w3.publicKey, recentBlockhash: sb.latestBlockhash().blockhash, instructions: [SystemProgram.transfer({ fromPubkey: w3.publicKey, toPubkey: stranger, lamports: 100_000_000 })] }).compileToV0Message());
  sneak.sign([w3]);
  const sentAt = performance.now();
  const sneakSig = await sendRaw(sb, sneak);
  await waitUntil(() => published.some((d) => d.wallet === 'worker-3'), { what: 'the discrepancy on worker-3', timeoutMs: intervalMs + 2_000 });
  const detectedMs = performance.now() - sentAt;
  const d3 = published.find((d) => d.wallet === 'worker-3')!;
  console.log(`# behind-our-back transfer detected in ${detectedMs.toFixed(0)} ms by ${d3.trigger} (interval ${intervalMs} ms)`);
  assert.ok(detectedMs <= intervalMs + 1_000, `detected within one scan interval (${detectedMs} ms)`);
  assert.equal(d3.trigger, 'subscription', 'the account subscription saw it first');
  assert.equal(d3.asset, 'SOL');
  assert.equal(BigInt(d3.difference), -100_005_000n, 'the transfer and its fee');
  assert.ok(scanner.isOnHold(addr['worker-3']!.toBase58()));
  assert.equal(await gaugeValue(metrics.wallets.onHold, 'worker-3'), 1);
  assert.equal(await gaugeValue(metrics.wallets.onHold, 'worker-2'), 0);
  assert.equal(await gaugeValue(metrics.wallets.difference, 'worker-3'), -100_005_000);
  assert.equal(await gaugeValue(metrics.wallets.balance, 'worker-3'), 0.399995);
  assert.equal(await gaugeValue(metrics.wallets.floor, 'worker-3'), 0.05);

  // The worker pool never hands out the held wallet.
  const workers = manager.keystore.byTier('worker');
  const pool = new WorkerPool(workers, rpc, scanner);
  const leased = [];
  for (let i = 0; i < 9; i++) leased.push((await pool.acquire(`o${i}`, 1_000_000n)).wallet.name);
  assert.equal(leased.includes('worker-3'), false);
  await assert.rejects(pool.acquire('o9', 1_000_000n), (e: unknown) => isSolrulesError(e, 'WALLET_NO_FREE_WORKER') && (e.context.onHold as string[]).includes('worker-3'));
  const held = await wallets(['status', ...cfgArgs]);
  assert.equal(held.code, 3);
  assert.match(held.stdout, /worker-3 ON HOLD since .*difference -100005000/);
  await scanner.stop();

  // The interval alone (no subscription) catches a deposit within one interval.
  const polling = manager.scanner({ intervalMs, bus });
  await polling.start();
  const airdropAt = performance.now();
  sb.airdrop(addr['worker-4']!, 300_000_000n);
  await waitUntil(() => published.some((d) => d.wallet === 'worker-4'), { what: 'the discrepancy on worker-4', timeoutMs: intervalMs + 2_000 });
  const pollMs = performance.now() - airdropAt;
  console.log(`# deposit detected by the interval alone in ${pollMs.toFixed(0)} ms; scans took ${summarize(polling.scans.map((s) => s.ms))}`);
  assert.equal(published.find((d) => d.wallet === 'worker-4')!.trigger, 'interval');
  assert.ok(pollMs <= intervalMs + 1_000);
  await polling.stop();

  // Explained, then fund tops worker-3 up and sweep returns worker-4's excess.
  assert.equal((await wallets(['explain', 'worker-3', ...cfgArgs, '--reason', 'test: sent to a stranger'])).code, 0);
  const ex4 = await wallets(['explain', 'worker-4', ...cfgArgs, '--reason', 'test: a deposit']);
  assert.match(ex4.stdout, /worker-4 SOL: expected 500000000 → 800000000 \(explained\)/);
  const topUp = await wallets(['fund', ...cfgArgs, '--format', 'json']);
  assert.equal(topUp.code, 0, topUp.stdout + topUp.stderr);
  assert.deepEqual(JSON.parse(topUp.stdout).transfers.map((x: { wallet: string; lamports: string }) => [x.wallet, x.lamports]), [['worker-3', '100005000']]);
  const sweep = await wallets(['sweep', ...cfgArgs, '--format', 'json']);
  assert.equal(sweep.code, 0, sweep.stdout + sweep.stderr);
  assert.deepEqual(JSON.parse(sweep.stdout).transfers.map((x: { wallet: string; lamports: string }) => [x.wallet, x.lamports]), [['worker-4', '300000000']]);
  assert.match((await wallets(['sweep', ...cfgArgs])).stdout, /sweep: nothing to move/);
  assert.match((await wallets(['fund', ...cfgArgs])).stdout, /fund: nothing to move/);

  // Reconcile: expected = actual everywhere, and lamports are conserved to the lamport.
  const final = await wallets(['status', ...cfgArgs, '--format', 'json']);
  assert.equal(final.code, 0, final.stdout);
  for (const r of JSON.parse(final.stdout).wallets as StatusRow[]) assert.equal(r.difference, '0', `${r.wallet} ${r.asset}`);
  for (let i = 1; i <= 10; i++) assert.equal(sb.getAccount(addr[`worker-${i}`]!)!.lamports, 500_000_000n, `worker-${i} at target`);
  const journal = journalOf(p.dir);
  const sent = journal.filter((e) => e.kind === 'sent').map((e) => (e as { signature: string }).signature);
  const confirmed = journal.filter((e): e is Extract<JournalEntry, { kind: 'confirmed' }> => e.kind === 'confirmed');
  assert.deepEqual(confirmed.map((e) => e.signature).sort(), [...sent].sort(), 'every transfer sent is confirmed in the journal');
  const ourFees = confirmed.reduce((a, e) => a + BigInt(e.fee), 0n);
  const sneakFee = BigInt(((await rpc.getTransaction(sneakSig)) as { meta: { fee: number } }).meta.fee);
  assert.equal(totalLamports() + (sb.getAccount(stranger)?.lamports ?? 0n), totalBefore + 300_000_000n - ourFees - sneakFee, 'lamports reconcile to the lamport');
  await webSocketsIdle(sb);

  function tokenAtoms(owner: PublicKey): bigint {
    const acc = sb.getAccount(getAssociatedTokenAddressSync(p.mint, owner, true));
    return acc ? Buffer.from(acc.data).readBigUInt64LE(64) : 0n;
  }
  /** Lamports of every managed wallet and its token account. */
  function totalLamports(): bigint {
    let sum = 0n;
    for (const a of Object.values(addr)) {
      sum += sb.getAccount(a)?.lamports ?? 0n;
      sum += sb.getAccount(getAssociatedTokenAddressSync(p.mint, a, true))?.lamports ?? 0n;
    }
    return sum;
  }
});

function summarize(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]!.toFixed(1)} ms, max ${s[s.length - 1]!.toFixed(1)} ms over ${s.length} scans`;
}

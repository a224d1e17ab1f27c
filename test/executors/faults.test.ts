/**
 * Fault tests on the local sandbox (LiteSVM): dropped transactions are rebroadcast and confirm;
 * an expired blockhash is rebuilt at most once per policy and the order never lands twice; a
 * failed bundle is resent, retried by policy, then dead-lettered with its reason; an RPC that
 * answers 429 or never answers is failed over.
 */
import { liveSetup, balances, sandboxOrder, type LiveSetup } from './support/live-setup.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RpcPool, type LiveReport } from '../../engine/executors/index.ts';
import { jitoExecutor, printTxs, route, rpcExecutor, runOrder, workerFor } from './support/stack.ts';
import { waitUntil } from '../support/wait.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';

let s: LiveSetup;
before(async () => {
  // Fast slots so a blockhash (150 blocks) expires in about 1.5 s.
  s = await liveSetup({ workers: 2, sandbox: { slotMs: 10 } });
});
after(async () => {
  s.sb.faults.reset();
  await s.close();
});

const landed = (sig: string) => s.sb.getTransaction(sig) !== undefined;

test('dropped transactions are rebroadcast until they confirm', async () => {
  const { executor, submitter } = rpcExecutor(s, { rebroadcastMs: 100 });
  const w = workerFor({ rpc: executor }, { journal: s.journal });
  const dropsBefore = s.sb.stats().faults.droppedTransactions;
  s.sb.faults.set({ dropTransactions: 1 });
  // stop dropping once two sends were dropped (by count, not by a timer a loaded machine can outrun)
  void waitUntil(() => s.sb.stats().faults.droppedTransactions - dropsBefore >= 2, { what: 'two sends dropped', timeoutMs: 60_000 }).then(() => s.sb.faults.set({ dropTransactions: 0 }));
  const order = sandboxOrder(s, 'dropped', 15_000_000n, { urgency: 'low' });
  const report = (await runOrder(w, order, route('rpc'))) as LiveReport;
  assert.equal(report.status, 'filled', report.reason);
  printTxs('dropped-then-rebroadcast', report);
  const sig = report.signature!;
  assert.ok(s.sb.stats().faults.droppedTransactions - dropsBefore >= 2, 'the sandbox dropped some sends');
  assert.ok(submitter.sendCounts.get(sig)! >= 3, `sent ${submitter.sendCounts.get(sig)} times`);
  assert.equal((await s.journal.forOrder(order.id)).length, 1, 'one attempt: rebroadcasts resend the same bytes');
  assert.equal(report.reconciliation!.realizedAmountOut, report.reconciliation!.expectedAmountOut);
});

test('an expired blockhash is rebuilt at most once (policy), and nothing lands when every send is dropped', async () => {
  const { executor } = rpcExecutor(s, { policy: { maxRebuilds: 1 } });
  const w = workerFor({ rpc: executor }, { journal: s.journal });
  const order = sandboxOrder(s, 'always-dropped', 15_000_000n, { urgency: 'low' });
  const before = balances(s, s.workers[0]!.publicKey).usdc + balances(s, s.workers[1]!.publicKey).usdc;
  s.sb.faults.set({ dropTransactions: 1 });
  try {
    const report = (await runOrder(w, order, route('rpc'))) as LiveReport;
    assert.equal(report.status, 'expired');
    assert.match(report.reason!, /rebuilt 1 time\(s\), the policy allows 1/);
  } finally {
    s.sb.faults.set({ dropTransactions: 0 });
  }
  const entries = await s.journal.forOrder(order.id);
  assert.deepEqual(entries.map((e) => e.attempt), [1, 2], 'two attempts: the first and one rebuild');
  assert.notEqual(entries[0]!.blockhash, entries[1]!.blockhash);
  for (const e of entries) for (const sig of e.signatures) assert.equal(landed(sig), false);
  assert.equal((await w.store.getOrder(order.id))!.status, 'expired');
  const after = balances(s, s.workers[0]!.publicKey).usdc + balances(s, s.workers[1]!.publicKey).usdc;
  assert.equal(after, before, 'no token moved');
});

test('a rebuilt order lands exactly once: the expired first attempt can never land afterwards', async () => {
  const { executor, submitter } = rpcExecutor(s, { policy: { maxRebuilds: 1 } });
  const w = workerFor({ rpc: executor }, { journal: s.journal });
  const order = sandboxOrder(s, 'dropped-then-rebuilt', 15_000_000n, { urgency: 'low' });
  s.sb.faults.set({ dropTransactions: 1 });
  // Drop until the first attempt is recorded and its blockhash is close to expiry, then let sends through.
  const release = setInterval(async () => {
    const entries = await s.journal.forOrder(order.id);
    if (entries.length === 2) {
      s.sb.faults.set({ dropTransactions: 0 });
      clearInterval(release);
    }
  }, 20);
  const report = (await runOrder(w, order, route('rpc'))) as LiveReport;
  clearInterval(release);
  s.sb.faults.set({ dropTransactions: 0 });
  assert.equal(report.status, 'filled', report.reason);
  printTxs('rebuilt-after-expiry', report);
  const entries = await s.journal.forOrder(order.id);
  assert.equal(entries.length, 2);
  assert.equal(landed(entries[0]!.signatures[0]!), false, 'the first attempt never landed');
  assert.equal(landed(entries[1]!.signatures[0]!), true, 'the rebuilt attempt landed');
  // Sending the first attempt's bytes again now: the chain drops them (their blockhash is gone), so it cannot land twice.
  const resend = await s.rpc.sendRaw(submitter.sentWire.get(entries[0]!.signatures[0]!)!);
  assert.equal(resend, entries[0]!.signatures[0]);
  s.sb.advanceSlots(2);
  assert.equal(landed(entries[0]!.signatures[0]!), false, 'an expired transaction never lands');
  assert.deepEqual((await s.rpc.getSignatureStatuses(entries[0]!.signatures))[0], null);
});

test('a failed bundle is resent while its blockhash is valid, retried by policy, then dead-lettered with its reason (gRPC)', async () => {
  const { executor, submitter } = await jitoExecutor(s, 'grpc', { maxBundleSends: 3 });
  const w = workerFor({ jito: executor }, { journal: s.journal, retry: { maxAttempts: 2 } });
  const dlq: { reason: string; attempts: number }[] = [];
  await w.bus.subscribe(SUBJECTS.dlq, (m) => void dlq.push(m.data as { reason: string; attempts: number }));
  s.sb.faults.set({ failNextBundles: 1000 });
  const order = sandboxOrder(s, 'bundle-fails', 15_000_000n);
  let report;
  try {
    report = (await runOrder(w, order, route('jito', { tipFloorLamports: 5000 }))) as LiveReport;
  } finally {
    s.sb.faults.set({ failNextBundles: 0 });
  }
  await w.bus.settle();
  assert.equal(report!.status, 'failed');
  assert.equal(dlq.length, 1);
  assert.match(dlq[0]!.reason, /2 execution\(s\) failed; last: bundle [0-9a-f]{64} failed 3 time\(s\) via grpc: dropped: bundle failed by the sandbox fault switch failNextBundles/);
  const stored = await w.store.getOrder(order.id);
  assert.equal(stored!.status, 'dead-lettered');
  assert.equal(stored!.reason, dlq[0]!.reason);
  const entries = await s.journal.forOrder(order.id);
  assert.equal(entries.length, 2, 'one journal entry per execution');
  assert.deepEqual([...submitter.sendCounts.values()], [3, 3], 'each bundle sent 3 times');
  for (const e of entries) for (const sig of e.signatures) assert.equal(landed(sig), false);
  await executor.close();
});

test('a failed bundle via the JSON-RPC transport carries the block engine status as its reason; a later send lands', async () => {
  const { executor, submitter } = await jitoExecutor(s, 'json-rpc', { maxBundleSends: 4 });
  const w = workerFor({ jito: executor }, { journal: s.journal });
  s.sb.faults.set({ failNextBundles: 2 });
  const order = sandboxOrder(s, 'bundle-fails-twice', 15_000_000n);
  const report = (await runOrder(w, order, route('jito'))) as LiveReport;
  assert.equal(report.status, 'filled', report.reason);
  printTxs('bundle-after-two-failures', report);
  assert.equal([...submitter.sendCounts.values()][0], 3, 'two failed sends, the third landed');
  assert.equal((await s.journal.forOrder(order.id)).length, 1, 'the same bundle, resent');
  assert.equal(report.reconciliation!.realizedAmountOut, report.reconciliation!.expectedAmountOut);
});

function stubServer(handler: 'rate-limit' | 'silent'): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const open = new Set<import('node:http').ServerResponse>();
  const server: Server = createServer((req, res) => {
    hits += 1;
    req.resume();
    if (handler === 'rate-limit') res.writeHead(429, { 'content-type': 'text/plain' }).end('Too many requests');
    else open.add(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, hits: () => hits, close: () => new Promise((r) => { for (const res of open) res.destroy(); server.close(() => r()); }) });
    });
  });
}

test('an RPC answering 429 (and one that never answers) is failed over; the order lands through the next endpoint', async () => {
  const limited = await stubServer('rate-limit');
  const silent = await stubServer('silent');
  try {
    const rpc = new RpcPool([limited.url, silent.url, s.sb.rpcUrl], { timeoutMs: 300, benchMs: 60_000 });
    const { executor } = rpcExecutor(s, { rpc });
    const w = workerFor({ rpc: executor }, { journal: s.journal });
    const order = sandboxOrder(s, 'failover', 15_000_000n, { urgency: 'low' });
    const report = (await runOrder(w, order, route('rpc'))) as LiveReport;
    assert.equal(report.status, 'filled', report.reason);
    printTxs('failover', report);
    assert.equal(limited.hits(), 1, 'the 429 endpoint is benched after its first answer');
    assert.equal(silent.hits(), 1, 'the silent endpoint is benched after one timeout');
    assert.ok([...rpc.calls.keys()].some((k) => k.startsWith(s.sb.rpcUrl)), 'the sandbox answered');
    // Every endpoint failing is a clear error naming each.
    const dead = new RpcPool([limited.url], { timeoutMs: 300 });
    await assert.rejects(dead.getSlot(), (err: Error) => /getSlot failed on every endpoint: .*HTTP 429/.test(err.message));
  } finally {
    await limited.close();
    await silent.close();
  }
});

/**
 * At most once across a restart: orders in flight when the process died are resumed from the
 * store and the submission journal — checked on chain, never blindly resent. The crash is
 * simulated by a submitter that sends once and never returns; the "new process" is a fresh
 * store handle (PGlite reopened from its directory), journal, worker, worker pool, monitor and
 * executor: only what the store persisted carries over.
 */
import { liveSetup, sandboxOrder, type LiveSetup } from './support/live-setup.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import bs58 from 'bs58';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfirmationMonitor, StoreSubmissionJournal, type LiveReport } from '../../engine/executors/index.ts';
import { openStore } from '../../engine/infra/store/index.ts';
import { WorkerPool } from '../../engine/wallets/index.ts';
import { printTxs, route, rpcExecutor, workerFor } from './support/stack.ts';
import { waitUntil } from '../support/wait.ts';
import { routedToJson } from '../../engine/messages/index.ts';
import type { Prepared, Submitter } from '../../engine/executors/live/executor.ts';

let s: LiveSetup;
before(async () => {
  s = await liveSetup({ workers: 3, sandbox: { slotMs: 10 } });
});
after(async () => {
  s.sb.faults.reset();
  await s.close();
});

/** Sends once, then "dies": the promise never settles, as if the process stopped right after sending. */
class CrashAfterSend implements Submitter {
  readonly kind = 'rpc' as const;
  constructor(private readonly inner: Submitter) {}
  prepare(ctx: Parameters<Submitter['prepare']>[0]): Promise<Prepared> {
    return this.inner.prepare(ctx);
  }
  async send(p: Prepared): Promise<never> {
    await s.rpc.sendRaw(p.txs[0]!.tx.serialize());
    return new Promise<never>(() => {});
  }
  async close(): Promise<void> {}
}

test('a restart with orders in flight resubmits nothing that landed, follows what might land, and resends only what cannot', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-restart-'));
  const store = await openStore({ url: `pglite:${dir}` });
  const journal = new StoreSubmissionJournal(store);
  // --- the first process ---
  const first = rpcExecutor(s, { journal });
  (first.executor as unknown as { deps: { submitter: Submitter } }).deps.submitter = new CrashAfterSend(first.submitter);
  const w1 = workerFor({ rpc: first.executor }, { store, journal });
  const x = sandboxOrder(s, 'restart-landed', 15_000_000n, { urgency: 'low' });
  const y = sandboxOrder(s, 'restart-dropped', 16_000_000n, { urgency: 'low' });
  const z = sandboxOrder(s, 'restart-never-sent', 17_000_000n, { urgency: 'low' });
  for (const o of [x, y]) await store.insertOrder(o, 'routed');
  void w1.worker.execute({ order: x, route: route('rpc') });
  const waitEntry = async (id: string) => {
    await waitUntil(async () => (await journal.forOrder(id)).length > 0, { what: `a journal entry for ${id}` });
    return (await journal.forOrder(id))[0]!;
  };
  const xEntry = await waitEntry(x.id);
  await waitUntil(() => s.sb.getTransaction(xEntry.signatures[0]!) !== undefined, { what: 'x landed before the crash' });
  s.sb.faults.set({ dropTransactions: 1 });
  void w1.worker.execute({ order: y, route: route('rpc') });
  const yEntry = await waitEntry(y.id);
  await new Promise((r) => setTimeout(r, 50));
  s.sb.faults.set({ dropTransactions: 0 });
  // z: the crash came after the status change, before anything was sent.
  await store.insertOrder(z, 'submitted');
  await journal.saveRouted(z.id, routedToJson({ order: z, route: route('rpc') }));
  assert.deepEqual((await store.listOrders({ status: ['submitted'] })).map((o) => o.order.id).sort(), [x.id, y.id, z.id].sort());

  // --- the new process: the store reopened from disk; fresh journal, pool, monitor, executor and worker ---
  await store.close();
  const store2 = await openStore({ url: `pglite:${dir}` });
  const journal2 = new StoreSubmissionJournal(store2);
  const monitor = new ConfirmationMonitor(s.rpc, { initialIntervalMs: 30, maxIntervalMs: 200 });
  const second = rpcExecutor(s, { journal: journal2, workers: new WorkerPool(s.workers, s.rpc), monitor });
  const w2 = workerFor({ rpc: second.executor }, { store: store2, journal: journal2 });
  const { resumed, reports } = await w2.worker.recover();
  monitor.close();
  assert.deepEqual(resumed.sort(), [x.id, y.id, z.id].sort());
  const byId = new Map(reports.map((r) => [r!.orderId, r as LiveReport]));
  for (const o of [x, y, z]) {
    const r = byId.get(o.id)!;
    assert.equal(r.status, 'filled', `${o.id}: ${r.reason}`);
    assert.equal(r.reconciliation!.realizedAmountOut, r.reconciliation!.expectedAmountOut);
    assert.equal((await store2.getOrder(o.id))!.status, 'filled');
  }
  printTxs('restart: y rebuilt', byId.get(y.id));
  printTxs('restart: z sent after restart', byId.get(z.id));
  // x had landed: the new process sent nothing for it.
  assert.equal((await journal2.forOrder(x.id)).length, 1);
  assert.equal(second.submitter.sendCounts.has(xEntry.signatures[0]!), false, 'x was not resent');
  assert.equal(byId.get(x.id)!.signature, xEntry.signatures[0]);
  // y was dropped: followed until its blockhash expired, then one new attempt, which landed once.
  const yEntries = await journal2.forOrder(y.id);
  assert.deepEqual(yEntries.map((e) => e.attempt), [1, 2]);
  assert.equal(s.sb.getTransaction(yEntry.signatures[0]!), undefined, "y's first attempt never landed");
  assert.ok(s.sb.getTransaction(yEntries[1]!.signatures[0]!), "y's second attempt landed");
  // z: nothing had been sent, so it was sent once now.
  assert.equal((await journal2.forOrder(z.id)).length, 1);
  assert.deepEqual([...second.submitter.sendCounts.keys()].sort(), [yEntries[1]!.signatures[0]!, (await journal2.forOrder(z.id))[0]!.signatures[0]!].sort());
  // Every landed signature of these orders is distinct and each order has exactly one.
  for (const o of [x, y, z]) {
    const landedSigs = (await journal2.forOrder(o.id)).flatMap((e) => e.signatures).filter((sig) => s.sb.getTransaction(sig));
    assert.equal(landedSigs.length, 1, `${o.id} landed exactly once`);
    assert.ok(bs58.decode(landedSigs[0]!).length === 64);
  }
  // The store's own submission rows match the journal: one per attempt.
  assert.deepEqual((await store2.listSubmissions(y.id)).map((r) => r.attempt), [1, 2]);
  await store2.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a submission recorded in the store whose details are lost is left for an operator, not resent', async () => {
  const { MemoryStore } = await import('../../engine/infra/store/index.ts');
  const store = new MemoryStore();
  const journal = new StoreSubmissionJournal(store);
  const o = sandboxOrder(s, 'restart-lost-details', 15_000_000n, { urgency: 'low' });
  await store.insertOrder(o, 'submitted');
  await journal.saveRouted(o.id, routedToJson({ order: o, route: route('rpc') }));
  await store.recordSubmission({ orderId: o.id, attempt: 1, executor: 'rpc', signature: '1'.repeat(64), at: new Date().toISOString() });
  const { executor, submitter } = rpcExecutor(s, { journal });
  const w = workerFor({ rpc: executor }, { store, journal });
  const { resumed } = await w.worker.recover();
  assert.deepEqual(resumed, []);
  const row = await store.getOrder(o.id);
  assert.equal(row!.status, 'dead-lettered');
  assert.match(row!.reason!, /details are lost; left for an operator \(not resent\)/);
  assert.equal(submitter.sendCounts.size, 0);
});

test('in a queue group, a live order whose worker died after sending is resumed by the next worker from the journal: nothing resent', async () => {
  const { MemoryStore } = await import('../../engine/infra/store/index.ts');
  const { MemoryCache } = await import('../../engine/infra/cache/index.ts');
  const store = new MemoryStore();
  const cache = new MemoryCache();
  const o = sandboxOrder(s, 'group-worker-died', 15_000_000n, { urgency: 'low' });
  const routed = { order: o, route: route('rpc') };
  // Worker A claims the order, journals its attempt (fenced by its claim), sends, and hangs as if dead
  // (its process lives on here, so its renewals are capped at 3 s, what a dead worker's lease lasts).
  // The claim outlasts the waits below even on a loaded machine, so B must wait it out.
  const journalA = new StoreSubmissionJournal(store);
  const first = rpcExecutor(s, { journal: journalA });
  (first.executor as unknown as { deps: { submitter: Submitter } }).deps.submitter = new CrashAfterSend(first.submitter);
  const a = workerFor({ rpc: first.executor }, { store, journal: journalA, group: { cache, workerId: 'A', lockTtlMs: 3_000, maxHoldMs: 3_000, retryMs: 20 } });
  void a.worker.execute(routed);
  await waitUntil(async () => (await journalA.forOrder(o.id)).length > 0, { what: "A's journal entry" });
  const entry = (await journalA.forOrder(o.id))[0]!;
  await waitUntil(() => s.sb.getTransaction(entry.signatures[0]!) !== undefined, { what: 'A sent it and it landed before A died' });
  assert.deepEqual((await store.listSubmissions(o.id)).map((r) => [r.attempt, r.workerId]), [[1, 'A']], "the journal's row names the worker");
  await assert.rejects(store.recordSubmission({ orderId: o.id, attempt: 9, executor: 'rpc', at: new Date().toISOString() }, { fence: { resource: `order:${o.id}`, token: 0 } }), /fencing token 0/, "the journal's write carried A's claim");

  // Worker B gets the redelivery: it waits out A's claim, then resumes from the journal.
  const monitor = new ConfirmationMonitor(s.rpc, { initialIntervalMs: 30, maxIntervalMs: 200 });
  const journalB = new StoreSubmissionJournal(store);
  const second = rpcExecutor(s, { journal: journalB, workers: new WorkerPool(s.workers, s.rpc), monitor });
  const b = workerFor({ rpc: second.executor }, { store, journal: journalB, group: { cache, workerId: 'B', retryMs: 20 } });
  const report = (await b.worker.execute(routed)) as LiveReport;
  monitor.close();
  assert.equal(report.status, 'filled', report.reason);
  assert.equal(report.signature, entry.signatures[0]);
  assert.equal(report.reconciliation!.realizedAmountOut, report.reconciliation!.expectedAmountOut);
  assert.equal(second.submitter.sendCounts.size, 0, 'B sent nothing');
  assert.ok(b.worker.stats.lockWaits > 0, "B waited for A's claim to lapse");
  assert.deepEqual([b.worker.stats.reconciled, b.worker.stats.executed], [1, 1]);
  assert.equal((await journalB.forOrder(o.id)).length, 1);
  assert.equal((await store.getOrder(o.id))!.status, 'filled');
});

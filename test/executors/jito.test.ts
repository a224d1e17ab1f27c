/** Jito executor: tip policy from the routing rule, a random tip account, the tip in the last transaction. */
import { liveSetup, sandboxOrder, type LiveSetup } from './support/live-setup.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { type LiveReport } from '../../engine/executors/index.ts';
import { jitoExecutor, printTxs, route, runOrder, workerFor } from './support/stack.ts';
import { GrpcJitoTransport, JsonRpcJitoTransport, MAX_BUNDLE_TRANSACTIONS } from '../../engine/executors/jito/transport.ts';
import { DEFAULT_TIP_POLICY, MIN_JITO_TIP_LAMPORTS, tipLamports, tipPolicyOf } from '../../engine/executors/live/plan.ts';

let s: LiveSetup;
before(async () => {
  s = await liveSetup({ workers: 1, sandbox: { slotMs: 20 } });
});
after(async () => s.close());

test('tip: a share of the expected profit between the floor and the cap, never below Jito\'s 1000 lamports', () => {
  const policy = tipPolicyOf(route('jito', { tipShareBps: 5000, tipFloorLamports: 10_000, tipCapLamports: '5000000' }));
  assert.deepEqual(policy, { shareBps: 5000, floorLamports: 10_000n, capLamports: 5_000_000n });
  assert.equal(tipLamports(1_000_000n, policy), 500_000n, 'half the profit');
  assert.equal(tipLamports(1_000n, policy), 10_000n, 'the floor');
  assert.equal(tipLamports(100_000_000n, policy), 5_000_000n, 'the cap');
  assert.equal(tipLamports(0n, { shareBps: 5000, floorLamports: 0n, capLamports: 10n }), MIN_JITO_TIP_LAMPORTS);
  assert.deepEqual(tipPolicyOf(route('jito')), DEFAULT_TIP_POLICY, 'a route without tip params gets the default');
  assert.throws(() => tipPolicyOf(route('jito', { tipShareBps: 20_000 })), (e: unknown) => isSolrulesError(e, 'EXEC_BAD_TIP_POLICY') && /tipShareBps/.test(e.message));
  assert.throws(() => tipPolicyOf(route('jito', { tipFloorLamports: 1.5 })), (e: unknown) => isSolrulesError(e, 'EXEC_BAD_TIP_POLICY'));
  assert.throws(() => tipPolicyOf(route('jito', { tipFloorLamports: 100, tipCapLamports: 10 })), (e: unknown) => isSolrulesError(e, 'EXEC_BAD_TIP_POLICY') && /below/.test(e.message));
});

test('tip accounts are drawn at random from getTipAccounts', async () => {
  const { submitter, executor } = await jitoExecutor(s, 'json-rpc');
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add((await submitter.tipAccount()).toBase58());
  assert.ok(seen.size >= 6, `${seen.size} of 8 accounts in 200 draws`);
  for (const a of seen) assert.ok(s.sb.tipAccounts.includes(a));
  await executor.close();
});

test('tip placement "separate": a two-transaction bundle, the tip alone in the last, landing in one slot', async () => {
  const { executor, submitter } = await jitoExecutor(s, 'grpc', { tipPlacement: 'separate' });
  const w = workerFor({ jito: executor }, { journal: s.journal });
  const tipsBefore = s.sb.tipAccounts.reduce((a, t) => a + (s.sb.getAccount(t)?.lamports ?? 0n), 0n);
  const order = sandboxOrder(s, 'separate-tip', 15_000_000n, { expectedProfitLamports: 100_000n });
  const report = (await runOrder(w, order, route('jito', { tipShareBps: 5000, tipFloorLamports: 10_000, tipCapLamports: 5_000_000 }))) as LiveReport;
  assert.equal(report.status, 'filled', report.reason);
  printTxs('separate tip', report);
  const entry = (await s.journal.forOrder(order.id))[0]!;
  assert.equal(entry.signatures.length, 2);
  const [swap, tip] = entry.signatures.map((sig) => s.sb.getTransaction(sig)!);
  assert.equal(swap!.slot, tip!.slot, 'one slot: a bundle');
  assert.equal(swap!.bundleId, entry.bundleId);
  const tipKeys = tip!.accountKeys.filter((k) => s.sb.tipAccounts.includes(k));
  assert.equal(tipKeys.length, 1, 'the last transaction pays a tip account');
  assert.equal(swap!.accountKeys.some((k) => s.sb.tipAccounts.includes(k)), false, 'the swap transaction does not');
  const tipsAfter = s.sb.tipAccounts.reduce((a, t) => a + (s.sb.getAccount(t)?.lamports ?? 0n), 0n);
  assert.equal(tipsAfter - tipsBefore, 50_000n, 'half of the 100000-lamport expected profit');
  assert.equal([...submitter.sendCounts.values()][0], 1);
  // Reconciled across both transactions' meta: three signature fees and the tip, the exchange exact.
  assert.equal(report.reconciliation!.realizedAmountOut, report.reconciliation!.expectedAmountOut);
  assert.equal(report.networkFeeLamports, 3n * 5000n + 50_000n, 'swap (wallet + counterparty signatures) and tip transaction fees, and the tip');
  await executor.close();
});

test('a bundle of more than 5 transactions is refused by both transports before anything is sent', async () => {
  const w = s.workers[0]!;
  const { blockhash } = await s.rpc.getLatestBlockhash();
  const txs = Array.from({ length: MAX_BUNDLE_TRANSACTIONS + 1 }, (_, i) => {
    const tx = new VersionedTransaction(new TransactionMessage({ payerKey: w.publicKey, recentBlockhash: blockhash, instructions: [SystemProgram.transfer({ fromPubkey: w.publicKey, toPubkey: s.counterparty.publicKey, lamports: 1000 + i })] }).compileToV0Message());
    w.sign(tx);
    return tx;
  });
  const grpc = await GrpcJitoTransport.connect(s.sb.blockEngineGrpcAddress);
  const before = { ...s.sb.stats().blockEngineRequests };
  try {
    for (const t of [new JsonRpcJitoTransport(s.sb.blockEngineUrl), grpc]) {
      await assert.rejects(t.sendBundle(txs), (e: unknown) => isSolrulesError(e, 'EXEC_BUNDLE_TOO_LARGE') && /bundle has 6 transactions; Jito takes 1 to 5/.test(e.message) && (e as { retryable?: boolean }).retryable === false, t.name);
    }
    assert.deepEqual(s.sb.stats().blockEngineRequests, before, 'the block engine received nothing');
  } finally {
    await grpc.close();
  }
});

/** LiveExecutor and its worker wallet: held while the order's transaction is out, released when it settles, kept when its fate is unknown. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair } from '@solana/web3.js';
import { MemorySubmissionJournal, type LiveReport, type RouteSource } from '../../engine/executors/index.ts';
import { buildOrders, type Order } from '../../engine/orders/index.ts';
import { Keystore, WorkerPool } from '../../engine/wallets/index.ts';
import { waitUntil } from '../support/wait.ts';
import { LiveExecutor, type AttemptOutcome, type Prepared, type Submitter } from '../../engine/executors/live/executor.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };

function order(tag: string): Order {
  return buildOrders(
    { ruleId: 'r', fileId: 'grid', priority: 1, type: 'order', params: { side: 'buy', amountIn: '1000000' } },
    { strategy: 'grid', ruleFile: 'grid', ruleSetHash: 'h', base: SOL, quote: USDC, priceUsd: (m) => (m === SOL.mint ? 100 : 1), now: new Date(), facts: { tag }, explanation: { ruleId: 'r', ruleSetHash: 'h', conditions: { kind: 'all', result: true } } },
  )[0]!;
}

/** Sends nothing: each send waits until the test settles it with an outcome. */
class HeldSubmitter implements Submitter {
  readonly kind = 'rpc' as const;
  readonly pending: ((o: AttemptOutcome) => void)[] = [];
  async prepare(): Promise<Prepared> {
    return { txs: [], tipLamports: 0n, blockhash: '11111111111111111111111111111111', lastValidBlockHeight: 1 };
  }
  send(): Promise<AttemptOutcome> {
    return new Promise((resolve) => this.pending.push(resolve));
  }
  async close(): Promise<void> {}
}

test('the worker wallet is held while the transaction is out, released when it settles, kept when its fate is unknown', async () => {
  const key = JSON.stringify(Array.from(Keypair.generate().secretKey));
  const wallet = Keystore.load({ version: 1, wallets: [{ name: 'w1', tier: 'worker', key: { env: 'K' } }] }, { baseDir: '.', env: { K: key } }).get('w1');
  const pool = new WorkerPool([wallet], { getBalance: async () => 10n ** 12n });
  const submitter = new HeldSubmitter();
  const source: RouteSource = { name: 'none', plan: async (o) => ({ venue: 'none', description: 'nothing', instructions: [], expected: { inputMint: o.inputMint, outputMint: o.outputMint, amountIn: o.amountIn, amountOut: 1n } }) };
  const executor = new LiveExecutor({ name: 'rpc', submitter, rpc: {} as never, workers: pool, source, monitor: {} as never, journal: new MemorySubmissionJournal() });
  const route = { executor: 'rpc', ruleId: 'r', params: {} };
  const waitSend = async () => {
    await waitUntil(() => submitter.pending.length > 0, { what: 'a send' });
    return submitter.pending.shift()!;
  };

  const a = order('a');
  const running = executor.execute({ order: a, route });
  const settleA = await waitSend();
  assert.equal(pool.leaseOf(a.id)?.wallet.address, wallet.address, 'held while the transaction is out');
  const b = (await executor.execute({ order: order('b'), route })) as LiveReport;
  assert.equal(b.status, 'failed');
  assert.match(b.reason!, /no worker wallet is free and funded/);
  assert.equal(b.retryable, true, 'another order waits for a wallet, retried by policy');
  settleA({ kind: 'failed-on-chain', signature: 'sig', slot: 9, reason: 'custom program error' });
  assert.equal((await running).status, 'failed');
  assert.equal(pool.isHeld(wallet.address), false, 'released once the transaction settled');

  const c = order('c');
  const unknown = executor.execute({ order: c, route });
  (await waitSend())({ kind: 'unknown', reason: 'no answer' });
  assert.equal((await unknown).status, 'failed');
  assert.equal(pool.leaseOf(c.id)?.wallet.address, wallet.address, 'a send whose fate is unknown keeps its wallet');
});

test('each send is journalled with the wallet manager before it goes out and settled by its outcome; a held wallet is never picked; busy is counted', async () => {
  const { metrics } = await import('../../engine/infra/telemetry/index.ts');
  const keys = [Keypair.generate(), Keypair.generate()].map((k) => JSON.stringify(Array.from(k.secretKey)));
  const ks = Keystore.load({ version: 1, wallets: [{ name: 'w1', tier: 'worker', key: { env: 'K1' } }, { name: 'w2', tier: 'worker', key: { env: 'K2' } }] }, { baseDir: '.', env: { K1: keys[0]!, K2: keys[1]! } });
  const held = new Set([ks.get('w1').address]);
  const pool = new WorkerPool(ks.byTier('worker'), { getBalance: async () => 10n ** 12n }, { isOnHold: (a) => held.has(a) });
  const calls: string[] = [];
  const wallets = {
    begin: async (sigs: readonly string[], _lvbh: number, wallet: string, orderId: string) => void calls.push(`begin ${sigs.join(',')} ${wallet === ks.get('w2').address ? 'w2' : 'other'} ${orderId.slice(0, 4)}`),
    settle: async (sigs: readonly string[], outcome: string) => void calls.push(`settle ${sigs.join(',')} ${outcome}`),
  };
  let n = 0;
  class Signed extends HeldSubmitter {
    override async prepare(): Promise<Prepared> {
      n += 1;
      return { txs: [{ signature: `sig${n}` } as never], tipLamports: 0n, blockhash: '11111111111111111111111111111111', lastValidBlockHeight: 1 };
    }
  }
  const submitter = new Signed();
  const source: RouteSource = { name: 'none', plan: async (o) => ({ venue: 'none', description: 'nothing', instructions: [], expected: { inputMint: o.inputMint, outputMint: o.outputMint, amountIn: o.amountIn, amountOut: 1n } }) };
  const executor = new LiveExecutor({ name: 'rpc', submitter, rpc: {} as never, workers: pool, source, monitor: {} as never, journal: new MemorySubmissionJournal(), wallets, policy: { maxRebuilds: 0 } });
  const route = { executor: 'rpc', ruleId: 'r', params: {} };
  const busy = async () => (await metrics.wallets.busy.get()).values.find((v) => v.labels.tier === 'worker')?.value;
  const run = async (tag: string, outcome: AttemptOutcome) => {
    const o = order(tag);
    const p = executor.execute({ order: o, route });
    await waitUntil(() => submitter.pending.length > 0, { what: 'a send' });
    assert.equal(calls.at(-1), `begin sig${n} w2 ${o.id.slice(0, 4)}`, 'journalled before the send, on the wallet not on hold');
    assert.equal(await busy(), 1, 'one worker busy while it is out');
    submitter.pending.shift()!(outcome);
    await p;
    return o;
  };
  await run('f', { kind: 'failed-on-chain', signature: 'sig1', slot: 3, reason: 'program error' });
  assert.equal(calls.at(-1), 'settle sig1 failed-on-chain');
  await run('r', { kind: 'rejected', reason: 'node said no', retryable: false });
  assert.equal(calls.at(-1), 'settle sig2 not-landed');
  await run('e', { kind: 'expired', reason: 'blockhash expired' });
  assert.equal(calls.at(-1), 'settle sig3 not-landed');
  assert.equal(await busy(), 0);
  await run('u', { kind: 'unknown', reason: 'no answer' });
  assert.match(calls.at(-1)!, /^begin sig4 w2 /, 'an unknown outcome stays in flight: not settled');
  assert.equal(await busy(), 1, 'its wallet stays held');
  assert.equal(calls.filter((c) => c.includes(' other ')).length, 0, 'the held wallet w1 was never picked');
});

/** A transaction that landed and failed: `wallet` paid `fee` lamports and nothing else moved. */
function failedTx(signature: string, wallet: string, fee: number) {
  return { slot: 7, blockTime: null, meta: { err: { InstructionError: [2, { Custom: 6001 }] }, fee, preBalances: [1_000_000_000, 0], postBalances: [1_000_000_000 - fee, 0] }, transaction: { signatures: [signature], message: { accountKeys: [wallet, '11111111111111111111111111111111'], recentBlockhash: '1' } } };
}

test('a transaction that landed and failed reports the fee it was charged, sent now or found after a restart; a restart settles what it found in the wallet ledger', async () => {
  const key = JSON.stringify(Array.from(Keypair.generate().secretKey));
  const wallet = Keystore.load({ version: 1, wallets: [{ name: 'w1', tier: 'worker', key: { env: 'K' } }] }, { baseDir: '.', env: { K: key } }).get('w1');
  const pool = new WorkerPool([wallet], { getBalance: async () => 10n ** 12n });
  const settled: string[] = [];
  const wallets = { begin: async () => undefined, settle: async (sigs: readonly string[], outcome: string) => void settled.push(`${sigs.join(',')} ${outcome}`) };
  const rpc = {
    getTransaction: async (sig: string) => failedTx(sig, wallet.address, 5_000),
    getSignatureStatuses: async (sigs: string[]) => sigs.map(() => ({ slot: 7, confirmations: 1, err: { InstructionError: [2, { Custom: 6001 }] } })),
  };
  class Signed extends HeldSubmitter {
    override async prepare(): Promise<Prepared> {
      return { txs: [{ signature: 'sigF' } as never], tipLamports: 0n, blockhash: '11111111111111111111111111111111', lastValidBlockHeight: 1 };
    }
  }
  const submitter = new Signed();
  const source: RouteSource = { name: 'none', plan: async (o) => ({ venue: 'none', description: 'nothing', instructions: [], expected: { inputMint: o.inputMint, outputMint: o.outputMint, amountIn: o.amountIn, amountOut: 1n } }) };
  const journal = new MemorySubmissionJournal();
  const executor = new LiveExecutor({ name: 'rpc', submitter, rpc, workers: pool, source, monitor: {} as never, journal, wallets });
  const route = { executor: 'rpc', ruleId: 'r', params: {} };

  // Sent now: the submitter saw it fail on chain.
  const o = order('fee-now');
  const running = executor.execute({ order: o, route });
  await waitUntil(() => submitter.pending.length > 0, { what: 'a send' });
  submitter.pending.shift()!({ kind: 'failed-on-chain', signature: 'sigF', slot: 7, reason: 'custom program error' });
  const now = (await running) as LiveReport;
  assert.equal(now.status, 'failed');
  assert.equal(now.networkFeeLamports, 5_000n, 'the fee of the failed transaction is in its report');

  // Found after a restart: the previous run journalled the send and died before hearing its fate.
  const r = order('fee-restart');
  const entry = { orderId: r.id, attempt: 1, executor: 'rpc', wallet: wallet.address, signatures: ['sigR'], blockhash: '1', lastValidBlockHeight: 1, at: new Date().toISOString(), venue: 'none', route: 'rpc', tipLamports: '0', expected: {} };
  settled.length = 0;
  const resumed = await executor.resume({ order: r, route }, [entry]);
  assert.equal(resumed.kind, 'settled');
  const report = (resumed as { report: LiveReport }).report;
  assert.equal(report.status, 'failed');
  assert.equal(report.networkFeeLamports, 5_000n, 'a recovered failed transaction reports its fee too');
  assert.equal(report.signature, 'sigR');
  assert.deepEqual(settled, ['sigR failed-on-chain'], 'the wallet ledger books the recovered send (its fee), not left in flight for a rebalancer pass');
  assert.equal(pool.isHeld(wallet.address), false);
});

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

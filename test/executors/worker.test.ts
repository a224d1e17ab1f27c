/** The executor worker: priority queue, per-executor concurrency, retries by policy, dead-letter with reasons. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { ExecutorWorker, type Executor, type LiveReport } from '../../engine/executors/index.ts';
import { buildOrders, type Order, type RoutedOrder } from '../../engine/orders/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';
import { jobBefore } from '../../engine/executors/worker.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const log = createLogger({ level: 'silent' });

function order(tag: string, urgency: 'low' | 'normal' | 'high', profit?: bigint): Order {
  return buildOrders(
    { ruleId: 'r', fileId: 'grid', priority: 1, type: 'order', params: { side: 'buy', amountIn: '1000000', urgency, ...(profit !== undefined ? { expectedProfitLamports: profit.toString() } : {}) } },
    { strategy: 'grid', ruleFile: 'grid', ruleSetHash: 'h', base: SOL, quote: USDC, priceUsd: (m) => (m === SOL.mint ? 100 : 1), now: new Date(), facts: { tag }, explanation: { ruleId: 'r', ruleSetHash: 'h', conditions: { kind: 'all', result: true } } },
  )[0]!;
}

/** An executor that holds each order until released and records the most running at once. */
function gated(name: string) {
  let running = 0;
  const state = { max: 0, order: [] as string[], release: [] as (() => void)[] };
  const ex: Executor = {
    name,
    kind: 'test',
    execute: async ({ order: o }) => {
      running += 1;
      state.max = Math.max(state.max, running);
      state.order.push(o.id);
      await new Promise<void>((r) => state.release.push(r));
      running -= 1;
      return { orderId: o.id, executor: name, status: 'filled', amountIn: o.amountIn, amountOut: 1n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: true, at: new Date().toISOString() };
    },
    close: async () => {},
  };
  return { ex, state };
}

async function setup(executors: Record<string, Executor>, opts: Partial<ConstructorParameters<typeof ExecutorWorker>[0]> = {}) {
  const bus = new MemoryBus();
  const store = new MemoryStore();
  const worker = new ExecutorWorker({ bus, store, executorFor: (r) => executors[r.executor], now: () => new Date(), log, ...opts });
  const run = async (o: Order, executor: string) => {
    await store.insertOrder(o, 'routed');
    return worker.execute({ order: o, route: { executor, ruleId: 'x', params: {} } });
  };
  return { bus, store, worker, run };
}

test('queue order: urgency first, then expected profit, then arrival', () => {
  const r = (o: Order, seq: number) => ({ routed: { order: o, route: { executor: 'x', ruleId: 'x', params: {} } } as RoutedOrder, seq });
  assert.equal(jobBefore(r(order('a', 'high'), 9), r(order('b', 'normal', 10n ** 12n), 1)), true);
  assert.equal(jobBefore(r(order('a', 'normal', 5n), 9), r(order('b', 'normal', 4n), 1)), true);
  assert.equal(jobBefore(r(order('a', 'normal'), 2), r(order('b', 'normal'), 1)), false);
});

test('per-executor concurrency limits hold; waiting orders start by priority', async () => {
  const jito = gated('jito');
  const rpc = gated('rpc');
  const { worker, run } = await setup({ jito: jito.ex, rpc: rpc.ex }, { concurrency: { jito: 1, rpc: 2 } });
  const first = order('first', 'low');
  const low = order('low', 'low');
  const normal = order('normal', 'normal', 1n);
  const rich = order('rich', 'normal', 1_000_000n);
  const high = order('high', 'high');
  const done = [run(first, 'jito')];
  await new Promise((r) => setTimeout(r, 10));
  for (const o of [low, normal, rich, high]) done.push(run(o, 'jito'));
  const rpcDone = [1, 2, 3].map((i) => run(order(`r${i}`, 'normal'), 'rpc'));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(worker.runningCount('jito'), 1);
  assert.equal(worker.runningCount('rpc'), 2);
  assert.equal(worker.queueDepth, 5);
  while (jito.state.release.length || rpc.state.release.length || jito.state.order.length < 5 || rpc.state.order.length < 3) {
    jito.state.release.shift()?.();
    rpc.state.release.shift()?.();
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.all([...done, ...rpcDone]);
  assert.equal(jito.state.max, 1);
  assert.equal(rpc.state.max, 2);
  assert.deepEqual(jito.state.order, [first.id, high.id, rich.id, normal.id, low.id]);
});

test('retryable failures are retried by policy, then dead-lettered with the reason; non-retryable rejections go straight to the DLQ', async () => {
  let calls = 0;
  const flaky: Executor = {
    name: 'jito',
    kind: 'test',
    execute: async ({ order: o }): Promise<LiveReport> => {
      calls += 1;
      return { orderId: o.id, executor: 'jito', status: 'failed', amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: false, at: new Date().toISOString(), reason: `bundle failed (${calls})`, retryable: true };
    },
    close: async () => {},
  };
  const tooBig: Executor = {
    name: 'rpc',
    kind: 'test',
    execute: async ({ order: o }): Promise<LiveReport> => ({ orderId: o.id, executor: 'rpc', status: 'rejected', amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: false, at: new Date().toISOString(), reason: 'not sent: transaction is 1300 bytes', retryable: false }),
    close: async () => {},
  };
  const { bus, store, run } = await setup({ jito: flaky, rpc: tooBig }, { retry: { maxAttempts: 3, backoffMs: () => 5 } });
  const dlq: { reason: string; attempts: number }[] = [];
  await bus.subscribe(SUBJECTS.dlq, (m) => void dlq.push(m.data as { reason: string; attempts: number }));
  const a = order('a', 'normal');
  const b = order('b', 'low');
  await run(a, 'jito');
  await run(b, 'rpc');
  await bus.settle();
  assert.equal(calls, 3);
  assert.deepEqual(dlq.map((d) => [d.reason, d.attempts]), [
    ['3 execution(s) failed; last: bundle failed (3)', 3],
    ['not sent: transaction is 1300 bytes', 1],
  ]);
  assert.equal((await store.getOrder(a.id))!.status, 'dead-lettered');
  assert.equal((await store.getOrder(b.id))!.reason, 'not sent: transaction is 1300 bytes');
});

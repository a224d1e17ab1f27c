/** Executors and a worker over a LiveSetup, with their parts reachable for assertions. */
import { MemoryBus } from '../../../engine/infra/bus/index.ts';
import { ConfirmationMonitor, ExecutorWorker, RpcPool, type Executor, type GroupOptions, type RetryPolicy, type SubmissionJournal } from '../../../engine/executors/index.ts';
import type { Order, RoutedOrder, Route } from '../../../engine/orders/index.ts';
import { MemoryStore, type Store } from '../../../engine/infra/store/index.ts';
import { createLogger } from '../../../engine/infra/telemetry/index.ts';
import { WorkerPool } from '../../../engine/wallets/index.ts';
import type { LiveSetup } from './live-setup.ts';
import { RpcSubmitter } from '../../../engine/executors/rpc/submitter.ts';
import { JitoSubmitter, type JitoSubmitterOptions } from '../../../engine/executors/jito/submitter.ts';
import { GrpcJitoTransport, JsonRpcJitoTransport } from '../../../engine/executors/jito/transport.ts';
import { TransactionBuilder } from '../../../engine/executors/tx/builder.ts';
import { LiveExecutor, type LiveExecutorPolicy } from '../../../engine/executors/live/executor.ts';

export const quietLog = createLogger({ level: process.env.SOLRULES_TEST_LOG ?? 'silent' });

export function rpcExecutor(s: LiveSetup, opts: { rpc?: RpcPool; policy?: Partial<LiveExecutorPolicy>; rebroadcastMs?: number; workers?: WorkerPool; monitor?: ConfirmationMonitor; journal?: SubmissionJournal; name?: string } = {}) {
  const rpc = opts.rpc ?? s.rpc;
  const monitor = opts.monitor ?? s.monitor;
  const submitter = new RpcSubmitter(rpc, new TransactionBuilder(rpc), monitor, undefined, { rebroadcastMs: opts.rebroadcastMs ?? 150, slotMs: 50, log: quietLog });
  const executor = new LiveExecutor({ name: opts.name ?? 'rpc', submitter, rpc, workers: opts.workers ?? s.pool, source: s.exchange, monitor, journal: opts.journal ?? s.journal, accuracy: s.accuracy, policy: opts.policy ?? {}, log: quietLog });
  return { executor, submitter };
}

export async function jitoExecutor(s: LiveSetup, transport: 'grpc' | 'json-rpc', opts: JitoSubmitterOptions & { policy?: Partial<LiveExecutorPolicy> } = {}) {
  const t = transport === 'grpc' ? await GrpcJitoTransport.connect(s.sb.blockEngineGrpcAddress) : new JsonRpcJitoTransport(s.sb.blockEngineUrl);
  const submitter = new JitoSubmitter(t, s.rpc, new TransactionBuilder(s.rpc), s.monitor, undefined, { backoffBaseMs: 20, bundleWaitMs: 500, log: quietLog, ...opts });
  const executor = new LiveExecutor({ name: 'jito', submitter, rpc: s.rpc, workers: s.pool, source: s.exchange, monitor: s.monitor, journal: s.journal, accuracy: s.accuracy, policy: opts.policy ?? {}, log: quietLog });
  return { executor, submitter };
}

export function workerFor(executors: Record<string, Executor>, opts: { store?: Store; journal?: SubmissionJournal; retry?: Partial<RetryPolicy>; concurrency?: Record<string, number>; bus?: MemoryBus; group?: GroupOptions } = {}) {
  const bus = opts.bus ?? new MemoryBus();
  const store = opts.store ?? new MemoryStore();
  const worker = new ExecutorWorker({ bus, store, executorFor: (r) => executors[r.executor], now: () => new Date(), log: quietLog, ...(opts.journal ? { journal: opts.journal } : {}), retry: { backoffMs: () => 20, ...opts.retry }, ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), ...(opts.group ? { group: opts.group } : {}) });
  return { bus, store, worker };
}

export function route(executor: string, params: Record<string, unknown> = {}): Route {
  return { executor, ruleId: `route-to-${executor}`, params };
}

/** Records the order as routed (what the coordinator does) and runs it on the worker. */
export async function runOrder(w: { store: Store; worker: ExecutorWorker }, order: Order, r: Route) {
  await w.store.insertOrder(order, 'routed');
  const routed: RoutedOrder = { order, route: r };
  return w.worker.execute(routed);
}

/** Prints what the issue asks for every built transaction: it ran on the SVM, its size and compute. */
export function printTxs(label: string, report: unknown): void {
  const txs = (report as { txs?: { signature: string; sizeBytes: number; computeUnitLimit: number; unitsSimulated: number }[] }).txs ?? [];
  for (const t of txs) console.log(`# ${label}: tx ${t.signature.slice(0, 12)}… ran on the sandbox SVM: ${t.sizeBytes} bytes, ${t.unitsSimulated} CU simulated, limit ${t.computeUnitLimit}`);
}

/**
 * One engine worker process for the queue-group test: opens bus, store and cache through the
 * same selection the engine uses (SOLRULES_BUS / SOLRULES_STORE / SOLRULES_CACHE) and runs an
 * ExecutorWorker in a queue group with a simulated executor. Prints `ready` once subscribed; on SIGTERM prints its
 * stats as JSON and exits.
 */
import { openBus } from '../../../engine/infra/bus/index.ts';
import { openCache } from '../../../engine/infra/cache/index.ts';
import { ExecutorWorker } from '../../../engine/executors/index.ts';
import { openStore } from '../../../engine/infra/store/index.ts';
import { createLogger, setLogger } from '../../../engine/infra/telemetry/index.ts';
import { CountingExecutor } from './support.ts';

setLogger(createLogger({ level: 'error' }));
const workerId = process.env.WORKER_ID ?? `w${process.pid}`;
const bus = await openBus({ name: workerId });
const store = await openStore();
const cache = await openCache();
const exec = new CountingExecutor();
const worker = new ExecutorWorker({ bus, store, executorFor: () => exec, now: () => new Date(), group: { cache, workerId, lockTtlMs: Number(process.env.LOCK_TTL_MS ?? 30_000) } });
await worker.start();
process.stdout.write('ready\n');
process.once('SIGTERM', async () => {
  await worker.stop();
  await bus.close();
  await cache.close();
  await store.close();
  process.stdout.write(`${JSON.stringify({ workerId, ...worker.stats, invocations: [...exec.invocations.values()].reduce((a, b) => a + b, 0) })}\n`);
  process.exit(0);
});

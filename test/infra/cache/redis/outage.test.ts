/**
 * Redis stopped mid-run (our own redis-server on another port, SIGKILLed, restarted empty):
 * workers take no new order while the cache cannot be reached — an order whose lock was not
 * taken before the stop is not executed until Redis answers again — and afterwards every
 * order is executed exactly once. Fencing tokens keep growing across the restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus } from '../../../../engine/infra/bus/index.ts';
import { RedisCache } from '../../../../engine/infra/cache/redis/index.ts';
import { ExecutorWorker } from '../../../../engine/executors/index.ts';
import { MemoryStore } from '../../../../engine/infra/store/index.ts';
import { createLogger, setLogger } from '../../../../engine/infra/telemetry/index.ts';
import { requireBinary, startOwnServer } from '../../../support/servers.ts';
import { CountingExecutor, routedOrder } from '../../../executors/group/support.ts';
import { routedToJson } from '../../../../engine/messages/index.ts';

setLogger(createLogger({ level: 'error' }));
const ORDERS = 600;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(`Redis stopped mid-run: no new orders while it is down, ${ORDERS} orders executed exactly once`, async (t) => {
  if (!requireBinary(t, 'redis-server')) return;
  const redis = await startOwnServer('redis');
  const bus = new MemoryBus();
  const store = new MemoryStore();
  const cache = await RedisCache.connect(redis.url, { keyPrefix: 'outage:', commandTimeoutMs: 300 });
  const lockedAt = new Map<string, number>();
  const acquire = cache.acquireLock.bind(cache);
  cache.acquireLock = async (name, ttl) => {
    const lease = await acquire(name, ttl);
    if (lease) lockedAt.set(name.replace(/^order:/, ''), Date.now());
    return lease;
  };
  const exec = new CountingExecutor();
  const workers = [1, 2].map((i) => new ExecutorWorker({ bus, store, executorFor: () => exec, now: () => new Date(), group: { cache, workerId: `w${i}`, retryMs: 50 } }));
  try {
    for (const w of workers) await w.start();
    const probeBefore = (await cache.acquireLock('probe', 10_000))!.fencingToken;

    let stoppedAt = 0;
    let restartedAt = 0;
    const publisher = (async () => {
      for (let i = 0; i < ORDERS; i++) {
        await bus.publish('execution.orders', routedToJson(routedOrder(i)), { msgId: `route:${i}` });
        await sleep(3);
      }
    })();
    while (exec.invocations.size < ORDERS / 3) await sleep(5);
    // The stop is when the server is gone: a lock granted while the kill is under way was granted before it.
    await redis.kill('SIGKILL');
    stoppedAt = Date.now();
    const doneAtStop = (await store.listExecutions()).length;
    await sleep(1_500);
    const doneDuringOutage = (await store.listExecutions()).length - doneAtStop;
    const invokedDuringOutage = [...exec.invokedAt].filter(([, at]) => at >= stoppedAt);
    await redis.start();
    restartedAt = Date.now();
    await publisher;
    await bus.settle();
    const probeAfter = (await cache.acquireLock('probe', 10_000))!.fencingToken;

    const executions = await store.listExecutions();
    const waits = workers.reduce((a, w) => a + w.stats.cacheWaits, 0);
    console.log(
      `redis outage: ${ORDERS} orders; ${doneAtStop} executed before the stop; Redis down ${restartedAt - stoppedAt} ms;` +
        ` ${doneDuringOutage} recorded while down (locks taken before the stop), ${invokedDuringOutage.length} executor calls while down;` +
        ` ${waits} cache waits; after restart ${executions.length} executed, ${[...exec.invocations.values()].filter((n) => n > 1).length} executed twice;` +
        ` fencing token ${probeBefore} before, ${probeAfter} after the restart`,
    );
    for (const [orderId, at] of invokedDuringOutage) {
      assert.ok(at < restartedAt);
      assert.ok((lockedAt.get(orderId) ?? Infinity) < stoppedAt, `order ${orderId} started while Redis was down without a lock taken before the stop`);
    }
    assert.ok(waits > 0, 'workers must have held orders while Redis was down');
    assert.equal(executions.length, ORDERS, 'nothing lost');
    assert.equal(new Set(executions.map((e) => e.orderId)).size, ORDERS);
    assert.equal(exec.invocations.size, ORDERS);
    assert.ok([...exec.invocations.values()].every((n) => n === 1), 'no order executed twice');
    assert.ok(probeAfter > probeBefore, 'fencing tokens keep growing across a Redis restart that lost its data');
  } finally {
    for (const w of workers) await w.stop();
    await cache.close();
    await redis.dispose();
  }
});

/**
 * Two engine worker processes in one queue group on the machine's NATS, sharing PostgreSQL
 * and Redis; one is SIGKILLed mid-stream. Every order is executed exactly once: the survivor
 * takes over what the dead one had not acked, reconciles what it had submitted, and skips
 * what it had finished.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openBus } from '../../../engine/infra/bus/index.ts';
import { RedisCache } from '../../../engine/infra/cache/redis/index.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { requireService, SERVICES } from '../../support/services.ts';
import { deleteNamespace } from '../../infra/bus/nats/support.ts';
import { createTestDatabase } from '../../infra/store/pgtest.ts';
import { routedOrder } from './support.ts';
import { routedToJson } from '../../../engine/messages/index.ts';

const ORDERS = Number(process.env.SOLRULES_FULL ? 10_000 : 2_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorker(id: string, env: Record<string, string>): Promise<{ proc: ChildProcess; lines: string[] }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/executors/group/worker-process.ts'], { cwd: REPO_ROOT, env: { ...process.env, ...env, WORKER_ID: id }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => lines.push(l));
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (lines.includes('ready')) {
        clearInterval(timer);
        resolve({ proc, lines });
      }
    }, 20);
    proc.once('exit', (code) => {
      clearInterval(timer);
      reject(new Error(`worker ${id} exited (${code}) before it was ready`));
    });
  });
}

test(`two worker processes in one queue group, one killed mid-stream: ${ORDERS} orders executed exactly once`, { timeout: 240_000 }, async (t) => {
  for (const s of ['nats', 'postgres', 'redis'] as const) if (!(await requireService(t, s))) return;
  const ns = `tq${randomBytes(4).toString('hex')}`;
  const prefix = `solrules-test-${ns}`;
  const db = await createTestDatabase('queue');
  const env = {
    SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&ack_wait_ms=2000&max_bytes=67108864`,
    SOLRULES_STORE: db.url,
    SOLRULES_CACHE: `${SERVICES.redis.url}?prefix=${prefix}`,
    LOCK_TTL_MS: '3000',
  };
  const workers: { proc: ChildProcess; lines: string[] }[] = [];
  const check = new pg.Client({ connectionString: db.url });
  const bus = await openBus({ url: env.SOLRULES_BUS, name: 'queue-test-publisher' });
  try {
    workers.push(await startWorker('A', env), await startWorker('B', env));
    await check.connect();
    const executed = async () => (await check.query('SELECT count(*)::int AS n FROM executions')).rows[0].n as number;

    const publishing = (async () => {
      for (let i = 0; i < ORDERS; i += 50) {
        await Promise.all(Array.from({ length: Math.min(50, ORDERS - i) }, (_, k) => {
          const r = routedOrder(i + k, 'dca');
          return bus.publish('execution.orders', routedToJson(r), { msgId: `route:${r.order.id}` });
        }));
      }
    })();
    while ((await executed()) < ORDERS * 0.3) await sleep(20);
    const [a, b] = workers as [(typeof workers)[0], (typeof workers)[0]];
    a.proc.kill('SIGKILL');
    await once(a.proc, 'exit');
    const atKill = await executed();
    await publishing;
    const deadline = Date.now() + 120_000;
    while ((await executed()) < ORDERS && Date.now() < deadline) await sleep(100);
    b.proc.kill('SIGTERM');
    await once(b.proc, 'exit');
    const bStats = JSON.parse(b.lines.find((l) => l.startsWith('{'))!);

    const rows = (await check.query(`
      SELECT (SELECT count(*)::int FROM executions) AS executions,
             (SELECT count(DISTINCT order_id)::int FROM executions) AS distinct_orders,
             (SELECT count(*)::int FROM (SELECT order_id FROM submissions GROUP BY order_id HAVING count(*) > 1) x) AS resubmitted,
             (SELECT count(*)::int FROM submissions s WHERE s.worker_id = 'A' AND NOT EXISTS (SELECT 1 FROM submissions s2 WHERE s2.order_id = s.order_id AND s2.attempt > s.attempt)) AS finished_by_a,
             (SELECT count(*)::int FROM submissions s WHERE s.worker_id = 'B' AND NOT EXISTS (SELECT 1 FROM submissions s2 WHERE s2.order_id = s.order_id AND s2.attempt > s.attempt)) AS finished_by_b,
             (SELECT count(*)::int FROM submissions WHERE attempt = 1 AND worker_id <> 'A' AND order_id IN (SELECT order_id FROM submissions GROUP BY order_id HAVING count(*) > 1)) AS resubmitted_not_after_a,
             (SELECT count(*)::int FROM orders WHERE status = 'filled') AS filled`)).rows[0];
    console.log(
      `queue-group test: ${ORDERS} orders published to 2 workers; worker A SIGKILLed after ${atKill} executions;` +
        ` finished by A ${rows.finished_by_a}, by B ${rows.finished_by_b}; B skipped ${bStats.alreadyDone} redeliveries of done orders,` +
        ` reconciled ${bStats.reconciled} orders A had submitted but not recorded when it died (paper: nothing had left A, so B ran them; a live executor checks the chain first);` +
        ` executions recorded ${rows.executions} for ${rows.distinct_orders} distinct orders, filled ${rows.filled}, lost ${ORDERS - rows.distinct_orders}`,
    );
    assert.ok(atKill > 0 && atKill < ORDERS, 'A was killed mid-stream');
    assert.equal(rows.executions, ORDERS, 'every order executed');
    assert.equal(rows.distinct_orders, ORDERS, 'each exactly once');
    assert.equal(rows.filled, ORDERS);
    assert.equal(rows.finished_by_a + rows.finished_by_b, ORDERS);
    assert.ok(rows.finished_by_a > 0 && rows.finished_by_b > 0, 'both workers took part');
    assert.equal(rows.resubmitted_not_after_a, 0, 'an order is only attempted again after the killed worker left it');
    assert.equal(bStats.reconciled, rows.resubmitted);
  } finally {
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGKILL');
    await check.end().catch(() => undefined);
    await bus.close().catch(() => undefined);
    await deleteNamespace(SERVICES.nats.url, ns).catch(() => undefined);
    const cache = await RedisCache.connect(SERVICES.redis.url);
    const keys = await cache.client.keys(`${prefix}:*`);
    if (keys.length) await cache.client.del(...keys);
    await cache.close();
    await db.drop();
  }
});

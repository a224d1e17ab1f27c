/**
 * `--live` with split roles: 1 scanner, 1 planner and 1 executor process (`run --role …`) over the
 * machine's NATS, Redis and PostgreSQL against the sandbox market (real Whirlpool and DLMM programs,
 * SIMULATED other traders stepped by this test). Only the executor has `--live`: it signs with
 * wallets.yaml's workers (keys from its environment) and sends through the rpc and jito executors;
 * the planner decides and routes, the scanner forwards the accounts. Checked from the store and the
 * chain: orders landed, each at most once, every order final, and the workers' balances equal
 * funded + every recorded fill − fees, to the atom.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { engineWallets } from '../../sandbox/demo/live-context.ts';
import { StoreSubmissionJournal } from '../../engine/executors/index.ts';
import { openStore } from '../../engine/infra/store/index.ts';
import { FINAL_ORDER_STATUSES } from '../../engine/orders/index.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { startProcess, stopProcesses, until, untilUp, type Proc } from '../support/topology.ts';
import { deleteNamespace, testNamespace } from '../infra/bus/nats/support.ts';
import { createTestDatabase } from '../infra/store/pgtest.ts';
import { reconcileStoredFills, writeLiveProject } from './support/live-harness.ts';

/** Orders landed before the run stops (kept small: the suite is over its time budget). */
const LANDED = 3;
const FINAL = new Set<string>(FINAL_ORDER_STATUSES);

test('split roles --live: the executor process signs with the worker wallets and sends; orders land once each, none is lost, the wallets reconcile to the atom', { timeout: 600_000 }, async (t) => {
  if (!(await requireService(t, 'nats')) || !(await requireService(t, 'redis')) || !(await requireService(t, 'postgres'))) return;
  const dir = mkdtempSync(join(tmpdir(), 'solrules-split-live-'));
  const ns = testNamespace('split_live');
  const db = await createTestDatabase('splitlive');
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const procs: Proc[] = [];
  let stepping = true;
  let stepper: Promise<void> | undefined;
  const store = await openStore({ url: db.url });
  try {
    const market = createMarket({ chain: sb.chain, seed: 1 });
    const wallets = engineWallets(market, { workers: 2 });
    writeLiveProject(dir, { rpc: sb.rpcUrl, blockEngine: sb.blockEngineUrl });
    const keys = Object.fromEntries(Object.entries(wallets.env).filter(([k]) => k.startsWith('SOLRULES_SANDBOX_WORKER_')));
    const env: NodeJS.ProcessEnv = { ...process.env, SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=16777216`, SOLRULES_CACHE: `${SERVICES.redis.url}?prefix=${ns}`, SOLRULES_STORE: db.url, SOLRULES_METRICS_PORT: '', SOLRULES_LOG_LEVEL: process.env.SOLRULES_TOPOLOGY_LOG_LEVEL ?? 'error' };
    const ctx = { env, rpc: sb.rpcUrl, ws: sb.wsUrl, project: dir };
    // Listening from before the roles start: a grid may buy on the first market it sees.
    const workers = new Set(wallets.workers.map((w) => w.address));
    const landed: string[] = [];
    sb.chain.on('transaction', (r: { signature: string; accountKeys: string[]; err: unknown }) => {
      if (workers.has(r.accountKeys[0]!) && !r.err) landed.push(r.signature);
    });
    procs.push(
      startProcess('scanner-1', ['--role', 'scanner', '--member', 'scanner-1'], ctx),
      startProcess('planner-1', ['--role', 'planner', '--member', 'planner-1'], ctx),
      // The keys reach the executor alone: the only process that signs.
      // At info, its 'order filled' lines show the log's role label.
      startProcess('executor-1', ['--role', 'executor', '--member', 'executor-1', '--live'], { ...ctx, env: { ...env, ...keys, SOLRULES_LOG_LEVEL: 'info' } }),
    );
    await untilUp(procs);
    assert.match(procs[2]!.out, /LIVE on/, 'the executor runs live');
    assert.match(procs[1]!.out, /DRY RUN on/, 'the planner sends nothing itself');
    await new Promise((r) => setTimeout(r, 3_000)); // the planner listens a full membership window before taking its share

    const flow = new MarketFlow(market, { seed: 7, shockProbability: 0.1 });
    stepper = (async () => {
      while (stepping) {
        flow.step();
        await new Promise((r) => setTimeout(r, 300));
      }
    })();
    await until(`${LANDED} transactions from the worker wallets`, () => {
      const dead = procs.find((p) => p.child.exitCode !== null);
      if (dead) throw new Error(`${dead.name} exited:\n${dead.out}`);
      return landed.length >= LANDED;
    }, 300_000);
    stepping = false;
    await stepper;
    // Every order decided reaches a final status (the executor may still be confirming the last sends).
    await until('every order final', async () => (await store.listOrders()).every((r) => FINAL.has(r.status)), 120_000);
    const hung = await stopProcesses(procs, 60_000);
    assert.deepEqual(hung, [], 'every role stops on SIGTERM');
    assert.match(procs[2]!.out, /executor worker: executed [1-9]\d*/, 'the executor\'s summary counts what it executed');
    const executorLines = procs[2]!.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { role?: string; msg?: string });
    assert.ok(executorLines.some((l) => l.msg === 'order filled'), 'the executor logged its fills');
    assert.deepEqual([...new Set(executorLines.map((l) => l.role))], ['executor'], 'every log line carries the role --role gave (not SOLRULES_ROLE\'s default)');

    const journal = new StoreSubmissionJournal(store);
    const orders = await store.listOrders();
    const bySignature = new Map<string, string>();
    let duplicates = 0;
    let attempts = 0;
    for (const { order } of orders) {
      const entries = await journal.forOrder(order.id);
      attempts += entries.length;
      for (const e of entries) for (const s of e.signatures) bySignature.set(s, order.id);
      if (entries.filter((e) => e.signatures.every((s) => sb.getTransaction(s)?.err === null)).length > 1) duplicates++;
    }
    const filled = orders.filter((o) => o.status === 'filled');
    const notFilled = orders.filter((o) => o.status !== 'filled');
    const byReason = new Map<string, number>();
    for (const o of notFilled) byReason.set(`${o.status}: ${(o.reason ?? '').slice(0, 60)}`, (byReason.get(`${o.status}: ${(o.reason ?? '').slice(0, 60)}`) ?? 0) + 1);
    t.diagnostic(`split --live: decided ${orders.length}, ${attempts} attempt(s), landed ${landed.length} transaction(s), filled ${filled.length}, not filled ${notFilled.length} (${[...byReason].map(([k, n]) => `${n} ${k}`).join('; ')}), duplicates ${duplicates}`);

    assert.ok(filled.length >= 1, 'orders filled live');
    for (const { order } of filled) {
      const [report] = await store.listExecutions(order.id);
      assert.equal(report?.simulated, false, `order ${order.id} was sent, not filled on paper`);
    }
    for (const s of landed) assert.ok(bySignature.has(s), `landed transaction ${s} is in the journal (written before the send)`);
    assert.equal(duplicates, 0, 'no order landed twice');
    assert.deepEqual(notFilled.filter((o) => !o.reason && o.status !== 'blocked').map((o) => o.order.id), [], 'every order not filled has its reason');
    assert.deepEqual(await reconcileStoredFills(store, journal, sb, market, wallets), [], 'the workers\' balances equal funded + the recorded fills − fees');
  } finally {
    stepping = false;
    await stepper;
    await stopProcesses(procs, 60_000);
    if (process.env.SOLRULES_TOPOLOGY_LOGS) for (const p of procs) writeFileSync(join(process.env.SOLRULES_TOPOLOGY_LOGS, `split-live-${p.name}.log`), p.out);
    await store.close();
    await sb.close();
    await db.drop();
    await deleteNamespace(SERVICES.nats.url, ns).catch(() => undefined);
    const redis = new Redis(SERVICES.redis.url);
    const keys = await redis.keys(`${ns}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
  }
});

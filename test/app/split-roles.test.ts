/**
 * The split deployment as processes over the machine's real NATS, Redis and PostgreSQL (each run
 * isolated: its own NATS namespace, Redis key prefix and database): the sandbox market runs in this
 * process on a manual slot clock with a seeded flow, stepped in lockstep — after each step the test
 * waits until every order is final and nothing new has come for a quiet window. 2 scanners, 2
 * planners and 2 executors (`run --role …`, DRY RUN: simulated fills) trade the examples/live
 * market; one of each is SIGKILLed mid-run and later restarted. Every order is decided once
 * (one row, one publication), executed at most once, none is left unfinished. The comparison with one
 * `--role all` process stepped the same way runs with SOLRULES_TOPOLOGY_COMPARE=1 and is printed, not
 * asserted: the two do not decide the same yet (see the comment at the end).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { openBus, type Bus } from '../../engine/infra/bus/index.ts';
import { openStore, type Store } from '../../engine/infra/store/index.ts';
import { Membership } from '../../engine/cluster/index.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';
import { FINAL_ORDER_STATUSES } from '../../engine/orders/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { deleteNamespace, testNamespace } from '../infra/bus/nats/support.ts';
import { createTestDatabase, type TestDatabase } from '../infra/store/pgtest.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const PROJECT = join(REPO_ROOT, 'examples/live');
const STEPS = Number(process.env.SOLRULES_TOPOLOGY_STEPS ?? 24);
const QUIET_MS = 1_500;
const FINAL = new Set<string>(FINAL_ORDER_STATUSES);

interface Proc {
  name: string;
  child: ChildProcess;
  out: string;
}

function start(name: string, args: string[], env: NodeJS.ProcessEnv, ws: string, rpc: string): Proc {
  const child = spawn(process.execPath, [CLI, 'run', '--rpc', rpc, '--ws', ws, '--no-watch', ...args], { cwd: PROJECT, env });
  const p: Proc = { name, child, out: '' };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.out += d));
  return p;
}

async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One run's outcome: the orders (id → final status), fills (id → atoms in/out) and decisions seen on the bus. */
interface Outcome {
  orders: Map<string, string>;
  fills: Map<string, string>;
  /** What was filled, without ids (a single process times its facts by its own clock, so its ids differ). */
  filled: string[];
  published: Map<string, number>;
  executions: number;
}

/**
 * Runs the market `STEPS` steps against `roles` (spawned by `spawnAll`), calling `midRun` at each
 * step, and returns what the store and bus hold.
 */
async function runTopology(t: TestContext, label: string, spawnAll: (env: NodeJS.ProcessEnv, rpc: string, ws: string) => Proc[], midRun: (step: number, ctx: { env: NodeJS.ProcessEnv; rpc: string; ws: string; procs: Proc[] }) => Promise<void>): Promise<Outcome> {
  const ns = testNamespace(`topo_${label}`);
  const db: TestDatabase = await createTestDatabase('topo');
  const env: NodeJS.ProcessEnv = { ...process.env, SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=16777216`, SOLRULES_CACHE: `${SERVICES.redis.url}?prefix=${ns}`, SOLRULES_STORE: db.url, SOLRULES_LOG_LEVEL: 'error' };
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const flow = new MarketFlow(market, { seed: 5, shockProbability: 0.2 });
  let bus: Bus | undefined;
  let store: Store | undefined;
  const procs: Proc[] = [];
  const hung: string[] = [];
  try {
    bus = await openBus({ url: env.SOLRULES_BUS!, name: `${ns}-observer` });
    const published = new Map<string, number>();
    await bus.subscribe<{ id: string }>(`${SUBJECTS.opportunities}.>`, (m) => void published.set(m.data.id, (published.get(m.data.id) ?? 0) + 1));
    store = await openStore({ url: db.url });
    procs.push(...spawnAll(env, sb.rpcUrl, sb.wsUrl));
    await until('every process up', () => procs.every((p) => /DRY RUN on|role scanner \(/.test(p.out) || p.child.exitCode !== null), 180_000);
    for (const p of procs) assert.equal(p.child.exitCode, null, `${p.name} exited early:\n${p.out}`);
    await new Promise((r) => setTimeout(r, 3_000)); // joiners listen a full membership window before taking a share
    const settled = async () => {
      let last = -1;
      let quietSince = Date.now();
      await until('the step settles (every order final, nothing new)', async () => {
        const rows = await store!.listOrders();
        const open = rows.filter((r) => !FINAL.has(r.status)).length;
        const n = rows.length * 1000 + published.size;
        if (n !== last || open) ((last = n), (quietSince = Date.now()));
        return Date.now() - quietSince >= QUIET_MS;
      });
    };
    await settled();
    for (let step = 1; step <= STEPS; step++) {
      flow.step();
      await midRun(step, { env, rpc: sb.rpcUrl, ws: sb.wsUrl, procs });
      await settled();
    }
    const orders = new Map<string, string>();
    const fills = new Map<string, string>();
    let executions = 0;
    const rows = await store.listOrders();
    for (const row of rows) orders.set(row.order.id, row.status);
    for (const r of await store.listExecutions()) {
      executions++;
      if (r.status === 'filled') {
        assert.ok(!fills.has(r.orderId), `order ${r.orderId} filled twice`);
        fills.set(r.orderId, `${r.amountIn}->${r.amountOut}`);
      }
    }
    const filled = rows.filter((r) => fills.has(r.order.id)).map((r) => `${r.order.strategy}/${r.order.rule} ${r.order.side} ${fills.get(r.order.id)}`).sort();
    t.diagnostic(`${label}: ${orders.size} order(s) decided, ${fills.size} filled, ${executions} execution report(s), ${published.size} published id(s)`);
    return { orders, fills, filled, published, executions };
  } finally {
    // A clean stop (SIGTERM) must end every role within a generous bound; one that hangs is killed and fails the run.
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    await Promise.all(
      procs.map((p) =>
        p.child.exitCode !== null || p.child.signalCode !== null
          ? undefined
          : new Promise<void>((r) => {
              const timer = setTimeout(() => (hung.push(p.name), p.child.kill('SIGKILL')), 60_000);
              p.child.once('exit', () => (clearTimeout(timer), r()));
            }),
      ),
    );
    if (process.env.SOLRULES_TOPOLOGY_LOGS) for (const p of procs) writeFileSync(join(process.env.SOLRULES_TOPOLOGY_LOGS, `${label}-${p.name}.log`), p.out);
    await bus?.close();
    await store?.close();
    await sb.close();
    await db.drop();
    await deleteNamespace(SERVICES.nats.url, ns);
    const redis = new Redis(SERVICES.redis.url);
    const keys = await redis.keys(`${ns}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    assert.deepEqual(hung, [], 'processes that did not stop on SIGTERM within 60 s');
  }
}

test('split roles as processes: 2 scanners, 2 planners, 2 executors, one of each SIGKILLed and restarted — every order decided once, executed at most once, none lost', { timeout: 900_000 }, async (t) => {
  for (const s of ['nats', 'redis', 'postgres'] as const) if (!(await requireService(t, s))) return;
  const killAt = Math.floor(STEPS / 3);
  const restartAt = Math.floor((2 * STEPS) / 3);
  const takeovers: string[] = [];
  let observer: { bus: Bus; groups: Membership[] } | undefined;
  const roles = (env: NodeJS.ProcessEnv, rpc: string, ws: string) =>
    ['scanner', 'planner', 'executor'].flatMap((role) => [1, 2].map((i) => start(`${role}-${i}`, ['--role', role, '--member', `${role}-${i}`], env, ws, rpc)));
  const split = await runTopology(t, 'split', roles, async (step, { env, rpc, ws, procs }) => {
    if (step === 1) {
      // A passive observer of the scanner and planner groups: when did the survivors see the dead member go?
      const bus = await openBus({ url: env.SOLRULES_BUS!, name: 'topology-observer' });
      observer = { bus, groups: [] };
      for (const group of ['scanner', 'planner']) {
        const m = new Membership(bus, { group, member: `observer-${group}`, passive: true });
        await m.start();
        observer.groups.push(m);
      }
    }
    if (step === killAt) {
      const killedAt = Date.now();
      for (const role of ['scanner', 'planner', 'executor']) {
        const p = procs.find((x) => x.name === `${role}-1`)!;
        p.child.kill('SIGKILL');
      }
      for (const [i, group] of ['scanner', 'planner'].entries()) {
        const m = observer!.groups[i]!;
        await until(`${group}-1 dropped`, () => !m.members().includes(`${group}-1`), 30_000);
        takeovers.push(`${group}: ${Date.now() - killedAt} ms after the SIGKILL the survivor owns the whole share`);
      }
    }
    if (step === restartAt) {
      for (const role of ['scanner', 'planner', 'executor']) {
        const i = procs.findIndex((x) => x.name === `${role}-1`);
        procs[i] = start(`${role}-1`, ['--role', role, '--member', `${role}-1`], env, ws, rpc);
      }
      await until('the restarted processes are up', () => procs.every((p) => /DRY RUN on|role scanner \(/.test(p.out)), 180_000);
      await new Promise((r) => setTimeout(r, 3_000));
    }
  });
  if (observer) {
    for (const m of observer.groups) await m.stop();
    await observer.bus.close();
  }
  for (const line of takeovers) t.diagnostic(`takeover: ${line}`);

  assert.ok(split.orders.size > 0, 'the market made the strategies decide');
  for (const [id, status] of split.orders) assert.ok(FINAL.has(status), `order ${id} left ${status}`);
  for (const [id, n] of split.published) assert.equal(n, 1, `order ${id} published ${n} times`);
  assert.deepEqual([...split.published.keys()].sort(), [...split.orders.keys()].sort(), 'every published decision is stored, and only those');
  assert.equal(takeovers.length, 2, 'the scanner and planner shares moved to the survivors');

  // One `--role all` process stepped the same way. NOT EQUAL YET, so printed, not asserted: facts are
  // timed by wall clock (DCA's interval counts real minutes, so a longer run buys more often), and a
  // planner fed by two scanners' forwarders settles pool updates in other batches than one scanner
  // does (more intermediate price events, so more arbitrage). SOLRULES_TOPOLOGY_COMPARE=1 runs it.
  if (process.env.SOLRULES_TOPOLOGY_COMPARE === '1') {
    const single = await runTopology(t, 'single', (env, rpc, ws) => [start('all', ['--role', 'all'], env, ws, rpc)], async () => undefined);
    const same = JSON.stringify(split.filled) === JSON.stringify(single.filled);
    t.diagnostic(`compared with one process: ${split.orders.size} vs ${single.orders.size} decisions, ${split.fills.size} vs ${single.fills.size} fills; fills ${same ? 'EQUAL' : 'DIFFERENT'}`);
  }
});

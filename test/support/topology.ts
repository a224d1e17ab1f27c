/**
 * The process harness of the topology tests: the sandbox market in the test's process on a manual
 * slot clock with a seeded flow, stepped in lockstep (after each step: wait until every order is
 * final and nothing new came for a quiet window), against engine processes (`run --role …`, DRY
 * RUN) over a NATS (the machine's, or a cluster of the test's own), Redis and PostgreSQL, each
 * run isolated (its own NATS namespace, Redis key prefix and database). What a run leaves in the
 * store and on the bus is its `Outcome`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow } from '../../sandbox/market/index.ts';
import { openBus, type Bus } from '../../engine/infra/bus/index.ts';
import { openStore, type Store } from '../../engine/infra/store/index.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';
import { FINAL_ORDER_STATUSES } from '../../engine/orders/index.ts';
import { paperRoundTripNet } from '../../engine/strategies/index.ts';
import { REPO_ROOT } from './paths.ts';
import { SERVICES } from './services.ts';
import { deleteNamespace, testNamespace } from '../infra/bus/nats/support.ts';
import { createTestDatabase, type TestDatabase } from '../infra/store/pgtest.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
export const TOPOLOGY_PROJECT = join(REPO_ROOT, 'examples/live');
/** examples/live strategies.yaml paper.startingBalances and market mints. */
const START = { base: 0n, quote: 20_000_000_000n };
const MINTS = { base: 'So11111111111111111111111111111111111111112', quote: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v' };
const QUIET_MS = 1_500;
const FINAL = new Set<string>(FINAL_ORDER_STATUSES);

/** One engine process of a topology, with everything it printed. */
export interface Proc {
  name: string;
  child: ChildProcess;
  out: string;
}

/** What `start` needs to reach the run's chain and services. */
export interface RunContext {
  env: NodeJS.ProcessEnv;
  rpc: string;
  ws: string;
  procs: Proc[];
}

/**
 * The examples/live scanner file with `batching: slot` (one batch per slot, published when the slot
 * closes): what makes a single process and a split run see the same price events. The example keeps
 * `settle` (a slot's updates published as soon as they settle, the live latency path).
 */
let slotScanner: string | undefined;
export function topologyScannerFile(): string {
  if (slotScanner && existsSync(slotScanner)) return slotScanner;
  const dir = mkdtempSync(join(tmpdir(), 'solrules-topology-scanner-'));
  slotScanner = join(dir, 'scanner.yaml');
  writeFileSync(slotScanner, `${readFileSync(join(TOPOLOGY_PROJECT, 'scanner.yaml'), 'utf8').trimEnd()}\nbatching: slot\n`);
  return slotScanner;
}

/** Spawns `solrules run --rpc … --no-watch <args>` in the examples/live project, or `project` (with the examples/live scanner file at `batching: slot`). */
export function startProcess(name: string, args: string[], ctx: Pick<RunContext, 'env' | 'rpc' | 'ws'> & { project?: string }): Proc {
  const child = spawn(process.execPath, [CLI, 'run', '--rpc', ctx.rpc, '--ws', ctx.ws, '--scanner', topologyScannerFile(), '--no-watch', ...args], { cwd: ctx.project ?? TOPOLOGY_PROJECT, env: ctx.env });
  const p: Proc = { name, child, out: '' };
  child.stdout!.on('data', (d) => (p.out += d));
  child.stderr!.on('data', (d) => (p.out += d));
  return p;
}

/** `--role <role> --member <role>-<i>`. */
export function startRole(role: 'scanner' | 'planner' | 'executor', i: number, ctx: Pick<RunContext, 'env' | 'rpc' | 'ws'>): Proc {
  return startProcess(`${role}-${i}`, ['--role', role, '--member', `${role}-${i}`], ctx);
}

/** 2 scanners, 2 planners, 2 executors. */
export function splitRoles(ctx: Pick<RunContext, 'env' | 'rpc' | 'ws'>): Proc[] {
  return (['scanner', 'planner', 'executor'] as const).flatMap((role) => [1, 2].map((i) => startRole(role, i, ctx)));
}

/** One `--role all` process. */
export function singleProcess(ctx: Pick<RunContext, 'env' | 'rpc' | 'ws'>): Proc[] {
  return [startProcess('all', ['--role', 'all'], ctx)];
}

/** SIGTERMs every process still running and waits for each; one still there after `graceMs` is SIGKILLed. Returns the names of those. */
export async function stopProcesses(procs: readonly Pick<Proc, 'name' | 'child'>[], graceMs: number): Promise<string[]> {
  const hung: string[] = [];
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await Promise.all(
    procs.map((p) =>
      p.child.exitCode !== null || p.child.signalCode !== null
        ? undefined
        : new Promise<void>((r) => {
            const timer = setTimeout(() => (hung.push(p.name), p.child.kill('SIGKILL')), graceMs);
            p.child.once('exit', () => (clearTimeout(timer), r()));
          }),
    ),
  );
  return hung;
}

/** Polls `cond` every 100 ms; throws after `timeoutMs` (a generous hang guard). */
export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const isUp = (p: Proc) => /DRY RUN on|LIVE on|role scanner \(/.test(p.out);

/** Waits until every process says it runs; one that exits first fails with its output. */
export async function untilUp(procs: readonly Proc[], timeoutMs = 180_000): Promise<void> {
  await until('every process up', () => {
    const dead = procs.find((p) => p.child.exitCode !== null && !isUp(p));
    if (dead) throw new Error(`${dead.name} exited before it was up:\n${dead.out}`);
    return procs.every(isUp);
  }, timeoutMs);
}

/** One run's outcome, as the store and the bus hold it. */
export interface Outcome {
  /** Order id → final status. */
  orders: Map<string, string>;
  /** Order id → `amountIn->amountOut` of its fill. */
  fills: Map<string, string>;
  /** Every decision without its id, sorted: `createdAt strategy/rule side amountIn min minOut` (createdAt is chain time). */
  decisions: string[];
  /** What was filled, without ids, sorted. */
  filled: string[];
  /** Order id → times published on trade.opportunities. */
  published: Map<string, number>;
  executions: number;
  /** The paper balances the stored fills make of strategies.yaml's starting ones (atoms). */
  balances: { base: bigint; quote: bigint };
}

export interface TopologyOptions {
  label: string;
  steps: number;
  /** The NATS the run uses (default: the machine's). */
  natsUrl?: string;
  spawn: (ctx: Pick<RunContext, 'env' | 'rpc' | 'ws'>) => Proc[];
  /** Called after each step's swap, before the step settles. */
  midRun?: (step: number, ctx: RunContext) => Promise<void>;
}

/**
 * Runs the market `steps` steps against the processes `spawn` starts, calling `midRun` at each
 * step, and returns what the store and bus hold. Every process must stop on SIGTERM within 60 s.
 */
export async function runTopology(t: TestContext, opts: TopologyOptions): Promise<Outcome> {
  const { label } = opts;
  const natsUrl = opts.natsUrl ?? SERVICES.nats.url;
  const ns = testNamespace(`topo_${label}`);
  const db: TestDatabase = await createTestDatabase('topo');
  const env: NodeJS.ProcessEnv = { ...process.env, SOLRULES_BUS: `${natsUrl}${natsUrl.includes('?') ? '&' : '?'}namespace=${ns}&max_bytes=16777216`, SOLRULES_CACHE: `${SERVICES.redis.url}?prefix=${ns}`, SOLRULES_STORE: db.url, SOLRULES_LOG_LEVEL: process.env.SOLRULES_TOPOLOGY_LOG_LEVEL ?? 'error' };
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
    const ctx: RunContext = { env, rpc: sb.rpcUrl, ws: sb.wsUrl, procs };
    procs.push(...opts.spawn(ctx));
    await untilUp(procs);
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
    for (let step = 1; step <= opts.steps; step++) {
      flow.step();
      await opts.midRun?.(step, ctx);
      await settled();
    }
    const orders = new Map<string, string>();
    const fills = new Map<string, string>();
    const balances = { ...START };
    let executions = 0;
    const rows = await store.listOrders();
    for (const row of rows) orders.set(row.order.id, row.status);
    const byId = new Map(rows.map((r) => [r.order.id, r.order]));
    for (const r of await store.listExecutions()) {
      executions++;
      if (r.status !== 'filled') continue;
      assert.ok(!fills.has(r.orderId), `order ${r.orderId} filled twice`);
      fills.set(r.orderId, `${r.amountIn}->${r.amountOut}`);
      const order = byId.get(r.orderId)!;
      const delta = new Map<string, bigint>();
      if (order.inputMint === order.outputMint) delta.set(order.inputMint, paperRoundTripNet(order.params, r.amountIn, r.amountOut));
      else delta.set(order.inputMint, -r.amountIn).set(order.outputMint, r.amountOut);
      balances.base += delta.get(MINTS.base) ?? 0n;
      balances.quote += delta.get(MINTS.quote) ?? 0n;
    }
    const decisions = rows.map((r) => `${r.order.createdAt} ${r.order.strategy}/${r.order.rule} ${r.order.side} ${r.order.amountIn} min ${r.order.minAmountOut}`).sort();
    const filled = rows.filter((r) => fills.has(r.order.id)).map((r) => `${r.order.strategy}/${r.order.rule} ${r.order.side} ${fills.get(r.order.id)}`).sort();
    t.diagnostic(`${label}: ${orders.size} order(s) decided, ${fills.size} filled, ${executions} execution report(s), ${published.size} published id(s); balances SOL ${balances.base} USDC ${balances.quote} atoms`);
    return { orders, fills, decisions, filled, published, executions, balances };
  } finally {
    // A clean stop (SIGTERM) must end every role within a generous bound; one that hangs is killed and fails the run.
    hung.push(...(await stopProcesses(procs, 60_000)));
    if (process.env.SOLRULES_TOPOLOGY_LOGS) for (const p of procs) writeFileSync(join(process.env.SOLRULES_TOPOLOGY_LOGS, `${label}-${p.name}.log`), p.out);
    await bus?.close();
    await store?.close();
    await sb.close();
    await db.drop();
    await deleteNamespace(natsUrl, ns).catch(() => undefined);
    const redis = new Redis(SERVICES.redis.url);
    const keys = await redis.keys(`${ns}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
    assert.deepEqual(hung, [], 'processes that did not stop on SIGTERM within 60 s');
  }
}

/**
 * The run's own invariants: every order final (none lost), filled at most once (checked while the
 * outcome is read), published once, and only the stored ones published. `observerMayMiss`: the
 * test's own subscriber may not have seen every publication (its server was killed), so only what
 * it saw is checked against the store.
 */
export function assertExactlyOnce(o: Outcome, opts: { observerMayMiss?: boolean } = {}): void {
  assert.ok(o.orders.size > 0, 'the market made the strategies decide');
  for (const [id, status] of o.orders) assert.ok(FINAL.has(status), `order ${id} left ${status}`);
  for (const [id, n] of o.published) assert.equal(n, 1, `order ${id} published ${n} times`);
  if (opts.observerMayMiss) for (const id of o.published.keys()) assert.ok(o.orders.has(id), `order ${id} published but not stored`);
  else assert.deepEqual([...o.published.keys()].sort(), [...o.orders.keys()].sort(), 'every published decision is stored, and only those');
}

/**
 * Scale-out: orders decided per second and decision latency (p50 / p99) with 1, 2 and 4
 * `run --role planner` processes, beside one `--role all` process from the same run, on the
 * machine's NATS, Redis and PostgreSQL (each topology isolated: its own NATS namespace, Redis key
 * prefix and database, all removed at the end). DRY RUN: the executors fill on paper; nothing is sent.
 *
 * The work planners share: a generated project with `strategies=` copies of the examples/live grid
 * and arbitrage strategies (each copy is its own strategy, owned by one planner by rendezvous
 * hashing). The load: the SIMULATED sandbox market (seed 1) with a seeded flow (seed 5), stepped at
 * a fixed `rate` (steps per second) for `seconds`, in this process; the same flow for every topology.
 * Each split topology runs 1 scanner, N planners and 1 executor.
 *
 * Decision latency: from the moment this process made the swap the decision was made on (the step
 * of its slot) to the moment it receives the order on `trade.opportunities.<strategy>` — the
 * scanner's read, forwarding on `market.accounts`, facts, rules, the store write and the
 * publication, on one machine clock (ms resolution). The order's `createdAt` is the chain time of
 * that slot (facts are timed by the chain): the sandbox runs one block-time second per slot here
 * (and the generated scanner.yaml says `slotMs: 1000`, so a slot timed before its block time is
 * read is timed right too), so `createdAt` names the slot exactly; an order whose `createdAt` names
 * no flow slot is counted and shown, never silently left out.
 * Orders per second: distinct order ids received from the first flow step until 5 s of quiet after
 * the last one (at most 60 s after the flow), over the flow's duration. CPU: user+system seconds of
 * each process over that window, also per order; the machine's load average is printed beside it.
 * Printed after the table: the limit the cores impose, and what the partitioning predicts beyond
 * them (a planner's CPU fitted to F + S/N).
 *
 * Run: npm run bench:scale [-- seconds=8 rate=20 strategies=24 planners=1,2,4]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { parse, stringify } from 'yaml';
import { startSandbox } from '../sandbox/index.ts';
import { createMarket, MarketFlow } from '../sandbox/market/index.ts';
import { openBus } from '../engine/infra/bus/index.ts';
import { SUBJECTS } from '../engine/messages/index.ts';
import type { OrderJson } from '../engine/orders/index.ts';
import { REPO_ROOT } from '../test/support/paths.ts';
import { SERVICES } from '../test/support/services.ts';
import { deleteNamespace, testNamespace } from '../test/infra/bus/nats/support.ts';
import { createTestDatabase } from '../test/infra/store/pgtest.ts';
import { stopProcesses } from '../test/support/topology.ts';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const SECONDS = Number(args.seconds ?? 8);
const RATE = Number(args.rate ?? 20);
const STRATEGIES = Number(args.strategies ?? 24);
const PLANNERS = (args.planners ?? '1,2,4').split(',').map(Number);
const QUIET_MS = 5_000;
/** Longest wait for the planners to catch up after the flow stops; what is still coming then is reported as a backlog. */
const CATCH_UP_MS = 60_000;
const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const EXAMPLE = join(REPO_ROOT, 'examples/live');

/** A project with STRATEGIES strategies: copies of the example's grid and arbitrage, alternating, on a large paper balance. */
function generateProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-bench-scale-'));
  const src = parse(readFileSync(join(EXAMPLE, 'strategies.yaml'), 'utf8')) as Record<string, any>;
  const abs = (p: string) => resolve(EXAMPLE, p);
  const strategies: Record<string, unknown> = {};
  for (let i = 0; i < STRATEGIES; i++) {
    // A rule file names its strategy (its id, its rule ids, its params.<strategy>.* paths): each copy gets its own.
    const kind = i % 2 === 0 ? 'grid' : 'arbitrage';
    const name = `${kind}${String(i).padStart(2, '0')}`;
    const s = structuredClone(src.strategies[kind]);
    const rules = readFileSync(abs(s.rules), 'utf8').replace(new RegExp(`^id: ${kind}$`, 'm'), `id: ${name}`).replace(/^(\s*- id: )(\S+)$/gm, `$1${name}-$2`).replaceAll(`path: ${kind}.`, `path: ${name}.`);
    writeFileSync(join(dir, `${name}.yaml`), rules);
    s.rules = join(dir, `${name}.yaml`);
    strategies[name] = s;
  }
  src.strategies = strategies;
  src.routing.rules = abs(src.routing.rules);
  src.risk.rules = abs(src.risk.rules);
  src.risk.params.maxOrdersPerMinute = 100_000;
  src.paper.startingBalances.quote = '20000000000000'; // 20,000,000 USDC: many strategies share the paper balance
  if (src.replay?.prices) src.replay.prices = abs(src.replay.prices);
  writeFileSync(join(dir, 'strategies.yaml'), stringify(src));
  // The bench's sandbox runs one block-time second per slot: the scanner times a slot it has no block
  // time for yet from the newest one read at `slotMs` per slot, so it must be told (the default is
  // mainnet's 400 ms); then every order's createdAt is its slot's block time and names the slot.
  writeFileSync(join(dir, 'scanner.yaml'), `${readFileSync(join(EXAMPLE, 'scanner.yaml'), 'utf8').trimEnd()}\nslotMs: 1000\n`);
  return dir;
}

interface Proc {
  name: string;
  child: ChildProcess;
  out: string;
}

function cpuSeconds(pid: number | undefined): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks (100 Hz)
  } catch {
    return NaN;
  }
}

async function until(what: string, cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);

interface Result {
  label: string;
  /** Orders received during the run whose createdAt names no flow slot (not counted above). */
  unmatched: number;
  orders: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  late: number;
  /** False: orders were still coming CATCH_UP_MS after the flow stopped (the planners could not keep up). */
  caughtUp: boolean;
  cpu: Map<string, number>;
  benchCpu: number;
  /** Seconds from the first flow step to the end of the quiet wait: the CPU window. */
  windowS: number;
  /** The machine's 1-minute load average when the flow started and when the window ended (other work shares the cores). */
  load: [number, number];
  /** Share of all the machine's cores busy during the flow, and over the window (undefined off Linux). */
  busy: [number | undefined, number | undefined];
}

/** Children alive now: a Ctrl+C or SIGTERM of the bench stops them (their namespace, database and keys stay: rerun cleans nothing else). */
const live = new Set<ChildProcess>();
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.once(sig, () => {
    for (const c of live) c.kill('SIGTERM');
    process.exit(130);
  });

async function runTopology(project: string, label: string, roles: [name: string, args: string[]][]): Promise<Result> {
  const ns = testNamespace(`scale_${label.replace(/\W/g, '')}`);
  const db = await createTestDatabase('scale');
  const env: NodeJS.ProcessEnv = { ...process.env, SOLRULES_BUS: `${SERVICES.nats.url}?namespace=${ns}&max_bytes=16777216`, SOLRULES_CACHE: `${SERVICES.redis.url}?prefix=${ns}`, SOLRULES_STORE: db.url, SOLRULES_LOG_LEVEL: 'error' };
  // One block-time second per slot: an order's createdAt (its slot's block time) names its slot.
  const genesisMs = 1_700_000_000_000;
  const sb = await startSandbox({ slotMs: 'manual', manualSlotMs: 1_000, genesisUnixMs: genesisMs });
  const firstSlot = sb.chain.slot;
  const steppedAt = new Map<number, number>(); // slot → when its swap was made
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const flow = new MarketFlow(market, { seed: 5, shockProbability: 0.2 });
  const bus = await openBus({ url: env.SOLRULES_BUS!, name: `${ns}-observer` });
  const procs: Proc[] = [];
  try {
    const seen = new Map<string, number>(); // order id → latency ms
    let lastAt = 0;
    let flowEnd = Infinity;
    let late = 0;
    let flowStarted = false;
    const unmatched = new Set<string>();
    await bus.subscribe<OrderJson>(`${SUBJECTS.opportunities}.>`, (m) => {
      const at = Date.now();
      if (seen.has(m.data.id)) return;
      const stepped = steppedAt.get(firstSlot + (Date.parse(m.data.createdAt) - genesisMs) / 1000);
      if (stepped === undefined) {
        // Decided on the initial state, before the flow — or a createdAt that names no flow slot, which
        // would silently drop orders from the figures: those are counted and reported.
        if (flowStarted) unmatched.add(m.data.id);
        return;
      }
      seen.set(m.data.id, at - stepped);
      lastAt = at;
      if (at > flowEnd) late++;
    });
    for (const [name, a] of roles) {
      const child = spawn(process.execPath, [CLI, 'run', '--rpc', sb.rpcUrl, '--ws', sb.wsUrl, '--no-watch', ...a], { cwd: project, env });
      const p: Proc = { name, child, out: '' };
      live.add(child);
      child.once('exit', () => live.delete(child));
      child.stdout!.on('data', (d) => (p.out += d));
      child.stderr!.on('data', (d) => (p.out += d));
      procs.push(p);
    }
    await until(`${label}: every process up`, () => procs.every((p) => /DRY RUN on|role scanner \(/.test(p.out) || p.child.exitCode !== null), 180_000);
    for (const p of procs) if (p.child.exitCode !== null) throw new Error(`${p.name} exited early:\n${p.out}`);
    process.stderr.write(`${label}: ${procs.length} process(es) up\n`);
    await new Promise((r) => setTimeout(r, 3_000)); // joiners listen a full membership window before taking a share
    seen.clear();
    flowStarted = true;
    const cpu0 = new Map(procs.map((p) => [p.name, cpuSeconds(p.child.pid)]));
    const bench0 = process.cpuUsage();
    const started = Date.now();
    const load0 = loadavg()[0]!;
    const stat0 = machineCpu();
    let steps = 0;
    while (Date.now() - started < SECONDS * 1000) {
      const due = ((Date.now() - started) / 1000) * RATE;
      while (steps < due) (steppedAt.set(sb.chain.slot, Date.now()), flow.step(), steps++);
      await new Promise((r) => setTimeout(r, 5));
    }
    flowEnd = Date.now();
    const statFlow = machineCpu();
    lastAt = Math.max(lastAt, flowEnd);
    const caughtUp = await until(`${label}: ${QUIET_MS} ms without a new order`, () => Date.now() - lastAt >= QUIET_MS, CATCH_UP_MS).then(() => true, () => false);
    const cpu = new Map(procs.map((p) => [p.name, cpuSeconds(p.child.pid) - cpu0.get(p.name)!]));
    const b = process.cpuUsage(bench0);
    const statEnd = machineCpu();
    const lat = [...seen.values()];
    return { label, unmatched: unmatched.size, orders: seen.size, perSecond: seen.size / SECONDS, p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat), late, caughtUp, cpu, benchCpu: (b.user + b.system) / 1e6, windowS: (Date.now() - started) / 1000, load: [load0, loadavg()[0]!], busy: [busyShare(stat0, statFlow), busyShare(stat0, statEnd)] };
  } finally {
    await stopProcesses(procs, 30_000);
    await bus.close();
    await sb.close();
    await db.drop();
    await deleteNamespace(SERVICES.nats.url, ns);
    const redis = new Redis(SERVICES.redis.url);
    const keys = await redis.keys(`${ns}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const project = generateProject();
  console.log(`bench:scale — DRY RUN (paper fills), SIMULATED sandbox market stepped ${RATE}/s for ${SECONDS} s; ${STRATEGIES} strategies (grid and arbitrage copies); ${PLANNERS.join('/')} planner processes + 1 scanner + 1 executor, beside one --role all process; NATS/Redis/PostgreSQL on this machine (${navigatorCores()} cores)`);
  const results: Result[] = [];
  const row = (cells: string[]) => console.log(`| ${cells.join(' | ')} |`);
  console.log('');
  row(['topology', 'processes', 'orders', 'orders/s', 'latency p50 ms', 'p99 ms', 'max ms', 'after flow end', 'CPU s per process (window)', 'bench (sandbox) CPU s']);
  row(Array(10).fill('---'));
  const print = (r: Result) => {
    const planners = [...r.cpu].filter(([n]) => n.startsWith('planner')).length;
    const cpu = [...r.cpu].map(([n, s]) => `${n} ${s.toFixed(1)}`).join(', ');
    row([r.label === 'all' ? '--role all (baseline)' : `${r.label} (~${(STRATEGIES / planners).toFixed(0)} strategies each)`, String(r.cpu.size), String(r.orders), r.perSecond.toFixed(1), r.p50.toFixed(0), r.p99.toFixed(0), r.max.toFixed(0), `${r.late}${r.caughtUp ? '' : ' (still deciding)'}${r.unmatched ? `; ${r.unmatched} NOT ON A FLOW SLOT` : ''}`, cpu, r.benchCpu.toFixed(1)]);
  };
  try {
    results.push(await runTopology(project, 'all', [['all', ['--role', 'all']]]));
    print(results.at(-1)!);
    for (const n of PLANNERS) {
      const roles: [string, string[]][] = [['scanner', ['--role', 'scanner', '--member', 'scanner-1']], ['executor', ['--role', 'executor', '--member', 'executor-1']]];
      for (let i = 1; i <= n; i++) roles.push([`planner-${i}`, ['--role', 'planner', '--member', `planner-${i}`]]);
      results.push(await runTopology(project, `${n} planner${n > 1 ? 's' : ''}`, roles));
      print(results.at(-1)!);
    }
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
  const cores = navigatorCores();
  const total = (r: Result) => [...r.cpu.values()].reduce((a, b) => a + b, 0) + r.benchCpu;
  console.log(`\nCPU per order (all processes and the bench's sandbox, over the window): ${results.map((r) => `${r.label} ${((total(r) / Math.max(1, r.orders)) * 1000).toFixed(1)} ms`).join('; ')}.`);
  console.log(`The limit of the cores: ${cores} cores give ${cores} CPU s per second to everything on the machine; over each window (flow + quiet wait) this run's processes used ${results.map((r) => `${r.label} ${total(r).toFixed(1)} of ${(r.windowS * cores).toFixed(0)} s`).join('; ')}; load average ${results.map((r) => `${r.label} ${r.load.map((l) => l.toFixed(1)).join('→')}`).join('; ')} (other work on the machine took the rest: wall-clock latency here measures the queue for a core as much as the engine).`);
  console.log(`The machine's cores were busy (all of it, /proc/stat: the PostgreSQL and NATS servers too, which the per-process figures leave out, and other agents' work) during the flow / over the window: ${results.map((r) => `${r.label} ${r.busy.map((x) => (x === undefined ? 'n/a' : `${(x * 100).toFixed(0)}%`)).join(' / ')}`).join('; ')}.`);
  predict(results, cores);
}

/**
 * What the partitioning predicts beyond this machine's cores, from the planners' CPU: each planner
 * does F whatever its share (decoding every forwarded account, deriving every market fact: facts are
 * not partitioned) plus S/N (its rendezvous share of the strategies' work). F and S are fitted to the
 * mean planner CPU at each N (least squares on 1/N); with a free core per process the planner-bound
 * ceiling rises by (F + S) / (F + S/N), at most (F + S) / F (Amdahl: F is repeated in every planner).
 */
function predict(results: Result[], cores: number): void {
  // CPU s over the window when every run caught up with the flow (each planner then did all its work
  // for the same flow). A run the machine starved had not, and its planners used less CPU only because
  // they got less: then per order decided (ms), a rougher measure (with settle batching the number of
  // price events, so of decisions, also depends on timing).
  const whole = results.every((r) => r.caughtUp);
  const unit = whole ? 'CPU s over the window' : 'CPU ms per order decided';
  const points = results
    .map((r) => ({ r, c: [...r.cpu].filter(([n]) => n.startsWith('planner')).map(([, s]) => s) }))
    .filter(({ c, r }) => c.length > 0 && r.orders > 0)
    .map(({ r, c }) => ({ x: 1 / c.length, y: (c.reduce((a, b) => a + b, 0) / c.length) * (whole ? 1 : 1000 / r.orders) }));
  if (new Set(points.map((p) => p.x)).size < 2) return console.log('Prediction: needs runs with at least two planner counts (planners=1,2,4).');
  const mx = points.reduce((a, p) => a + p.x, 0) / points.length;
  const my = points.reduce((a, p) => a + p.y, 0) / points.length;
  const S = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const F = my - S * mx;
  const fit = points.map((p) => `N=${1 / p.x}: ${p.y.toFixed(2)} measured, ${(F + S * p.x).toFixed(2)} fitted`).join('; ');
  if (!(F > 0 && S > 0)) return console.log(`Prediction: the planner CPU does not fit F + S/N with F, S > 0 (F ${F.toFixed(2)}, S ${S.toFixed(2)}, ${unit}; ${fit}): too noisy a run to predict from — rerun on a quieter machine.`);
  const gain = (n: number) => ((F + S) / (F + S / n)).toFixed(2);
  const executor = results.filter((r) => r.cpu.has('executor') && r.orders > 0).map((r) => r.cpu.get('executor')! * (whole ? 1 : 1000 / r.orders));
  console.log(
    `What the partitioning predicts beyond ${cores} cores: a planner's ${unit} is F + S/N with F ≈ ${F.toFixed(2)} (every planner: decode every account, derive every fact) and S ≈ ${S.toFixed(2)} (the strategies, split by rendezvous shares) — ${fit}. ` +
      `With a free core per process the planner-bound ceiling rises ×${gain(2)} at 2 planners, ×${gain(4)} at 4, ×${gain(8)} at 8, ×${gain(16)} at 16, at most ×${((F + S) / F).toFixed(2)}; total planner CPU grows by F per planner added. ` +
      `The single executor used ${executor.map((e) => e.toFixed(2)).join(' / ')} (${unit}) (add executors to the queue group before it saturates); the scanner and the sandbox are the other fixed costs.` +
      (results.some((r) => !r.caughtUp) ? ` Runs marked "still deciding" had not caught up with the flow ${CATCH_UP_MS / 1000} s after it stopped: the machine starved them; the fit is per order decided.` : ''),
  );
}

/** The machine's busy and total CPU ticks since boot (Linux /proc/stat), or undefined elsewhere. */
function machineCpu(): { busy: number; total: number } | undefined {
  try {
    const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const n = f.map(Number); // user nice system idle iowait irq softirq steal …
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - n[3]! - n[4]!, total };
  } catch {
    return undefined;
  }
}

/** The share of all cores' time that was busy between two machineCpu() readings. */
function busyShare(a: ReturnType<typeof machineCpu>, b: ReturnType<typeof machineCpu>): number | undefined {
  return a && b && b.total > a.total ? (b.busy - a.busy) / (b.total - a.total) : undefined;
}

function navigatorCores(): number {
  return (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 2;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});


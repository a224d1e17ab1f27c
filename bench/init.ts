/**
 * The market-data initializer's start-up time and the engine's resident memory, on the sandbox.
 *
 * A chain process (the sandbox: the SOL/USDC market of the real Whirlpool and DLMM programs, plus
 * N DLMM pairs between fresh mints, each created by the DLMM program's own instructions) serves
 * JSON-RPC and WebSocket; the engine runs in other processes, so the figures are the engine's only.
 *
 *  1. start-up time for the configured pools (examples/live/scanner.yaml) and for all of them:
 *     ours (getMultipleAccounts ≤ 100 keys, 8 in flight) beside the baseline from the same run —
 *     the same initializer reading one account per call (also 8 in flight: batching alone differs);
 *  2. the engine (compose + chain source, examples/live, in a process of its own started as
 *     `npx solrules` starts: node with tsx's loader) watching the configured pools — the baseline
 *     — and watching them plus the N pools. Resident memory three ways, with heap used, external
 *     and array buffers beside it: once the initializer and the scanners are up (no forced GC);
 *     during steady updates (simulated traders swap on the configured pools, 5 a second, while
 *     the scanners run for at least 4 polls / 8 s: RSS sampled every 200 ms, median and max, no
 *     forced GC); and after a forced GC. The goal is read on the max during steady updates.
 *     Polling mode over all of them; WebSocket mode over the configured + 100
 *     (SOLRULES_BENCH_WS_POOLS=1000 for all of them).
 *
 * Wall times move with the machine's load: each row gives the CPU time the engine (this process)
 * and the chain process spent beside it (process.cpuUsage; the chain's from /proc on Linux).
 *
 * Run: npm run bench:init [-- N=1000]   (node --expose-gc --import tsx bench/init.ts [N])
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const SELF = fileURLToPath(import.meta.url);
const ROOT = join(SELF, '..', '..');
const role = process.argv[2];

interface ChainInfo {
  rpcUrl: string;
  wsUrl: string;
  configured: string[];
  many: string[];
  setupMs: number;
}

/** Child: the sandbox chain with the market and `n` DLMM pairs; prints its endpoints, runs until stdin closes. */
async function chain(n: number): Promise<void> {
  const { startSandbox } = await import('../sandbox/index.ts');
  const { createMarket, createManyDlmmPairs, MarketFlow } = await import('../sandbox/market/index.ts');
  const sb = await startSandbox({ slotMs: 'manual' });
  const t = performance.now();
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const many = createManyDlmmPairs(sb.chain, { count: n, seed: 7 }).map((p) => p.address);
  const info: ChainInfo = { rpcUrl: sb.rpcUrl, wsUrl: sb.wsUrl, configured: market.pools.map((p) => p.address), many, setupMs: performance.now() - t };
  process.stdout.write(JSON.stringify(info) + '\n');
  // Steady updates for the memory figures: simulated traders swap on the configured pools (5 a second) between 'flow on' and 'flow off'.
  const flow = new MarketFlow(market, { seed: 3, ratePerSecond: 5, onError: () => undefined });
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (l) => (l === 'flow on' ? flow.start() : l === 'flow off' ? flow.stop() : undefined));
  lines.on('close', () => (flow.stop(), void sb.close().then(() => process.exit(0))));
}

/** Child: the engine (compose + chain source) on `pools`; prints RSS once the scanners are up. */
async function engine(info: ChainInfo, pools: string[], mode: 'websocket' | 'rpc-polling'): Promise<void> {
  process.env.SOLRULES_STORE = 'memory';
  const { buildActiveConfig } = await import('../engine/config/index.ts');
  const { referenceEvaluator } = await import('../engine/rules/index.ts');
  const { ChainSource, compose } = await import('../engine/app/index.ts');
  const { createLogger } = await import('../engine/infra/telemetry/index.ts');
  const { chainScannerConfig } = await import('../engine/cli/_run-chain.ts');
  const project = join(ROOT, 'examples/live');
  const built = await buildActiveConfig(project, referenceEvaluator, 'bench', { runTests: false });
  if (!built.active) throw new Error('examples/live does not validate');
  const config = chainScannerConfig(project, { rpc: info.rpcUrl, ws: info.wsUrl });
  config.pools = pools;
  config.subscriptionMode = mode;
  const log = createLogger({ level: 'error' });
  let initMs = 0;
  let initCpuMs = 0;
  let ready = 0;
  const cpu0 = process.cpuUsage();
  const source = new ChainSource({ config, log, onReady: (r) => ((initMs = r.durationMs), (ready = r.ready.length), (initCpuMs = cpuMs(process.cpuUsage(cpu0)))) });
  const app = await compose({ root: project, active: built.active, factory: referenceEvaluator, log, source, watch: false });
  const t = performance.now();
  const running = source.run(app.bus, app.engine);
  running.catch((err) => {
    console.error(err);
    process.exit(1);
  });
  await source.watching;
  await source.scanner!.idle();
  const upMs = performance.now() - t;
  const upCpuMs = cpuMs(process.cpuUsage(cpu0));
  const watched = source.scanner!.source.stats().watched;
  const up = process.memoryUsage(); // as started: no forced GC
  // Steady updates (the chain's traders swap while this runs): at least 4 polls (polling) and 8 s, sampled every 200 ms.
  const polling = source.scanner!.source as { polls?: number };
  const samples: NodeJS.MemoryUsage[] = [];
  const until = (polling.polls ?? 0) + 4;
  const steadyFrom = performance.now();
  const steadyCpu0 = process.cpuUsage();
  const ticks0 = app.engine.stats.ticks;
  while (performance.now() - steadyFrom < 8_000 || (typeof polling.polls === 'number' && polling.polls < until)) {
    await new Promise((r) => setTimeout(r, 200));
    samples.push(process.memoryUsage());
  }
  const ticks = app.engine.stats.ticks - ticks0;
  const cpuPerS = cpuMs(process.cpuUsage(steadyCpu0)) / ((performance.now() - steadyFrom) / 1000);
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 200));
  const gced = process.memoryUsage();
  const pick = (k: keyof NodeJS.MemoryUsage) => samples.map((m) => m[k]).sort((a, b) => a - b);
  const median = (k: keyof NodeJS.MemoryUsage) => pick(k)[Math.floor(samples.length / 2)]!;
  const max = (k: keyof NodeJS.MemoryUsage) => pick(k)[samples.length - 1]!;
  const steady = { rssMedian: median('rss'), rssMax: max('rss'), heapUsedMax: max('heapUsed'), externalMax: max('external'), arrayBuffersMax: max('arrayBuffers'), samples: samples.length, polls: polling.polls, ticks, cpuPerS };
  process.stdout.write(JSON.stringify({ up, steady, gced, initMs, initCpuMs, upMs, upCpuMs, ready, watched }) + '\n');
  await source.stop();
  await running.catch(() => undefined);
  await app.close();
  process.exit(0);
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** CPU time (user + system) a process has used, ms; undefined where /proc is not there. */
async function processCpuMs(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  try {
    const { readFile } = await import('node:fs/promises');
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    const { execSync } = await import('node:child_process');
    const ticks = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticks;
  } catch {
    return undefined;
  }
}

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, ...args], { stdio: ['pipe', 'pipe', 'inherit'], cwd: ROOT });
}

async function firstLine<T>(p: ChildProcess): Promise<T> {
  const rl = createInterface({ input: p.stdout! });
  for await (const line of rl) {
    if (line.startsWith('{')) return JSON.parse(line) as T;
  }
  throw new Error('child exited without a result');
}

async function main(n: number): Promise<void> {
  const { Connection } = await import('@solana/web3.js');
  const { initializeMarket } = await import('../engine/market/index.ts');
  console.log(`setting up the sandbox chain (market + ${n} DLMM pairs by the program's own instructions)…`);
  const chainProc = child(['chain', String(n)]);
  try {
    const info = await firstLine<ChainInfo>(chainProc);
    console.log(`chain ready: ${info.configured.length} configured pools + ${info.many.length} created in ${(info.setupMs / 1000).toFixed(1)} s\n`);
    const connection = new Connection(info.rpcUrl, 'confirmed');
    const time = async (pools: string[], naive: boolean) => {
      const cpu0 = process.cpuUsage();
      const chain0 = await processCpuMs(chainProc.pid);
      const r = await initializeMarket({ connection, commitment: 'confirmed', pools, ...(naive ? { batchSize: 1 } : {}) });
      const cpu = cpuMs(process.cpuUsage(cpu0));
      const chain1 = await processCpuMs(chainProc.pid);
      if (r.ready.length !== pools.length) throw new Error(`${pools.length - r.ready.length} pool(s) not ready: ${r.pools.filter((p) => !p.ready).slice(0, 3).map((p) => p.detail).join('; ')}`);
      return { ...r, cpu, chainCpu: chain0 !== undefined && chain1 !== undefined ? chain1 - chain0 : undefined };
    };
    const row = (label: string, r: Awaited<ReturnType<typeof time>>, base?: number) =>
      console.log(
        `${label.padEnd(58)} ${(r.durationMs / 1000).toFixed(3).padStart(8)} s  ${String(r.rpc.calls).padStart(6)} calls  ${String(r.rpc.accounts).padStart(6)} keys asked; CPU engine ${(r.cpu / 1000).toFixed(2)} s, chain ${r.chainCpu === undefined ? '?' : (r.chainCpu / 1000).toFixed(2)} s${r.rpc.failures ? ` (${r.rpc.failures} failed call(s), retried)` : ''}${base ? `  ${(base / r.durationMs).toFixed(1)}× faster than the baseline` : ''}`,
      );
    await time(info.configured, false); // warm-up (JIT, connection)
    console.log('start-up time (initializer: read, check, report; every pool ready)');
    const cfgNaive = await time(info.configured, true);
    const cfgOurs = await time(info.configured, false);
    row(`configured pools (${info.configured.length}), baseline: one account per call, 8 in flight`, cfgNaive);
    row(`configured pools (${info.configured.length}), ours: batched ≤ 100, 8 in flight`, cfgOurs, cfgNaive.durationMs);
    const all = [...info.configured, ...info.many];
    const manyNaive = await time(all, true);
    const manyOurs = await time(all, false);
    row(`${all.length} pools, baseline: one account per call, 8 in flight`, manyNaive);
    row(`${all.length} pools, ours: batched ≤ 100, 8 in flight`, manyOurs, manyNaive.durationMs);
    console.log(`goal: ${all.length} pools ready in under 5 s — ${manyOurs.durationMs < 5000 ? 'met' : 'NOT met'}\n`);

    console.log('resident memory of the engine (compose + chain source on examples/live, node + tsx as `npx solrules` runs), per row: RSS once up (no forced GC); during steady updates (traders swapping 5/s, ≥ 4 polls and 8 s, sampled every 200 ms: median / max, and the max of heap used, external, array buffers); after a forced GC');
    type Usage = { rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
    type Mem = { up: Usage; steady: { rssMedian: number; rssMax: number; heapUsedMax: number; externalMax: number; arrayBuffersMax: number; samples: number; polls?: number; ticks: number; cpuPerS: number }; gced: Usage; initMs: number; initCpuMs: number; upMs: number; upCpuMs: number; ready: number; watched: number };
    const measure = async (pools: string[], mode: 'websocket' | 'rpc-polling') => firstLine<Mem>(child(['engine', JSON.stringify({ ...info, many: [] }), JSON.stringify(pools), mode]));
    const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
    const show = (label: string, m: Mem, base?: Mem) => {
      console.log(`${label.padEnd(44)} up ${mb(m.up.rss).padStart(6)} | steady ${mb(m.steady.rssMedian).padStart(6)} median, ${mb(m.steady.rssMax).padStart(6)} max | after GC ${mb(m.gced.rss).padStart(6)}${base ? `  (+${((m.steady.rssMax - base.steady.rssMax) / 2 ** 10 / Math.max(1, m.ready - base.ready)).toFixed(0)} KB per pool over the baseline, steady max)` : ''}`);
      console.log(`${''.padEnd(44)}   heap used ${mb(m.up.heapUsed)} up / ${mb(m.steady.heapUsedMax)} steady max / ${mb(m.gced.heapUsed)} after GC (of ${mb(m.gced.heapTotal)}); external ${mb(m.up.external)} / ${mb(m.steady.externalMax)} / ${mb(m.gced.external)}; array buffers ${mb(m.up.arrayBuffers)} / ${mb(m.steady.arrayBuffersMax)} / ${mb(m.gced.arrayBuffers)}`);
      console.log(`${''.padEnd(44)}   ${m.watched} accounts watched; initializer ${(m.initMs / 1000).toFixed(2)} s (process CPU from start ${(m.initCpuMs / 1000).toFixed(2)} s, cold), scanners up after ${(m.upMs / 1000).toFixed(2)} s (CPU ${(m.upCpuMs / 1000).toFixed(2)} s); steady: ${m.steady.samples} samples${m.steady.polls !== undefined ? `, ${m.steady.polls} polls done` : ''}, ${m.steady.ticks} engine ticks, engine CPU ${m.steady.cpuPerS.toFixed(0)} ms a second`);
    };
    const wsCount = Math.min(all.length, info.configured.length + Number(process.env.SOLRULES_BENCH_WS_POOLS ?? 100));
    chainProc.stdin!.write('flow on\n');
    for (const mode of ['rpc-polling', 'websocket'] as const) {
      const count = mode === 'websocket' ? wsCount : all.length;
      const idle = await measure(info.configured, mode);
      const loaded = await measure(all.slice(0, count), mode);
      show(`baseline, ${mode}: the configured pools (${idle.ready})`, idle);
      show(`${mode}: ${loaded.ready} pools`, loaded, idle);
      console.log(`goal: under 300 MB watching ${loaded.ready} pools (${mode}, steady max) — ${loaded.steady.rssMax < 300 * 2 ** 20 ? 'met' : 'NOT met'}\n`);
    }
    chainProc.stdin!.write('flow off\n');
  } finally {
    chainProc.stdin!.end();
    chainProc.kill('SIGTERM');
  }
}

if (role === 'chain') await chain(Number(process.argv[3] ?? 1000));
else if (role === 'engine') await engine(JSON.parse(process.argv[3]!) as ChainInfo, JSON.parse(process.argv[4]!) as string[], process.argv[5] as 'websocket' | 'rpc-polling');
else await main(Number(role ?? 1000));

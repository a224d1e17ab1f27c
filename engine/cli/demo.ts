/**
 * `solrules demo`: the engine LIVE on a local chain. Starts the sandbox with the real Whirlpool
 * and DLMM programs, a SOL/USDC market and SIMULATED traders; runs `examples/live` (grid, DCA,
 * arbitrage) with scanners, rules, the send guard and the rpc / jito executors sending real
 * transactions to it; ends with a summary reconciling every order and every atom of every wallet.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import { fileURLToPath } from 'node:url';
import { existsSync, readFileSync } from 'node:fs';
import { startSandbox, type TipFloorSample } from '../../sandbox/index.ts';
import { associatedTokenAddress, createMarket, MarketFlow, tokenBalance, type FlowMode } from '../../sandbox/market/index.ts';
import { engineWallets } from '../../sandbox/demo/live-context.ts';
import { buildActiveConfig, fullMessage, loadFiles, resolveSharedPath } from '../config/index.ts';
import { buildLiveContext, ChainSource, compose, holdsOf, maxQuoteShortfallBps, WalletWatch } from '../app/index.ts';
import { HttpTipFloor, KaminoFlashLoan, KLEND_PROGRAM_ID, RpcPool } from '../executors/index.ts';
import { WalletManager } from '../wallets/index.ts';
import { SUBJECTS } from '../messages/index.ts';
import { describeReadiness, routeHistoryFromStore } from '../market/index.ts';
import { createLogger, setLogger } from '../infra/telemetry/index.ts';
import { referenceEvaluator } from '../rules/index.ts';
import { SolrulesError } from '../errors/index.ts';
import { chainScannerConfig } from './_run-chain.ts';
import { parseCommandArgs, UsageError, withUsage } from './args.ts';

export const summary = 'the engine LIVE on a local chain with the real DEX programs and simulated traders, reconciled to the atom';

const USAGE = `usage: solrules demo [--seconds N] [--steps N] [--seed N] [--flow random-walk|replay] [--pace-ms N] [--metrics-port N] [--quiet]

Starts the sandbox (a SIMULATED cluster on LiteSVM) with the REAL Orca Whirlpool and Meteora DLMM
programs holding SOL/USDC pools, and SIMULATED other traders swapping through them (a seeded
random walk, or the replay of a recorded mainnet day). Then runs the engine LIVE on it with the
project in examples/live: the scanners read the pools over WebSocket, grid, DCA and arbitrage rules
decide, risk and routing rules route, the send guard simulates each transaction, worker wallets
sign, and the rpc and jito executors send real transactions that the programs execute.
Runs --seconds N (default 60) or until Ctrl+C: one simulated swap, then the engine settles, every
--pace-ms (default 100); --steps N stops after N simulated swaps instead (the same seed and
--steps give the same orders; how many steps fit in --seconds depends on the machine). The balance
scanner watches the wallets and the wallet rules (rules/wallets.yaml) rebalance them while it runs;
--metrics-port N serves /metrics on 127.0.0.1:N. Ends with every confirmed order (expected vs realized, in atoms) and every
wallet's lamports and token atoms reconciled. Same seed, same run. Exit code 1 if anything does not
reconcile or a transaction that passed the guard failed on chain.`;

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PROJECT = join(REPO, 'examples/live');

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function run(argv: string[]): Promise<number> {
  return withUsage(USAGE, async () => {
    const { values } = parseCommandArgs(argv, { seconds: { type: 'string' }, seed: { type: 'string' }, flow: { type: 'string' }, 'pace-ms': { type: 'string' }, steps: { type: 'string' }, 'metrics-port': { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, help: { type: 'boolean', short: 'h' } }, false);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const seconds = values.seconds === undefined ? 60 : Number(values.seconds);
    if (!(seconds > 0)) throw new UsageError(`--seconds must be a positive number; got '${values.seconds}'`);
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(seed) || seed < 1) throw new UsageError(`--seed must be a positive integer; got '${values.seed}'`);
    const flowMode = (values.flow ?? 'random-walk') as FlowMode;
    if (flowMode !== 'random-walk' && flowMode !== 'replay') throw new UsageError(`--flow must be random-walk or replay; got '${values.flow}'`);
    const paceMs = values['pace-ms'] === undefined ? 100 : Number(values['pace-ms']);
    if (!(paceMs >= 0)) throw new UsageError(`--pace-ms must be a number of ms; got '${values['pace-ms']}'`);
    const steps = values.steps === undefined ? undefined : Number(values.steps);
    if (steps !== undefined && !(Number.isInteger(steps) && steps > 0)) throw new UsageError(`--steps must be a positive integer; got '${values.steps}'`);
    const metricsPort = values['metrics-port'] === undefined ? undefined : Number(values['metrics-port']);
    if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort < 65536)) throw new UsageError(`--metrics-port must be a port number; got '${values['metrics-port']}'`);
    const write = (s: string) => {
      if (!values.quiet) console.log(s);
    };
    process.env.SOLRULES_STORE ??= 'memory';
    const log = createLogger({ level: process.env.SOLRULES_LOG_LEVEL ?? 'error' });
    setLogger(log);

    const outcome = await runDemo({ seconds: steps === undefined ? seconds : Infinity, seed, flowMode, paceMs, write, log, ...(steps !== undefined ? { steps } : {}), ...(metricsPort !== undefined ? { metricsPort } : {}) });
    return outcome.ok ? 0 : 1;
  });
}

export interface DemoResult {
  ok: boolean;
  confirmed: number;
  strategies: string[];
  venues: string[];
  executors: string[];
  roundTrips: number;
  /** Confirmed round trips whose transaction borrowed the input from the Kamino reserve (klend ran in it). */
  flashLoanWrapped: number;
  mismatches: string[];
  failedOnChain: number;
  refused: number;
  /** The balance scanner's scans, holds and rebalancing transfers during the run. */
  wallets: { scans: number; holds: string[]; rebalances: number; pnlSnapshotRows: number; stored: { walletBalances: number; pnl: number } };
}

/** What a test's hooks into the demo get: the sandbox, the wallets, the wallet manager and its watch. */
export interface DemoHookContext {
  sandbox: Awaited<ReturnType<typeof startSandbox>>;
  wallets: ReturnType<typeof engineWallets>;
  manager: WalletManager;
  watch: WalletWatch;
}

/** The demo loop (also what the test runs, shorter). */
export async function runDemo(opts: { seconds: number; seed: number; flowMode: FlowMode; paceMs: number; write: (s: string) => void; log: ReturnType<typeof createLogger>; minConfirmed?: number; steps?: number; metricsPort?: number; onMetrics?: (port: number) => void; onStarted?: (ctx: DemoHookContext) => void | Promise<void>; beforeStop?: (ctx: DemoHookContext) => Promise<void> }): Promise<DemoResult> {
  const { write, log } = opts;
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  // What the demo started, undone in reverse at the end whatever happens: a hook or a step that
  // throws must not leave the sandbox, its servers, the scanners or the timers keeping the process alive.
  const teardown: (() => unknown)[] = [() => sb.close()];
  let failed = true;
  try {
    const result = await demoOn(sb, teardown, opts);
    failed = false;
    return result;
  } finally {
    let first: unknown;
    for (const step of teardown.reverse()) {
      try {
        await step();
      } catch (err) {
        first ??= err;
        write(`teardown: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    // A teardown error surfaces only when nothing failed before it (else that failure is the one to see).
    if (!failed && first !== undefined) throw first;
  }
}

/** Runs once; later calls get the first call's promise. */
function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= fn());
}

/** A hook's failure as a typed error (its cause kept) once the demo has stopped what runs. */
function hookFailed(hook: 'onStarted' | 'beforeStop', err: unknown): SolrulesError<'DEMO_HOOK_FAILED'> {
  return new SolrulesError('DEMO_HOOK_FAILED', `the demo's ${hook} hook failed: ${err instanceof Error ? err.message : String(err)}`, { hook }, { cause: err });
}

/** The demo on a started sandbox; pushes the undoing of what it starts onto `teardown` as it goes. */
async function demoOn(sb: Awaited<ReturnType<typeof startSandbox>>, teardown: (() => unknown)[], opts: Parameters<typeof runDemo>[0]): Promise<DemoResult> {
  const { write, log } = opts;
  // The Kamino reserve (klend's own instructions) lends the arbitrage its USDC through flash loans.
  const market = createMarket({ chain: sb.chain, seed: 1, kamino: true });
  const kamino = market.kamino!;
  const flashLoan = new KaminoFlashLoan(kamino.reserve, { lookupTables: [kamino.lookupTable] });
  const wallets = engineWallets(market, { workers: 2 });
  const flow = new MarketFlow(market, { mode: opts.flowMode, seed: opts.seed, shockProbability: 0.1 });
  const built = await buildActiveConfig(PROJECT, referenceEvaluator, 'demo', { runTests: false });
  if (!built.active) {
    throw new UsageError(`examples/live does not validate: ${built.diagnostics.map((d) => `${d.file}:${d.line}:${d.column}: ${fullMessage(d)}`).join('; ')}`);
  }
  const active = built.active;
  // The sandbox's endpoints for the executors the routing rules name.
  active.strategies.executors = {
    paper: { type: 'paper' },
    rpc: { type: 'rpc', endpoints: [sb.rpcUrl], rebroadcastMs: 1000, concurrency: 1 },
    jito: { type: 'jito', transport: 'json-rpc', blockEngine: sb.blockEngineUrl, tipPlacement: 'inline', maxBundleSends: 4, concurrency: 1 },
  };
  const scannerConfig = chainScannerConfig(PROJECT, { rpc: sb.rpcUrl, ws: sb.wsUrl });
  const source = new ChainSource({
    config: scannerConfig,
    log,
    // The reserve the round trips borrow from is read and checked with the pools before trading.
    reserves: [{ address: kamino.reserve.reserve, mint: kamino.reserve.liquidityMint, lendingMarket: kamino.lendingMarket }],
    onReady: (r) => describeReadiness(r, { symbols: new Map(scannerConfig.tokens.map((t) => [t.mint, t.symbol])) }).forEach((l) => write(l)),
  });
  // The competition's tips: Jito's recorded tip floor (shared fixture) served by the sandbox's block engine, else the tips landed on it.
  const recordedFloor = resolveSharedPath(PROJECT, '../../../shared/fixtures/jito/tip-accounts-and-limits.json');
  if (existsSync(recordedFloor)) sb.setTipFloor((JSON.parse(readFileSync(recordedFloor, 'utf8')) as { tipFloorResponseExample: TipFloorSample[] }).tipFloorResponseExample.at(-1));
  const tipFloor = await new HttpTipFloor(`${sb.blockEngineUrl}/api/v1/bundles/tip_floor`, { refreshMs: 2_000 }).start();
  teardown.push(() => tipFloor.close());
  // The wallet manager over the demo's wallets: a fresh journal per demo (a temporary directory).
  const journalDir = mkdtempSync(join(tmpdir(), 'solrules-demo-wallets-'));
  teardown.push(() => rmSync(journalDir, { recursive: true, force: true }));
  const manager = await WalletManager.open({ cfg: wallets.config, baseDir: journalDir, rpc: new RpcPool([sb.rpcUrl]), env: wallets.env });
  const live = buildLiveContext({ rpcUrl: sb.rpcUrl, workers: wallets.workers, pools: { statesFor: (a, b, o) => source.freshStatesFor(a, b, o) }, maxShortfallBps: () => maxQuoteShortfallBps(active.ruleSet.params), tipFloor, log, flashLoans: [flashLoan], holds: holdsOf(manager), wallets: manager.executionHooks() });
  teardown.push(() => live.monitor.close());
  const app = await compose({ root: PROJECT, active, factory: referenceEvaluator, log, source, watch: false, live, ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}) });
  teardown.push(() => app.close());
  source.history = routeHistoryFromStore(app.store);
  if (app.server) opts.onMetrics?.(app.server.port);
  // examples/live has no wallet rules of its own: the repo's rules/wallets.yaml rebalances the demo's wallets.
  const walletRules = referenceEvaluator.create(loadFiles([join(REPO, 'rules/wallets.yaml')]).ruleFiles[0]!.file, {});
  const walletWatch = new WalletWatch({ manager, bus: app.bus, store: app.store, engine: app.engine, holder: app.holder, live: true, wsUrl: sb.wsUrl, fallbackRules: walletRules, rebalanceMs: 2_000, snapshotMs: 2_000, log });
  let running: Promise<void> | undefined;
  // Stops what runs (the wallet watch, the scanners): before the report on the way out, or in the teardown after a failure.
  const stopRunning = once(async () => {
    await walletWatch.stop();
    await source.stop();
    await running?.catch((err) => write(`scanner stopped with: ${err instanceof Error ? err.message : String(err)}`));
  });
  teardown.push(stopRunning);
  await walletWatch.start();
  const hookContext: DemoHookContext = { sandbox: sb, wallets, manager, watch: walletWatch };
  try {
    await opts.onStarted?.(hookContext);
  } catch (err) {
    throw hookFailed('onStarted', err);
  }
  const results: any[] = [];
  await app.bus.subscribe(SUBJECTS.confirmed, (m) => void results.push(m.data));
  await app.bus.subscribe(SUBJECTS.failed, (m) => void results.push(m.data));

  write('solrules demo — the engine LIVE on a local chain');
  write('  REAL:      the Orca Whirlpool, Meteora DLMM and Kamino lending programs (mainnet builds), every transaction (built, signed, sent, executed), the swap math and the reconciliation');
  write('  SIMULATED: the cluster (LiteSVM sandbox, one leader), the other traders (seeded MarketFlow), the funding of our wallets and of the Kamino depositor (setup writes), the oracle prices');
  write(`  Kamino reserve ${kamino.reserve.reserve} (market ${kamino.lendingMarket}, made by klend's own instructions) lends ${kamino.deposited} USDC atoms by flash loan, fee ${flashLoan.fee(1_000_000_000n)} atoms per 1,000 USDC; its USDC/USD oracle is SIMULATED`);
  write(`  pools: ${market.pools.map((p) => `${p.venue} ${p.address}`).join(', ')}; workers: ${wallets.workers.map((w) => w.address).join(', ')}`);
  write(`  strategies: grid, DCA, arbitrage (examples/live); executors rpc and jito (block engine JSON-RPC); guard tolerance ${maxQuoteShortfallBps(active.ruleSet.params)} bps; flow ${opts.flowMode} seed ${opts.seed}; ${opts.steps !== undefined ? `${opts.steps} simulated swaps` : `${opts.seconds} s`}\n`);

  const start = new Map(wallets.workers.map((w) => [w.address, balancesOf(w.publicKey.toBase58())]));
  function balancesOf(owner: string) {
    return {
      lamports: sb.getAccount(owner)?.lamports ?? 0n,
      sol: tokenBalance(sb.chain, associatedTokenAddress(market.mints.sol, new PublicKey(owner)).toBase58()),
      usdc: tokenBalance(sb.chain, associatedTokenAddress(market.mints.usdc, new PublicKey(owner)).toBase58()),
    };
  }
  const decided = () => [...app.engine.stats.orders.values()].reduce((a, r) => a + r.decided, 0);
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  running = source.run(app.bus, app.engine);
  const began = performance.now();
  let lastProgress = began;
  let swaps = 0;
  try {
    const firstPrice = Date.now() + 15_000;
    while (app.engine.stats.ticks === 0 && Date.now() < firstPrice) await sleep(20);
    for (let step = 0; !stop && performance.now() - began < opts.seconds * 1000 && step < (opts.steps ?? Infinity); step++) {
      if (opts.minConfirmed !== undefined && results.filter((r) => r.report.status === 'filled').length >= opts.minConfirmed && results.some((r) => r.report.status === 'filled' && r.order.side === 'roundtrip')) break;
      if (flow.step()) swaps += 1;
      await sleep(opts.paceMs);
      const settleBy = Date.now() + 15_000;
      while (results.length < decided() && Date.now() < settleBy) await sleep(10);
      if (performance.now() - lastProgress >= 5000) {
        lastProgress = performance.now();
        const filled = results.filter((r) => r.report.status === 'filled');
        write(`  ${((lastProgress - began) / 1000).toFixed(0).padStart(3)} s  SOL $${app.engine.price?.usd.toFixed(4)}  simulated swaps ${swaps}  opportunities ${decided()}  guard passed ${live.guard.stats.passed} refused ${live.guard.stats.refused.wouldFail + live.guard.stats.refused.shortfall}  confirmed ${filled.length}  P&L (marked) $${realizedUsd().toFixed(4)}`);
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
  }
  // A test's steps while the engine and the wallet watch still run (a transfer behind our back, a rebalance).
  try {
    await opts.beforeStop?.(hookContext);
  } catch (err) {
    throw hookFailed('beforeStop', err);
  }
  await stopRunning();

  function realizedUsd(): number {
    const price = app.engine.price?.usd ?? 0;
    let usd = 0;
    for (const w of wallets.workers) {
      const s = start.get(w.address)!;
      const n = balancesOf(w.address);
      usd += Number(n.usdc - s.usdc) / 1e6 + (Number(n.sol - s.sol) + Number(n.lamports - s.lamports)) / 1e9 * price;
    }
    return usd;
  }

  // Every confirmed order: expected = realized, in atoms; per wallet: start + realized legs - fees = end.
  const mismatches: string[] = [];
  const filled = results.filter((r) => r.report.status === 'filled');
  let flashLoanWrapped = 0;
  const predicted = new Map([...start].map(([a, b]) => [a, { ...b }]));
  write(`\nconfirmed orders (${filled.length}) — expected vs realized, atoms`);
  for (const [i, { order, report, route }] of filled.entries()) {
    const rec = report.reconciliation;
    const tx = await live.rpc.getTransaction(report.signature);
    const payer = tx?.transaction.message.accountKeys[0];
    const flashWrapped = order.side === 'roundtrip' && (tx?.meta?.logMessages ?? []).some((l: string) => l.startsWith(`Program ${KLEND_PROGRAM_ID.toBase58()} invoke`));
    if (flashWrapped) flashLoanWrapped += 1;
    const p = payer ? predicted.get(payer) : undefined;
    if (!rec || !p) {
      mismatches.push(`order ${order.id}: no reconciliation or unknown wallet`);
      continue;
    }
    const ok = rec.expectedAmountOut === rec.realizedAmountOut && rec.expectedAmountIn === rec.realizedAmountIn;
    if (!ok) mismatches.push(`order ${order.id}: expected ${rec.expectedAmountIn} -> ${rec.expectedAmountOut}, realized ${rec.realizedAmountIn} -> ${rec.realizedAmountOut}`);
    const field = (mint: string): 'sol' | 'usdc' => (mint === market.mints.sol ? 'sol' : 'usdc');
    p[field(order.inputMint)] -= BigInt(rec.realizedAmountIn);
    p[field(order.outputMint)] += BigInt(rec.realizedAmountOut);
    for (const [mint, d] of Object.entries((rec.otherTokenDeltas ?? {}) as Record<string, string>)) p[field(mint)] += BigInt(d);
    p.lamports -= BigInt(report.networkFeeLamports);
    write(`  ${String(i + 1).padStart(3)} ${`${order.strategy}/${order.rule}`.padEnd(20)} ${order.side.padEnd(9)} ${route.executor.padEnd(4)} ${rec.venue.padEnd(28)} in ${rec.realizedAmountIn.padStart(12)} out expected ${rec.expectedAmountOut.padStart(12)} realized ${rec.realizedAmountOut.padStart(12)} ${ok ? 'equal' : 'DIFFERENT'}${flashWrapped ? '  flash loan' : ''}  fee+tip ${report.networkFeeLamports} lamports  ${report.signature.slice(0, 12)}…`);
  }
  const failedOnChain = results.filter((r) => r.report.status !== 'filled' && r.report.signature);
  const notSent = results.filter((r) => r.report.status !== 'filled' && !r.report.signature);
  if (notSent.length) {
    write(`\nnot sent (${notSent.length}): refused before sending, nothing spent`);
    const reasons = new Map<string, number>();
    for (const r of notSent) {
      const key = `${r.order.strategy}: ${String(r.report.reason).replace(/\d{4,}/g, 'N').slice(0, 140)}`;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    for (const [k, n] of reasons) write(`  ${String(n).padStart(3)} × ${k}`);
  }
  write(`\nwallets — start, end, and start + realized legs − fees (must equal end)`);
  for (const w of wallets.workers) {
    const s = start.get(w.address)!;
    const e = balancesOf(w.address);
    const p = predicted.get(w.address)!;
    for (const k of ['lamports', 'sol', 'usdc'] as const) {
      const same = p[k] === e[k];
      if (!same) mismatches.push(`${w.name} ${k}: predicted ${p[k]}, on chain ${e[k]}`);
      write(`  ${w.name.padEnd(9)} ${(k === 'sol' ? 'wSOL' : k === 'usdc' ? 'USDC' : 'SOL lamports').padEnd(13)} start ${String(s[k]).padStart(15)}  end ${String(e[k]).padStart(15)}  predicted ${String(p[k]).padStart(15)}  ${same ? 'reconciled' : 'DIFFERENT'}`);
    }
  }
  // The wallet manager's view: every expected balance (baseline + our own executions' exact deltas) equals the chain's; nothing held.
  const holds = manager.ledger.holds().map((h) => `${h.wallet} (${h.asset}: expected ${h.expected}, found ${h.actual})`);
  const differing = (await manager.status()).filter((r) => r.difference !== '0' || r.pending);
  write(`wallet ledger: ${walletWatch.scanner.scans.length} balance scan(s), ${holds.length} hold(s)${holds.length ? ': ' + holds.join('; ') : ''}, ${walletWatch.rebalances} rebalancing transfer(s); expected = actual for ${differing.length ? `all but ${differing.map((r) => `${r.wallet} ${r.asset} (${r.difference})`).join(', ')}` : 'every wallet and mint'}`);
  for (const h of holds) mismatches.push(`wallet on hold: ${h}`);
  for (const r of differing) mismatches.push(`wallet ledger: ${r.wallet} ${r.asset} expected ${r.expected}, actual ${r.actual}${r.pending ? ' (pending)' : ''}`);
  const strategies = [...new Set(filled.map((r) => r.order.strategy))].sort();
  const venues = [...new Set(filled.flatMap((r) => String(r.report.reconciliation?.venue ?? '').split('>')))].filter(Boolean).sort();
  const executors = [...new Set(filled.map((r) => r.route.executor))].sort();
  const roundTrips = filled.filter((r) => r.order.side === 'roundtrip').length;
  const acc = live.accuracy.fact();
  write(`\nsummary: ${filled.length} confirmed orders (strategies ${strategies.join(', ')}; venues ${venues.join(', ')}; executors ${executors.join(', ')}; ${roundTrips} cross-venue round trip(s), two legs in one transaction, ${flashLoanWrapped} of them wrapped in a Kamino flash loan), ${failedOnChain.length} failed on chain after the guard, ${notSent.length} refused before sending; ${swaps} simulated swaps; P&L of the workers marked at the last price $${realizedUsd().toFixed(4)}`);
  const tip = live.tips?.fact();
  if (tip) write(`tip: competition ${tip.source === 'none' ? 'unknown' : `p50 ${tip.p50Lamports} / p75 ${tip.p75Lamports} / p95 ${tip.p95Lamports} lamports (${existsSync(recordedFloor) ? 'recorded Jito tip floor, fixture' : 'tips landed on the sandbox'})`}; our bundles ${tip.landed}/${tip.samples} landed; bidding the ${tip.percentile}th percentile: ${tip.recommendedLamports} lamports`);
  write(`quoteAccuracy: ${acc.samples} confirmation(s), mean shortfall ${acc.meanShortfallBps} bps, worst ${acc.worstShortfallBps} bps; reconciliation: ${mismatches.length ? `${mismatches.length} MISMATCH(ES): ${mismatches.join('; ')}` : 'every order and every wallet atom reconciled'}`);
  const everything = { since: '1970-01-01T00:00:00.000Z', limit: 1_000_000 };
  const stored = { walletBalances: (await app.store.recentWalletBalances(everything)).length, pnl: (await app.store.recentPnl(everything)).length };
  return { ok: mismatches.length === 0 && failedOnChain.length === 0, confirmed: filled.length, strategies, venues, executors, roundTrips, flashLoanWrapped, mismatches, failedOnChain: failedOnChain.length, refused: notSent.length, wallets: { scans: walletWatch.scanner.scans.length, holds, rebalances: walletWatch.rebalances, pnlSnapshotRows: walletWatch.snapshots, stored } };
}

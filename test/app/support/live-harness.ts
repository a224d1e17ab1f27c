/**
 * The engine LIVE on the sandbox market, as `npm run demo` composes it (real Whirlpool and DLMM
 * programs, SIMULATED other traders, the rpc and jito executors sending real transactions), with
 * what the fault tests count: per order, the attempts the submission journal holds, the signatures
 * that landed on chain, and the outcome published; per worker, the on-chain balances against
 * funded + realized legs − fees. The journal is the store's (`StoreSubmissionJournal`), as in
 * `solrules run --live`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startSandbox, type Sandbox } from '../../../sandbox/index.ts';
import { createMarket, MarketFlow, tokenBalance, associatedTokenAddress, type Market } from '../../../sandbox/market/index.ts';
import { engineWallets, type EngineWallets } from '../../../sandbox/demo/live-context.ts';
import { buildActiveConfig } from '../../../engine/config/index.ts';
import { referenceEvaluator } from '../../../engine/rules/index.ts';
import { buildLiveContext, ChainSource, compose, maxQuoteShortfallBps, type App, type EngineLiveContext } from '../../../engine/app/index.ts';
import { StoreSubmissionJournal } from '../../../engine/executors/index.ts';
import { openStore, type Store } from '../../../engine/infra/store/index.ts';
import { SUBJECTS } from '../../../engine/messages/index.ts';
import { createLogger } from '../../../engine/infra/telemetry/index.ts';
import { chainScannerConfig } from '../../../engine/cli/_run-chain.ts';
import { REPO_ROOT } from '../../support/paths.ts';
import { waitUntil } from '../../support/wait.ts';

export const LIVE_PROJECT = join(REPO_ROOT, 'examples/live');

export interface LiveHarness {
  sb: Sandbox;
  market: Market;
  wallets: EngineWallets;
  source: ChainSource;
  live: EngineLiveContext;
  app: App;
  flow: MarketFlow;
  journal: StoreSubmissionJournal;
  /** Every execution.confirmed / execution.failed message, in arrival order. */
  results: any[];
  /** Orders decided by the engine so far. */
  decided(): number;
  /** Every decided order has its outcome published. */
  settled(): boolean;
  /** One simulated swap, then wait (up to `settleMs`) until every decided order has an outcome. */
  step(settleMs?: number): Promise<void>;
  counts(): Promise<LiveCounts>;
  /** Worker balances on chain against funded + realized legs − fees; the differences (empty when every atom reconciles). */
  reconcile(): string[];
  close(): Promise<void>;
}

export interface LiveCounts {
  /** Orders the engine decided. */
  decided: number;
  /** Orders with at least one attempt in the journal (something was sent). */
  sent: number;
  /** Attempts journaled (each a distinct signed transaction or bundle; rebroadcasts of the same bytes are not counted). */
  attempts: number;
  /** Orders with a landed signature. */
  landed: number;
  /** Orders reported filled. */
  filled: number;
  /** Orders with an outcome other than filled (failed, expired, dead-lettered, refused), each with a reason. */
  failed: number;
  /** Orders with more than one landed attempt. */
  duplicates: number;
  /** Decided orders without a published outcome. */
  lost: number;
  /** Failed or refused outcomes without a reason. */
  unexplained: number;
}

/** Starts the sandbox with the market and the engine live on it (executors overridable). */
export async function startLiveHarness(opts: { executors?: (sb: Sandbox) => Record<string, Record<string, unknown>>; flowSeed?: number } = {}): Promise<LiveHarness> {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const wallets = engineWallets(market, { workers: 2 });
  const built = await buildActiveConfig(LIVE_PROJECT, referenceEvaluator, 'test', { runTests: false });
  if (!built.active) throw new Error(JSON.stringify(built.diagnostics));
  const active = built.active;
  active.strategies.executors = {
    paper: { type: 'paper' },
    rpc: { type: 'rpc', endpoints: [sb.rpcUrl], rebroadcastMs: 200, concurrency: 1 },
    jito: { type: 'jito', transport: 'json-rpc', blockEngine: sb.blockEngineUrl, tipPlacement: 'inline', maxBundleSends: 4, concurrency: 1 },
    ...(opts.executors?.(sb) as Record<string, any>),
  };
  const log = createLogger({ level: process.env.LIVE_HARNESS_LOG ?? 'silent' });
  // In memory by default (fast); LIVE_HARNESS_STORE=pglite:<dir> or a postgres:// URL runs the same tests on a durable store.
  const store = await openStore({ url: process.env.LIVE_HARNESS_STORE ?? 'memory' });
  const journal = new StoreSubmissionJournal(store);
  const source = new ChainSource({ config: chainScannerConfig(LIVE_PROJECT, { rpc: sb.rpcUrl, ws: sb.wsUrl }), log });
  const live = buildLiveContext({ rpcUrl: sb.rpcUrl, workers: wallets.workers, pools: { statesFor: (a, b) => source.freshStatesFor(a, b) }, maxShortfallBps: () => maxQuoteShortfallBps(active.ruleSet.params), journal, log });
  const app = await compose({ root: LIVE_PROJECT, active, factory: referenceEvaluator, log, source, watch: false, live, store });
  const results: any[] = [];
  await app.bus.subscribe(SUBJECTS.confirmed, (m) => void results.push(m.data));
  await app.bus.subscribe(SUBJECTS.failed, (m) => void results.push(m.data));
  const flow = new MarketFlow(market, { seed: opts.flowSeed ?? 7, shockProbability: 0.1 });
  const running = source.run(app.bus, app.engine);
  const decided = () => [...app.engine.stats.orders.values()].reduce((a, r) => a + r.decided, 0);
  const settled = () => results.length >= decided();
  await waitUntil(() => app.engine.stats.ticks > 0, { what: 'the first price from the scanners', timeoutMs: 15_000 });

  const h: LiveHarness = {
    sb,
    market,
    wallets,
    source,
    live,
    app,
    flow,
    journal,
    results,
    decided,
    settled,
    async step(settleMs = 20_000) {
      flow.step();
      await new Promise((r) => setTimeout(r, 30));
      await waitUntil(settled, { what: 'every decided order to reach an outcome', timeoutMs: settleMs });
    },
    async counts() {
      const orders = await store.listOrders();
      const outcome = new Map(results.map((r) => [r.order.id, r]));
      const c: LiveCounts = { decided: orders.length, sent: 0, attempts: 0, landed: 0, filled: 0, failed: 0, duplicates: 0, lost: 0, unexplained: 0 };
      for (const { order } of orders) {
        const entries = await journal.forOrder(order.id);
        if (entries.length) c.sent++;
        c.attempts += entries.length;
        const landedAttempts = entries.filter((e) => e.signatures.every((s) => { const tx = sb.getTransaction(s); return tx !== undefined && tx.err === null; })).length;
        if (landedAttempts > 0) c.landed++;
        if (landedAttempts > 1) c.duplicates++;
        const r = outcome.get(order.id);
        if (!r) c.lost++;
        else if (r.report.status === 'filled') c.filled++;
        else {
          c.failed++;
          if (!r.report.reason) c.unexplained++;
        }
      }
      return c;
    },
    reconcile() {
      const spent = new Map<string, bigint>();
      let fees = 0n;
      for (const { order, report } of results) {
        if (report.status !== 'filled') continue;
        const rec = report.reconciliation;
        spent.set(order.inputMint, (spent.get(order.inputMint) ?? 0n) - BigInt(rec.realizedAmountIn));
        spent.set(order.outputMint, (spent.get(order.outputMint) ?? 0n) + BigInt(rec.realizedAmountOut));
        for (const [mint, d] of Object.entries((rec.otherTokenDeltas ?? {}) as Record<string, string>)) spent.set(mint, (spent.get(mint) ?? 0n) + BigInt(d));
        fees += BigInt(report.networkFeeLamports);
      }
      let sol = 0n;
      let usdc = 0n;
      let lamports = 0n;
      for (const w of wallets.workers) {
        sol += tokenBalance(sb.chain, associatedTokenAddress(market.mints.sol, w.publicKey).toBase58());
        usdc += tokenBalance(sb.chain, associatedTokenAddress(market.mints.usdc, w.publicKey).toBase58());
        lamports += sb.getAccount(w.publicKey)!.lamports;
      }
      const n = BigInt(wallets.workers.length);
      const want = { usdc: wallets.funded.usdc * n + (spent.get(market.mints.usdc) ?? 0n), sol: wallets.funded.wsol * n + (spent.get(market.mints.sol) ?? 0n), lamports: wallets.funded.lamports * n - fees };
      const out: string[] = [];
      if (usdc !== want.usdc) out.push(`USDC atoms: on chain ${usdc}, predicted ${want.usdc}`);
      if (sol !== want.sol) out.push(`wSOL atoms: on chain ${sol}, predicted ${want.sol}`);
      if (lamports !== want.lamports) out.push(`lamports: on chain ${lamports}, predicted ${want.lamports}`);
      return out;
    },
    async close() {
      sb.faults.reset();
      await source.stop();
      await running.catch(() => undefined);
      await app.close();
      live.monitor.close();
      await sb.close();
    },
  };
  return h;
}

/** One line of counts, printed by every fault test. */
export function countsLine(name: string, c: LiveCounts, extra: Record<string, number | string> = {}): string {
  const more = Object.entries(extra).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${name}: decided ${c.decided}, sent ${c.sent} (${c.attempts} attempt(s)), landed ${c.landed}, filled ${c.filled}, failed ${c.failed}, duplicates ${c.duplicates}, lost ${c.lost}${more ? `; ${more}` : ''}`;
}

/**
 * A copy of examples/live in `dir` for `solrules run --live` in a child process: its executors send
 * to the sandbox (`urls`), and wallets.yaml lists `workers` worker wallets whose keys come from the
 * environment (`SOLRULES_SANDBOX_WORKER_<i>`, as `engineWallets(...).env` holds them; never printed).
 */
export function writeLiveProject(dir: string, urls: { rpc: string; blockEngine: string }, workers = 2): void {
  const strategies = readFileSync(join(LIVE_PROJECT, 'strategies.yaml'), 'utf8')
    .replaceAll('../../rules/', `${join(REPO_ROOT, 'rules')}/`)
    .replaceAll('../../../shared/', `${resolve(LIVE_PROJECT, '../../../shared')}/`)
    .replace(/^executors:[\s\S]*$/m, [
      'executors:',
      '  paper: { type: paper }',
      `  rpc: { type: rpc, endpoints: ["${urls.rpc}"], rebroadcastMs: 200, concurrency: 1, maxRebuilds: 1 }`,
      `  jito: { type: jito, transport: json-rpc, blockEngine: "${urls.blockEngine}", tipPlacement: inline, maxBundleSends: 4, concurrency: 1, maxRebuilds: 1 }`,
      '',
    ].join('\n'));
  writeFileSync(join(dir, 'strategies.yaml'), strategies);
  const lines = ['version: 1', 'wallets:'];
  for (let i = 1; i <= workers; i++) lines.push(`  - name: worker-${i}`, '    tier: worker', `    key: { env: SOLRULES_SANDBOX_WORKER_${i} }`, '    minBalanceSol: 0.05');
  writeFileSync(join(dir, 'wallets.yaml'), `${lines.join('\n')}\n`);
}

/**
 * The workers' balances on chain against funded + every fill the store records − fees, to the atom
 * (a round trip that landed on a moved pool leaves a residual in the other token: read from its
 * landed transaction). Returns the differences: empty when every atom reconciles.
 */
export async function reconcileStoredFills(store: Pick<Store, 'listOrders' | 'listExecutions'>, journal: StoreSubmissionJournal, sb: Sandbox, market: Market, wallets: EngineWallets): Promise<string[]> {
  const sol = market.mints.sol;
  const usdc = market.mints.usdc;
  const delta = new Map<string, bigint>([[sol, 0n], [usdc, 0n]]);
  let fees = 0n;
  for (const { order } of await store.listOrders({ status: ['filled'] })) {
    const [report] = await store.listExecutions(order.id);
    if (!report || report.status !== 'filled') return [`order ${order.id} is filled without its fill recorded`];
    delta.set(order.inputMint, delta.get(order.inputMint)! - report.amountIn);
    delta.set(order.outputMint, delta.get(order.outputMint)! + report.amountOut);
    fees += report.networkFeeLamports;
    const other = [sol, usdc].find((m) => m !== order.inputMint && m !== order.outputMint);
    if (!other) continue;
    for (const e of await journal.forOrder(order.id)) {
      for (const sig of e.signatures) {
        const tx = sb.getTransaction(sig);
        if (!tx || tx.err) continue;
        const sum = (list: typeof tx.preTokenBalances) => list.filter((b) => b.owner === e.wallet && b.mint === other).reduce((a, b) => a + b.amount, 0n);
        delta.set(other, delta.get(other)! + sum(tx.postTokenBalances) - sum(tx.preTokenBalances));
      }
    }
  }
  // A transaction that landed and failed (a recovered order's among them) was still charged its fee: its report carries it.
  const notFilled = (await store.listOrders()).filter((o) => o.status !== 'filled');
  for (const { order } of notFilled) for (const report of await store.listExecutions(order.id)) fees += report.networkFeeLamports;
  const n = BigInt(wallets.workers.length);
  let onChain = { sol: 0n, usdc: 0n, lamports: 0n };
  for (const w of wallets.workers) {
    onChain = {
      sol: onChain.sol + tokenBalance(sb.chain, associatedTokenAddress(sol, w.publicKey).toBase58()),
      usdc: onChain.usdc + tokenBalance(sb.chain, associatedTokenAddress(usdc, w.publicKey).toBase58()),
      lamports: onChain.lamports + sb.getAccount(w.publicKey)!.lamports,
    };
  }
  const want = { usdc: wallets.funded.usdc * n + delta.get(usdc)!, sol: wallets.funded.wsol * n + delta.get(sol)!, lamports: wallets.funded.lamports * n - fees };
  const out: string[] = [];
  if (onChain.usdc !== want.usdc) out.push(`USDC atoms: on chain ${onChain.usdc}, predicted ${want.usdc}`);
  if (onChain.sol !== want.sol) out.push(`wSOL atoms: on chain ${onChain.sol}, predicted ${want.sol}`);
  if (onChain.lamports !== want.lamports) out.push(`lamports: on chain ${onChain.lamports}, predicted ${want.lamports}`);
  return out;
}

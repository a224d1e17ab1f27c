/**
 * npm run e2e:execution — orders end to end on the local sandbox: wallets loaded from key files
 * and the environment, funded from the treasure; three orders decided, risk-checked and routed
 * by the shipped rules through the coordinator; executed once via jito-ts gRPC, once via the
 * Jito JSON-RPC and once via the RPC executor; confirmed; reconciled to the lamport.
 *
 * The sandbox has no DEX programs, so these orders are filled by the sandbox exchange: an SPL
 * token transfer and a System transfer with a counterparty, in one transaction. Exit 1 unless
 * every balance reconciles exactly.
 */
import { liveSetup, balances, SANDBOX_USDC_DECIMALS, type LiveSetup } from './support/live-setup.ts';
import { PublicKey } from '@solana/web3.js';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { buildActiveConfig } from '../../engine/config/index.ts';
import { Coordinator } from '../../engine/coordinator/index.ts';
import { ExecutorWorker, createLiveExecutor, concurrencyOf, StoreSubmissionJournal, type Executor, type Reconciliation } from '../../engine/executors/index.ts';
import { buildOrders, orderToJson, type Order } from '../../engine/orders/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { auditRegistry, createLogger, registry } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { SUBJECTS, reportFromJson, type ExecutionReportJson } from '../../engine/messages/index.ts';
import type { LiveExecutor } from '../../engine/executors/live/executor.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function order(s: LiveSetup, tag: string, urgency: 'normal' | 'low', amountIn: bigint, now: Date): Order {
  const usdc = { symbol: 'USDC', mint: s.usdcMint.toBase58(), decimals: SANDBOX_USDC_DECIMALS };
  return buildOrders(
    { ruleId: 'e2e-buy', fileId: 'grid', priority: 1, type: 'order', params: { side: 'buy', amountIn: amountIn.toString(), urgency, maxSlippageBps: 100 } },
    {
      strategy: 'grid', ruleFile: 'grid', ruleSetHash: 'e2e', base: SOL, quote: usdc,
      priceUsd: (m) => (m === SOL.mint ? 150 : 1), now, facts: { tag },
      explanation: { ruleId: 'e2e-buy', ruleSetHash: 'e2e', conditions: { kind: 'all', result: true } },
    },
  )[0]!;
}

async function main(): Promise<number> {
  const logLevel = process.env.SOLRULES_LOG_LEVEL ?? 'warn';
  const log = createLogger({ level: logLevel });
  say('solrules e2e:execution — local sandbox (LiteSVM; a simulated cluster, not mainnet)');
  say('NOTE: the sandbox has no DEX programs. These orders are filled by the sandbox exchange —');
  say('      an SPL token transfer and a System transfer with a counterparty in one transaction —');
  say('      instructions the sandbox can run, not a DEX swap.');
  const s = await liveSetup({ workers: 2, ...(process.env.SOLRULES_E2E_KEYS_DIR ? { keysDir: process.env.SOLRULES_E2E_KEYS_DIR } : {}) });
  try {
    say(`sandbox: rpc ${s.sb.rpcUrl}, block engine ${s.sb.blockEngineUrl} (JSON-RPC), ${s.sb.blockEngineGrpcAddress} (gRPC/TLS)`);
    say(`wallets: ${s.keystore.all().map((w) => `${w.name} (${w.tier}) ${w.address}`).join(', ')}`);
    for (const f of s.fundings) say(`funded ${f.wallet} from treasure: ${f.lamports} lamports (${f.signature})`);
    // Accounts every order uses go into a lookup table owned by the controller.
    const added = await s.lookupTables.ensure([s.counterparty.address, s.usdcMint.toBase58(), ...[s.counterparty, ...s.workers].map((w) => ataOf(s, w.publicKey))]);
    say(`lookup table ${s.lookupTables.current()[0]?.key.toBase58()}: ${added.length} addresses`);

    const built = await buildActiveConfig(REPO_ROOT, referenceEvaluator, 'e2e', { runTests: false });
    if (!built.active) throw new Error(`rules do not load: ${JSON.stringify(built.diagnostics)}`);
    const executors = built.active.strategies.executors;
    const bus = new MemoryBus();
    const store = new MemoryStore();
    const now = new Date();
    // Submissions are journaled in the store (its submission rows plus each attempt's full entry).
    const journal = new StoreSubmissionJournal(store);
    const ctx = { rpc: s.rpc, workers: s.pool, source: s.exchange, journal, monitor: s.monitor, accuracy: s.accuracy, lookupTables: s.lookupTables, log };
    const jitoGrpc = await createLiveExecutor('jito', { ...executors.jito!, type: 'jito', transport: 'grpc', blockEngine: s.sb.blockEngineGrpcAddress }, ctx);
    const jitoJson = await createLiveExecutor('jito', { ...executors.jito!, type: 'jito', transport: 'json-rpc', blockEngine: s.sb.blockEngineUrl, tipPlacement: 'separate' }, ctx);
    const rpcExec = await createLiveExecutor('rpc', { ...executors.rpc!, type: 'rpc', rebroadcastMs: 300 }, ctx);
    const live: Record<string, Executor> = { rpc: rpcExec };
    const transportOf = new Map<string, string>();
    const coordinator = new Coordinator({ bus, store, ruleSet: () => built.active!.ruleSet, control: () => ({ killSwitch: false, paused: false }), exposureUsd: () => 0, solUsd: () => 150, now: () => now, log });
    const worker = new ExecutorWorker({ bus, store, executorFor: (r) => live[r.executor], now: () => new Date(), log, journal, concurrency: concurrencyOf(executors) });
    await coordinator.start();
    await worker.start();
    const results = new Map<string, { report: ReturnType<typeof reportFromJson>; reconciliation?: Reconciliation; route: string }>();
    const onResult = (ok: boolean) => (m: { data: { order: { id: string }; report: ExecutionReportJson; route?: { executor: string }; reconciliation?: Reconciliation } }) => {
      results.set(m.data.order.id, { report: reportFromJson(m.data.report), ...(m.data.reconciliation ? { reconciliation: m.data.reconciliation } : {}), route: m.data.route?.executor ?? '?' });
      if (!ok) say(`order ${m.data.order.id} FAILED: ${m.data.report.reason}`);
    };
    await bus.subscribe(SUBJECTS.confirmed, onResult(true) as never);
    await bus.subscribe(SUBJECTS.failed, onResult(false) as never);

    const starts = new Map([s.counterparty, ...s.workers].map((w) => [w.address, balances(s, w.publicKey)]));
    const tipStart = new Map(s.sb.tipAccounts.map((t) => [t, s.sb.getAccount(t)?.lamports ?? 0n]));
    const plan: { tag: string; urgency: 'normal' | 'low'; amountIn: bigint; transport: string; jito?: LiveExecutor }[] = [
      { tag: 'one', urgency: 'normal', amountIn: 150_000_000n, transport: 'jito-ts gRPC searcherClient', jito: jitoGrpc },
      { tag: 'two', urgency: 'normal', amountIn: 75_000_000n, transport: 'the Jito block-engine JSON-RPC (a 2-transaction bundle: the tip alone in the last)', jito: jitoJson },
      { tag: 'three', urgency: 'low', amountIn: 300_000_000n, transport: 'RPC executor (sendTransaction, own rebroadcast)' },
    ];
    const orders: Order[] = [];
    for (const p of plan) {
      const o = order(s, p.tag, p.urgency, p.amountIn, now);
      orders.push(o);
      if (p.jito) live.jito = p.jito;
      transportOf.set(o.id, p.transport);
      await bus.publish(`${SUBJECTS.opportunities}.grid`, orderToJson(o), { msgId: o.id });
      await bus.settle();
    }

    let ok = true;
    let sumOut = 0n, sumIn = 0n, sumNet = 0n, sumTip = 0n;
    say('');
    for (const o of orders) {
      const r = results.get(o.id);
      if (!r || r.report.status !== 'filled' || !r.reconciliation) {
        say(`order ${o.id}: not filled (${r?.report.reason ?? 'no result'})`);
        ok = false;
        continue;
      }
      const rc = r.reconciliation;
      const txs = (r.report as { txs?: { signature: string; sizeBytes: number; computeUnitLimit: number; unitsSimulated: number }[] }).txs ?? [];
      say(`order ${o.id} routed to '${r.route}' via ${transportOf.get(o.id)}`);
      say(`  ${o.amountIn} USDC atoms in; expected ${rc.expectedAmountOut} realized ${rc.realizedAmountOut} lamports`);
      say(`  tip ${rc.tipLamports} lamports, fees ${rc.feeLamports} lamports, compute ${rc.computeUnits} units, slot ${r.report.slot}${r.report.bundleId ? `, bundle ${r.report.bundleId}` : ''}`);
      for (const t of txs) say(`  tx ${t.signature}: ${t.sizeBytes} bytes, simulated ${t.unitsSimulated} CU, limit ${t.computeUnitLimit}`);
      if (rc.expectedAmountOut !== rc.realizedAmountOut || rc.expectedAmountIn !== rc.realizedAmountIn) ok = false;
      sumOut += BigInt(rc.realizedAmountOut);
      sumIn += BigInt(rc.realizedAmountIn);
      sumNet += BigInt(rc.realizedAmountOut) - r.report.networkFeeLamports;
      sumTip += BigInt(rc.tipLamports);
    }
    // Reconcile against the chain's own balances: every lamport and atom accounted for.
    const end = (w: { address: string; publicKey: PublicKey }) => balances(s, w.publicKey);
    const workerLamports = s.workers.reduce((a, w) => a + end(w).lamports - starts.get(w.address)!.lamports, 0n);
    const workerUsdc = s.workers.reduce((a, w) => a + end(w).usdc - starts.get(w.address)!.usdc, 0n);
    const cpLamports = end(s.counterparty).lamports - starts.get(s.counterparty.address)!.lamports;
    const cpUsdc = end(s.counterparty).usdc - starts.get(s.counterparty.address)!.usdc;
    const tips = s.sb.tipAccounts.reduce((a, t) => a + (s.sb.getAccount(t)?.lamports ?? 0n) - tipStart.get(t)!, 0n);
    const checks: [string, bigint, bigint][] = [
      ['workers lamports change = realized out - fees - tips', workerLamports, sumNet],
      ['workers USDC change = -(realized in)', workerUsdc, -sumIn],
      ['counterparty lamports change = -(realized out)', cpLamports, -sumOut],
      ['counterparty USDC change = realized in', cpUsdc, sumIn],
      ['tip accounts gained = tips paid', tips, sumTip],
    ];
    say('');
    say('reconciliation against on-chain balances:');
    for (const [what, got, want] of checks) {
      const good = got === want;
      ok &&= good;
      say(`  ${good ? 'ok  ' : 'FAIL'} ${what}: ${got} vs ${want}`);
    }
    const audit = await auditRegistry();
    say(`metrics: ${audit.length ? `FAIL ${audit.join('; ')}` : 'every series in the catalog, labels bounded'}`);
    ok &&= audit.length === 0;
    const filled = orders.filter((o) => results.get(o.id)?.report.status === 'filled').length;
    say(`quote accuracy fact: ${JSON.stringify(s.accuracy.fact())}`);
    say(`sandbox stats: ${JSON.stringify({ rpc: s.sb.stats().rpcRequests.sendTransaction ?? 0, blockEngine: s.sb.stats().blockEngineRequests })}`);
    if (process.env.SOLRULES_E2E_DUMP) {
      // Everything the run wrote (store, journal, metrics) for the key-leak test to grep.
      const { writeFileSync } = await import('node:fs');
      writeFileSync(process.env.SOLRULES_E2E_DUMP, JSON.stringify({ orders: await store.listOrders(), executions: await store.listExecutions(), submissions: await store.listSubmissions(), journal: await Promise.all(orders.map((o) => journal.forOrder(o.id))), metrics: await registry.metrics() }, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    }
    await coordinator.stop();
    await worker.stop();
    for (const e of [jitoGrpc, jitoJson, rpcExec]) await e.close();
    say('');
    say(ok ? `e2e:execution: ${filled} orders filled, every balance reconciled to the lamport` : 'e2e:execution: FAILED — see above');
    return ok ? 0 : 1;
  } finally {
    await s.close();
  }
}

function ataOf(s: LiveSetup, owner: PublicKey): string {
  return PublicKey.findProgramAddressSync([owner.toBuffer(), new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA').toBuffer(), s.usdcMint.toBuffer()], new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL'))[0].toBase58();
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`e2e:execution failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);

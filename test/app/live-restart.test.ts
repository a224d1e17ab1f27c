/**
 * The engine SIGKILLed mid-send and restarted, as a user runs it: `solrules run --rpc … --live`
 * in a child process against the sandbox market (real Whirlpool and DLMM programs, SIMULATED
 * other traders stepped by this test), its orders and submission journal in PGlite on disk. The
 * child is killed right after one of its transactions landed, while it is still waiting to hear
 * so (every HTTP request held by the sandbox's timeout switch): the send is journaled, its result
 * is not. A second `run --live` on the same store resumes it by its signature's status. Then the
 * store is read back here: no order sent twice, none lost, and the workers' balances on chain
 * equal funded + every recorded fill − fees, to the atom.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { associatedTokenAddress, createMarket, MarketFlow, seededKeypair, tokenBalance } from '../../sandbox/market/index.ts';
import { engineWallets } from '../../sandbox/demo/live-context.ts';
import { StoreSubmissionJournal } from '../../engine/executors/index.ts';
import { openStore } from '../../engine/infra/store/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { waitUntil } from '../support/wait.ts';
import { LIVE_PROJECT } from './support/live-harness.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A copy of examples/live whose executors point at the sandbox and whose workers' keys come from the environment. */
function project(dir: string, urls: { rpc: string; blockEngine: string }): void {
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
  writeFileSync(join(dir, 'wallets.yaml'), ['version: 1', 'wallets:', ...[1, 2].flatMap((i) => [`  - name: worker-${i}`, '    tier: worker', `    key: { env: SOLRULES_SANDBOX_WORKER_${i} }`, '    minBalanceSol: 0.05'])].join('\n') + '\n');
}

function runLive(dir: string, urls: { rpc: string; ws: string }, env: Record<string, string>, seconds: number): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [CLI, 'run', '--rpc', urls.rpc, '--ws', urls.ws, '--scanner', join(LIVE_PROJECT, 'scanner.yaml'), '--live', '--no-watch', '--seconds', String(seconds)], {
    cwd: dir,
    env: { ...process.env, ...env, SOLRULES_LOG_LEVEL: process.env.LIVE_KILL_LOG ?? 'error', SOLRULES_BUS: '', SOLRULES_CACHE: '', SOLRULES_STORE: `pglite:${join(dir, 'store')}`, SOLRULES_METRICS_PORT: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return { child, out: () => out, err: () => err, exit };
}

test('run --live SIGKILLed mid-send and restarted: the in-flight order is resumed by its signature status, nothing is sent twice, nothing lost, the wallets reconcile to the atom', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-live-kill-'));
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  let stepping = true;
  const children: ChildProcess[] = [];
  try {
    const market = createMarket({ chain: sb.chain, seed: 1 });
    const wallets = engineWallets(market, { workers: 2 });
    // The child reads the same seeded keys from its environment (through the keystore; never printed).
    const env = Object.fromEntries([1, 2].map((i) => [`SOLRULES_SANDBOX_WORKER_${i}`, JSON.stringify(Array.from(seededKeypair(market.seed, `engine-worker-${i}`).secretKey))]));
    project(dir, { rpc: sb.rpcUrl, blockEngine: sb.blockEngineUrl });
    const workers = new Set(wallets.workers.map((w) => w.address));
    const landed: string[] = [];
    sb.chain.on('transaction', (r: { signature: string; accountKeys: string[]; err: unknown }) => {
      if (workers.has(r.accountKeys[0]!) && !r.err) landed.push(r.signature);
    });
    const flow = new MarketFlow(market, { seed: 7, shockProbability: 0.1 });
    const stepper = (async () => {
      while (stepping) {
        flow.step();
        await sleep(300);
      }
    })();

    // --- the first process: trades, and is killed right after its third transaction lands ---
    const first = runLive(dir, { rpc: sb.rpcUrl, ws: sb.wsUrl }, env, 120);
    let inFlight = '';
    children.push(first.child);
    await waitUntil(() => landed.length >= 2 || first.child.exitCode !== null, { what: 'two transactions from the first process', timeoutMs: 240_000, intervalMs: 20 }).catch((err: Error) => {
      throw new Error(`${err.message}\nstdout: ${first.out()}\nstderr: ${first.err().slice(-3000)}`);
    });
    assert.equal(first.child.exitCode, null, `the first process is running: ${first.err()}`);
    await new Promise<void>((done) => {
      const onLanding = (r: { signature: string; accountKeys: string[]; err: unknown }) => {
        if (!workers.has(r.accountKeys[0]!) || r.err) return;
        sb.chain.off('transaction', onLanding);
        // It landed; the process must not hear so: every request it makes from now on is held.
        sb.faults.set({ timeout: true });
        inFlight = r.signature;
        done();
      };
      sb.chain.on('transaction', onLanding);
    });
    await sleep(300);
    const killedAt = { landed: landed.length, held: sb.stats().faults.heldRequests };
    first.child.kill('SIGKILL');
    const firstExit = await first.exit;
    assert.equal(firstExit.signal, 'SIGKILL');
    sb.faults.set({ timeout: false }); // held requests are answered now, to a process that is gone

    // --- the second process: the same store; it resumes what the first left in flight ---
    const second = runLive(dir, { rpc: sb.rpcUrl, ws: sb.wsUrl }, env, 8);
    children.push(second.child);
    const secondExit = await second.exit;
    stepping = false;
    await stepper;
    assert.equal(secondExit.code, 0, `second run: ${second.err()}\n${second.out()}`);
    const recoveredLine = second.out().split('\n').find((l) => l.startsWith('recovered '));

    // --- read back what the store holds ---
    const store = await openStore({ url: `pglite:${join(dir, 'store')}` });
    try {
      const journal = new StoreSubmissionJournal(store);
      const orders = await store.listOrders();
      const bySignature = new Map<string, string>();
      let attempts = 0;
      let duplicates = 0;
      let sent = 0;
      for (const { order } of orders) {
        const entries = await journal.forOrder(order.id);
        attempts += entries.length;
        if (entries.length) sent++;
        for (const e of entries) for (const s of e.signatures) bySignature.set(s, order.id);
        if (entries.filter((e) => e.signatures.every((s) => sb.getTransaction(s)?.err === null)).length > 1) duplicates++;
      }
      const killedOrder = bySignature.get(inFlight);
      const killedEntries = killedOrder ? await journal.forOrder(killedOrder) : [];
      const status = new Map(orders.map((o) => [o.order.id, o.status]));
      const unsettled = orders.filter((o) => ['decided', 'routed', 'submitted'].includes(o.status));
      const filled = orders.filter((o) => o.status === 'filled');
      const notFilled = orders.filter((o) => o.status !== 'filled');
      const unexplained = notFilled.filter((o) => !o.reason && o.status !== 'blocked');
      console.log(`SIGKILL mid-send: decided ${orders.length}, sent ${sent} (${attempts} attempt(s)), landed ${new Set([...landed].map((s) => bySignature.get(s))).size}, filled ${filled.length}, not filled ${notFilled.length}, duplicates ${duplicates}, lost ${unsettled.length}; landed before the kill ${killedAt.landed}, requests held at the kill ${killedAt.held}; the in-flight order ${killedOrder?.slice(0, 16)}: ${killedEntries.length} attempt(s), ${status.get(killedOrder!)}; second run: ${recoveredLine ?? 'no recovery line'}`);

      assert.ok(killedOrder, 'the transaction that landed at the kill is in the journal (written before the send)');
      assert.equal(killedEntries.length, 1, 'the in-flight order was not sent again after the restart');
      assert.equal(status.get(killedOrder!), 'filled', 'it was reconciled from its signature status');
      assert.match(recoveredLine ?? '', /^recovered \d+ order\(s\) the previous run left in flight, checked on chain: .*filled/);
      assert.equal(duplicates, 0, 'no order landed twice');
      assert.deepEqual(unsettled.map((o) => `${o.order.id} ${o.status}`), [], 'no order lost: every one settled or expired with its reason');
      assert.deepEqual(unexplained.map((o) => o.order.id), [], 'every order not filled has its reason');
      for (const s of landed) assert.ok(bySignature.has(s), `landed transaction ${s} is in the journal`);

      // The wallets: funded + every recorded fill − fees, to the atom.
      const sol = market.mints.sol;
      const usdc = market.mints.usdc;
      const delta = new Map<string, bigint>([[sol, 0n], [usdc, 0n]]);
      let fees = 0n;
      let residualOrders = 0;
      for (const { order } of filled) {
        const [report] = await store.listExecutions(order.id);
        assert.ok(report && report.status === 'filled', `order ${order.id} has its fill recorded`);
        delta.set(order.inputMint, delta.get(order.inputMint)! - report.amountIn);
        delta.set(order.outputMint, delta.get(order.outputMint)! + report.amountOut);
        fees += report.networkFeeLamports;
        // A round trip that landed on a pool other traders had moved leaves the difference between its
        // legs in the other token (the report carries it as reconciliation.otherTokenDeltas; the
        // store's execution row has in and out only): read it from the landed transaction itself.
        const other = [sol, usdc].find((m) => m !== order.inputMint && m !== order.outputMint);
        if (!other) continue;
        const entries = await journal.forOrder(order.id);
        for (const e of entries) {
          for (const sig of e.signatures) {
            const tx = sb.getTransaction(sig);
            if (!tx || tx.err) continue;
            const sum = (list: typeof tx.preTokenBalances) => list.filter((b) => b.owner === e.wallet && b.mint === other).reduce((a, b) => a + b.amount, 0n);
            const d = sum(tx.postTokenBalances) - sum(tx.preTokenBalances);
            if (d !== 0n) residualOrders++;
            delta.set(other, delta.get(other)! + d);
          }
        }
      }
      // A transaction that landed and failed (a recovered order's among them) was still charged its fee: its report carries it.
      let failedFees = 0n;
      for (const { order } of notFilled) for (const report of await store.listExecutions(order.id)) failedFees += report.networkFeeLamports;
      fees += failedFees;
      if (failedFees) console.log(`  fees of transactions that landed and failed: ${failedFees} lamports`);
      console.log(`  wallets: ${filled.length} recorded fills, ${residualOrders} round trip(s) with a residual in the other token (landed on a moved pool)`);
      const n = BigInt(wallets.workers.length);
      let onChain = { sol: 0n, usdc: 0n, lamports: 0n };
      for (const w of wallets.workers) {
        onChain = {
          sol: onChain.sol + tokenBalance(sb.chain, associatedTokenAddress(sol, w.publicKey).toBase58()),
          usdc: onChain.usdc + tokenBalance(sb.chain, associatedTokenAddress(usdc, w.publicKey).toBase58()),
          lamports: onChain.lamports + sb.getAccount(w.publicKey)!.lamports,
        };
      }
      assert.equal(onChain.usdc, wallets.funded.usdc * n + delta.get(usdc)!, 'USDC atoms reconcile');
      assert.equal(onChain.sol, wallets.funded.wsol * n + delta.get(sol)!, 'wrapped SOL atoms reconcile');
      assert.equal(onChain.lamports, wallets.funded.lamports * n - fees, 'lamports reconcile (fees and tips)');
    } finally {
      await store.close();
    }
  } finally {
    stepping = false;
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    sb.faults.reset();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, MarketFlow, seededKeypair } from '../../sandbox/market/index.ts';
import { engineWallets } from '../../sandbox/demo/live-context.ts';
import { StoreSubmissionJournal } from '../../engine/executors/index.ts';
import { openStore } from '../../engine/infra/store/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { waitUntil } from '../support/wait.ts';
import { LIVE_PROJECT, reconcileStoredFills, writeLiveProject } from './support/live-harness.ts';

const CLI = join(REPO_ROOT, 'bin', 'solrules.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    writeLiveProject(dir, { rpc: sb.rpcUrl, blockEngine: sb.blockEngineUrl });
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

      // The wallets: funded + every recorded fill − fees, to the atom (a round trip's residual in the other token read from its landed transaction).
      assert.deepEqual(await reconcileStoredFills(store, journal, sb, market, wallets), [], 'the workers\' USDC, wrapped SOL and lamports reconcile (fees and tips)');
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

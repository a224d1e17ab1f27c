/**
 * The wallets lifecycle through a run that trades: the engine runs LIVE on the sandbox (the real
 * Whirlpool and DLMM programs; SIMULATED other traders) with the wallet manager inside — every
 * send journalled and settled with its exact deltas, so after the run traded every expected
 * balance equals the chain's. Then, while the engine still runs, worker-2 is drained under its
 * floor behind our back: the scanner catches it within one interval (subscription), holds the
 * wallet, the alert's metrics are set; explained by the operator, the wallet rules'
 * (rules/wallets.yaml) next pass tops worker-2 up from the controller; every wallet reconciles to
 * the lamport. (`wallets fund` twice moving nothing is shown by test/wallets/lifecycle.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { runDemo } from '../../engine/cli/demo.ts';
import { createLogger, metrics } from '../../engine/infra/telemetry/index.ts';
import { waitUntil } from '../support/wait.ts';
import { sendRaw } from './support/project.ts';

const gauge = async (g: { get(): Promise<{ values: { labels: Record<string, unknown>; value: number }[] }> }, wallet: string) => (await g.get()).values.find((v) => v.labels.wallet === wallet)?.value;

test('a run trades with the wallet manager inside; a drain behind our back is held, explained, topped up by the wallet rules; everything reconciles', { timeout: 180_000 }, async () => {
  const prevStore = process.env.SOLRULES_STORE;
  process.env.SOLRULES_STORE = 'memory';
  let drained = 0n;
  let fee = 0n;
  let toppedUp = 0n;
  let tradedBeforeDrain = 0;
  try {
    const r = await runDemo({
      seconds: 90,
      seed: 1,
      flowMode: 'random-walk',
      paceMs: 20,
      write: () => undefined,
      log: createLogger({ level: 'silent' }),
      minConfirmed: 3,
      beforeStop: async ({ sandbox: sb, wallets, manager, watch }) => {
        // The run traded: the ledger followed every execution to the atom, nothing is held.
        const rows = await manager.status();
        tradedBeforeDrain = manager.ledger.journal().filter((e) => e.kind === 'sent' && e.op === 'execution').length;
        assert.ok(tradedBeforeDrain >= 3, `executions journalled by the wallet manager: ${tradedBeforeDrain}`);
        for (const row of rows) assert.equal(row.difference, '0', `after trading: ${row.wallet} ${row.asset} expected ${row.expected}, actual ${row.actual}`);
        assert.deepEqual(manager.ledger.holds(), []);

        // The engine's last orders may still be landing (each a fee on its worker): wait until no send
        // is in flight and none was journalled for a second, so the drain is computed on a settled balance.
        let quiet = { entries: -1, since: 0 };
        await waitUntil(() => {
          const entries = manager.ledger.journal().length;
          if (manager.ledger.pending().length > 0 || entries !== quiet.entries) quiet = { entries, since: performance.now() };
          return manager.ledger.pending().length === 0 && performance.now() - quiet.since >= 1_000;
        }, { what: 'the engine\'s sends to settle', timeoutMs: 30_000 });

        // Behind our back: worker-2 sends all but 0.02 SOL to a stranger (floor 0.05).
        const w2 = wallets.keystore.get('worker-2');
        const before = sb.getAccount(w2.publicKey)!.lamports;
        fee = 5_000n;
        drained = before - 20_000_000n - fee;
        const tx = new VersionedTransaction(new TransactionMessage({ payerKey: w2.publicKey, recentBlockhash: sb.latestBlockhash().blockhash, instructions: [SystemProgram.transfer({ fromPubkey: w2.publicKey, toPubkey: Keypair.generate().publicKey, lamports: drained })] }).compileToV0Message());
        w2.sign(tx);
        const sentAt = performance.now();
        await sendRaw(sb, tx);
        await waitUntil(() => manager.ledger.hold(w2.address) !== undefined, { what: 'the hold on worker-2', timeoutMs: 5_000 + 2_000 });
        console.log(`# drain behind our back held in ${(performance.now() - sentAt).toFixed(0)} ms (scan interval 5000 ms, account subscriptions on)`);
        assert.equal(await gauge(metrics.wallets.onHold, 'worker-2'), 1, 'SolrulesWalletOnHold metric');
        assert.ok((await gauge(metrics.wallets.balance, 'worker-2'))! < (await gauge(metrics.wallets.floor, 'worker-2'))!, 'SolrulesWalletBelowFloor: balance under the floor');
        assert.equal(await gauge(metrics.wallets.difference, 'worker-2'), -Number(drained + fee));

        // Held: the wallet rules leave it alone.
        await watch.rebalance();
        assert.equal(sb.getAccount(w2.publicKey)!.lamports, 20_000_000n);
        // Explained, the next pass tops it up to its target from the controller.
        await manager.explain('worker-2', 'test: drained behind our back');
        await watch.rebalance();
        toppedUp = sb.getAccount(w2.publicKey)!.lamports - 20_000_000n;
        assert.equal(sb.getAccount(w2.publicKey)!.lamports, wallets.funded.lamports, 'topped up to its target');
      },
    });
    assert.ok(r.confirmed >= 3, `confirmed ${r.confirmed}`);
    assert.equal(r.failedOnChain, 0);
    assert.deepEqual(r.wallets.holds, []);
    assert.ok(r.wallets.rebalances >= 1, 'the wallet rules moved SOL');
    assert.ok(r.wallets.stored.walletBalances > 0 && r.wallets.stored.pnl > 0, `balance history and P&L snapshots stored: ${JSON.stringify(r.wallets.stored)}`);
    // The only difference from the demo's own prediction (start + legs − fees) is worker-2's SOL: the drain, its fee and the top-up.
    const other = r.mismatches.filter((m) => !m.startsWith('worker-2 lamports:'));
    assert.deepEqual(other, [], 'every other wallet atom and the wallet ledger reconcile');
    const m = /worker-2 lamports: predicted (\d+), on chain (\d+)/.exec(r.mismatches.find((x) => x.startsWith('worker-2 lamports:')) ?? '');
    assert.ok(m, `worker-2's prediction differs by the drain and the top-up: ${r.mismatches.join('; ')}`);
    assert.equal(BigInt(m[2]!) - BigInt(m[1]!), toppedUp - drained - fee, 'to the lamport');
  } finally {
    if (prevStore === undefined) delete process.env.SOLRULES_STORE;
    else process.env.SOLRULES_STORE = prevStore;
  }
});

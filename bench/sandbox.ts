/**
 * Sandbox throughput and latency, beside the baseline of calling LiteSVM directly in the same run.
 * Run: node --import tsx bench/sandbox.ts [transfers=300]
 */
import { startSandbox } from '../sandbox/index.ts';
import { LiteSVM } from 'litesvm'; // after the sandbox: its import turns off V8 pretenuring (sandbox/litesvm.ts)
import { Connection, Keypair, PublicKey, SystemProgram, Transaction, TransactionMessage, VersionedTransaction, sendAndConfirmTransaction } from '@solana/web3.js';
import { searcherClient } from 'jito-ts/dist/sdk/block-engine/searcher.js';
import { Bundle } from 'jito-ts/dist/sdk/block-engine/types.js';
import { defaultAccountsDir } from '../engine/cli/sandbox.ts';

const N = Number(process.argv[2] ?? 300);
const SYSTEM = new PublicKey('11111111111111111111111111111111');

function transfers(payer: Keypair, blockhash: string, n: number): VersionedTransaction[] {
  return Array.from({ length: n }, (_, i) => {
    const msg = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: blockhash,
      instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 + i })],
    }).compileToV0Message();
    const tx = new VersionedTransaction(msg);
    tx.sign([payer]);
    return tx;
  });
}

/** One result line; the ratio compares time per transaction with the baseline's. */
function rate(label: string, ops: number, txPerOp: number, ms: number, baselineMsPerTx?: number): string {
  const perTx = ms / (ops * txPerOp);
  const vs = baselineMsPerTx === undefined ? '' : `  ${(perTx / baselineMsPerTx).toFixed(1)}× baseline per tx`;
  return `${label.padEnd(62)} ${(ms / ops).toFixed(3).padStart(8)} ms/op ${Math.round((ops / ms) * 1000).toString().padStart(6)} op/s${vs}`;
}

async function main(): Promise<void> {
  const lines: string[] = [];
  // Baseline: LiteSVM called directly, no ledger, no network.
  const svm = new LiteSVM().withTransactionHistory(0n).withBlockhashCheck(false);
  const p0 = Keypair.generate();
  svm.setAccount(p0.publicKey, { lamports: 1e15, data: new Uint8Array(), owner: SYSTEM, executable: false });
  const raw = transfers(p0, svm.latestBlockhash(), N);
  let t = performance.now();
  for (const tx of raw) svm.sendTransaction(tx);
  const baseline = (performance.now() - t) / N;
  lines.push(rate('baseline: LiteSVM.sendTransaction in process', N, 1, baseline * N));

  t = performance.now();
  const sb = await startSandbox({ slotMs: 'manual' });
  const startMs = performance.now() - t;
  try {
    const payer = Keypair.generate();
    sb.airdrop(payer.publicKey, 10n ** 15n);
    const ledger = transfers(payer, sb.latestBlockhash().blockhash, N);
    t = performance.now();
    for (const tx of ledger) sb.chain.submit(sb.chain.parse(tx.serialize()));
    lines.push(rate('sandbox ledger (history, balances, events) in process', N, 1, performance.now() - t, baseline));

    const conn = new Connection(sb.rpcUrl, 'confirmed');
    const wire = transfers(payer, sb.latestBlockhash().blockhash, N);
    t = performance.now();
    for (const tx of wire) await conn.sendRawTransaction(tx.serialize());
    lines.push(rate('web3.js sendRawTransaction over HTTP (preflight on)', N, 1, performance.now() - t, baseline));

    const confirmN = Math.min(N, 100);
    t = performance.now();
    for (let i = 0; i < confirmN; i++) {
      await sendAndConfirmTransaction(conn, new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 + i })), [payer]);
    }
    lines.push(rate('web3.js sendAndConfirmTransaction (HTTP + WebSocket)', confirmN, 1, performance.now() - t, baseline));

    const client = searcherClient(sb.blockEngineGrpcAddress);
    const tip = new PublicKey(sb.tipAccounts[0]!);
    const bundles = Array.from({ length: confirmN }, () => {
      const [a, b] = transfers(payer, sb.latestBlockhash().blockhash, 2);
      const tipTx = new VersionedTransaction(
        new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: sb.latestBlockhash().blockhash, instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: tip, lamports: 1000 })] }).compileToV0Message(),
      );
      tipTx.sign([payer]);
      return new Bundle([a!, b!, tipTx], 5);
    });
    t = performance.now();
    for (const b of bundles) {
      const r = await client.sendBundle(b);
      if (!r.ok) throw r.error;
    }
    lines.push(rate('jito-ts searcherClient.sendBundle of 3 transactions (gRPC/TLS)', confirmN, 3, performance.now() - t, baseline));
    // web3.js closes its idle WebSocket after 500 ms; closing the sandbox first would make it reconnect forever.
    while (sb.stats().webSocketConnections > 0) await new Promise((r) => setTimeout(r, 20));
  } finally {
    await sb.close();
  }
  t = performance.now();
  const fixtures = defaultAccountsDir();
  const withFixtures = fixtures ? await startSandbox({ slotMs: 'manual', accountsDir: fixtures }) : undefined;
  const fixturesMs = performance.now() - t;
  await withFixtures?.close();

  console.log(`solrules sandbox benchmark (${N} transfers; the sandbox simulates a cluster, it is not a validator)`);
  console.log(`startSandbox, no accounts: ${startMs.toFixed(0)} ms; with ../shared/fixtures/accounts: ${withFixtures ? `${fixturesMs.toFixed(0)} ms (${withFixtures.accountLoads[0]?.placed} accounts)` : 'fixtures not found'}`);
  for (const l of lines) console.log(l);
}

await main();
process.exit(0); // gRPC channels of the searcher client would otherwise linger

/**
 * Wallet funding and balance scans on the sandbox (simulated cluster, loopback), each beside a
 * baseline measured in the same run:
 *  - funding 3 controllers + 10 workers (SOL, a token account and tokens each) with
 *    `wallets fund` (one transaction per wallet, all sent, then confirmed; journalled) against
 *    the earlier `fundFromTreasure` (SOL only, one sendAndConfirm after another);
 *  - one balance scan (batched getMultipleAccounts, ≤100 a call) against getBalance per account.
 * Run: node --import tsx bench/wallets.ts [accounts=1000]
 */
import { startSandbox } from '../sandbox/index.ts';
import { Keypair, PublicKey } from '@solana/web3.js';
import { loadFiles } from '../engine/config/index.ts';
import { RpcPool } from '../engine/executors/index.ts';
import { Keystore, WalletManager, WalletSigner, fundFromTreasure, getAccounts, solToLamports } from '../engine/wallets/index.ts';
import { mintTo, wallets, walletsProject } from '../test/wallets/support/project.ts';

const ACCOUNTS = Number(process.argv[2] ?? 1000);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const sb = await startSandbox({ slotMs: 'manual' });
try {
  const rpc = new RpcPool([sb.rpcUrl]);
  // Ours: init + fund through the CLI code path.
  const p = await walletsProject(sb);
  const init = JSON.parse((await wallets(['init', '--config', p.config, '--format', 'json'])).stdout) as { created: { wallet: string; publicKey: string }[] };
  const treasureAddr = init.created.find((c) => c.wallet === 'treasure')!.publicKey;
  sb.airdrop(new PublicKey(treasureAddr), 100_000_000_000n);
  await mintTo(sb, p, new PublicKey(treasureAddr), 2_000_000_000n);
  const t0 = performance.now();
  const fund = await wallets(['fund', '--config', p.config, '--rpc', sb.rpcUrl, '--format', 'json']);
  const oursMs = performance.now() - t0;
  if (fund.code !== 0) throw new Error(fund.stdout + fund.stderr);

  // Baseline: fundFromTreasure, SOL only, sequential, 13 wallets.
  const cfg = loadFiles([p.config]).wallets!.config;
  const ks = Keystore.load(cfg, { baseDir: p.dir });
  const fresh = Array.from({ length: 13 }, (_, i) => ({ name: `b-${i}`, kp: Keypair.generate() }));
  const baseKs = new Keystore();
  for (const f of fresh) baseKs.add(new WalletSigner(f.name, 'worker', f.kp, { targetBalanceLamports: solToLamports(0.5) }));
  const t1 = performance.now();
  await fundFromTreasure(rpc, ks.get('treasure'), baseKs.all());
  const baseMs = performance.now() - t1;

  // Scan of the 13 wallets and their token accounts, as the scanner does it.
  const m = await WalletManager.open({ cfg, baseDir: p.dir, rpc });
  const scanner = m.scanner({ intervalMs: 60_000 });
  const scanMs: number[] = [];
  for (let i = 0; i < 20; i++) scanMs.push((await scanner.scan()).ms);

  // Reading N accounts: batched against one getBalance each.
  const addrs = Array.from({ length: ACCOUNTS }, () => Keypair.generate().publicKey.toBase58());
  const batched: number[] = [];
  const single: number[] = [];
  for (let r = 0; r < 3; r++) {
    let s = performance.now();
    const { calls } = await getAccounts(rpc, addrs);
    batched.push(performance.now() - s);
    if (calls !== Math.ceil(ACCOUNTS / 100)) throw new Error(`expected ${Math.ceil(ACCOUNTS / 100)} calls, made ${calls}`);
    s = performance.now();
    for (const a of addrs) await rpc.getBalance(a);
    single.push(performance.now() - s);
  }

  console.log('wallets on the sandbox (SIMULATED cluster on loopback; no network latency)');
  console.log(`  fund 13 wallets (SOL + token account + tokens, journalled)   ${oursMs.toFixed(0).padStart(6)} ms   baseline fundFromTreasure (SOL only, sequential) ${baseMs.toFixed(0).padStart(6)} ms   ratio ${(oursMs / baseMs).toFixed(2)}`);
  console.log(`  scan 13 wallets + 13 token accounts (1 getMultipleAccounts)  median ${median(scanMs).toFixed(1)} ms over ${scanMs.length} scans`);
  console.log(`  read ${ACCOUNTS} accounts: getMultipleAccounts ×${Math.ceil(ACCOUNTS / 100)}       median ${median(batched).toFixed(1).padStart(7)} ms   baseline getBalance ×${ACCOUNTS} median ${median(single).toFixed(1).padStart(7)} ms   ratio ${(median(batched) / median(single)).toFixed(3)}`);
} finally {
  await sb.close();
}

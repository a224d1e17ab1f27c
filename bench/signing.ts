/**
 * The send path's signing and token-account derivations, CPU time, interleaved A/B in one process:
 * web3.js `tx.sign` beside `WalletSigner.sign` (node:crypto), spl-token's `getAssociatedTokenAddressSync`
 * beside the memoized `associatedTokenAddress`. Run: node --import tsx bench/signing.ts
 */
import { Keypair, PublicKey, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { getAssociatedTokenAddressSync } from '@solana/spl-token';
import { WalletSigner } from '../engine/wallets/index.ts';
import { associatedTokenAddress, TOKEN_PROGRAM } from '../engine/venues/index.ts';
const kp = Keypair.generate();
const w = new WalletSigner('w', 'worker', kp);
const mk = () => new VersionedTransaction(new TransactionMessage({ payerKey: kp.publicKey, recentBlockhash: kp.publicKey.toBase58(), instructions: [SystemProgram.transfer({ fromPubkey: kp.publicKey, toPubkey: kp.publicKey, lamports: 1 })] }).compileToV0Message());
const cpu = (f: () => void, n: number) => { const c = process.cpuUsage(); for (let i = 0; i < n; i++) f(); const d = process.cpuUsage(c); return (d.user + d.system) / 1000 / n; };
const tx = mk();
const mint = new PublicKey('So11111111111111111111111111111111111111112');
const r: Record<string, number[]> = { web3: [], node: [], ata: [], memo: [] };
for (let round = 0; round < 5; round++) {
  r.web3!.push(cpu(() => tx.sign([kp]), 100));
  r.node!.push(cpu(() => w.sign(tx), 100));
  r.ata!.push(cpu(() => getAssociatedTokenAddressSync(mint, kp.publicKey, true, TOKEN_PROGRAM), 100));
  r.memo!.push(cpu(() => associatedTokenAddress(mint.toBase58(), kp.publicKey, TOKEN_PROGRAM), 100));
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(Object.entries(r).map(([k, xs]) => `${k} ${med(xs).toFixed(3)} ms CPU (median of 5 × 100)`).join('; '));

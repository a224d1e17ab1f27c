/**
 * Funding: tops worker (and other) wallets up to their target balance from the treasure wallet,
 * one System transfer each, in one signed transaction per wallet. Amounts are exact lamports.
 */
import { PublicKey, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { SolrulesError } from '../errors/index.ts';
import type { WalletSigner } from './keystore.ts';

/** What funding needs from a chain connection (the execution RpcPool provides it). */
export interface FundingChain {
  getBalance(address: string): Promise<bigint>;
  getLatestBlockhash(): Promise<{ blockhash: string; lastValidBlockHeight: number }>;
  /** Sends a signed transaction and resolves once it is confirmed (rejects on failure). */
  sendAndConfirm(tx: VersionedTransaction, lastValidBlockHeight: number): Promise<string>;
}

export interface Funding {
  wallet: string;
  address: string;
  before: bigint;
  lamports: bigint;
  signature: string;
}

/** Transfers from `treasure` to each wallet below its target so that it reaches it; returns what was sent. */
export async function fundFromTreasure(chain: FundingChain, treasure: WalletSigner, wallets: readonly WalletSigner[], opts: { fallbackTargetLamports?: bigint } = {}): Promise<Funding[]> {
  if (treasure.tier !== 'treasure') throw new SolrulesError('WALLET_NOT_TREASURE', `wallet '${treasure.name}' is tier ${treasure.tier}; funding comes from the treasure tier`, { wallet: treasure.name, tier: treasure.tier });
  const out: Funding[] = [];
  for (const w of wallets) {
    const target = w.targetBalanceLamports ?? opts.fallbackTargetLamports;
    if (target === undefined) continue;
    const before = await chain.getBalance(w.address);
    if (before >= target) continue;
    const lamports = target - before;
    const { blockhash, lastValidBlockHeight } = await chain.getLatestBlockhash();
    const msg = new TransactionMessage({
      payerKey: treasure.publicKey,
      recentBlockhash: blockhash,
      instructions: [SystemProgram.transfer({ fromPubkey: treasure.publicKey, toPubkey: new PublicKey(w.address), lamports })],
    }).compileToV0Message();
    const tx = new VersionedTransaction(msg);
    treasure.sign(tx);
    const signature = await chain.sendAndConfirm(tx, lastValidBlockHeight);
    out.push({ wallet: w.name, address: w.address, before, lamports, signature });
  }
  return out;
}

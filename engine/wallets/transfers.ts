/**
 * Carries out a funding or sweep plan: one transaction per wallet, each signed, journalled as
 * `sent` (with its signature) before it is broadcast, then confirmed from its meta — the exact
 * lamport and token changes it made become the expected balances — or recorded as failed.
 */
import { randomUUID } from 'node:crypto';
import { PublicKey, SystemProgram, TransactionMessage, VersionedTransaction, type TransactionInstruction } from '@solana/web3.js';
import bs58 from 'bs58';
import { SolrulesError } from '../errors/index.ts';
import { ataOf, awaitSignatures, sendSigned, transactionBalances, type JsonRpc, type MintInfo } from './chain.ts';
import { SOL, type BalanceLine, type TransferLine, type WalletLedger } from './ledger.ts';
import type { Holding, ManagedWallet, Plan, PlanStep } from './plan.ts';

export interface TransferResult {
  wallet: string;
  signature: string;
  ok: boolean;
  error?: string;
  lamports: string;
  tokens: Record<string, string>;
  createdAccounts: number;
}

/** The deltas of a confirmed transaction restricted to the accounts we manage (wallets' SOL, their token balances). */
async function confirmedDeltas(rpc: JsonRpc, signature: string, managed: readonly ManagedWallet[], mints: readonly MintInfo[]): Promise<{ fee: bigint; deltas: BalanceLine[] }> {
  const tb = await transactionBalances(rpc, signature);
  if (!tb) throw new SolrulesError('WALLET_TX_UNREADABLE', `transaction ${signature} is confirmed but getTransaction does not return it`, { signature });
  const deltas: BalanceLine[] = [];
  for (const w of managed) {
    const l = tb.lamports.get(w.address);
    if (l) deltas.push({ address: w.address, asset: SOL, atoms: l.toString() });
    for (const m of mints) {
      const t = tb.tokens.get(`${w.address}:${m.address}`);
      if (t) deltas.push({ address: w.address, asset: m.address, atoms: t.toString() });
    }
  }
  return { fee: tb.fee, deltas };
}

/** Records the first-seen balance of every managed (wallet, asset) the ledger has no expectation for. */
export async function baselineUnknown(ledger: WalletLedger, managed: readonly ManagedWallet[], mints: readonly MintInfo[], holdings: Map<string, Holding>): Promise<number> {
  const balances: BalanceLine[] = [];
  for (const w of managed) {
    const h = holdings.get(w.address)!;
    if (ledger.expected(w.address, SOL) === undefined) balances.push({ address: w.address, asset: SOL, atoms: h.lamports.toString() });
    for (const m of mints) {
      const t = h.tokens.get(m.address)!;
      if (ledger.expected(w.address, m.address) === undefined && (t.exists || w.targetTokens.has(m.address))) balances.push({ address: w.address, asset: m.address, atoms: t.atoms.toString() });
    }
  }
  if (balances.length) await ledger.record({ kind: 'baseline', at: new Date().toISOString(), balances });
  return balances.length;
}

/** Waits for one journalled signature and records its outcome (its exact deltas when confirmed). */
export async function settleSignature(rpc: JsonRpc, ledger: WalletLedger, signature: string, lastValidBlockHeight: number, managed: readonly ManagedWallet[], mints: readonly MintInfo[]): Promise<{ ok: boolean; error?: string }> {
  const outcome = (await awaitSignatures(rpc, [signature], lastValidBlockHeight)).get(signature)!;
  if (outcome.ok) {
    const { fee, deltas } = await confirmedDeltas(rpc, signature, managed, mints);
    await ledger.record({ kind: 'confirmed', at: new Date().toISOString(), signature, fee: fee.toString(), deltas });
    return { ok: true };
  }
  // Landed but failed: its fee was still charged — recorded as its exact deltas, not as nothing.
  const landed = await transactionBalances(rpc, signature).catch(() => null);
  if (landed) {
    const { fee, deltas } = await confirmedDeltas(rpc, signature, managed, mints);
    await ledger.record({ kind: 'confirmed', at: new Date().toISOString(), signature, fee: fee.toString(), deltas });
  } else await ledger.record({ kind: 'failed', at: new Date().toISOString(), signature, error: outcome.error });
  return { ok: false, error: outcome.error };
}

/** Settles transfers a previous run left `sent` (crash, expiry): confirmed ones get their deltas, the rest are marked failed. */
export async function resolvePending(rpc: JsonRpc, ledger: WalletLedger, managed: readonly ManagedWallet[], mints: readonly MintInfo[]): Promise<{ confirmed: number; failed: number }> {
  let confirmed = 0;
  let failed = 0;
  for (const p of ledger.pending()) {
    if ((await settleSignature(rpc, ledger, p.signature, p.lastValidBlockHeight, managed, mints)).ok) confirmed++;
    else failed++;
  }
  return { confirmed, failed };
}

/** spl-token's instruction builders, loaded when a plan is executed: every run that imports wallets would otherwise carry it (~10 MB resident). */
type SplToken = Pick<typeof import('@solana/spl-token'), 'createAssociatedTokenAccountIdempotentInstruction' | 'createTransferCheckedInstruction'>;

function stepInstructions(spl: SplToken, plan: Plan, step: PlanStep, treasure: ManagedWallet, mints: readonly MintInfo[]): { ixs: TransactionInstruction[]; transfers: TransferLine[] } {
  const { createAssociatedTokenAccountIdempotentInstruction, createTransferCheckedInstruction } = spl;
  const ixs: TransactionInstruction[] = [];
  const transfers: TransferLine[] = [];
  const tre = (plan.op === 'fund' && step.source ? step.source : treasure).signer.publicKey;
  const w = step.wallet.signer.publicKey;
  const [from, to] = plan.op === 'fund' ? [tre, w] : [w, tre];
  for (const mintAddr of step.createAccounts) {
    const m = mints.find((x) => x.address === mintAddr)!;
    ixs.push(createAssociatedTokenAccountIdempotentInstruction(tre, new PublicKey(ataOf(to.toBase58(), m)), to, new PublicKey(m.address), new PublicKey(m.program)));
  }
  for (const [mintAddr, atoms] of step.tokens) {
    const m = mints.find((x) => x.address === mintAddr)!;
    ixs.push(createTransferCheckedInstruction(new PublicKey(ataOf(from.toBase58(), m)), new PublicKey(m.address), new PublicKey(ataOf(to.toBase58(), m)), from, atoms, m.decimals, [], new PublicKey(m.program)));
    transfers.push({ from: from.toBase58(), to: to.toBase58(), asset: m.address, atoms: atoms.toString(), ...(step.createAccounts.includes(mintAddr) ? { createsAccount: true } : {}) });
  }
  if (step.lamports > 0n) {
    ixs.push(SystemProgram.transfer({ fromPubkey: from, toPubkey: to, lamports: step.lamports }));
    transfers.push({ from: from.toBase58(), to: to.toBase58(), asset: SOL, atoms: step.lamports.toString() });
  }
  // A token account created with no tokens moved still changes who holds what: record it.
  for (const mintAddr of step.createAccounts) if (!step.tokens.has(mintAddr)) transfers.push({ from: from.toBase58(), to: to.toBase58(), asset: mintAddr, atoms: '0', createsAccount: true });
  return { ixs, transfers };
}

/**
 * Signs, journals and sends every step (all at once; the treasure pays fees), then confirms
 * each and records its exact deltas. A failed transfer is recorded, and reported as an error
 * after the others settle.
 */
export async function executePlan(rpc: JsonRpc, ledger: WalletLedger, plan: Plan, ctx: { treasure: ManagedWallet; managed: readonly ManagedWallet[]; mints: readonly MintInfo[] }): Promise<TransferResult[]> {
  if (plan.steps.length === 0) return [];
  const planId = randomUUID();
  const spl = await import('@solana/spl-token');
  const { value: bh } = await rpc.call<{ value: { blockhash: string; lastValidBlockHeight: number } }>('getLatestBlockhash', [{ commitment: 'confirmed' }]);
  const sent: { step: PlanStep; signature: string; sendError?: string }[] = [];
  for (const step of plan.steps) {
    const { ixs, transfers } = stepInstructions(spl, plan, step, ctx.treasure, ctx.mints);
    const payer = plan.op === 'fund' && step.source ? step.source : ctx.treasure;
    const tx = new VersionedTransaction(new TransactionMessage({ payerKey: payer.signer.publicKey, recentBlockhash: bh.blockhash, instructions: ixs }).compileToV0Message());
    payer.signer.sign(tx);
    if (plan.op === 'sweep') step.wallet.signer.sign(tx);
    const signature = bs58.encode(tx.signatures[0]!);
    await ledger.record({ kind: 'sent', at: new Date().toISOString(), op: plan.op, planId, signature, lastValidBlockHeight: bh.lastValidBlockHeight, transfers });
    try {
      await sendSigned(rpc, tx);
      sent.push({ step, signature });
    } catch (err) {
      // The node answered with an error (preflight refused it): it never reached the chain.
      // Anything else (no answer) may have landed: it stays `sent` and is awaited like the rest.
      if (err instanceof SolrulesError && err.code === 'EXEC_RPC_ERROR') {
        const error = `${err.code}: ${err.message}`;
        await ledger.record({ kind: 'failed', at: new Date().toISOString(), signature, error });
        sent.push({ step, signature, sendError: error });
      } else sent.push({ step, signature });
    }
  }
  const outcomes = await awaitSignatures(rpc, sent.filter((s) => !s.sendError).map((s) => s.signature), bh.lastValidBlockHeight);
  const results: TransferResult[] = [];
  for (const s of sent) {
    const base = { wallet: s.step.wallet.name, signature: s.signature, lamports: s.step.lamports.toString(), tokens: Object.fromEntries([...s.step.tokens].map(([m, v]) => [ctx.mints.find((x) => x.address === m)!.name, v.toString()])), createdAccounts: s.step.createAccounts.length };
    if (s.sendError) {
      results.push({ ...base, ok: false, error: s.sendError });
      continue;
    }
    const o = outcomes.get(s.signature)!;
    if (o.ok) {
      const { fee, deltas } = await confirmedDeltas(rpc, s.signature, ctx.managed, ctx.mints);
      await ledger.record({ kind: 'confirmed', at: new Date().toISOString(), signature: s.signature, fee: fee.toString(), deltas });
      results.push({ ...base, ok: true });
    } else {
      await ledger.record({ kind: 'failed', at: new Date().toISOString(), signature: s.signature, error: o.error });
      results.push({ ...base, ok: false, error: o.error });
    }
  }
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    throw new SolrulesError('WALLET_TRANSFER_FAILED', `${failed.length} of ${results.length} ${plan.op} transfers failed (each is recorded in the journal): ${failed.map((f) => `${f.wallet}: ${f.error}`).join('; ')}`, { op: plan.op, planId, failed, results });
  }
  return results;
}

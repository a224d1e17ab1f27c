/**
 * The Jito executor's sending: a bundle of the swap transaction — and, with `tipPlacement:
 * 'separate'`, a tip transaction after it — whose last transaction carries the tip: a System
 * transfer to a random account from `getTipAccounts`, amount from the routing rule's tip policy
 * (the transports refuse a bundle of more than 5 transactions before sending it). A bundle that fails or is dropped is resent (the same signed
 * bytes, so it can land at most once) with exponential backoff while its blockhash is valid, up
 * to `maxBundleSends`; then the attempt is reported with the block engine's reason.
 */
import { PublicKey, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import bs58 from 'bs58';
import { SolrulesError } from '../../errors/index.ts';
import { logger, metrics, type Logger } from '../../infra/telemetry/index.ts';
import type { WalletSigner } from '../../wallets/index.ts';
import type { ConfirmationMonitor } from '../confirm/monitor.ts';
import type { AttemptOutcome, Prepared, Submitter } from '../live/executor.ts';
import { tipLamports, tipPolicyOf, type SwapPlan } from '../live/plan.ts';
import type { RpcPool } from '../rpc/pool.ts';
import type { BuiltTransaction, TransactionBuilder } from '../tx/builder.ts';
import type { LookupTableManager } from '../tx/lookup-tables.ts';
import type { Order, Route } from '../../orders/index.ts';
import { transactionSize } from '../tx/size.ts';
import { bundleKey, JitoError, type JitoTransport } from './transport.ts';

export interface JitoSubmitterOptions {
  /** Bundle sends per attempt, the first included (default 4). */
  maxBundleSends?: number;
  /** Backoff before resending a failed bundle: base × 2^(n-1), capped (defaults 200 ms, 3 s). */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How long to wait for a bundle's state before resending it (default 2 s). */
  bundleWaitMs?: number;
  /** 'inline': the tip is the last instruction of the swap transaction; 'separate': a last transaction of its own. */
  tipPlacement?: 'inline' | 'separate';
  /** Where the bundle's blockhash comes from (a `BlockhashCache`; default: fetched per bundle). */
  blockhashes?: { get(): Promise<{ blockhash: string; lastValidBlockHeight: number }>; noteBlockHeight?(blockHeight: number): void };
  log?: Logger;
}


export class JitoSubmitter implements Submitter {
  readonly kind = 'jito' as const;
  private tipAccounts: string[] | undefined;
  private readonly opts: Required<Omit<JitoSubmitterOptions, 'log' | 'blockhashes'>>;
  private readonly blockhashes: JitoSubmitterOptions['blockhashes'];
  private readonly log: Logger;
  /** Bundle sends by bundle id (tests check resends). */
  readonly sendCounts = new Map<string, number>();

  constructor(
    readonly transport: JitoTransport,
    private readonly rpc: RpcPool,
    private readonly builder: TransactionBuilder,
    private readonly monitor: ConfirmationMonitor,
    private readonly lookupTables?: LookupTableManager,
    opts: JitoSubmitterOptions = {},
  ) {
    const { log: _log, blockhashes, ...rest } = opts;
    this.opts = { maxBundleSends: 4, backoffBaseMs: 200, backoffMaxMs: 3000, bundleWaitMs: 2000, tipPlacement: 'inline', ...rest };
    this.blockhashes = blockhashes;
    this.log = opts.log ?? logger().child({ component: `jito-${transport.name}` });
  }

  /** A random tip account from the block engine's list (cached). */
  async tipAccount(): Promise<PublicKey> {
    this.tipAccounts ??= await this.transport.getTipAccounts();
    if (!this.tipAccounts.length) throw new SolrulesError('EXEC_NO_TIP_ACCOUNTS', 'the block engine returned no tip accounts', {});
    // Math.random, not crypto.randomInt: the choice only spreads tips, and randomInt never returns in a
    // process that runs the sandbox — it computes `RAND_MAX % range` in floating point, and once
    // LiteSVM 0.8's JIT has run a program the x87 state it leaves (sandbox/litesvm.ts) makes
    // that remainder NaN, so its rejection loop never ends. (Checked again with litesvm 0.8.)
    return new PublicKey(this.tipAccounts[Math.floor(Math.random() * this.tipAccounts.length)]!);
  }

  async prepare(ctx: { order: Order; route: Route; plan: SwapPlan; wallet: WalletSigner }): Promise<Prepared> {
    const { order, route, plan, wallet } = ctx;
    const tip = tipLamports(plan.expected.profitLamports ?? order.expectedProfitLamports ?? 0n, tipPolicyOf(route));
    const [tipTo, blockhash] = await Promise.all([this.tipAccount(), this.blockhashes ? this.blockhashes.get() : this.rpc.getLatestBlockhash()]);
    const tipIx = SystemProgram.transfer({ fromPubkey: wallet.publicKey, toPubkey: tipTo, lamports: tip });
    const tables = [...(plan.lookupTables ?? []), ...(this.lookupTables?.current() ?? [])];
    const swap = await this.builder.build({
      payer: wallet,
      ...(plan.signers ? { signers: plan.signers } : {}),
      instructions: plan.instructions,
      ...(plan.flashLoan ? { flashLoan: plan.flashLoan } : {}),
      lookupTables: tables,
      blockhash,
      noPriorityFee: true, // a bundle bids with its tip
      ...(this.opts.tipPlacement === 'inline' ? { tip: tipIx } : {}),
      ...(plan.simulation ? { simulatedUnits: plan.simulation.unitsConsumed } : {}),
    });
    const txs: BuiltTransaction[] = [swap];
    if (this.opts.tipPlacement === 'separate') txs.push(this.tipTransaction(wallet, tipIx, blockhash));
    return { txs, tipLamports: tip, bundleId: bundleKey(txs.map((t) => t.tx)), blockhash: blockhash.blockhash, lastValidBlockHeight: blockhash.lastValidBlockHeight };
  }

  private tipTransaction(wallet: WalletSigner, tipIx: ReturnType<typeof SystemProgram.transfer>, bh: { blockhash: string; lastValidBlockHeight: number }): BuiltTransaction {
    const tx = new VersionedTransaction(new TransactionMessage({ payerKey: wallet.publicKey, recentBlockhash: bh.blockhash, instructions: [tipIx] }).compileToV0Message());
    wallet.sign(tx);
    const sizeBytes = transactionSize(tx.message as import('@solana/web3.js').MessageV0);
    return { tx, signature: bundleSigOf(tx), blockhash: bh.blockhash, lastValidBlockHeight: bh.lastValidBlockHeight, computeUnitLimit: 200_000, computeUnitPriceMicroLamports: 0n, unitsSimulated: 150, feeLamports: 5000n, sizeBytes, writableAccounts: [wallet.address], layout: ['tip'] };
  }

  private backoff(n: number): number {
    return Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** (n - 1));
  }

  /** Waits for the bundle's state or the last transaction's confirmation, up to bundleWaitMs. */
  private async follow(bundleId: string, lastSig: string): Promise<{ state: 'landed'; slot: number } | { state: 'failed'; reason: string } | { state: 'pending' }> {
    const deadline = Date.now() + this.opts.bundleWaitMs;
    for (let delay = 50; ; delay = Math.min(500, delay * 2)) {
      const s = await this.transport.status(bundleId).catch((err) => ({ state: 'unknown' as const, reason: (err as Error).message }));
      if (s.state === 'failed' || s.state === 'invalid') return { state: 'failed', reason: s.reason ?? s.state };
      const [st] = await this.rpc.getSignatureStatuses([lastSig]).catch(() => [null]);
      if (st && !st.err) return { state: 'landed', slot: st.slot };
      if (Date.now() > deadline) return { state: 'pending' };
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  async send(p: Prepared): Promise<AttemptOutcome> {
    const bundle = p.txs.map((t) => t.tx);
    const bundleId = p.bundleId!;
    const lastSig = p.txs[p.txs.length - 1]!.signature;
    const signatures = p.txs.map((t) => t.signature);
    let lastReason = 'no answer';
    // Only a bundle the block engine said failed is known not to land; one with no result may still.
    let definitive = false;
    for (let n = 1; n <= this.opts.maxBundleSends; n++) {
      if (n > 1) {
        // Resending is only safe (and only useful) while the blockhash can still land.
        if ((await this.rpc.getBlockHeight()) > p.lastValidBlockHeight) break;
        await new Promise((r) => setTimeout(r, this.backoff(n - 1)));
        metrics.execution.retries.inc({ executor: 'jito', reason: 'bundle-failed' });
      }
      this.sendCounts.set(bundleId, (this.sendCounts.get(bundleId) ?? 0) + 1);
      try {
        const id = await this.transport.sendBundle(bundle);
        if (id !== bundleId) this.log.warn({ expected: bundleId, got: id }, 'block engine returned another bundle id');
      } catch (err) {
        if (err instanceof JitoError && !err.retryable) {
          return { kind: 'rejected', reason: `bundle ${bundleId} refused by the block engine (${this.transport.name}): ${err.message}`, retryable: false };
        }
        lastReason = err instanceof Error ? err.message : String(err);
        definitive = n === 1 || definitive;
        this.log.warn({ bundleId, send: n, reason: lastReason }, 'bundle send failed; backing off');
        continue;
      }
      const r = await this.follow(bundleId, lastSig);
      if (r.state === 'landed') {
        const outcome = await this.monitor.wait(lastSig, p.lastValidBlockHeight);
        if (outcome.kind === 'confirmed') return { kind: 'landed', signatures, slot: outcome.slot, bundleId };
        if (outcome.kind === 'failed') return { kind: 'failed-on-chain', signature: lastSig, slot: outcome.slot, reason: `bundle transaction failed: ${JSON.stringify(outcome.err)}` };
        return { kind: 'unknown', reason: `bundle ${bundleId} reported landed but ${lastSig} was not confirmed (${outcome.kind})` };
      }
      lastReason = r.state === 'failed' ? r.reason : `no result within ${this.opts.bundleWaitMs} ms`;
      definitive = r.state === 'failed';
      this.log.warn({ bundleId, send: n, reason: lastReason }, 'bundle did not land; will resend while the blockhash is valid');
    }
    // Before calling it: did any send land after all?
    const statuses = await this.rpc.getSignatureStatuses(signatures);
    if (statuses.every((s) => s && !s.err)) return { kind: 'landed', signatures, slot: statuses[0]!.slot, bundleId };
    const height = await this.rpc.getBlockHeight();
    const expired = height > p.lastValidBlockHeight;
    // A rebuild must not be handed a cached blockhash that expired with this one.
    if (expired) this.blockhashes?.noteBlockHeight?.(height);
    if (expired) return { kind: 'expired', reason: `bundle ${bundleId}: blockhash expired without landing (last: ${lastReason})` };
    if (!definitive) {
      // It may still land: follow it to its blockhash's end rather than let anything resend it.
      const outcome = await this.monitor.wait(lastSig, p.lastValidBlockHeight, { timeoutMs: 120_000 });
      if (outcome.kind === 'confirmed') return { kind: 'landed', signatures, slot: outcome.slot, bundleId };
      if (outcome.kind === 'failed') return { kind: 'failed-on-chain', signature: lastSig, slot: outcome.slot, reason: `bundle transaction failed: ${JSON.stringify(outcome.err)}` };
      if (outcome.kind === 'expired') {
        this.blockhashes?.noteBlockHeight?.(outcome.blockHeight);
        return { kind: 'expired', reason: `bundle ${bundleId}: blockhash expired without landing (last: ${lastReason})` };
      }
      return { kind: 'unknown', reason: `bundle ${bundleId}: no outcome (last: ${lastReason}); not resent` };
    }
    return { kind: 'rejected', reason: `bundle ${bundleId} failed ${this.sendCounts.get(bundleId)} time(s) via ${this.transport.name}: ${lastReason}`, retryable: true };
  }

  async close(): Promise<void> {
    await this.transport.close();
  }
}

function bundleSigOf(tx: VersionedTransaction): string {
  return bs58.encode(tx.signatures[0]!);
}

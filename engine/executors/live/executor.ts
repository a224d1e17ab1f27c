/**
 * LiveExecutor: the part rpc and jito executors share. For one order it holds a worker wallet,
 * asks the route source for a swap plan, has the submitter build and sign the transaction(s),
 * records the submission in the journal *before* sending, lets the submitter send and follow it
 * to an outcome, and reconciles a landed order from getTransaction meta against what the plan
 * expected. An expired blockhash (nothing landed) is rebuilt at most `maxRebuilds` times.
 */
import { SolrulesError, isSolrulesError } from '../../errors/index.ts';
import type { Order, ExecutionReport, Route, RoutedOrder } from '../../orders/index.ts';
import { logger, metrics, type Logger } from '../../infra/telemetry/index.ts';
import type { WorkerPool, WalletSigner } from '../../wallets/index.ts';
import type { QuoteAccuracy } from '../confirm/accuracy.ts';
import { shortfallBps } from '../confirm/accuracy.ts';
import { NATIVE_MINT } from '../../venues/index.ts';
import { realize, walletDelta, type Expected, type Realized } from '../confirm/reconcile.ts';
import type { ExecutionContext, Executor, ResumableExecutor } from '../executor.ts';
import type { SubmissionEntry, SubmissionJournal } from '../journal.ts';
import type { ChainReader } from '../chain.ts';
import type { ConfirmationMonitor } from '../confirm/monitor.ts';
import type { LookupTableManager } from '../tx/lookup-tables.ts';
import type { BuiltTransaction } from '../tx/builder.ts';
import type { RouteSource, SwapPlan } from './plan.ts';

/** Signed transactions ready to send, with what the journal needs. */
export interface Prepared {
  txs: BuiltTransaction[];
  tipLamports: bigint;
  bundleId?: string;
  blockhash: string;
  lastValidBlockHeight: number;
}

export type AttemptOutcome =
  | { kind: 'landed'; signatures: string[]; slot: number; bundleId?: string }
  | { kind: 'failed-on-chain'; signature: string; slot: number; reason: string }
  | { kind: 'rejected'; reason: string; retryable: boolean }
  | { kind: 'expired'; reason: string }
  | { kind: 'unknown'; reason: string };

/** Builds and sends for one executor kind. */
export interface Submitter {
  readonly kind: 'rpc' | 'jito';
  prepare(ctx: { order: Order; route: Route; plan: SwapPlan; wallet: WalletSigner; attempt: number }): Promise<Prepared>;
  /** Sends and follows to an outcome (rebroadcasts, bundle retries and confirmation are the submitter's). */
  send(p: Prepared, ctx: { order: Order; attempt: number }): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

export interface LiveExecutorPolicy {
  /** New transactions (fresh blockhash) after an expiry in which nothing landed (default 1). */
  maxRebuilds: number;
  /** Lamports a worker must hold beyond its minimum for fees (default 0.01 SOL). */
  feeBudgetLamports: bigint;
}

export const DEFAULT_LIVE_POLICY: LiveExecutorPolicy = { maxRebuilds: 1, feeBudgetLamports: 10_000_000n };

/**
 * Our own bookkeeping of wallet balances around each send (the wallet manager): `begin` before
 * broadcast, so the balance scanner does not judge the wallet while it is in flight; `settle`
 * once the outcome is known, so its expected balances move by the transaction's exact deltas.
 */
export interface ExecutionWallets {
  begin(signatures: readonly string[], lastValidBlockHeight: number, wallet: string, orderId: string): Promise<void>;
  /** `landed` / `failed-on-chain`: read from the chain; `not-landed`: known never to have landed. */
  settle(signatures: readonly string[], outcome: 'landed' | 'failed-on-chain' | 'not-landed', lastValidBlockHeight: number): Promise<void>;
}

export interface LiveExecutorDeps {
  name: string;
  submitter: Submitter;
  rpc: ChainReader;
  workers: WorkerPool;
  source: RouteSource;
  monitor: ConfirmationMonitor;
  journal: SubmissionJournal;
  accuracy?: QuoteAccuracy;
  /** Told whether each bundle landed and what it tipped (the dynamic tip's landing history). */
  tips?: { record(landed: boolean, tipLamports: bigint): void };
  /** Expected wallet balances follow our executions (wallets.yaml's manager). */
  wallets?: ExecutionWallets;
  /** SOL in USD now: the expected and realized profit metrics. */
  solUsd?: () => number | undefined;
  lookupTables?: LookupTableManager;
  policy?: Partial<LiveExecutorPolicy>;
  now?: () => Date;
  log?: Logger;
}

/** Reconciliation carried on a live report (JSON-safe: atoms as strings) and on execution.confirmed / failed. */
export interface Reconciliation {
  venue: string;
  route: string;
  expectedAmountIn: string;
  realizedAmountIn: string;
  expectedAmountOut: string;
  realizedAmountOut: string;
  expectedProfitLamports?: string;
  realizedProfitLamports: string;
  shortfallBps: number;
  tipLamports: string;
  feeLamports: string;
  computeUnits: number;
  signatures: string[];
  /** The wallet's changes in other mints, atoms by mint (a round trip landed on a moved pool); absent when none. */
  otherTokenDeltas?: Record<string, string>;
}

/** An execution report with what live executors add. */
export type LiveReport = ExecutionReport & { reconciliation?: Reconciliation; retryable?: boolean; attempts?: number; txs?: { signature: string; sizeBytes: number; computeUnitLimit: number; unitsSimulated: number }[] };


export function expectedToJson(e: Expected): Record<string, string> {
  return { inputMint: e.inputMint, outputMint: e.outputMint, amountIn: e.amountIn.toString(), amountOut: e.amountOut.toString(), ...(e.profitLamports !== undefined ? { profitLamports: e.profitLamports.toString() } : {}) };
}

export function expectedFromJson(j: Record<string, string>): Expected {
  return { inputMint: j.inputMint!, outputMint: j.outputMint!, amountIn: BigInt(j.amountIn!), amountOut: BigInt(j.amountOut!), ...(j.profitLamports !== undefined ? { profitLamports: BigInt(j.profitLamports) } : {}) };
}

/** Journal entry plus what reconciliation after a restart needs. */
export interface LiveSubmissionEntry extends SubmissionEntry {
  venue: string;
  route: string;
  tipLamports: string;
  expected: Record<string, string>;
}

export class LiveExecutor implements ResumableExecutor {
  readonly capabilities = { resumable: true } as const;
  readonly kind: string;
  readonly name: string;
  private readonly policy: LiveExecutorPolicy;
  private readonly log: Logger;
  private readonly now: () => Date;

  constructor(private readonly deps: LiveExecutorDeps) {
    this.name = deps.name;
    this.kind = deps.submitter.kind;
    this.policy = { ...DEFAULT_LIVE_POLICY, ...deps.policy };
    this.log = deps.log ?? logger().child({ component: `executor-${deps.name}` });
    this.now = deps.now ?? (() => new Date());
  }

  private base(order: Order): Omit<LiveReport, 'status'> {
    return { orderId: order.id, executor: this.name, amountIn: 0n, amountOut: 0n, feeAtoms: 0n, networkFeeLamports: 0n, simulated: false, at: this.now().toISOString() };
  }

  private needLamports(order: Order): bigint {
    return this.policy.feeBudgetLamports + (order.inputMint === NATIVE_MINT ? order.amountIn : 0n);
  }

  async execute(routed: RoutedOrder, ctx: ExecutionContext = {}): Promise<LiveReport> {
    return this.run(routed, 1, 0, ctx);
  }

  /** Rebuilds allowed after an expiry (the policy's). */
  get maxRebuilds(): number {
    return this.policy.maxRebuilds;
  }

  /** Runs attempts from `firstAttempt`, `rebuildsUsed` already spent (a recovered order continues its numbering). */
  async run(routed: RoutedOrder, firstAttempt: number, rebuildsUsed: number, ctx: ExecutionContext = {}): Promise<LiveReport> {
    if (rebuildsUsed > this.policy.maxRebuilds) {
      return { ...this.base(routed.order), status: 'expired', reason: `blockhash expired with nothing landed; rebuilt ${rebuildsUsed - 1} time(s) already, the policy allows ${this.policy.maxRebuilds}`, retryable: false, attempts: firstAttempt - 1 };
    }
    const { order, route } = routed;
    let lease;
    try {
      lease = await this.deps.workers.acquire(order.id, this.needLamports(order));
    } catch (err) {
      if (isSolrulesError(err, 'WALLET_NO_FREE_WORKER')) return { ...this.base(order), status: 'failed', reason: err.message, retryable: true };
      throw err;
    }
    const wallet = lease.wallet;
    let settled = true;
    try {
      for (let attempt = firstAttempt, rebuilds = rebuildsUsed; ; attempt++, rebuilds++) {
        let plan: SwapPlan;
        let prepared: Prepared;
        try {
          plan = await this.deps.source.plan(order, wallet.publicKey);
          this.deps.lookupTables?.note(plan.instructions.flatMap((ix) => ix.keys.map((k) => k.pubkey.toBase58())));
          prepared = await this.deps.submitter.prepare({ order, route, plan, wallet, attempt });
        } catch (err) {
          if (!(err instanceof SolrulesError)) throw err;
          // Nothing was sent: a build refusal (size, compute, simulation) or an unreachable RPC.
          const retryable = err.code === 'EXEC_RPC_UNAVAILABLE';
          return { ...this.base(order), status: 'rejected', reason: `not sent: ${err.message}`, retryable, attempts: attempt - 1 };
        }
        const entry: LiveSubmissionEntry = {
          orderId: order.id,
          attempt,
          executor: this.name,
          wallet: wallet.address,
          signatures: prepared.txs.map((t) => t.signature),
          blockhash: prepared.blockhash,
          lastValidBlockHeight: prepared.lastValidBlockHeight,
          ...(prepared.bundleId ? { bundleId: prepared.bundleId } : {}),
          at: this.now().toISOString(),
          venue: plan.venue,
          route: route.executor,
          tipLamports: prepared.tipLamports.toString(),
          expected: expectedToJson(plan.expected),
        };
        // Recorded before sending: after a crash this entry is checked on chain, never resent.
        if (!(await this.deps.journal.record(entry, ctx))) {
          throw new SolrulesError('EXEC_ALREADY_SUBMITTED', `order ${order.id} attempt ${attempt} is already in the journal; not sending it again`, { orderId: order.id, attempt });
        }
        this.log.info({ orderId: order.id, attempt, wallet: wallet.name, signatures: entry.signatures, bundleId: entry.bundleId, venue: plan.venue, txs: prepared.txs.map((t) => ({ sizeBytes: t.sizeBytes, computeUnitLimit: t.computeUnitLimit, unitsSimulated: t.unitsSimulated })) }, 'sending');
        await this.deps.wallets?.begin(entry.signatures, entry.lastValidBlockHeight, wallet.address, order.id);
        const outcome = await this.deps.submitter.send(prepared, { order, attempt });
        // A bundle's fate is known (landed, or known not to have): our landing history for the dynamic tip.
        if (this.kind === 'jito' && outcome.kind !== 'unknown') this.deps.tips?.record(outcome.kind === 'landed', prepared.tipLamports);
        await this.settleWallets(entry, outcome);
        const txs = prepared.txs.map((t) => ({ signature: t.signature, sizeBytes: t.sizeBytes, computeUnitLimit: t.computeUnitLimit, unitsSimulated: t.unitsSimulated }));
        switch (outcome.kind) {
          case 'landed':
            return { ...(await this.reconcile(order, entry, outcome.signatures, outcome.slot, route.ruleId)), txs, attempts: attempt, ...(outcome.bundleId ? { bundleId: outcome.bundleId } : {}) };
          case 'failed-on-chain':
            return { ...this.base(order), status: 'failed', reason: outcome.reason, signature: outcome.signature, slot: outcome.slot, retryable: false, attempts: attempt, txs, networkFeeLamports: await this.landedCost([outcome.signature], wallet.address) };
          case 'rejected':
            return { ...this.base(order), status: 'failed', reason: outcome.reason, retryable: outcome.retryable, attempts: attempt, txs };
          case 'unknown':
            settled = false;
            return { ...this.base(order), status: 'failed', reason: outcome.reason, retryable: false, attempts: attempt, txs };
          case 'expired':
            if (rebuilds < this.policy.maxRebuilds) {
              metrics.execution.retries.inc({ executor: this.name, reason: 'blockhash-expired' });
              this.log.warn({ orderId: order.id, attempt, reason: outcome.reason }, 'blockhash expired with nothing landed; rebuilding once more');
              continue;
            }
            return { ...this.base(order), status: 'expired', reason: `${outcome.reason}; rebuilt ${rebuilds} time(s), the policy allows ${this.policy.maxRebuilds}`, retryable: false, attempts: attempt, txs };
        }
      }
    } finally {
      // A send whose fate is unknown keeps its wallet until recovery settles it.
      if (settled) this.deps.workers.release(order.id);
    }
  }

  /**
   * What transactions that landed and failed cost `wallet` (a failed transaction is still charged
   * its fee; its tip transfer reverted): the wallet's lamports before minus after, from the chain.
   * A transaction the node does not return is counted 0 and logged, never guessed.
   */
  private async landedCost(signatures: readonly string[], wallet: string): Promise<bigint> {
    let paid = 0n;
    for (const signature of signatures) {
      let tx;
      try {
        tx = await this.deps.rpc.getTransaction(signature);
      } catch (err) {
        this.log.warn({ signature, err: err instanceof Error ? err.message : String(err) }, 'could not read a failed transaction: its fee is not in the report');
        continue;
      }
      if (tx?.meta) paid -= walletDelta(tx, wallet).lamports;
      else this.log.warn({ signature }, 'a failed transaction is not returned by getTransaction with its meta: its fee is not in the report');
    }
    return paid;
  }

  /** Tells the wallet manager how a send ended (an unknown outcome stays in flight: its wallet is not judged). */
  private async settleWallets(entry: LiveSubmissionEntry, outcome: AttemptOutcome): Promise<void> {
    if (!this.deps.wallets || outcome.kind === 'unknown') return;
    const how = outcome.kind === 'landed' ? 'landed' : outcome.kind === 'failed-on-chain' ? 'failed-on-chain' : 'not-landed';
    // A landed bundle settles the signatures that landed; the others of the attempt never did.
    const landed = outcome.kind === 'landed' ? outcome.signatures : outcome.kind === 'failed-on-chain' ? [outcome.signature] : [];
    const rest = entry.signatures.filter((s) => !landed.includes(s));
    try {
      if (landed.length) await this.deps.wallets.settle(landed, how, entry.lastValidBlockHeight);
      if (rest.length) await this.deps.wallets.settle(rest, 'not-landed', entry.lastValidBlockHeight);
    } catch (err) {
      // The order's outcome stands; the wallet stays in flight and the scanner keeps it unjudged until recovery settles it.
      this.log.error({ orderId: entry.orderId, signatures: entry.signatures, err: err instanceof Error ? err.message : String(err) }, 'could not record the execution in the wallet journal');
    }
  }

  /**
   * Expected vs realized profit of a round trip (same mint in and out), as running sums in USD
   * (reporting only; the atoms are on the report): expected = the quote's gain at send, realized =
   * the gain the chain reports minus network fees and tip (at the engine's SOL price). The USD
   * value of an atom of the round trip's mint is the order's own (notionalUsd / amountIn).
   */
  private reportProfit(order: Order, expected: Expected, realized: Realized, route: string): void {
    if (expected.inputMint !== expected.outputMint || order.amountIn <= 0n || !(order.notionalUsd > 0)) return;
    const solUsd = this.deps.solUsd?.();
    if (solUsd === undefined || !Number.isFinite(solUsd)) return;
    const usdPerAtom = order.notionalUsd / Number(order.amountIn);
    const labels = { executor: this.name, route };
    metrics.execution.expectedProfit.inc(labels, Number(expected.amountOut - expected.amountIn) * usdPerAtom);
    metrics.execution.realizedProfit.inc(labels, Number(realized.amountOut - realized.amountIn) * usdPerAtom - (Number(realized.networkFeeLamports) / 1e9) * solUsd);
  }

  /** Reads the landed transactions' meta and sets realized beside expected. */
  async reconcile(order: Order, entry: LiveSubmissionEntry, signatures: string[], slot: number, routeRule?: string): Promise<LiveReport> {
    const deltas = [];
    for (const sig of signatures) {
      const tx = await this.deps.rpc.getTransaction(sig);
      if (!tx) throw new SolrulesError('EXEC_TX_NOT_FOUND', `landed transaction ${sig} is not returned by getTransaction`, { signature: sig });
      deltas.push(walletDelta(tx, entry.wallet));
    }
    const expected = expectedFromJson(entry.expected);
    const tip = BigInt(entry.tipLamports);
    const realized: Realized = realize(deltas, entry.wallet, expected, tip);
    const bps = this.deps.accuracy ? this.deps.accuracy.record(entry.venue, entry.route, expected.amountOut, realized.amountOut) : shortfallBps(expected.amountOut, realized.amountOut);
    const reconciliation: Reconciliation = {
      venue: entry.venue,
      route: entry.route,
      expectedAmountIn: expected.amountIn.toString(),
      realizedAmountIn: realized.amountIn.toString(),
      expectedAmountOut: expected.amountOut.toString(),
      realizedAmountOut: realized.amountOut.toString(),
      ...(expected.profitLamports !== undefined ? { expectedProfitLamports: expected.profitLamports.toString() } : {}),
      realizedProfitLamports: realized.profitLamports.toString(),
      shortfallBps: bps,
      tipLamports: tip.toString(),
      feeLamports: (realized.networkFeeLamports - tip).toString(),
      computeUnits: realized.computeUnits,
      signatures,
      ...(realized.otherTokens.size ? { otherTokenDeltas: Object.fromEntries([...realized.otherTokens].map(([m, d]) => [m, d.toString()])) } : {}),
    };
    if (realized.otherTokens.size) this.log.warn({ orderId: order.id, otherTokenDeltas: reconciliation.otherTokenDeltas }, 'the landed transaction also moved other tokens of the wallet (it landed on a pool state other than the quoted one)');
    if (tip > 0n) metrics.execution.tips.inc({ executor: this.name }, Number(tip));
    this.reportProfit(order, expected, realized, routeRule ?? entry.route);
    this.log.info({ orderId: order.id, signatures, expectedOut: reconciliation.expectedAmountOut, realizedOut: reconciliation.realizedAmountOut, shortfallBps: bps }, 'landed and reconciled');
    return {
      ...this.base(order),
      status: 'filled',
      amountIn: realized.amountIn,
      amountOut: realized.amountOut,
      networkFeeLamports: realized.networkFeeLamports,
      signature: signatures[signatures.length - 1]!,
      slot,
      reconciliation,
      ...(entry.bundleId ? { bundleId: entry.bundleId } : {}),
    };
  }

  /**
   * After a restart: an order found `submitted` with journal entries is checked on chain. A
   * landed attempt is reconciled; a pending one is followed until it lands or its blockhash
   * passes; only when every attempt is known not to have landed does it report `not-landed`,
   * and then the caller may start attempt `nextAttempt` — never a blind resend.
   */
  async resume(routed: RoutedOrder, entries: readonly SubmissionEntry[]): Promise<{ kind: 'settled'; report: LiveReport } | { kind: 'not-landed'; nextAttempt: number }> {
    const { order } = routed;
    const last = entries[entries.length - 1] as LiveSubmissionEntry;
    this.deps.workers.hold(order.id, last.wallet);
    let keep = false;
    try {
      // What the restart learned is settled in the wallet ledger too, as a send's own outcome is: the
      // previous run journalled the send there and cannot settle it any more.
      for (const e of entries as LiveSubmissionEntry[]) {
        const statuses = await this.deps.rpc.getSignatureStatuses(e.signatures);
        const landed = statuses.every((s) => s && !s.err);
        const failedAt = statuses.findIndex((s) => s?.err);
        const failed = statuses[failedAt];
        if (failed) {
          // Landed and failed: it was still charged its fee.
          await this.settleWallets(e, { kind: 'failed-on-chain', signature: e.signatures[failedAt]!, slot: failed.slot, reason: JSON.stringify(failed.err) });
          return { kind: 'settled', report: { ...this.base(order), status: 'failed', reason: `found on chain after restart, failed: ${JSON.stringify(failed.err)}`, signature: e.signatures[failedAt]!, slot: failed.slot, retryable: false, attempts: e.attempt, networkFeeLamports: await this.landedCost(e.signatures.filter((_, i) => statuses[i]), e.wallet) } };
        }
        if (landed) {
          await this.settleWallets(e, { kind: 'landed', signatures: e.signatures, slot: statuses[0]!.slot });
          return { kind: 'settled', report: { ...(await this.reconcile(order, e, e.signatures, statuses[0]!.slot, routed.route.ruleId)), attempts: e.attempt } };
        }
      }
      // Not (yet) on chain: follow the latest attempt until it lands or cannot any more.
      const lastSignature = last.signatures[last.signatures.length - 1]!;
      const outcome = await this.deps.monitor.wait(lastSignature, last.lastValidBlockHeight);
      if (outcome.kind === 'confirmed') {
        await this.settleWallets(last, { kind: 'landed', signatures: last.signatures, slot: outcome.slot });
        return { kind: 'settled', report: { ...(await this.reconcile(order, last, last.signatures, outcome.slot, routed.route.ruleId)), attempts: last.attempt } };
      }
      if (outcome.kind === 'failed') {
        await this.settleWallets(last, { kind: 'failed-on-chain', signature: lastSignature, slot: outcome.slot, reason: JSON.stringify(outcome.err) });
        return { kind: 'settled', report: { ...this.base(order), status: 'failed', reason: `failed on chain: ${JSON.stringify(outcome.err)}`, signature: lastSignature, slot: outcome.slot, retryable: false, attempts: last.attempt, networkFeeLamports: await this.landedCost([lastSignature], last.wallet) } };
      }
      if (outcome.kind === 'timeout') {
        keep = true;
        return { kind: 'settled', report: { ...this.base(order), status: 'failed', reason: 'after restart: confirmation timed out; not resent (it may still land)', retryable: false, attempts: last.attempt } };
      }
      return { kind: 'not-landed', nextAttempt: last.attempt + 1 };
    } finally {
      if (!keep) this.deps.workers.release(order.id);
    }
  }

  async close(): Promise<void> {
    await this.deps.submitter.close();
  }
}

/**
 * The wallet manager: wallets.yaml, its loaded keys, the configured mints as the chain has them
 * and the ledger, together — what `wallets fund|sweep|status|explain` and the balance scanner
 * work on. The journal lives under `.solrules/` beside wallets.yaml unless told otherwise.
 */
import { join } from 'node:path';
import type { Cache } from '../infra/cache/index.ts';
import type { WalletSettlements } from '../infra/store/index.ts';
import { SolrulesError } from '../errors/index.ts';
import type { WalletsConfig } from './config.ts';
import { Keystore } from './keystore.ts';
import { readMints, type JsonRpc, type MintInfo } from './chain.ts';
import { SOL, WalletLedger } from './ledger.ts';
import { checkTreasureCovers, fundingPlan, managedWallets, readHoldings, sweepPlan, type Holding, type ManagedWallet, type Plan } from './plan.ts';
import { baselineUnknown, executePlan, resolvePending, settleSignature, type TransferResult } from './transfers.ts';
import { walletStatus, type StatusRow } from './status.ts';
import { BalanceScanner, type ScannerOptions } from './scanner.ts';
import { countRebalances, rebalancePlans, type RebalanceDecision } from './rebalance.ts';
import type { Evaluator } from '../rules/index.ts';

export interface WalletManagerOptions {
  cfg: WalletsConfig;
  /** Directory of wallets.yaml: relative key files and the default journal resolve against it. */
  baseDir: string;
  rpc: JsonRpc;
  cache?: Cache;
  /** The run's store: the authority on which journal line settled a send (the cache's markers are only a fast path). */
  settlements?: WalletSettlements;
  journalPath?: string;
  env?: NodeJS.ProcessEnv;
}

/** SPL token account size: its rent-exempt minimum is what creating an ATA costs. */
const TOKEN_ACCOUNT_SIZE = 165;

export function defaultJournalPath(baseDir: string): string {
  return join(baseDir, '.solrules', 'wallets-journal.jsonl');
}

export class WalletManager {
  private constructor(
    readonly cfg: WalletsConfig,
    readonly keystore: Keystore,
    readonly managed: ManagedWallet[],
    readonly treasure: ManagedWallet,
    readonly mints: MintInfo[],
    readonly ledger: WalletLedger,
    private readonly rpc: JsonRpc,
    private readonly cache: Cache | undefined,
  ) {}

  /** Loads every key (a bad one is a typed error before anything is read or sent), the mints, and the journal. */
  static async open(o: WalletManagerOptions): Promise<WalletManager> {
    const keystore = Keystore.load(o.cfg, { baseDir: o.baseDir, ...(o.env ? { env: o.env } : {}) });
    const managed = managedWallets(o.cfg, keystore);
    const treasures = managed.filter((w) => w.tier === 'treasure');
    if (treasures.length !== 1) throw new SolrulesError('WALLET_TREASURE_COUNT', `wallets.yaml needs exactly one treasure-tier wallet to fund from; found ${treasures.length}`, { tier: 'treasure', found: treasures.map((t) => t.name) });
    const mints = await readMints(o.rpc, o.cfg.mints ?? {});
    const ledger = new WalletLedger(o.journalPath ?? defaultJournalPath(o.baseDir), o.cache, treasures[0]!.address, o.settlements);
    await ledger.sync();
    return new WalletManager(o.cfg, keystore, managed, treasures[0]!, mints, ledger, o.rpc, o.cache);
  }

  async holdings(): Promise<Map<string, Holding>> {
    return (await readHoldings(this.rpc, this.managed, this.mints)).holdings;
  }

  private async rent(): Promise<bigint> {
    return BigInt(await this.rpc.call<number>('getMinimumBalanceForRentExemption', [TOKEN_ACCOUNT_SIZE]));
  }

  /** One fund or sweep at a time per treasure, across processes sharing the cache. */
  private async exclusive<T>(op: string, body: () => Promise<T>): Promise<T> {
    const lease = await this.cache?.acquireLock(`wallets:${this.treasure.address}:transfers`, 120_000);
    if (this.cache && !lease) throw new SolrulesError('WALLET_BUSY', `another process is funding or sweeping from treasure '${this.treasure.name}'; ${op} refused`, { op, wallet: this.treasure.name });
    try {
      return await body();
    } finally {
      await lease?.release();
    }
  }

  /**
   * Money arriving in the treasure is how operators top it up: more than expected is recorded as
   * a deposit (journalled, not a hold). Less than expected is not explained here.
   */
  async acceptTreasureDeposits(holdings: Map<string, Holding>): Promise<number> {
    const h = holdings.get(this.treasure.address)!;
    let n = 0;
    for (const [mint, actual] of [[SOL, h.lamports] as const, ...this.mints.map((m) => [m.address, h.tokens.get(m.address)!.atoms] as const)]) {
      const expected = this.ledger.expected(this.treasure.address, mint);
      if (expected === undefined || actual <= expected || this.ledger.isPending(this.treasure.address)) continue;
      await this.ledger.record({ kind: 'explained', at: new Date().toISOString(), wallet: this.treasure.name, address: this.treasure.address, asset: mint, expected: expected.toString(), actual: actual.toString(), reason: 'deposit to the treasure (accepted automatically)' });
      n++;
    }
    return n;
  }

  /** Plans a fund or sweep from fresh balances, refusing it (nothing sent) when the treasure cannot cover it. */
  async plan(op: 'fund' | 'sweep'): Promise<{ plan: Plan; holdings: Map<string, Holding> }> {
    const holdings = await this.holdings();
    const rent = await this.rent();
    // A wallet on hold is neither funded nor swept until its difference is explained.
    const free = this.managed.filter((w) => !this.ledger.hold(w.address));
    const plan = op === 'fund' ? fundingPlan(free, holdings, { tokenAccountRent: rent }) : sweepPlan(free, holdings, this.treasure, { tokenAccountRent: rent });
    checkTreasureCovers(plan, this.treasure, holdings.get(this.treasure.address)!, this.mints);
    return { plan, holdings };
  }

  /** Settles what a previous run left in flight, records first-seen balances, then funds or sweeps. */
  async run(op: 'fund' | 'sweep'): Promise<{ plan: Plan; results: TransferResult[]; settled: { confirmed: number; failed: number }; baselined: number; ms: number }> {
    return this.exclusive(op, async () => {
      const started = performance.now();
      await this.ledger.sync(); // what other processes journalled (holds, explanations) counts
      const settled = await resolvePending(this.rpc, this.ledger, this.managed, this.mints);
      const before = await this.holdings();
      const baselined = await baselineUnknown(this.ledger, this.managed, this.mints, before);
      await this.acceptTreasureDeposits(before);
      const held = this.ledger.hold(this.treasure.address);
      if (held) throw new SolrulesError('WALLET_ON_HOLD', `treasure '${this.treasure.name}' is on hold (${held.asset === SOL ? 'SOL' : held.asset}: expected ${held.expected}, found ${held.actual}); explain it before funding or sweeping`, { wallet: this.treasure.name, op });
      const { plan } = await this.plan(op);
      const results = await executePlan(this.rpc, this.ledger, plan, { treasure: this.treasure, managed: this.managed, mints: this.mints });
      return { plan, results, settled, baselined, ms: performance.now() - started };
    });
  }

  /**
   * Runs the wallet rules (an evaluator over a `kind: wallets` rule file; the engine's rule set
   * hands the current one, so a reload applies on the next run) and carries out their top-ups
   * and sweeps, journalled like every transfer.
   */
  async rebalance(evaluator: Evaluator): Promise<{ decisions: RebalanceDecision[]; results: TransferResult[] }> {
    return this.exclusive('rebalance', async () => {
      await this.ledger.sync();
      await resolvePending(this.rpc, this.ledger, this.managed, this.mints);
      const holdings = await this.holdings();
      await baselineUnknown(this.ledger, this.managed, this.mints, holdings);
      const { decisions, topUps, sweeps } = await rebalancePlans(evaluator, this.managed, holdings, this.ledger);
      checkTreasureCovers(topUps, this.treasure, holdings.get(this.treasure.address)!, this.mints);
      checkTreasureCovers(sweeps, this.treasure, holdings.get(this.treasure.address)!, this.mints);
      const ctx = { treasure: this.treasure, managed: this.managed, mints: this.mints };
      const results = [...(await executePlan(this.rpc, this.ledger, topUps, ctx)), ...(await executePlan(this.rpc, this.ledger, sweeps, ctx))];
      countRebalances([...topUps.steps, ...sweeps.steps]);
      return { decisions, results };
    });
  }

  async status(): Promise<StatusRow[]> {
    await this.ledger.sync();
    return walletStatus(this.managed, this.mints, await this.holdings(), this.ledger);
  }

  /** Accepts a wallet's current balances as expected (the operator explains the difference) and lifts its hold. */
  async explain(walletName: string, reason: string): Promise<{ asset: string; expected: string; actual: string }[]> {
    const w = this.managed.find((x) => x.name === walletName);
    if (!w) throw new SolrulesError('WALLET_UNKNOWN', `no wallet named '${walletName}' in wallets.yaml`, { wallet: walletName, known: this.managed.map((x) => x.name) });
    if (reason.trim() === '') throw new SolrulesError('WALLET_EXPLAIN_REASON', 'explaining a difference needs a reason (--reason)', { wallet: walletName });
    await this.ledger.sync();
    const h = (await this.holdings()).get(w.address)!;
    const out: { asset: string; expected: string; actual: string }[] = [];
    const assets: [string, string, bigint][] = [['SOL', SOL, h.lamports], ...this.mints.map((m) => [m.name, m.address, h.tokens.get(m.address)!.atoms] as [string, string, bigint])];
    const hold = this.ledger.hold(w.address);
    for (const [name, mint, actual] of assets) {
      const expected = this.ledger.expected(w.address, mint);
      if (expected === undefined) continue;
      // The held asset is always explained, so the hold lifts even when the balance came back by itself.
      if (expected === actual && hold?.asset !== mint) continue;
      await this.ledger.record({ kind: 'explained', at: new Date().toISOString(), wallet: w.name, address: w.address, asset: mint, expected: expected.toString(), actual: actual.toString(), reason });
      out.push({ asset: name, expected: expected.toString(), actual: actual.toString() });
    }
    return out;
  }

  /**
   * An execution (a trade) is about to be broadcast from `wallets`: journalled as `sent` first,
   * so the scanner does not judge those wallets until `settleExecution` records its exact deltas.
   */
  async beginExecution(signature: string, lastValidBlockHeight: number, walletNames: readonly string[], orderId: string): Promise<void> {
    const touches = walletNames.map((n) => {
      const w = this.managed.find((x) => x.name === n);
      if (!w) throw new SolrulesError('WALLET_UNKNOWN', `no wallet named '${n}' in wallets.yaml`, { wallet: n });
      return w.address;
    });
    await this.ledger.record({ kind: 'sent', at: new Date().toISOString(), op: 'execution', planId: orderId, signature, lastValidBlockHeight, transfers: [], touches });
  }

  /** Waits for an execution begun with `beginExecution` and records what it changed (or that it failed). */
  async settleExecution(signature: string): Promise<{ ok: boolean; error?: string }> {
    await this.ledger.sync();
    const p = this.ledger.pending().find((x) => x.signature === signature);
    if (!p) throw new SolrulesError('WALLET_UNKNOWN_EXECUTION', `signature ${signature} was not begun with beginExecution (or is already settled)`, { signature });
    return settleSignature(this.rpc, this.ledger, signature, p.lastValidBlockHeight, this.managed, this.mints);
  }

  /**
   * The executors' hooks (executors' `ExecutionWallets`), by wallet address: a send is journalled
   * `sent` before broadcast (the scanner leaves the wallet alone while it is in flight) and
   * settled with its exact deltas from the chain — a transaction that failed on chain still cost
   * its fee — or as failed when the executor knows it never landed.
   */
  executionHooks(): {
    begin(signatures: readonly string[], lastValidBlockHeight: number, wallet: string, orderId: string): Promise<void>;
    settle(signatures: readonly string[], outcome: 'landed' | 'failed-on-chain' | 'not-landed', lastValidBlockHeight: number): Promise<void>;
  } {
    return {
      begin: async (signatures, lastValidBlockHeight, wallet, orderId) => {
        for (const signature of signatures) await this.ledger.record({ kind: 'sent', at: new Date().toISOString(), op: 'execution', planId: orderId, signature, lastValidBlockHeight, transfers: [], touches: [wallet] });
      },
      settle: async (signatures, outcome, lastValidBlockHeight) => {
        for (const signature of signatures) {
          if (outcome === 'not-landed') await this.ledger.record({ kind: 'failed', at: new Date().toISOString(), signature, error: 'not landed: refused or expired before landing (the executor followed it)' });
          else await settleSignature(this.rpc, this.ledger, signature, lastValidBlockHeight, this.managed, this.mints);
        }
      },
    };
  }

  /** Records the first-seen balance of every (wallet, asset) without an expectation (what a run starts from). */
  async baseline(): Promise<number> {
    await this.ledger.sync();
    return baselineUnknown(this.ledger, this.managed, this.mints, await this.holdings());
  }

  /** A balance scanner over these wallets (tolerances and interval from wallets.yaml `scanner:` unless given). */
  scanner(opts: ScannerOptions = {}): BalanceScanner {
    const s = this.cfg.scanner ?? {};
    return new BalanceScanner(this.rpc, this.ledger, this.managed, this.mints, {
      ...(s.intervalMs !== undefined ? { intervalMs: s.intervalMs } : {}),
      ...(s.toleranceLamports !== undefined ? { toleranceLamports: BigInt(s.toleranceLamports) } : {}),
      ...(s.toleranceAtoms !== undefined ? { toleranceAtoms: BigInt(s.toleranceAtoms) } : {}),
      ...opts,
    });
  }
}

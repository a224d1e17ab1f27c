/**
 * The wallets inside a chain run: the balance scanner watches every wallet of wallets.yaml
 * (discrepancies on the bus, holds, the solrules_wallet_* metrics, balance history in the store),
 * the rebalancer runs the wallet rules (`kind: wallets`, taken from the current rule set at each
 * pass, so a reload applies) on an interval — only in a --live run: a dry run sends nothing —
 * and P&L snapshots of every strategy go to the store on an interval and at shutdown.
 */
import { dirname } from 'node:path';
import type { Bus } from '../infra/bus/index.ts';
import type { Cache } from '../infra/cache/index.ts';
import { isSolrulesError } from '../errors/index.ts';
import { RpcPool } from '../executors/index.ts';
import type { ConfigHolder } from '../config/index.ts';
import type { Store, WalletSettlements } from '../infra/store/index.ts';
import type { Evaluator } from '../rules/index.ts';
import type { Logger } from '../infra/telemetry/index.ts';
import { WalletManager, type BalanceScanner, type HoldSource, type WalletsConfig } from '../wallets/index.ts';
import type { TradingEngine } from './engine.ts';

export interface WalletWatchOptions {
  manager: WalletManager;
  bus: Bus;
  store: Pick<Store, 'recordWalletBalance' | 'recordPnl'>;
  engine: TradingEngine;
  holder: ConfigHolder;
  /** --live: the rebalancer sends top-ups and sweeps. Otherwise the scanner only watches. */
  live: boolean;
  /** Account subscriptions (default: the interval alone). */
  wsUrl?: string;
  /** The wallet rules when the project's rule set has none (the demo: the repo's rules/wallets.yaml). */
  fallbackRules?: Evaluator;
  /** Rebalancer pass interval (default 10 s). */
  rebalanceMs?: number;
  /** P&L snapshot interval (default 30 s). */
  snapshotMs?: number;
  log: Logger;
}

/** A wallet is on hold while the ledger says so: what the worker pool asks before handing a worker out. */
export function holdsOf(manager: WalletManager): HoldSource {
  return { isOnHold: (address) => manager.ledger.hold(address) !== undefined };
}

/** The wallet rules of the current rule set (a `kind: wallets` file), if it has one. */
export function walletRulesOf(holder: ConfigHolder): Evaluator | undefined {
  const rs = holder.current.ruleSet;
  const file = rs.files.find((f) => f.kind === 'wallets');
  return file ? rs.evaluators.get(file.id) : undefined;
}

export class WalletWatch {
  readonly scanner: BalanceScanner;
  private timers: NodeJS.Timeout[] = [];
  private rebalancing: Promise<unknown> | undefined;
  private lastSnapshot = '';
  rebalances = 0;
  snapshots = 0;

  constructor(private readonly o: WalletWatchOptions) {
    this.scanner = o.manager.scanner({ bus: o.bus, history: o.store, ...(o.wsUrl ? { wsUrl: o.wsUrl } : {}) });
  }

  /** What a run starts from: first-seen balances journalled, the first scan, then the intervals. */
  async start(): Promise<void> {
    await this.o.manager.baseline();
    await this.scanner.start();
    if (this.o.live) {
      if (!walletRulesOf(this.o.holder) && !this.o.fallbackRules) this.o.log.warn({}, 'no wallet rules (kind: wallets) in this project: nothing tops up or sweeps the wallets during this run');
      this.timers.push(setInterval(() => void (this.rebalancing ? undefined : this.rebalance()), this.o.rebalanceMs ?? 10_000));
    }
    this.timers.push(setInterval(() => void this.snapshotPnl(false).catch((err) => this.o.log.error({ err: String(err) }, 'P&L snapshot failed')), this.o.snapshotMs ?? 30_000));
  }

  /**
   * One rebalancer pass with the current wallet rules. While one runs, the call waits for it and
   * then runs its own: a pass that began before an explanation (or a reload) is not taken for one after it.
   */
  async rebalance(): Promise<void> {
    while (this.rebalancing) await this.rebalancing;
    const rules = walletRulesOf(this.o.holder) ?? this.o.fallbackRules;
    if (!rules) return;
    this.rebalancing = this.o.manager
      .rebalance(rules)
      .then((r) => {
        this.rebalances += r.results.length;
        if (r.results.length) this.o.log.info({ transfers: r.results.map((t) => ({ wallet: t.wallet, lamports: t.lamports, signature: t.signature })) }, 'wallet rules rebalanced');
      })
      .catch((err) => this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'wallet rebalance failed'))
      .finally(() => (this.rebalancing = undefined));
    await this.rebalancing;
  }

  /**
   * One P&L row per strategy and mint its planner reports realized atoms for (exact), when any
   * changed since the last snapshot — always at shutdown.
   */
  async snapshotPnl(force: boolean): Promise<number> {
    const { engine } = this.o;
    const price = engine.price?.usd ?? 0;
    const at = new Date().toISOString();
    const rows: { strategy: string; mint: string; realizedAtoms: bigint; realizedUsd?: number }[] = [];
    for (const [strategy, planner] of engine.planners) {
      const pnl = planner.pnl(price, 1);
      const byMint = Object.entries(pnl.realizedAtoms ?? {});
      for (const [mint, atoms] of byMint) rows.push({ strategy, mint, realizedAtoms: atoms, ...(byMint.length === 1 ? { realizedUsd: pnl.realizedUsd } : {}) });
    }
    const key = rows.map((r) => `${r.strategy}:${r.mint}:${r.realizedAtoms}`).join(',');
    if (!force && key === this.lastSnapshot) return 0;
    this.lastSnapshot = key;
    for (const r of rows) await this.o.store.recordPnl({ ...r, at });
    this.snapshots += rows.length;
    return rows.length;
  }

  /** Stops the intervals and the scanner, waits for a rebalance in progress, writes the last P&L snapshot. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.rebalancing;
    await this.scanner.stop();
    await this.snapshotPnl(true);
  }
}

/**
 * wallets.yaml's manager for a chain run (keys loaded, mints read from the chain, the journal
 * beside it), or undefined with the reason said: no wallets.yaml, or no treasure wallet to
 * judge and fund from. Expected balances are kept in `cache` (SOLRULES_CACHE: Redis shares them with
 * every process of the deployment); which journal line settled each send, in `settlements` (the
 * run's store: a cache that lost data cannot settle a send twice). Keys that do not load are an error in a --live run, a warning in a dry run.
 */
export async function openRunWallets(o: { wallets: { config: WalletsConfig; src: { file: string } } | undefined; rpcUrl: string; live: boolean; say: (s: string) => void; cache?: Cache; settlements?: WalletSettlements }): Promise<WalletManager | undefined> {
  if (!o.wallets) {
    o.say('wallets: no wallets.yaml in this project — no balance scanner, no rebalancing');
    return undefined;
  }
  if (!o.wallets.config.wallets.some((w) => w.tier === 'treasure')) {
    o.say(`wallets: ${o.wallets.src.file} has no treasure-tier wallet — the balance scanner and the rebalancer need one (expected balances are kept per treasure); they do not run`);
    return undefined;
  }
  try {
    return await WalletManager.open({ cfg: o.wallets.config, baseDir: dirname(o.wallets.src.file), rpc: new RpcPool([o.rpcUrl]), ...(o.cache ? { cache: o.cache } : {}), ...(o.settlements ? { settlements: o.settlements } : {}) });
  } catch (err) {
    if (o.live || !isSolrulesError(err)) throw err;
    o.say(`wallets: not watched in this dry run: ${err.message} [${err.code}]`);
    return undefined;
  }
}

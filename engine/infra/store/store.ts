/**
 * The store: orders and their lifecycle, submissions, execution reports and fills, P&L,
 * strategy state, rule-set versions, wallet balance history and market snapshots. Embedded
 * (memory, PGlite) and server (PostgreSQL) implementations run one contract suite
 * (test/infra/store/contract.ts); the engine only sees this interface.
 *
 * Every write is idempotent or reports what it did (`insertOrder`, `recordExecution`,
 * `recordSubmission` return false for a second attempt), so a write retried after a lost
 * connection never applies twice.
 */
import type { Order } from '../../orders/index.ts';

export type OrderStatus =
  | 'decided' // recorded, not yet routed
  | 'blocked' // refused by a risk rule
  | 'routed' // an executor was chosen
  | 'submitted' // handed to the chain / block engine (recorded before sending)
  | 'filled'
  | 'failed'
  | 'expired'
  | 'dead-lettered';

export const ORDER_STATUSES: readonly OrderStatus[] = ['decided', 'blocked', 'routed', 'submitted', 'filled', 'failed', 'expired', 'dead-lettered'];

/** Statuses after which nothing more happens to an order. */
export const FINAL_ORDER_STATUSES: readonly OrderStatus[] = ['blocked', 'filled', 'failed', 'expired', 'dead-lettered'];

export interface StoredOrder {
  order: Order;
  status: OrderStatus;
  executor?: string;
  reason?: string;
  updatedAt: string;
}

/** One leg of a fill (a split or multi-hop execution has several). Amounts are atoms. */
export interface Fill {
  inputMint: string;
  outputMint: string;
  amountIn: bigint;
  amountOut: bigint;
  venue?: string;
}

/** What an executor reports for one order. Amounts are atoms of the order's input / output mints. */
export interface ExecutionReport {
  orderId: string;
  executor: string;
  status: 'filled' | 'failed' | 'expired' | 'rejected';
  amountIn: bigint;
  amountOut: bigint;
  /** Fee charged, in input-mint atoms (swap fees). */
  feeAtoms: bigint;
  /** Network fees + tips paid, in lamports. */
  networkFeeLamports: bigint;
  /** Base-token price the fill happened at (USD). */
  fillPriceUsd?: number;
  signature?: string;
  bundleId?: string;
  slot?: number;
  reason?: string;
  /** True for paper fills: nothing was sent to a chain. */
  simulated: boolean;
  at: string;
  /** Legs of the fill, when the executor knows them. */
  fills?: Fill[];
}

/** A submission attempt, recorded *before* the transaction or bundle is sent. */
export interface Submission {
  orderId: string;
  /** 1 for the first send; a rebuilt transaction (new blockhash) is the next attempt. */
  attempt: number;
  executor: string;
  /** Engine process that sent it (for recovery after a crash). */
  workerId?: string;
  wallet?: string;
  signature?: string;
  bundleId?: string;
  at: string;
}

/** Realized profit or loss of one closed position or fill, in atoms of `mint` (negative = loss). */
export interface PnlEntry {
  strategy: string;
  orderId?: string;
  mint: string;
  realizedAtoms: bigint;
  /** The same in USD at the time, for reports (not for money arithmetic). */
  realizedUsd?: number;
  at: string;
}

export interface WalletBalance {
  wallet: string;
  mint: string;
  atoms: bigint;
  slot?: number;
  at: string;
}

/** A point of a market time series (a price, a pool state); `data` is JSON (atoms as strings). */
export interface MarketSnapshot {
  /** Mint, pool address or pair the snapshot is about. */
  market: string;
  kind: string;
  at: string;
  data: unknown;
}

export interface RuleSetVersion {
  hash: string;
  /** Canonical JSON of the files and params applied. */
  content: string;
  /** Where the change came from: a file path, `startup`, `admin`. */
  source: string;
  appliedAt: string;
}

/**
 * A fencing token from a cache lock (`LockLease.fencingToken`) guarding a write: the store
 * refuses (STORE_FENCED) a write whose token is older than one it has already accepted for
 * the same resource, so a worker that lost its lock (paused, partitioned) cannot write.
 */
export interface Fence {
  resource: string;
  token: number;
}

export interface Store {
  /** Records a decided order; false when an order with the same id exists (the same decision twice). */
  insertOrder(order: Order, status?: OrderStatus): Promise<boolean>;
  updateOrderStatus(id: string, status: OrderStatus, detail?: { executor?: string; reason?: string }): Promise<void>;
  getOrder(id: string): Promise<StoredOrder | undefined>;
  listOrders(filter?: { status?: readonly OrderStatus[]; strategy?: string }): Promise<StoredOrder[]>;
  /** Records a submission attempt before sending; false when that (order, attempt) is already recorded. */
  recordSubmission(submission: Submission, opts?: { fence?: Fence }): Promise<boolean>;
  listSubmissions(orderId?: string): Promise<Submission[]>;
  /**
   * Records an order's final report (and its fills) and moves the order to the matching status
   * in one step; false when the order already has a report (a redelivered order).
   */
  recordExecution(report: ExecutionReport, opts?: { fence?: Fence }): Promise<boolean>;
  listExecutions(orderId?: string): Promise<ExecutionReport[]>;
  recordPnl(entry: PnlEntry): Promise<void>;
  listPnl(filter?: { strategy?: string }): Promise<PnlEntry[]>;
  /** Strategy state is a JSON value (atoms as decimal strings). */
  loadStrategyState<T = unknown>(strategy: string): Promise<T | undefined>;
  saveStrategyState(strategy: string, state: unknown): Promise<void>;
  recordRuleSet(version: RuleSetVersion): Promise<void>;
  /** Rule-set versions, oldest first. */
  listRuleSets(): Promise<RuleSetVersion[]>;
  recordWalletBalance(balance: WalletBalance): Promise<void>;
  /** A wallet's balance history, oldest first (optionally one mint, optionally since `from`). */
  walletBalanceHistory(wallet: string, opts?: { mint?: string; from?: string }): Promise<WalletBalance[]>;
  /** Stores market snapshots; one already stored for the same (market, kind, at) is kept. */
  recordMarketSnapshots(snapshots: readonly MarketSnapshot[]): Promise<void>;
  /** Snapshots of `market` with `from <= at < to`, oldest first. */
  listMarketSnapshots(query: { market: string; kind?: string; from: string; to: string }): Promise<MarketSnapshot[]>;
  /**
   * Removes the orders decided after `at` (their `createdAt`, engine time) with their submissions,
   * executions, fills and P&L, in one step: rolls a paper replay back to its last checkpoint so the
   * ticks after it run again exactly. Never for live orders (something may have been sent).
   */
  discardOrdersAfter(at: string): Promise<number>;
  close(): Promise<void>;
}

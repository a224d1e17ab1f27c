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
import type { ExecutionReport, Order, OrderStatus, StoredOrder } from '../../orders/index.ts';

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

/** Orders and where each stands (the coordinator, the engine, the executor worker). */
export interface OrderLog {
  /** Records a decided order; false when an order with the same id exists (the same decision twice). */
  insertOrder(order: Order, status?: OrderStatus): Promise<boolean>;
  updateOrderStatus(id: string, status: OrderStatus, detail?: { executor?: string; reason?: string }): Promise<void>;
  getOrder(id: string): Promise<StoredOrder | undefined>;
  listOrders(filter?: { status?: readonly OrderStatus[]; strategy?: string }): Promise<StoredOrder[]>;
  /**
   * Removes the orders decided after `at` (their `createdAt`, engine time) with their submissions,
   * executions, fills and P&L, in one step: rolls a paper replay back to its last checkpoint so the
   * ticks after it run again exactly. Never for live orders (something may have been sent).
   */
  discardOrdersAfter(at: string): Promise<number>;
}

/** Submissions and execution reports (the executor worker, recovery). */
export interface ExecutionLog {
  /** Records a submission attempt before sending; false when that (order, attempt) is already recorded. */
  recordSubmission(submission: Submission, opts?: { fence?: Fence }): Promise<boolean>;
  listSubmissions(orderId?: string): Promise<Submission[]>;
  /**
   * Records an order's final report (and its fills) and moves the order to the matching status
   * in one step; false when the order already has a report (a redelivered order).
   */
  recordExecution(report: ExecutionReport, opts?: { fence?: Fence }): Promise<boolean>;
  listExecutions(orderId?: string): Promise<ExecutionReport[]>;
}

/** Realized profit and loss. */
export interface PnlLedger {
  recordPnl(entry: PnlEntry): Promise<void>;
  listPnl(filter?: { strategy?: string }): Promise<PnlEntry[]>;
}

/** Each strategy's state between runs (the engine, the journal). */
export interface StrategyStateStore {
  /** Strategy state is a JSON value (atoms as decimal strings). */
  loadStrategyState<T = unknown>(strategy: string): Promise<T | undefined>;
  saveStrategyState(strategy: string, state: unknown): Promise<void>;
}

/** One strategy's part of an outbox write: its state, and the orders that state counts as sent. */
export interface OutboxEntry {
  strategy: string;
  state: unknown;
  orders: readonly Order[];
}

/**
 * Orders a planner decided but has not yet seen published (split roles). Stored in the same atomic
 * write as the strategy state that counts them as sent, so a planner killed between that write and
 * the publish leaves them here for the strategy's next owner to publish again (their ids are
 * deterministic: a copy that did go out dies at the bus msgId and at `insertOrder`).
 */
export interface OrderOutbox {
  /**
   * Group commit: several strategies' states and outbox additions, and the removal of orders seen
   * published, in one atomic write (all or none; one statement on SQL, so one round trip). Entries
   * apply in turn: a strategy named twice keeps its last state and gets all its orders, in order.
   * `published` ids not in an outbox are ignored, and so is one that this write also adds (it is
   * there again, to be published again: removed once seen published).
   */
  writeOutbox(entries: readonly OutboxEntry[], published?: readonly string[]): Promise<void>;
  /** The orders in a strategy's outbox, in the order they were added. */
  listOutbox(strategy: string): Promise<Order[]>;
  /** Removes published orders from a strategy's outbox (ids not in it are ignored). */
  clearOutbox(strategy: string, orderIds: readonly string[]): Promise<void>;
  /** The strategies whose outbox holds at least one order, sorted (a planner's start looks for those no planner runs any more). */
  outboxStrategies(): Promise<string[]>;
}

/**
 * Which journal line settled each wallet send (the wallet ledger's settlements). The cache's
 * settled markers are the shared fast path and a cache that loses data forgets them; this durable
 * record is the authority, so a send is settled once even when the cache forgot it was.
 */
export interface WalletSettlements {
  /**
   * Claims the settlement of `signature` (in a wallet set's `namespace`) for `claimant` (a journal
   * line); true when it is that claimant's, now or already (a retry, a replay of the same line).
   */
  claimWalletSettlement(namespace: string, signature: string, claimant: string): Promise<boolean>;
}

/** Rule-set versions applied. */
export interface RuleSetStore {
  recordRuleSet(version: RuleSetVersion): Promise<void>;
  /** Rule-set versions, oldest first. */
  listRuleSets(): Promise<RuleSetVersion[]>;
}

/** Wallet balance history. */
export interface WalletHistory {
  recordWalletBalance(balance: WalletBalance): Promise<void>;
  /** A wallet's balance history, oldest first (optionally one mint, optionally since `from`). */
  walletBalanceHistory(wallet: string, opts?: { mint?: string; from?: string }): Promise<WalletBalance[]>;
}

/** How much history a starting engine reads: rows at or after `since` (ISO time), at most the newest `limit`. */
export interface HistoryBound {
  since?: string;
  limit: number;
}

/**
 * Recent history read at start, each query bounded by time and count (oldest first): a store
 * holding years of trades starts as fast as one holding a day's.
 */
export interface RecentHistory {
  recentExecutions(bound: HistoryBound): Promise<ExecutionReport[]>;
  recentPnl(bound: HistoryBound): Promise<PnlEntry[]>;
  recentWalletBalances(bound: HistoryBound): Promise<WalletBalance[]>;
  recentRuleSets(bound: HistoryBound): Promise<RuleSetVersion[]>;
}

/** Market time series. */
export interface MarketHistory {
  /** Stores market snapshots; one already stored for the same (market, kind, at) is kept. */
  recordMarketSnapshots(snapshots: readonly MarketSnapshot[]): Promise<void>;
  /** Snapshots of `market` with `from <= at < to`, oldest first. */
  listMarketSnapshots(query: { market: string; kind?: string; from: string; to: string }): Promise<MarketSnapshot[]>;
}

/**
 * The whole store: every role, as the implementations (memory, PGlite, PostgreSQL) provide it
 * and the process that opens it holds it. A component depends on the roles it uses.
 */
export interface Store extends OrderLog, ExecutionLog, PnlLedger, StrategyStateStore, OrderOutbox, WalletSettlements, RuleSetStore, WalletHistory, MarketHistory, RecentHistory {
  close(): Promise<void>;
}

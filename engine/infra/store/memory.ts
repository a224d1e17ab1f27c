/** In-memory store: state lives as long as the process (tests, and runs that ask for no persistence). */
import { SolrulesError } from '../../errors/index.ts';
import { orderFromJson, orderToJson, type Order, type OrderJson, type ExecutionReport, type OrderStatus, type StoredOrder } from '../../orders/index.ts';
import type { Fence, HistoryBound, MarketSnapshot, OutboxEntry, PnlEntry, RuleSetVersion, Store, Submission, WalletBalance } from './store.ts';
import { checkStatus, fencedError, isoTime, nonNegative, statusAfterExecution } from './values.ts';

/** The newest `bound.limit` rows at or after `bound.since` of a list sorted oldest first. */
function bounded<T>(sorted: T[], at: (row: T) => string, bound: HistoryBound): T[] {
  const since = bound.since === undefined ? undefined : isoTime(bound.since, 'since');
  const kept = since === undefined ? sorted : sorted.filter((r) => at(r) >= since);
  return bound.limit <= 0 ? [] : kept.slice(-bound.limit);
}

/** Byte-order comparison, as the SQL stores' `COLLATE "C"`. */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The wall clock as ISO text (rows' updatedAt), formatted once per millisecond: a backtest records
 * an order and updates its status several times within the same millisecond.
 */
let lastIso = { ms: NaN, text: '' };
function wallIso(): string {
  const ms = Date.now();
  if (ms !== lastIso.ms) lastIso = { ms, text: new Date(ms).toISOString() };
  return lastIso.text;
}

export interface MemoryStoreOptions {
  /**
   * Copy what goes in and comes out (default true), so a caller mutating an object it handed over
   * or read cannot change the stored row. False: rows are the callers' objects, for a private
   * store whose callers never mutate them (a backtest's engine: orders and reports are built once
   * and only read). Status updates still change the stored row, as with copies.
   */
  copies?: boolean;
}

export class MemoryStore implements Store {
  private readonly copy: <T>(value: T) => T;

  constructor(opts: MemoryStoreOptions = {}) {
    this.copy = opts.copies === false ? (v) => v : structuredClone;
  }

  private readonly orders = new Map<string, StoredOrder>();
  private readonly executions = new Map<string, ExecutionReport>();
  private readonly submissions = new Map<string, Submission>();
  /** The submissions of each order (a scan of all of them per order is quadratic over a long backtest). */
  private readonly submissionsByOrder = new Map<string, Submission[]>();
  private readonly pnl: PnlEntry[] = [];
  private readonly state = new Map<string, string>();
  /** Each strategy's outbox: order id → the order as JSON text, in insertion order. */
  private readonly outbox = new Map<string, Map<string, string>>();
  private readonly fences = new Map<string, number>();
  /** `namespace|signature` → the claimant that settled it. */
  private readonly settlements = new Map<string, string>();
  private readonly balances: WalletBalance[] = [];
  private readonly snapshots = new Map<string, MarketSnapshot>();
  readonly ruleSets: RuleSetVersion[] = [];

  async insertOrder(order: Order, status: OrderStatus = 'decided'): Promise<boolean> {
    checkStatus(status);
    if (this.orders.has(order.id)) return false;
    this.orders.set(order.id, { order: this.copy(order), status, updatedAt: wallIso() });
    return true;
  }

  async updateOrderStatus(id: string, status: OrderStatus, detail: { executor?: string; reason?: string } = {}): Promise<void> {
    checkStatus(status);
    const row = this.orders.get(id);
    if (!row) throw new SolrulesError('STORE_UNKNOWN_ORDER', `no order '${id}' in the store`, { orderId: id });
    row.status = status;
    if (detail.executor !== undefined) row.executor = detail.executor;
    if (detail.reason !== undefined) row.reason = detail.reason;
    row.updatedAt = wallIso();
  }

  async getOrder(id: string): Promise<StoredOrder | undefined> {
    const row = this.orders.get(id);
    // Without copies the row is still a new object: its status must not change under the caller.
    return row && (this.copy === structuredClone ? structuredClone(row) : { ...row });
  }

  async listOrders(filter: { status?: readonly OrderStatus[]; strategy?: string } = {}): Promise<StoredOrder[]> {
    return [...this.orders.values()]
      .filter((r) => (!filter.status || filter.status.includes(r.status)) && (!filter.strategy || r.order.strategy === filter.strategy))
      .map((r) => structuredClone(r));
  }

  /** Refuses a stale token, else remembers it as the newest seen (as the SQL stores' upsert does). */
  private fence(fence: Fence | undefined): void {
    if (!fence) return;
    const current = this.fences.get(fence.resource) ?? 0;
    if (fence.token < current) throw fencedError(fence.resource, fence.token, current);
    this.fences.set(fence.resource, fence.token);
  }

  async recordSubmission(submission: Submission, opts: { fence?: Fence } = {}): Promise<boolean> {
    const row = { ...submission, at: isoTime(submission.at, 'submission.at') };
    this.fence(opts.fence);
    const key = `${row.orderId}\u0000${row.attempt}`;
    if (this.submissions.has(key)) return false;
    this.submissions.set(key, row);
    const list = this.submissionsByOrder.get(row.orderId);
    if (list) list.push(row);
    else this.submissionsByOrder.set(row.orderId, [row]);
    return true;
  }

  async listSubmissions(orderId?: string): Promise<Submission[]> {
    return (orderId === undefined ? [...this.submissions.values()] : this.submissionsByOrder.get(orderId) ?? [])
      .filter((s) => !orderId || s.orderId === orderId)
      .sort((a, b) => cmp(a.at, b.at) || a.attempt - b.attempt)
      .map((s) => ({ ...s }));
  }

  async discardOrdersAfter(at: string): Promise<number> {
    const cut = isoTime(at, 'at');
    const ids = new Set([...this.orders.values()].filter((r) => r.order.createdAt > cut).map((r) => r.order.id));
    for (const id of ids) {
      this.orders.delete(id);
      this.executions.delete(id);
    }
    for (const [k, s] of this.submissions) if (ids.has(s.orderId)) this.submissions.delete(k);
    for (const id of ids) this.submissionsByOrder.delete(id);
    for (let i = this.pnl.length - 1; i >= 0; i--) if (this.pnl[i]!.orderId && ids.has(this.pnl[i]!.orderId!)) this.pnl.splice(i, 1);
    return ids.size;
  }

  async recordExecution(report: ExecutionReport, opts: { fence?: Fence } = {}): Promise<boolean> {
    for (const f of ['amountIn', 'amountOut', 'feeAtoms', 'networkFeeLamports'] as const) nonNegative(report[f], f);
    const fills = report.fills;
    // Every field but an empty fills list, `at` normalized; key by key (an object rest is a slow generic copy).
    const fields: Record<string, unknown> = {};
    for (const k in report) if (k !== 'fills' && Object.hasOwn(report, k)) fields[k] = (report as unknown as Record<string, unknown>)[k];
    if (fills?.length) fields.fills = fills;
    fields.at = isoTime(report.at, 'report.at');
    const row = this.copy(fields as unknown as ExecutionReport);
    for (const [i, fill] of (fills ?? []).entries()) {
      nonNegative(fill.amountIn, `fills[${i}].amountIn`);
      nonNegative(fill.amountOut, `fills[${i}].amountOut`);
    }
    this.fence(opts.fence);
    if (this.executions.has(report.orderId)) return false;
    this.executions.set(report.orderId, row);
    const order = this.orders.get(report.orderId);
    if (order) {
      order.status = statusAfterExecution(report.status);
      order.executor = report.executor;
      if (report.reason !== undefined) order.reason = report.reason;
      order.updatedAt = wallIso();
    }
    return true;
  }

  async listExecutions(orderId?: string): Promise<ExecutionReport[]> {
    // one execution per order: the map is keyed by order id
    if (orderId !== undefined) {
      const row = this.executions.get(orderId);
      return row ? [structuredClone(row)] : [];
    }
    return [...this.executions.values()]
      .filter((e) => !orderId || e.orderId === orderId)
      .sort((a, b) => cmp(a.at, b.at) || cmp(a.orderId, b.orderId))
      .map((e) => structuredClone(e));
  }

  async recordPnl(entry: PnlEntry): Promise<void> {
    this.pnl.push({ ...entry, at: isoTime(entry.at, 'pnl.at') });
  }

  async listPnl(filter: { strategy?: string } = {}): Promise<PnlEntry[]> {
    return this.pnl
      .filter((p) => !filter.strategy || p.strategy === filter.strategy)
      .map((p, i) => ({ p, i }))
      .sort((a, b) => cmp(a.p.at, b.p.at) || a.i - b.i)
      .map(({ p }) => ({ ...p }));
  }

  async loadStrategyState<T = unknown>(strategy: string): Promise<T | undefined> {
    const json = this.state.get(strategy);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async saveStrategyState(strategy: string, state: unknown): Promise<void> {
    this.state.set(strategy, JSON.stringify(state ?? null));
  }

  async writeOutbox(entries: readonly OutboxEntry[], published: readonly string[] = []): Promise<void> {
    // Everything serialized before anything is stored: a value that cannot be written leaves nothing.
    const writes = entries.map((e) => ({ strategy: e.strategy, json: JSON.stringify(e.state ?? null), rows: e.orders.map((o) => [o.id, JSON.stringify(orderToJson(o))] as const) }));
    const added = new Set(writes.flatMap((w) => w.rows.map(([id]) => id)));
    const removed = published.filter((id) => !added.has(id));
    if (removed.length) {
      const gone = new Set(removed);
      for (const [strategy, box] of this.outbox) {
        for (const id of box.keys()) if (gone.has(id)) box.delete(id);
        if (box.size === 0) this.outbox.delete(strategy);
      }
    }
    for (const { strategy, json, rows } of writes) {
      this.state.set(strategy, json);
      const box = this.outbox.get(strategy) ?? new Map<string, string>();
      for (const [id, row] of rows) if (!box.has(id)) box.set(id, row);
      if (box.size) this.outbox.set(strategy, box);
    }
  }

  async listOutbox(strategy: string): Promise<Order[]> {
    return [...(this.outbox.get(strategy)?.values() ?? [])].map((j) => orderFromJson(JSON.parse(j) as OrderJson));
  }

  async clearOutbox(strategy: string, orderIds: readonly string[]): Promise<void> {
    const box = this.outbox.get(strategy);
    if (!box) return;
    for (const id of orderIds) box.delete(id);
    if (box.size === 0) this.outbox.delete(strategy);
  }

  async claimWalletSettlement(namespace: string, signature: string, claimant: string): Promise<boolean> {
    const k = `${namespace}|${signature}`;
    const held = this.settlements.get(k);
    if (held === undefined) this.settlements.set(k, claimant);
    return (held ?? claimant) === claimant;
  }

  async outboxStrategies(): Promise<string[]> {
    return [...this.outbox.keys()].sort();
  }

  async recordRuleSet(version: RuleSetVersion): Promise<void> {
    this.ruleSets.push({ ...version, appliedAt: isoTime(version.appliedAt, 'ruleSet.appliedAt') });
  }

  async listRuleSets(): Promise<RuleSetVersion[]> {
    return this.ruleSets
      .map((r, i) => ({ r, i }))
      .sort((a, b) => cmp(a.r.appliedAt, b.r.appliedAt) || a.i - b.i)
      .map(({ r }) => ({ ...r }));
  }

  async recordWalletBalance(balance: WalletBalance): Promise<void> {
    this.balances.push({ ...balance, atoms: nonNegative(balance.atoms, 'atoms'), at: isoTime(balance.at, 'balance.at') });
  }

  async walletBalanceHistory(wallet: string, opts: { mint?: string; from?: string } = {}): Promise<WalletBalance[]> {
    const from = opts.from === undefined ? undefined : isoTime(opts.from, 'from');
    return this.balances
      .map((b, i) => ({ b, i }))
      .filter(({ b }) => b.wallet === wallet && (!opts.mint || b.mint === opts.mint) && (!from || b.at >= from))
      .sort((a, b) => cmp(a.b.at, b.b.at) || a.i - b.i)
      .map(({ b }) => ({ ...b }));
  }

  async recordMarketSnapshots(snapshots: readonly MarketSnapshot[]): Promise<void> {
    for (const s of snapshots) {
      const at = isoTime(s.at, 'snapshot.at');
      const key = `${s.market}\u0000${s.kind}\u0000${at}`;
      if (!this.snapshots.has(key)) this.snapshots.set(key, { market: s.market, kind: s.kind, at, data: JSON.parse(JSON.stringify(s.data ?? null)) });
    }
  }

  async listMarketSnapshots(query: { market: string; kind?: string; from: string; to: string }): Promise<MarketSnapshot[]> {
    const from = isoTime(query.from, 'from');
    const to = isoTime(query.to, 'to');
    return [...this.snapshots.values()]
      .filter((s) => s.market === query.market && (!query.kind || s.kind === query.kind) && s.at >= from && s.at < to)
      .sort((a, b) => cmp(a.at, b.at) || cmp(a.kind, b.kind))
      .map((s) => structuredClone(s));
  }

  async recentExecutions(bound: HistoryBound): Promise<ExecutionReport[]> {
    return bounded(await this.listExecutions(), (e) => e.at, bound);
  }

  async recentPnl(bound: HistoryBound): Promise<PnlEntry[]> {
    return bounded(await this.listPnl(), (p) => p.at, bound);
  }

  async recentWalletBalances(bound: HistoryBound): Promise<WalletBalance[]> {
    const all = this.balances.map((b, i) => ({ b, i })).sort((a, b) => cmp(a.b.at, b.b.at) || a.i - b.i).map(({ b }) => ({ ...b }));
    return bounded(all, (b) => b.at, bound);
  }

  async recentRuleSets(bound: HistoryBound): Promise<RuleSetVersion[]> {
    return bounded(await this.listRuleSets(), (r) => r.appliedAt, bound);
  }

  async close(): Promise<void> {}
}

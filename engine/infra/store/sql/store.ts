/**
 * The store on SQL: one implementation for PostgreSQL and PGlite (same statements, same
 * migrations). Writes that a dropped connection may have committed carry a nonce or a
 * client-made id, so the transaction re-run by the server driver reports what really happened.
 */
import { randomUUID } from 'node:crypto';
import { SolrulesError } from '../../../errors/index.ts';
import { orderFromJson, orderToJson, type Order, type OrderJson, type ExecutionReport, type Fill, type OrderStatus, type StoredOrder } from '../../../orders/index.ts';
import type { Fence, HistoryBound, MarketSnapshot, OutboxEntry, PnlEntry, RuleSetVersion, Store, Submission, WalletBalance } from '../store.ts';
import { checkStatus, fencedError, isoTime, nonNegative, statusAfterExecution } from '../values.ts';
import type { Query, SqlDb } from './db.ts';
import { migrate } from './migrate.ts';

type Row = Record<string, unknown>;

const iso = (v: unknown): string => new Date(v as string | Date).toISOString();
const optional = <K extends string, V>(key: K, v: V | null | undefined): { [P in K]?: V } => (v === null || v === undefined ? {} : ({ [key]: v } as { [P in K]: V }));
const atoms = (v: unknown): bigint => BigInt(String(v));
const DAY_MS = 86_400_000;
const sinceOf = (b: HistoryBound): string | null => (b.since === undefined ? null : isoTime(b.since, 'since'));

const balanceRow = (r: Row): WalletBalance => ({ wallet: r.wallet as string, mint: r.mint as string, atoms: atoms(r.atoms), ...optional('slot', r.slot === null ? null : Number(r.slot)), at: iso(r.at) });

/**
 * The bounded history reads at start (the newest rows since a time, at most a limit; $1 since,
 * $2 limit): each is served by an index on its time column (migration 0003_history_at_indexes).
 * Exported so a test can EXPLAIN the very statements.
 */
export const RECENT_HISTORY_SQL = {
  pnl: `SELECT * FROM (SELECT * FROM pnl WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz) ORDER BY at DESC, seq DESC LIMIT $2) r ORDER BY at, seq`,
  walletBalances: `SELECT * FROM (SELECT * FROM wallet_balances WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz) ORDER BY at DESC, seq DESC LIMIT $2) r ORDER BY at, seq`,
  ruleSets: `SELECT hash, content, source, applied_at FROM (SELECT * FROM rule_sets WHERE ($1::timestamptz IS NULL OR applied_at >= $1::timestamptz) ORDER BY applied_at DESC, seq DESC LIMIT $2) r ORDER BY applied_at, seq`,
} as const;

export class SqlStore implements Store {
  private snapshotLayout: Promise<'partitioned' | 'plain'> | undefined;
  private readonly partitions = new Set<string>();

  constructor(readonly db: SqlDb) {}

  /** The store on `db`, pending migrations applied first unless `migrate: false`; closes `db` when that fails. */
  static async open(db: SqlDb, opts: { migrate?: boolean } = {}): Promise<SqlStore> {
    try {
      if (opts.migrate !== false) await migrate(db);
    } catch (err) {
      await db.close();
      throw err;
    }
    return new SqlStore(db);
  }

  async insertOrder(order: Order, status: OrderStatus = 'decided'): Promise<boolean> {
    checkStatus(status);
    const nonce = randomUUID();
    const json = JSON.stringify(orderToJson(order));
    return this.db.transaction(async ({ query }) => {
      const ins = await query(
        `INSERT INTO orders (id, strategy, rule, status, order_json, insert_nonce) VALUES ($1, $2, $3, $4, $5::jsonb, $6)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [order.id, order.strategy, order.rule, status, json, nonce],
      );
      if (ins.length) return true;
      const [row] = await query<{ insert_nonce: string }>('SELECT insert_nonce FROM orders WHERE id = $1', [order.id]);
      return row?.insert_nonce === nonce; // ours: an earlier try of this call committed before the connection dropped
    });
  }

  async updateOrderStatus(id: string, status: OrderStatus, detail: { executor?: string; reason?: string } = {}): Promise<void> {
    checkStatus(status);
    const rows = await this.db.query(
      `UPDATE orders SET status = $2, executor = COALESCE($3, executor), reason = COALESCE($4, reason), updated_at = now() WHERE id = $1 RETURNING id`,
      [id, status, detail.executor ?? null, detail.reason ?? null],
    );
    if (!rows.length) throw new SolrulesError('STORE_UNKNOWN_ORDER', `no order '${id}' in the store`, { orderId: id });
  }

  private storedOrder(r: Row): StoredOrder {
    return {
      order: orderFromJson(r.order_json as OrderJson),
      status: r.status as OrderStatus,
      ...optional('executor', r.executor as string | null),
      ...optional('reason', r.reason as string | null),
      updatedAt: iso(r.updated_at),
    };
  }

  async getOrder(id: string): Promise<StoredOrder | undefined> {
    const [row] = await this.db.query('SELECT order_json, status, executor, reason, updated_at FROM orders WHERE id = $1', [id]);
    return row && this.storedOrder(row);
  }

  async listOrders(filter: { status?: readonly OrderStatus[]; strategy?: string } = {}): Promise<StoredOrder[]> {
    const rows = await this.db.query(
      `SELECT order_json, status, executor, reason, updated_at FROM orders
       WHERE ($1::text IS NULL OR status = ANY (string_to_array($1::text, ','))) AND ($2::text IS NULL OR strategy = $2)
       ORDER BY seq`,
      [filter.status ? filter.status.join(',') : null, filter.strategy ?? null],
    );
    return rows.map((r) => this.storedOrder(r));
  }

  /** Refuses a stale fencing token, else records it as the newest (row-locked until commit). */
  private async fence(query: Query, fence: Fence | undefined): Promise<void> {
    if (!fence) return;
    const [row] = await query<{ token: string }>(
      `INSERT INTO fences (resource, token) VALUES ($1, $2) ON CONFLICT (resource) DO UPDATE SET token = GREATEST(fences.token, excluded.token)
       RETURNING token::text AS token`,
      [fence.resource, fence.token],
    );
    const current = Number(row!.token);
    if (current > fence.token) throw fencedError(fence.resource, fence.token, current);
  }

  async recordSubmission(s: Submission, opts: { fence?: Fence } = {}): Promise<boolean> {
    const at = isoTime(s.at, 'submission.at');
    const nonce = randomUUID();
    return this.db.transaction(async ({ query }) => {
      await this.fence(query, opts.fence);
      const ins = await query(
        `INSERT INTO submissions (order_id, attempt, executor, worker_id, wallet, signature, bundle_id, at, nonce)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (order_id, attempt) DO NOTHING RETURNING order_id`,
        [s.orderId, s.attempt, s.executor, s.workerId ?? null, s.wallet ?? null, s.signature ?? null, s.bundleId ?? null, at, nonce],
      );
      if (ins.length) return true;
      const [row] = await query<{ nonce: string }>('SELECT nonce FROM submissions WHERE order_id = $1 AND attempt = $2', [s.orderId, s.attempt]);
      return row?.nonce === nonce;
    });
  }

  async listSubmissions(orderId?: string): Promise<Submission[]> {
    const rows = await this.db.query(
      `SELECT * FROM submissions WHERE ($1::text IS NULL OR order_id = $1) ORDER BY at, attempt`,
      [orderId ?? null],
    );
    return rows.map((r) => ({
      orderId: r.order_id as string,
      attempt: Number(r.attempt),
      executor: r.executor as string,
      ...optional('workerId', r.worker_id as string | null),
      ...optional('wallet', r.wallet as string | null),
      ...optional('signature', r.signature as string | null),
      ...optional('bundleId', r.bundle_id as string | null),
      at: iso(r.at),
    }));
  }

  async discardOrdersAfter(at: string): Promise<number> {
    const cut = isoTime(at, 'at');
    return this.db.transaction(async ({ query }) => {
      const ids = (await query<{ id: string }>(`SELECT id FROM orders WHERE (order_json->>'createdAt')::timestamptz > $1::timestamptz`, [cut])).map((r) => r.id);
      if (!ids.length) return 0;
      for (const table of ['fills', 'executions', 'submissions', 'pnl']) await query(`DELETE FROM ${table} WHERE order_id = ANY($1::text[])`, [ids]);
      await query('DELETE FROM orders WHERE id = ANY($1::text[])', [ids]);
      return ids.length;
    });
  }

  async recordExecution(report: ExecutionReport, opts: { fence?: Fence } = {}): Promise<boolean> {
    for (const f of ['amountIn', 'amountOut', 'feeAtoms', 'networkFeeLamports'] as const) nonNegative(report[f], f);
    for (const [i, fill] of (report.fills ?? []).entries()) {
      nonNegative(fill.amountIn, `fills[${i}].amountIn`);
      nonNegative(fill.amountOut, `fills[${i}].amountOut`);
    }
    const at = isoTime(report.at, 'report.at');
    const nonce = randomUUID();
    return this.db.transaction(async ({ query }) => {
      await this.fence(query, opts.fence);
      const ins = await query(
        `INSERT INTO executions (order_id, executor, status, amount_in, amount_out, fee_atoms, network_fee_lamports, fill_price_usd,
                                 signature, bundle_id, slot, reason, simulated, at, nonce)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
        [
          report.orderId, report.executor, report.status, report.amountIn.toString(), report.amountOut.toString(), report.feeAtoms.toString(),
          report.networkFeeLamports.toString(), report.fillPriceUsd ?? null, report.signature ?? null, report.bundleId ?? null,
          report.slot ?? null, report.reason ?? null, report.simulated, at, nonce,
        ],
      );
      if (!ins.length) {
        const [row] = await query<{ nonce: string }>('SELECT nonce FROM executions WHERE order_id = $1', [report.orderId]);
        return row?.nonce === nonce;
      }
      for (const [leg, f] of (report.fills ?? []).entries()) {
        await query(
          `INSERT INTO fills (order_id, leg, input_mint, output_mint, amount_in, amount_out, venue) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [report.orderId, leg, f.inputMint, f.outputMint, f.amountIn.toString(), f.amountOut.toString(), f.venue ?? null],
        );
      }
      await query(
        `UPDATE orders SET status = $2, executor = $3, reason = COALESCE($4, reason), updated_at = now() WHERE id = $1`,
        [report.orderId, statusAfterExecution(report.status), report.executor, report.reason ?? null],
      );
      return true;
    });
  }

  async listExecutions(orderId?: string): Promise<ExecutionReport[]> {
    const rows = await this.db.query(`SELECT * FROM executions WHERE ($1::text IS NULL OR order_id = $1) ORDER BY at, order_id COLLATE "C"`, [orderId ?? null]);
    const fills = await this.db.query(
      `SELECT f.* FROM fills f ${orderId === undefined ? '' : 'WHERE f.order_id = $1'} ORDER BY f.order_id, f.leg`,
      orderId === undefined ? [] : [orderId],
    );
    return this.reports(rows, fills);
  }

  /** The newest executions within the bound (and the fills of those only), oldest first. */
  async recentExecutions(bound: HistoryBound): Promise<ExecutionReport[]> {
    const rows = await this.db.query(
      `SELECT * FROM (SELECT * FROM executions WHERE ($1::timestamptz IS NULL OR at >= $1::timestamptz) ORDER BY at DESC, order_id COLLATE "C" DESC LIMIT $2) r ORDER BY at, order_id COLLATE "C"`,
      [sinceOf(bound), Math.max(0, bound.limit)],
    );
    const fills = rows.length ? await this.db.query(`SELECT f.* FROM fills f WHERE f.order_id = ANY($1::text[]) ORDER BY f.order_id, f.leg`, [rows.map((r) => r.order_id as string)]) : [];
    return this.reports(rows, fills);
  }

  private reports(rows: Row[], fills: Row[]): ExecutionReport[] {
    const byOrder = new Map<string, Fill[]>();
    for (const f of fills) {
      const list = byOrder.get(f.order_id as string) ?? [];
      list.push({ inputMint: f.input_mint as string, outputMint: f.output_mint as string, amountIn: atoms(f.amount_in), amountOut: atoms(f.amount_out), ...optional('venue', f.venue as string | null) });
      byOrder.set(f.order_id as string, list);
    }
    return rows.map((r) => ({
      orderId: r.order_id as string,
      executor: r.executor as string,
      status: r.status as ExecutionReport['status'],
      amountIn: atoms(r.amount_in),
      amountOut: atoms(r.amount_out),
      feeAtoms: atoms(r.fee_atoms),
      networkFeeLamports: atoms(r.network_fee_lamports),
      ...optional('fillPriceUsd', r.fill_price_usd === null ? null : Number(r.fill_price_usd)),
      ...optional('signature', r.signature as string | null),
      ...optional('bundleId', r.bundle_id as string | null),
      ...optional('slot', r.slot === null ? null : Number(r.slot)),
      ...optional('reason', r.reason as string | null),
      simulated: r.simulated as boolean,
      at: iso(r.at),
      ...optional('fills', byOrder.get(r.order_id as string)),
    }));
  }

  async recordPnl(entry: PnlEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO pnl (id, strategy, order_id, mint, realized_atoms, realized_usd, at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
      [randomUUID(), entry.strategy, entry.orderId ?? null, entry.mint, entry.realizedAtoms.toString(), entry.realizedUsd ?? null, isoTime(entry.at, 'pnl.at')],
    );
  }

  async listPnl(filter: { strategy?: string } = {}): Promise<PnlEntry[]> {
    return this.pnlRows(await this.db.query(`SELECT * FROM pnl WHERE ($1::text IS NULL OR strategy = $1) ORDER BY at, seq`, [filter.strategy ?? null]));
  }

  async recentPnl(bound: HistoryBound): Promise<PnlEntry[]> {
    return this.pnlRows(await this.db.query(RECENT_HISTORY_SQL.pnl, [sinceOf(bound), Math.max(0, bound.limit)]));
  }

  private pnlRows(rows: Row[]): PnlEntry[] {
    return rows.map((r) => ({
      strategy: r.strategy as string,
      ...optional('orderId', r.order_id as string | null),
      mint: r.mint as string,
      realizedAtoms: atoms(r.realized_atoms),
      ...optional('realizedUsd', r.realized_usd === null ? null : Number(r.realized_usd)),
      at: iso(r.at),
    }));
  }

  async loadStrategyState<T = unknown>(strategy: string): Promise<T | undefined> {
    const [row] = await this.db.query<{ state: T }>('SELECT state FROM strategy_state WHERE strategy = $1', [strategy]);
    return row?.state;
  }

  async saveStrategyState(strategy: string, state: unknown): Promise<void> {
    await this.db.query(
      `INSERT INTO strategy_state (strategy, state) VALUES ($1, $2::jsonb) ON CONFLICT (strategy) DO UPDATE SET state = excluded.state, updated_at = now()`,
      [strategy, JSON.stringify(state ?? null)],
    );
  }

  async writeOutbox(entries: readonly OutboxEntry[], published: readonly string[] = []): Promise<void> {
    // A strategy named twice keeps its last state: one upsert may not touch a row twice.
    const states = new Map<string, string>();
    const rows = new Map<string, readonly [string, string]>();
    for (const e of entries) {
      states.set(e.strategy, JSON.stringify(e.state ?? null));
      for (const o of e.orders) if (!rows.has(o.id)) rows.set(o.id, [e.strategy, JSON.stringify(orderToJson(o))]);
    }
    const removed = published.filter((id) => !rows.has(id));
    if (states.size === 0 && rows.size === 0 && removed.length === 0) return;
    // One statement, so one transaction and one round trip (a BEGIN, an upsert, inserts and a COMMIT
    // each waited for the engine's event loop to get a core back: docs/infrastructure.md): the states
    // that count the orders as sent never commit without their outbox rows. Re-run after a dropped
    // connection, the upsert, the DO NOTHING inserts and the delete apply once.
    await this.db.query(
      `WITH state_rows AS (
         INSERT INTO strategy_state (strategy, state)
         SELECT s, v::jsonb FROM unnest($1::text[], $2::text[]) AS t(s, v)
         ON CONFLICT (strategy) DO UPDATE SET state = excluded.state, updated_at = now()
       ), outbox_rows AS (
         INSERT INTO order_outbox (order_id, strategy, order_json)
         SELECT i, s, j::jsonb FROM unnest($3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS t(i, s, j, n) ORDER BY n
         ON CONFLICT (order_id) DO NOTHING
       )
       DELETE FROM order_outbox WHERE order_id = ANY($6::text[])`,
      [[...states.keys()], [...states.values()], [...rows.keys()], [...rows.values()].map(([s]) => s), [...rows.values()].map(([, j]) => j), removed],
    );
  }

  async listOutbox(strategy: string): Promise<Order[]> {
    const rows = await this.db.query<{ order_json: OrderJson }>('SELECT order_json FROM order_outbox WHERE strategy = $1 ORDER BY seq', [strategy]);
    return rows.map((r) => orderFromJson(r.order_json));
  }

  async clearOutbox(strategy: string, orderIds: readonly string[]): Promise<void> {
    if (orderIds.length === 0) return;
    await this.db.query('DELETE FROM order_outbox WHERE strategy = $1 AND order_id = ANY($2::text[])', [strategy, [...orderIds]]);
  }

  async claimWalletSettlement(namespace: string, signature: string, claimant: string): Promise<boolean> {
    // One round trip when the claim is new (the usual case); a refused or retried one reads the holder.
    const ins = await this.db.query('INSERT INTO wallet_settlements (namespace, signature, claimant) VALUES ($1, $2, $3) ON CONFLICT (namespace, signature) DO NOTHING RETURNING signature', [namespace, signature, claimant]);
    if (ins.length) return true;
    const [row] = await this.db.query<{ claimant: string }>('SELECT claimant FROM wallet_settlements WHERE namespace = $1 AND signature = $2', [namespace, signature]);
    return row?.claimant === claimant;
  }

  async outboxStrategies(): Promise<string[]> {
    const rows = await this.db.query<{ strategy: string }>('SELECT DISTINCT strategy FROM order_outbox ORDER BY strategy');
    return rows.map((r) => r.strategy);
  }

  async recordRuleSet(v: RuleSetVersion): Promise<void> {
    await this.db.query(`INSERT INTO rule_sets (id, hash, content, source, applied_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, [
      randomUUID(), v.hash, v.content, v.source, isoTime(v.appliedAt, 'ruleSet.appliedAt'),
    ]);
  }

  async recentRuleSets(bound: HistoryBound): Promise<RuleSetVersion[]> {
    const rows = await this.db.query(
      RECENT_HISTORY_SQL.ruleSets,
      [sinceOf(bound), Math.max(0, bound.limit)],
    );
    return rows.map((r) => ({ hash: r.hash as string, content: r.content as string, source: r.source as string, appliedAt: iso(r.applied_at) }));
  }

  async listRuleSets(): Promise<RuleSetVersion[]> {
    const rows = await this.db.query('SELECT hash, content, source, applied_at FROM rule_sets ORDER BY applied_at, seq');
    return rows.map((r) => ({ hash: r.hash as string, content: r.content as string, source: r.source as string, appliedAt: iso(r.applied_at) }));
  }

  async recordWalletBalance(b: WalletBalance): Promise<void> {
    nonNegative(b.atoms, 'atoms');
    await this.db.query(`INSERT INTO wallet_balances (id, wallet, mint, atoms, slot, at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, [
      randomUUID(), b.wallet, b.mint, b.atoms.toString(), b.slot ?? null, isoTime(b.at, 'balance.at'),
    ]);
  }

  async walletBalanceHistory(wallet: string, opts: { mint?: string; from?: string } = {}): Promise<WalletBalance[]> {
    const rows = await this.db.query(
      `SELECT * FROM wallet_balances WHERE wallet = $1 AND ($2::text IS NULL OR mint = $2) AND ($3::timestamptz IS NULL OR at >= $3::timestamptz) ORDER BY at, seq`,
      [wallet, opts.mint ?? null, opts.from === undefined ? null : isoTime(opts.from, 'from')],
    );
    return rows.map(balanceRow);
  }

  async recentWalletBalances(bound: HistoryBound): Promise<WalletBalance[]> {
    const rows = await this.db.query(RECENT_HISTORY_SQL.walletBalances, [sinceOf(bound), Math.max(0, bound.limit)]);
    return rows.map(balanceRow);
  }

  /** 'partitioned' for native day partitions (we create them), 'plain' for a hypertable (Timescale does). */
  private layout(): Promise<'partitioned' | 'plain'> {
    this.snapshotLayout ??= this.db
      .query<{ relkind: string }>(`SELECT relkind::text AS relkind FROM pg_class WHERE oid = to_regclass('market_snapshots')`)
      .then(([r]) => (r?.relkind === 'p' ? 'partitioned' : 'plain'));
    return this.snapshotLayout;
  }

  /** Creates the day partitions `days` (UTC day starts in ms) need; concurrent creators are fine. */
  private async ensurePartitions(days: Iterable<number>): Promise<void> {
    if ((await this.layout()) !== 'partitioned') return;
    for (const day of days) {
      const from = new Date(day).toISOString();
      const name = `market_snapshots_${from.slice(0, 10).replace(/-/g, '')}`;
      if (this.partitions.has(name)) continue;
      try {
        await this.db.query(
          `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF market_snapshots FOR VALUES FROM ('${from}') TO ('${new Date(day + DAY_MS).toISOString()}')`,
        );
      } catch (err) {
        // Another process created it between our IF NOT EXISTS check and the create.
        const code = (err as { code?: string }).code;
        if (code !== '42P07' && code !== '23505') throw err;
      }
      this.partitions.add(name);
    }
  }

  async recordMarketSnapshots(snapshots: readonly MarketSnapshot[]): Promise<void> {
    const rows = snapshots.map((s) => ({ market: s.market, kind: s.kind, at: isoTime(s.at, 'snapshot.at'), data: s.data ?? null }));
    await this.ensurePartitions(new Set(rows.map((r) => Math.floor(Date.parse(r.at) / DAY_MS) * DAY_MS)));
    for (let i = 0; i < rows.length; i += 1000) {
      await this.db.query(
        `INSERT INTO market_snapshots (market, kind, at, data)
         SELECT e->>'market', e->>'kind', (e->>'at')::timestamptz, e->'data' FROM jsonb_array_elements($1::jsonb) AS e
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(rows.slice(i, i + 1000))],
      );
    }
  }

  async listMarketSnapshots(q: { market: string; kind?: string; from: string; to: string }): Promise<MarketSnapshot[]> {
    const rows = await this.db.query(
      `SELECT market, kind, at, data FROM market_snapshots WHERE market = $1 AND ($2::text IS NULL OR kind = $2) AND at >= $3::timestamptz AND at < $4::timestamptz
       ORDER BY at, kind COLLATE "C"`,
      [q.market, q.kind ?? null, isoTime(q.from, 'from'), isoTime(q.to, 'to')],
    );
    return rows.map((r) => ({ market: r.market as string, kind: r.kind as string, at: iso(r.at), data: r.data }));
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

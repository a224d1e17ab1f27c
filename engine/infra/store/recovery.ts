/**
 * The historical loader: what a starting engine reads back so it continues where the last run
 * stopped — each strategy's state (grid levels, DCA position), the orders that were decided or
 * sent but have no final report yet (always, whatever their age: nothing unfinished is lost),
 * and recent history — executions, P&L, wallet balances, applied rule-set versions — each read
 * with a query bounded by time and count, so start-up does not grow with every trade ever made.
 */
import type { ExecutionLog, HistoryBound, OrderLog, PnlEntry, RecentHistory, RuleSetVersion, StrategyStateStore, Submission, WalletBalance } from './store.ts';
import type { ExecutionReport, StoredOrder } from '../../orders/index.ts';
import { SolrulesError } from '../../errors/index.ts';

/** How far back each kind of recent history is read at start. */
export interface HistoryBounds {
  executions: { hours: number; limit: number };
  pnl: { hours: number; limit: number };
  walletBalances: { hours: number; limit: number };
  ruleSets: { hours: number; limit: number };
}

/** Defaults (docs/architecture.md, "Historical loader"): a day of executions and balances, a week of P&L, the last 20 rule sets. */
export const DEFAULT_HISTORY_BOUNDS: HistoryBounds = {
  executions: { hours: 24, limit: 1000 },
  pnl: { hours: 24 * 7, limit: 5000 },
  walletBalances: { hours: 24, limit: 5000 },
  ruleSets: { hours: 24 * 30, limit: 20 },
};

const ENV_BOUNDS: [keyof HistoryBounds, string][] = [['executions', 'EXECUTIONS'], ['pnl', 'PNL'], ['walletBalances', 'WALLET_BALANCES'], ['ruleSets', 'RULE_SETS']];

/**
 * The bounds from the environment: `SOLRULES_HISTORY_<KIND>_HOURS` and `_LIMIT` (KIND one of
 * EXECUTIONS, PNL, WALLET_BALANCES, RULE_SETS) override the defaults; a value that is not a
 * non-negative number is an error naming the variable.
 */
export function historyBoundsFromEnv(env: NodeJS.ProcessEnv = process.env): HistoryBounds {
  const out = structuredClone(DEFAULT_HISTORY_BOUNDS);
  for (const [kind, name] of ENV_BOUNDS) {
    for (const part of ['hours', 'limit'] as const) {
      const variable = `SOLRULES_HISTORY_${name}_${part.toUpperCase()}`;
      const raw = env[variable];
      if (raw === undefined || raw === '') continue;
      const n = Number(raw);
      if (!Number.isFinite(n) || n < 0 || (part === 'limit' && !Number.isInteger(n))) throw new SolrulesError('STORE_CONFIG', `${variable} must be a non-negative ${part === 'limit' ? 'integer' : 'number'}; got '${raw}'`, { field: variable, value: raw });
      out[kind][part] = n;
    }
  }
  return out;
}

/** What a starting engine knows of recent history (each list oldest first, within its bound). */
export interface RecentState {
  executions: ExecutionReport[];
  pnl: PnlEntry[];
  walletBalances: WalletBalance[];
  ruleSets: RuleSetVersion[];
}

export interface RecoveredState {
  /** Saved state per strategy (absent when a strategy never saved any). */
  strategyState: Map<string, unknown>;
  /** Decided or routed, never sent: safe to route again (their ids dedup on the bus and in the store). */
  unsent: StoredOrder[];
  /**
   * Sent (a submission is recorded) without a final report: must be checked with the executor
   * (on chain for live executors) before anything is sent again — never blindly resent.
   */
  inFlight: { order: StoredOrder; submissions: Submission[] }[];
  /** Recent executions, P&L, wallet balances and rule sets (absent when the store cannot read them bounded). */
  recent?: RecentState;
}

const boundOf = (b: { hours: number; limit: number }, now: Date): HistoryBound => ({ since: new Date(now.getTime() - b.hours * 3_600_000).toISOString(), limit: b.limit });

/** Reads recent history, each kind with a query bounded by its time window and count. */
export async function loadRecent(store: RecentHistory, bounds: HistoryBounds = DEFAULT_HISTORY_BOUNDS, now = new Date()): Promise<RecentState> {
  return {
    executions: await store.recentExecutions(boundOf(bounds.executions, now)),
    pnl: await store.recentPnl(boundOf(bounds.pnl, now)),
    walletBalances: await store.recentWalletBalances(boundOf(bounds.walletBalances, now)),
    ruleSets: await store.recentRuleSets(boundOf(bounds.ruleSets, now)),
  };
}

/** Loads strategy state for `strategies` and the orders still pending in `store`. */
export async function loadHistory(store: OrderLog & ExecutionLog & StrategyStateStore & Partial<RecentHistory>, strategies: readonly string[], opts: { bounds?: HistoryBounds; now?: Date } = {}): Promise<RecoveredState> {
  const strategyState = new Map<string, unknown>();
  for (const name of strategies) {
    const state = await store.loadStrategyState(name);
    if (state !== undefined) strategyState.set(name, state);
  }
  // Bounded by what is unfinished, not by history: executions and submissions are read for the
  // pending orders only (reading them all made start-up grow with every trade ever made).
  const pending = await store.listOrders({ status: ['decided', 'routed', 'submitted'] });
  const unsent: StoredOrder[] = [];
  const inFlight: RecoveredState['inFlight'] = [];
  for (const o of pending) {
    if ((await store.listExecutions(o.order.id)).length) continue;
    const subs: Submission[] = await store.listSubmissions(o.order.id);
    if (subs.length || o.status === 'submitted') inFlight.push({ order: o, submissions: subs });
    else unsent.push(o);
  }
  const recent = isRecentHistory(store) ? await loadRecent(store, opts.bounds, opts.now) : undefined;
  return { strategyState, unsent, inFlight, ...(recent ? { recent } : {}) };
}

function isRecentHistory(s: Partial<RecentHistory>): s is RecentHistory {
  return typeof s.recentExecutions === 'function' && typeof s.recentPnl === 'function' && typeof s.recentWalletBalances === 'function' && typeof s.recentRuleSets === 'function';
}

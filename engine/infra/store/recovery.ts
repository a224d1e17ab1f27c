/**
 * The historical loader: what a starting engine reads back so it continues where the last run
 * stopped — each strategy's state (grid levels, DCA position) and the orders that were decided
 * or sent but have no final report yet.
 */
import type { ExecutionLog, OrderLog, StrategyStateStore, Submission } from './store.ts';
import type { StoredOrder } from '../../orders/index.ts';

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
}

/** Loads strategy state for `strategies` and the orders still pending in `store`. */
export async function loadHistory(store: OrderLog & ExecutionLog & StrategyStateStore, strategies: readonly string[]): Promise<RecoveredState> {
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
  return { strategyState, unsent, inFlight };
}

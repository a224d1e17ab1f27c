/** In-memory store: state lives as long as the process (tests, and `run` without a configured store). */
import { SolrulesError } from '../errors/index.ts';
import type { Order } from '../orders/index.ts';
import type { ExecutionReport, OrderStatus, RuleSetVersion, Store, StoredOrder } from './store.ts';

export class MemoryStore implements Store {
  private readonly orders = new Map<string, StoredOrder>();
  private readonly executions: ExecutionReport[] = [];
  private readonly state = new Map<string, string>();
  readonly ruleSets: RuleSetVersion[] = [];

  async insertOrder(order: Order, status: OrderStatus = 'decided'): Promise<boolean> {
    if (this.orders.has(order.id)) return false;
    this.orders.set(order.id, { order: structuredClone(order), status, updatedAt: new Date().toISOString() });
    return true;
  }

  async updateOrderStatus(id: string, status: OrderStatus, detail: { executor?: string; reason?: string } = {}): Promise<void> {
    const row = this.orders.get(id);
    if (!row) throw new SolrulesError('STORE_UNKNOWN_ORDER', `no order '${id}' in the store`, { orderId: id });
    row.status = status;
    if (detail.executor !== undefined) row.executor = detail.executor;
    if (detail.reason !== undefined) row.reason = detail.reason;
    row.updatedAt = new Date().toISOString();
  }

  async getOrder(id: string): Promise<StoredOrder | undefined> {
    const row = this.orders.get(id);
    return row && structuredClone(row);
  }

  async listOrders(filter: { status?: readonly OrderStatus[]; strategy?: string } = {}): Promise<StoredOrder[]> {
    return [...this.orders.values()]
      .filter((r) => (!filter.status || filter.status.includes(r.status)) && (!filter.strategy || r.order.strategy === filter.strategy))
      .map((r) => structuredClone(r));
  }

  async recordExecution(report: ExecutionReport): Promise<void> {
    this.executions.push(structuredClone(report));
  }

  async listExecutions(orderId?: string): Promise<ExecutionReport[]> {
    return this.executions.filter((e) => !orderId || e.orderId === orderId).map((e) => structuredClone(e));
  }

  async loadStrategyState<T = unknown>(strategy: string): Promise<T | undefined> {
    const json = this.state.get(strategy);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }

  async saveStrategyState(strategy: string, state: unknown): Promise<void> {
    this.state.set(strategy, JSON.stringify(state));
  }

  async recordRuleSet(version: RuleSetVersion): Promise<void> {
    this.ruleSets.push({ ...version });
  }

  async close(): Promise<void> {}
}

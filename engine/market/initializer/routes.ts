/**
 * Routes that made money before, read from history at start: a round trip's pools and mints
 * (its route template, keyed by a hash of the legs) with how often it filled and what it
 * returned. The interface is one method, so a richer source (route templates kept as such)
 * can replace the default, which reads filled orders and their executions from the store.
 */
import { createHash } from 'node:crypto';
import type { ExecutionLog, OrderLog } from '../../infra/store/index.ts';

export interface RouteTemplateLeg {
  pool: string;
  venue: string;
  inputMint: string;
  outputMint: string;
}

export interface RouteTemplate {
  /** sha256 of the legs (pool, venue, mints in order), first 16 hex: the same route gets the same key. */
  key: string;
  legs: RouteTemplateLeg[];
  /** Mint the round trip starts and ends in. */
  inputMint: string;
  /** Fills that returned more than they put in. */
  profitableFills: number;
  /** Sum over those fills of amountOut − amountIn, input atoms (network fees and tips are in lamports, apart). */
  profitAtoms: bigint;
  lastFilledAt: string;
  /** The input of the latest of those fills, atoms as a decimal string: the size a planner re-fills the route with. */
  amountIn: string;
}

/** Where profitable routes come from. */
export interface RouteHistory {
  /** The routes that made money, most profitable first, at most `limit`. */
  profitableRoutes(limit: number): Promise<RouteTemplate[]>;
}

/** The key of a route's legs. */
export function routeKey(legs: readonly RouteTemplateLeg[]): string {
  return createHash('sha256').update(legs.map((l) => `${l.venue}:${l.pool}:${l.inputMint}>${l.outputMint}`).join('|')).digest('hex').slice(0, 16);
}

function legsOf(params: Record<string, unknown>): RouteTemplateLeg[] | undefined {
  const route = params['route'] as { legs?: unknown } | undefined;
  if (!route || !Array.isArray(route.legs) || route.legs.length === 0) return undefined;
  const legs: RouteTemplateLeg[] = [];
  for (const l of route.legs as Record<string, unknown>[]) {
    if (typeof l?.['pool'] !== 'string' || typeof l['venue'] !== 'string' || typeof l['inputMint'] !== 'string' || typeof l['outputMint'] !== 'string') return undefined;
    legs.push({ pool: l['pool'], venue: l['venue'], inputMint: l['inputMint'], outputMint: l['outputMint'] });
  }
  return legs;
}

/** Profitable routes from the store: filled orders carrying a route (`params.route.legs`) whose execution returned more than it took. */
export function routeHistoryFromStore(store: Pick<OrderLog, 'listOrders'> & Pick<ExecutionLog, 'listExecutions'>): RouteHistory {
  return {
    async profitableRoutes(limit: number): Promise<RouteTemplate[]> {
      const orders = (await store.listOrders({ status: ['filled'] })).filter((o) => o.order.side === 'roundtrip');
      if (!orders.length) return [];
      const byOrder = new Map<string, { amountIn: bigint; amountOut: bigint; at: string }>();
      for (const e of await store.listExecutions()) if (e.status === 'filled') byOrder.set(e.orderId, { amountIn: e.amountIn, amountOut: e.amountOut, at: e.at });
      const routes = new Map<string, RouteTemplate>();
      for (const { order } of orders) {
        const legs = legsOf(order.params);
        const fill = byOrder.get(order.id);
        if (!legs || !fill || fill.amountOut <= fill.amountIn) continue;
        const key = routeKey(legs);
        const r = routes.get(key) ?? { key, legs, inputMint: order.inputMint, profitableFills: 0, profitAtoms: 0n, lastFilledAt: fill.at, amountIn: fill.amountIn.toString() };
        r.profitableFills += 1;
        r.profitAtoms += fill.amountOut - fill.amountIn;
        if (fill.at > r.lastFilledAt) (r.lastFilledAt = fill.at), (r.amountIn = fill.amountIn.toString());
        routes.set(key, r);
      }
      return [...routes.values()].sort((a, b) => (b.profitAtoms > a.profitAtoms ? 1 : b.profitAtoms < a.profitAtoms ? -1 : 0)).slice(0, limit);
    },
  };
}

/**
 * Route templates: a round trip the planner found, remembered by a hash of its route (pools,
 * directions, venues) with how it fared. On a later tick a template whose pools still trade is
 * re-filled with its last size and re-quoted — one two-leg quote instead of the size search over
 * every pool pair — and, while still profitable, is the opportunity. Templates live in the
 * planner's state (the `StrategyStateStore` role), so a restart keeps them, and
 * `StoredRouteTemplates.load(profitableSince)` gives another component (a market-data initializer)
 * the ones that made money.
 */
import { createHash } from 'node:crypto';
import type { StrategyStateStore } from '../../infra/store/index.ts';

/** One leg of a template: the pool, its venue and the direction traded. */
export interface TemplateLeg {
  pool: string;
  venue: string;
  inputMint: string;
  outputMint: string;
}

export interface RouteTemplate {
  /** Hash of the legs (routeHash). */
  hash: string;
  legs: [TemplateLeg, TemplateLeg];
  /** The size last traded or offered, atoms of legs[0].inputMint. */
  amountIn: string;
  offered: number;
  landed: number;
  /** Realized profit of the landed round trips, input atoms (may be negative). */
  realizedAtoms: string;
  /** ISO time of the last landed round trip that made money (absent: never). */
  lastProfitAt?: string;
  /** ISO time it was last offered (eviction: the least recent goes first). */
  lastOfferedAt: string;
}

/** Hex SHA-256 (first 16 bytes) of the legs' pools, venues and directions: the template's identity. */
export function routeHash(legs: readonly TemplateLeg[]): string {
  const h = createHash('sha256');
  for (const l of legs) h.update(`${l.venue}|${l.pool}|${l.inputMint}>${l.outputMint};`);
  return h.digest('hex').slice(0, 32);
}

/** Templates remembered at most (the least recently offered is dropped first). */
export const MAX_TEMPLATES = 64;

/** Where the templates that made money can be read from. */
export interface RouteTemplateStore {
  /** Templates whose last profitable landing is at or after `profitableSince`, most realized profit first. */
  load(profitableSince: Date): Promise<RouteTemplate[]>;
}

/** The templates that made money since a time, most realized profit first. */
export function profitableSince(templates: Iterable<RouteTemplate>, since: Date): RouteTemplate[] {
  return [...templates]
    .filter((t) => t.lastProfitAt !== undefined && Date.parse(t.lastProfitAt) >= since.getTime())
    .sort((a, b) => (BigInt(b.realizedAtoms) > BigInt(a.realizedAtoms) ? 1 : BigInt(b.realizedAtoms) < BigInt(a.realizedAtoms) ? -1 : 0));
}

/** The templates an arbitrage strategy saved with its state (what a restart restores). */
export class StoredRouteTemplates implements RouteTemplateStore {
  constructor(
    private readonly store: StrategyStateStore,
    private readonly strategy: string,
  ) {}

  async load(since: Date): Promise<RouteTemplate[]> {
    const state = (await this.store.loadStrategyState(this.strategy)) as { templates?: Record<string, RouteTemplate> } | undefined | null;
    return profitableSince(Object.values(state?.templates ?? {}), since);
  }
}

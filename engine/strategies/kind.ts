/**
 * A strategy kind: everything the engine, validation, schemas and reports need to know about one
 * kind of strategy, in one descriptor its folder exports. `registry.ts` lists them; nothing else
 * names a kind. `strategies.yaml` gives each strategy a `kind:` and as many entries of one kind
 * as you like (two grids, three DCAs).
 */
import type { FactCatalog, RunMode } from '../facts/index.ts';
import type { TokenInfo } from '../orders/index.ts';
import type { PoolProvider } from '../quotes/index.ts';
import type { RuleFile } from '../rules/index.ts';
import type { Planner } from './planner.ts';

/** A JSON Schema (draft 2020-12) object. */
export type JsonSchema = Record<string, unknown>;

/** A problem in a strategy's params, at a path relative to the params object. */
export interface ParamsFinding {
  at: (string | number)[];
  code: string;
  message: string;
  expected?: string;
  found?: string;
}

/** A strategy's entry in strategies.yaml beyond kind, rules and enabled (what checks and planners read). */
export interface StrategyEntry {
  params: Record<string, unknown>;
  /** Declared indicators (`name: { kind: params }`), for kinds that read them. */
  indicators?: unknown;
  /** Bar timeframe the indicators are computed on, e.g. 1h (bars are aggregated by the runner). */
  timeframe?: string;
  /** The pair this strategy trades when not the top-level market. */
  market?: { base: TokenInfo; quote: TokenInfo };
}

/** What a planner is built from. */
export interface PlannerContext {
  /** The strategy's name (its strategies.yaml key). */
  name: string;
  market: { base: TokenInfo; quote: TokenInfo };
  /** The strategy's strategies.yaml entry (params as of the start, indicators, timeframe). */
  strategy?: StrategyEntry;
  /** Live pool state (chain runs); undefined in a price replay. */
  pools?: PoolProvider;
}

export interface StrategyKind {
  /** The `kind:` value in strategies.yaml. */
  readonly kind: string;
  readonly description: string;
  /** JSON Schema of `params:` (strategies.schema.json is generated from it). */
  readonly paramsSchema: JsonSchema;
  /** The facts its planner adds for its own rules (fact name → spec). */
  readonly facts: FactCatalog;
  /** Run modes it can trade in (arbitrage needs live pool state: chain only). */
  readonly modes: readonly RunMode[];
  /** Checks beyond the schema (e.g. a grid reaching a price at or below zero). */
  checkParams?(params: Record<string, unknown>): ParamsFinding[];
  /** Checks of the whole entry (indicators, timeframe); `at` is relative to the strategy's entry. */
  checkStrategy?(entry: StrategyEntry): ParamsFinding[];
  /** Whether the kind reads `indicators:` / `timeframe:` (others refuse them: they would do nothing). */
  readonly readsIndicators?: boolean;
  /** Declared indicator name → the fields rules may read of it (validate refuses other names). */
  indicatorFields?(entry: StrategyEntry): Record<string, readonly string[]>;
  /** Checks of the entry against its strategy's rule file (a param that no rule acts on); `at` is relative to the entry. */
  checkRuleFile?(entry: StrategyEntry, rules: RuleFile): ParamsFinding[];
  /** Reasons beyond the planners' own that its completions may carry, as its rule file declares them (the bound of solrules_strategy_completions_total's reason label). */
  completionReasons?(rules: RuleFile): readonly string[];
  /** Builds the planner; throws a typed error when the context lacks what it needs. */
  createPlanner(ctx: PlannerContext): Planner;
}

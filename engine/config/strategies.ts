/**
 * strategies.yaml: which strategies run, their parameters and thresholds, routing and risk
 * parameters, and the executors orders may go to. Its params become the `params` fact.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from './diagnostics.ts';
import { diagnosticAt, type SourceFile } from './yaml.ts';
import { checkPlausibility } from './plausibility.ts';

export interface TokenConfig {
  symbol: string;
  mint: string;
  decimals: number;
}

export interface GridParams {
  basePriceUsd?: number | 'auto';
  levels: number;
  spacing: { type: 'percent' | 'fixed'; value: number };
  orderSizeUsd: number;
  maxOrderUsd?: number;
  orderTtlHours?: number;
  rebalanceAfterTicks?: number;
  minBuyQuoteUsd?: number;
}

export interface DcaParams {
  intervalMinutes: number;
  amount: { type: 'fixed' | 'scaled'; usd: number; belowAverageMultiplier?: number };
  maxPriceUsd?: number;
  maxPositionUsd?: number;
  stopLossPct?: number;
  takeProfitPct?: number;
  orderTtlHours?: number;
}

export interface StrategyConfig<P = Record<string, unknown>> {
  enabled: boolean;
  rules: string;
  params: P;
}

export interface RiskParams {
  maxOrderNotionalUsd: number;
  maxStrategyNotionalUsd: number;
  maxOrdersPerMinute: number;
  killSwitch: boolean;
  [extra: string]: unknown;
}

export interface StrategiesConfig {
  version: 1;
  market: { base: TokenConfig; quote: TokenConfig };
  paper?: { feeBps?: number; slippageBps?: number; startingBalances?: { base?: string; quote?: string } };
  replay?: { prices?: string; from?: string; to?: string };
  strategies: Record<string, StrategyConfig> & { grid?: StrategyConfig<GridParams>; dca?: StrategyConfig<DcaParams> };
  routing: { rules: string; params: Record<string, unknown> };
  risk: { rules: string; params: RiskParams };
  executors: Record<string, { type: 'paper' | 'rpc' | 'jito'; [k: string]: unknown }>;
}

/** The `params` fact: params.<strategy>.*, params.routing.*, params.risk.* */
export function paramsFact(cfg: StrategiesConfig): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(cfg.strategies)) params[name] = s.params;
  params.routing = cfg.routing.params;
  params.risk = cfg.risk.params;
  return params;
}

/** Every rule file strategies.yaml names, resolved against its directory, with its YAML path. */
export function referencedRuleFiles(cfg: StrategiesConfig, file: string): Array<{ path: string; written: string; at: (string | number)[]; section: string }> {
  const dir = dirname(file);
  const out: Array<{ path: string; written: string; at: (string | number)[]; section: string }> = [];
  for (const [name, s] of Object.entries(cfg.strategies)) out.push({ path: resolve(dir, s.rules), written: s.rules, at: ['strategies', name, 'rules'], section: name });
  out.push({ path: resolve(dir, cfg.routing.rules), written: cfg.routing.rules, at: ['routing', 'rules'], section: 'routing' });
  out.push({ path: resolve(dir, cfg.risk.rules), written: cfg.risk.rules, at: ['risk', 'rules'], section: 'risk' });
  return out;
}

/** Checks beyond the schema: referenced files exist, grids stay above zero, amount rules are complete. */
export function checkStrategies(src: SourceFile, cfg: StrategiesConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ref of referencedRuleFiles(cfg, src.file)) {
    if (!existsSync(ref.path)) {
      out.push(diagnosticAt(src, ref.at, 'STRATEGIES_RULES_NOT_FOUND', `rule file '${ref.written}' for '${ref.section}' does not exist`, { expected: 'a rule file path relative to strategies.yaml', found: ref.path }));
    }
  }
  const grid = cfg.strategies.grid?.params;
  if (grid && typeof grid.basePriceUsd === 'number' && grid.spacing.type === 'fixed') {
    const below = Math.floor(grid.levels / 2);
    if (grid.basePriceUsd - below * grid.spacing.value <= 0) {
      out.push(diagnosticAt(src, ['strategies', 'grid', 'params', 'spacing', 'value'], 'STRATEGIES_GRID_BELOW_ZERO', `grid of ${grid.levels} levels ${grid.spacing.value} USD apart around ${grid.basePriceUsd} reaches a price at or below zero`, { expected: `spacing below ${grid.basePriceUsd / below}`, found: String(grid.spacing.value) }));
    }
  }
  if (grid && grid.spacing.type === 'percent' && grid.spacing.value >= 100) {
    out.push(diagnosticAt(src, ['strategies', 'grid', 'params', 'spacing', 'value'], 'STRATEGIES_GRID_SPACING', 'percent spacing must be below 100', { expected: '< 100', found: String(grid.spacing.value) }));
  }
  const dca = cfg.strategies.dca?.params;
  if (dca && dca.amount.type === 'scaled' && dca.amount.belowAverageMultiplier === undefined) {
    out.push(diagnosticAt(src, ['strategies', 'dca', 'params', 'amount'], 'STRATEGIES_DCA_AMOUNT', "amount type 'scaled' needs belowAverageMultiplier", { expected: 'belowAverageMultiplier: <number ≥ 1>', found: 'none' }));
  }
  out.push(...checkPlausibility(src, cfg));
  const base = cfg.market.base.mint;
  if (base === cfg.market.quote.mint) {
    out.push(diagnosticAt(src, ['market', 'quote', 'mint'], 'STRATEGIES_SAME_MINT', 'base and quote mints are the same', { expected: 'two different mints', found: base }));
  }
  return out;
}

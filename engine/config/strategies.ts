/**
 * strategies.yaml: which strategies run, their parameters and thresholds, routing and risk
 * parameters, and the executors orders may go to. Its params become the `params` fact.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from './diagnostics.ts';
import { diagnosticAt, type SourceFile } from './yaml.ts';
import { STRATEGY_KINDS, strategyKind } from '../strategies/index.ts';
import { closest } from '../rules/index.ts';
import { checkPlausibility } from './plausibility.ts';

export interface TokenConfig {
  symbol: string;
  mint: string;
  decimals: number;
}

export interface StrategyConfig<P = Record<string, unknown>> {
  /** The strategy kind (engine/strategies/registry.ts) that plans it. */
  kind: string;
  enabled: boolean;
  rules: string;
  params: P;
  /** Indicators the strategy's rules read as `indicator.<name>` (kinds that read them: signal). */
  indicators?: Record<string, unknown>;
  /** Bar timeframe of the indicators, e.g. 15m, 1h, 4h, 1d (the backtest runner aggregates to it). */
  timeframe?: string;
  /** The pair traded when not the top-level market (the backtest runner honours it; the live engine refuses it). */
  market?: { base: TokenConfig; quote: TokenConfig };
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
  /** Defaults of `solrules backtest` (docs/backtest.md): bar files per market, period, fill model. */
  backtest?: { data?: Record<string, string | string[] | { files: string | string[]; from?: string; to?: string }>; from?: string; to?: string; fillAt?: 'next-open' | 'close' };
  strategies: Record<string, StrategyConfig>;
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

/** The params fact and executor names of a strategies.yaml that failed its checks: whatever parsed as maps. */
export function parsedParts(value: unknown): { params: Record<string, unknown>; executors: string[] | undefined } {
  const map = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const root = map(value) ?? {};
  const params: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(map(root.strategies) ?? {})) if (map(map(s)?.params)) params[name] = map(s)!.params;
  for (const section of ['routing', 'risk']) if (map(map(root[section])?.params)) params[section] = map(root[section])!.params;
  const executors = map(root.executors);
  return { params, executors: executors ? Object.keys(executors) : undefined };
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

/** Checks beyond the schema: referenced files exist, every kind is registered, each kind's own params checks. */
export function checkStrategies(src: SourceFile, cfg: StrategiesConfig): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const ref of referencedRuleFiles(cfg, src.file)) {
    if (!existsSync(ref.path)) {
      out.push(diagnosticAt(src, ref.at, 'STRATEGIES_RULES_NOT_FOUND', `rule file '${ref.written}' for '${ref.section}' does not exist`, { expected: 'a rule file path relative to strategies.yaml', found: ref.path }));
    }
  }
  for (const [name, strategy] of Object.entries(cfg.strategies)) {
    const kind = strategyKind(strategy.kind);
    if (!kind) {
      const known = STRATEGY_KINDS.map((k) => k.kind);
      const near = closest(strategy.kind, known);
      out.push(diagnosticAt(src, ['strategies', name, 'kind'], 'STRATEGIES_UNKNOWN_KIND', `strategy '${name}' has kind '${strategy.kind}', which no registered planner implements${near ? ` (did you mean '${near}'?)` : ''}: its rules would never fire`, { expected: `one of ${known.join(', ')}`, found: `'${strategy.kind}'` }));
      continue;
    }
    for (const p of kind.checkParams?.(strategy.params) ?? []) {
      out.push(diagnosticAt(src, ['strategies', name, 'params', ...p.at], p.code, p.message, { ...(p.expected !== undefined ? { expected: p.expected } : {}), ...(p.found !== undefined ? { found: p.found } : {}) }));
    }
    for (const key of ['indicators', 'timeframe'] as const) {
      if (strategy[key] !== undefined && !kind.readsIndicators) {
        out.push(diagnosticAt(src, ['strategies', name, key], 'STRATEGIES_INDICATORS_UNUSED', `strategy '${name}' of kind '${kind.kind}' declares ${key}, which that kind never reads`, { expected: `no ${key} (kinds that read indicators: ${STRATEGY_KINDS.filter((k) => k.readsIndicators).map((k) => k.kind).join(', ')})`, found: key, key: true }));
      }
    }
    for (const p of kind.checkStrategy?.(strategy) ?? []) {
      out.push(diagnosticAt(src, ['strategies', name, ...p.at], p.code, p.message, { ...(p.expected !== undefined ? { expected: p.expected } : {}), ...(p.found !== undefined ? { found: p.found } : {}) }));
    }
    const m = strategy.market;
    if (m && m.base.mint === m.quote.mint) {
      out.push(diagnosticAt(src, ['strategies', name, 'market', 'quote', 'mint'], 'STRATEGIES_SAME_MINT', `strategy '${name}': base and quote mints are the same`, { expected: 'two different mints', found: m.base.mint }));
    }
  }
  out.push(...checkPlausibility(src, cfg));
  const base = cfg.market.base.mint;
  if (base === cfg.market.quote.mint) {
    out.push(diagnosticAt(src, ['market', 'quote', 'mint'], 'STRATEGIES_SAME_MINT', 'base and quote mints are the same', { expected: 'two different mints', found: base }));
  }
  return out;
}

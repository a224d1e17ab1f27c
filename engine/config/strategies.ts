/**
 * strategies.yaml: which strategies run, their parameters and thresholds, routing and risk
 * parameters, and the executors orders may go to. Its params become the `params` fact.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from './diagnostics.ts';
import { diagnosticAt, type SourceFile } from './yaml.ts';
import { STRATEGY_KINDS, strategyKind } from '../strategies/index.ts';
import { closest, isAll, isAny, isFactReference, isLeaf, isNot, type Condition, type RuleFile } from '../rules/index.ts';
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
  /** AI chart analyses feeding this strategy's `ai` fact (docs/ai.md); only strategies whose rules read `ai.*`. */
  ai?: AiStrategyConfig;
}

/** A strategy's `ai:` entry: when its market's chart is analysed and how (docs/ai.md, "In the engine"). */
export interface AiStrategyConfig {
  /** Analysis schedule, e.g. 4h or 1d (slots on UTC multiples of it). */
  every: string;
  /** Candle timeframe of the chart (default: the strategy's timeframe, else 1h). */
  timeframe?: string;
  /** Candles on the chart (default 120). */
  bars?: number;
  /** An answer older than this makes the fact unready (default: twice `every`). */
  maxAge?: string;
  /** Prompt language (default en). */
  language?: 'en' | 'es' | 'de';
  /** Continue from the previous answer (default true); false: every chart is asked about on its own. */
  followUp?: boolean;
  /** JSON-lines file of recorded answers, relative to strategies.yaml: `run` appends, `backtest` replays (default .solrules/ai-analyses.jsonl). */
  recordings?: string;
}

/** Opt-in keys of a strategy's entry that make a producer supply its rules (facts/producers.ts `strategyOption`). */
export function strategyOptionsOf(strategy: StrategyConfig): string[] {
  return strategy.ai ? ['ai'] : [];
}

/** Milliseconds of a duration written like a timeframe (15m, 4h, 1d); undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const m = /^([1-9][0-9]*)(m|h|d)$/.exec(text);
  return m ? Number(m[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'm' | 'h' | 'd'] : undefined;
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
    out.push(...checkAiSchedule(src, name, strategy));
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

/** A strategy's `ai:` schedule: a chart needs at least one new candle between two analyses, and an answer must be able to be fresh. */
function checkAiSchedule(src: SourceFile, name: string, strategy: StrategyConfig): Diagnostic[] {
  const ai = strategy.ai;
  if (!ai) return [];
  const out: Diagnostic[] = [];
  const every = durationMs(ai.every);
  const candle = durationMs(ai.timeframe ?? strategy.timeframe ?? '1h');
  if (every !== undefined && candle !== undefined && every < candle) {
    out.push(diagnosticAt(src, ['strategies', name, 'ai', 'every'], 'STRATEGIES_AI_SCHEDULE', `strategy '${name}': analyses every ${ai.every} on ${ai.timeframe ?? strategy.timeframe ?? '1h'} candles would ask about the same chart between two candles (each such analysis is skipped)`, { expected: `every ≥ the chart timeframe (${ai.timeframe ?? strategy.timeframe ?? '1h'})`, found: ai.every }));
  }
  const maxAge = ai.maxAge === undefined ? undefined : durationMs(ai.maxAge);
  if (every !== undefined && maxAge !== undefined && maxAge < every) {
    out.push(diagnosticAt(src, ['strategies', name, 'ai', 'maxAge'], 'STRATEGIES_AI_SCHEDULE', `strategy '${name}': answers expire after ${ai.maxAge}, before the next analysis ${ai.every} later, so the ai fact would be unready between them`, { expected: `maxAge ≥ every (${ai.every})`, found: ai.maxAge }));
  }
  return out;
}

/** Whether any rule of the file reads `fact` (in a condition or as a compared fact). */
export function readsFact(rf: RuleFile, fact: string): boolean {
  const named = rf.conditions ?? {};
  const walk = (c: Condition, seen: ReadonlySet<string>): boolean => {
    if (!c || typeof c !== 'object') return false;
    if (isLeaf(c)) return c.fact === fact || (isFactReference(c.value) && c.value.fact === fact);
    if (isAll(c)) return c.all.some((x) => walk(x, seen));
    if (isAny(c)) return c.any.some((x) => walk(x, seen));
    if (isNot(c)) return walk(c.not, seen);
    return 'condition' in c && !seen.has(c.condition) && named[c.condition] !== undefined && walk(named[c.condition]!, new Set([...seen, c.condition]));
  };
  return (rf.rules ?? []).some((r) => walk(r.conditions as Condition, new Set()));
}

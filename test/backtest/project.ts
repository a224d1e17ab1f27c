/**
 * A small project on disk for backtest tests: the repository's own risk, routing and DCA rule
 * files, a strategies.yaml written by the test, and bar files.
 */
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../support/paths.ts';

export const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
export const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };

export interface ProjectOptions {
  /** YAML of the `strategies:` section (indented by 2). */
  strategies: string;
  /** The repository's rule files copied into rules/ (default risk, routing and DCA). */
  repoRules?: readonly string[];
  /** Extra rule files: name → YAML. */
  rules?: Record<string, string>;
  /** Bar CSV text written to bars.csv (named in backtest.data). */
  bars?: string;
  feeBps?: number;
  slippageBps?: number;
  quoteAtoms?: string;
  fillAt?: 'next-open' | 'close';
  /** Risk limits (default: high enough never to block a test's orders). */
  maxOrderNotionalUsd?: number;
  maxStrategyNotionalUsd?: number;
  maxOrdersPerMinute?: number;
}

/** The strategies.yaml text of a backtest project (one template: the tests and bench/backtest.ts write it). */
export function strategiesYaml(o: ProjectOptions): string {
  return `version: 1
market:
  base: { symbol: SOL, mint: ${SOL.mint}, decimals: 9 }
  quote: { symbol: USDC, mint: ${USDC.mint}, decimals: 6 }
paper:
  feeBps: ${o.feeBps ?? 30}
  slippageBps: ${o.slippageBps ?? 10}
  startingBalances: { base: "0", quote: "${o.quoteAtoms ?? '1000000000'}" }
${o.bars !== undefined ? `backtest:\n  data:\n    SOL/USDC: bars.csv\n  fillAt: ${o.fillAt ?? 'next-open'}\n` : ''}strategies:
${o.strategies}
routing:
  rules: rules/routing.yaml
  params: { jitoMinProfitUsd: 5, tipShareBps: 5000, arbitrageTipShareBps: 7000, tipFloorLamports: 10000, tipCapLamports: 5000000 }
risk:
  rules: rules/risk.yaml
  params: { maxOrderNotionalUsd: ${o.maxOrderNotionalUsd ?? 100000}, maxStrategyNotionalUsd: ${o.maxStrategyNotionalUsd ?? 1000000}, maxOrdersPerMinute: ${o.maxOrdersPerMinute ?? 30}, killSwitch: false, maxMeanShortfallBps: 50, minAccuracySamples: 10 }
executors:
  paper: { type: paper }
  jito: { type: jito, transport: grpc }
  rpc: { type: rpc }
`;
}

/** Writes the project into a new temp directory and returns it. */
export function writeProject(o: ProjectOptions, dir = mkdtempSync(join(tmpdir(), 'solrules-bt-'))): string {
  mkdirSync(join(dir, 'rules'), { recursive: true });
  for (const f of o.repoRules ?? ['risk.yaml', 'routing.yaml', 'dca.yaml']) copyFileSync(join(REPO_ROOT, 'rules', f), join(dir, 'rules', f));
  for (const [name, text] of Object.entries(o.rules ?? {})) writeFileSync(join(dir, 'rules', name), text);
  if (o.bars !== undefined) writeFileSync(join(dir, 'bars.csv'), o.bars);
  writeFileSync(join(dir, 'strategies.yaml'), strategiesYaml(o));
  return dir;
}

/** CSV of hourly bars from 2024-01-01T00:00Z: rows of [open, high, low, close]. */
export function hourlyCsv(rows: ReadonlyArray<readonly [number, number, number, number]>, startMs = Date.UTC(2024, 0, 1)): string {
  return ['timestamp,open,high,low,close,volume', ...rows.map(([o, h, l, c], i) => `${new Date(startMs + i * 3_600_000).toISOString()},${o},${h},${l},${c},1000`)].join('\n') + '\n';
}

/** The DCA strategy of the hand-computed case: 100 USDC every 2 hours, at most 250 USDC, take profit at +5 %. */
export const HAND_DCA = `  dca:
    kind: dca
    enabled: true
    rules: rules/dca.yaml
    params:
      intervalMinutes: 120
      amount: { type: fixed, usd: 100 }
      maxPriceUsd: 1000
      maxPositionUsd: 250
      stopLossPct: 50
      takeProfitPct: 5
      maxOrderUsd: 100000
      orderTtlHours: 12
      maxSlippageBps: 500`;

/** The six bars of the hand-computed case ([open, high, low, close]). */
export const HAND_BARS = [
  [100, 101, 99, 100],
  [102, 103, 101, 102],
  [101, 101, 99, 100],
  [98, 100, 97, 99],
  [99, 108, 99, 107],
  [106, 106, 104, 105],
] as const;

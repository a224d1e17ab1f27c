/**
 * Synthetic but realistic rule sets for the benchmarks: N strategy rules of 3 conditions each
 * over the catalog's facts (thresholds from params, venue lists, liquidity, freshness,
 * series operators). Like real strategy files, each rule is about one pair, pool or token
 * (one condition selects it), so a snapshot — one market update — makes only a few rules fire.
 */
import type { RuleFile } from '../engine/rules/index.ts';

const VENUES = ['raydium-amm-v4', 'raydium-clmm', 'orca-whirlpool', 'meteora-dlmm'];
/** Markets the rules are about; a snapshot is an update of one of them. */
export const MARKETS = 8;
const pairOf = (m: number) => `TOKEN${m}/USDC`;
const poolOf = (m: number) => `Pool${m}111111111111111111111111111111111111`;
const mintOf = (m: number) => `Mint${m}111111111111111111111111111111111111`;

/** Three conditions per rule, rotating through the operators strategies actually use. */
function conditionsFor(i: number): unknown[] {
  const strategy = `s${i % 10}`;
  const m = Math.floor(i / 5) % MARKETS;
  switch (i % 5) {
    case 0:
      return [
        { fact: 'arbitrage', path: 'pair', operator: 'equal', value: pairOf(m) },
        { fact: 'arbitrage', path: 'netProfitBps', operator: 'greaterThanInclusive', value: { fact: 'params', path: `${strategy}.minProfitBps` } },
        { fact: 'wallet', path: 'available', operator: 'equal', value: true },
      ];
    case 1:
      return [
        { fact: 'pool', path: 'address', operator: 'equal', value: poolOf(m) },
        { fact: 'pool', path: 'liquidityUsd', operator: 'greaterThanInclusive', value: { fact: 'params', path: `${strategy}.minLiquidityUsd` } },
        { fact: 'pool', path: 'venue', operator: 'in', value: VENUES.slice(0, 1 + (i % 4)) },
      ];
    case 2:
      return [
        { fact: 'price', path: 'mint', operator: 'equal', value: mintOf(m) },
        { fact: 'price', path: 'recentUsd', operator: 'percentChangeBelow', value: -1 - (i % 4) },
        { fact: 'wallet', path: 'quoteBalance', operator: 'greaterThanInclusive', value: { fact: 'params', path: `${strategy}.orderUsd` } },
      ];
    case 3:
      return [
        { fact: 'spread', path: 'mint', operator: 'equal', value: mintOf(m) },
        { fact: 'spread', path: 'spreadBps', operator: 'greaterThan', value: { fact: 'params', path: `${strategy}.minSpreadBps` } },
        { fact: 'spread', path: 'venues', operator: 'contains', value: VENUES[i % 4] },
      ];
    default:
      return [
        { fact: 'pool', path: 'address', operator: 'equal', value: poolOf(m) },
        { fact: 'pool', path: 'ageSlots', operator: 'lessThan', value: 2 + (i % 3) },
        { fact: 'price', path: 'usd', operator: 'between', value: [100 + (i % 50), 200 + (i % 50)] },
      ];
  }
}

/** A rule file of `n` rules (priorities 10 / 5 / 1 mixed, as strategy files use them). */
export function benchRuleFile(n: number): RuleFile {
  const rules = Array.from({ length: n }, (_, i) => ({
    id: `rule-${i}`,
    priority: [10, 5, 1][i % 3],
    conditions: { all: conditionsFor(i) },
    event: {
      type: 'order',
      params: { side: i % 2 ? 'buy' : 'sell', amountIn: { fact: 'arbitrage', path: 'amountIn' }, urgency: 'normal', strategy: `s${i % 10}` },
    },
  }));
  return { id: `bench-${n}`, kind: 'strategy', strategy: `bench-${n}`, file: `bench-${n}.yaml`, hash: String(n), rules } as unknown as RuleFile;
}

export function benchParams(): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (let s = 0; s < 10; s++) params[`s${s}`] = { minProfitBps: 20 + s * 5, minLiquidityUsd: 50_000 * (s + 1), orderUsd: 100 + s * 50, minSpreadBps: 15 + s };
  return params;
}

/** Fact snapshots with the same shapes and varying values: one market each, some rules of it fire. */
export function benchSnapshots(count: number): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, k) => {
    const m = k % MARKETS;
    return {
      price: { mint: mintOf(m), symbol: `TOKEN${m}`, usd: 150 + (k % 7), recentUsd: [155, 154, 152 - (k % 3), 150 + (k % 7)], changePct: -1.2, slot: 1000 + k },
      pool: { address: poolOf(m), venue: VENUES[k % 4], mintA: mintOf(m), liquidityUsd: 120_000 + k * 20_000, priceUsd: 150, feeBps: 25, ageSlots: k % 4, reserveA: '1000', reserveB: '2000' },
      spread: { mint: mintOf(m), spreadBps: 12 + (k % 9), venues: VENUES.slice(0, 2 + (k % 3)) },
      arbitrage: { pair: pairOf(m), netProfitBps: 18 + (k % 7) * 4, netProfitUsd: 3.5, amountIn: '25000000000', flashLoan: false, hops: 2 },
      volume: { mint: mintOf(m), volume24hUsd: 1e6, spike: k % 5 === 0, spikeRatio: 1.4 },
      wallet: { available: true, tier: 'worker', solBalance: 2, quoteBalance: 300 + (k % 4) * 50, baseBalance: 1 },
    };
  });
}

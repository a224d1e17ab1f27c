/**
 * The dynamic profit threshold of the arbitrage planner: minProfitUsd / minProfitBps divided by
 * the realized share of expected profit and the landing rate of recent round trips, within
 * [1, maxThresholdMultiplier]; the fact carries it and rules/arbitrage.yaml compares with it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArbitragePlanner } from '../../engine/strategies/arbitrage/index.ts';
import { thresholdMultiplier } from '../../engine/strategies/arbitrage/arbitrage.ts';
import { StaticPoolProvider } from '../../engine/quotes/index.ts';
import { priceFact, walletFact } from '../../engine/facts/index.ts';
import type { TickContext } from '../../engine/strategies/index.ts';
import type { ExecutionReport, Order } from '../../engine/orders/index.ts';
import { orcaEntry, raydiumEntry, raydiumNear, SOL, USDC } from '../quotes/support.ts';

const SOL_TOKEN = { symbol: 'SOL', mint: SOL, decimals: 9 };
const USDC_TOKEN = { symbol: 'USDC', mint: USDC, decimals: 6 };
const ctx = (params: Record<string, unknown>): TickContext => ({
  time: new Date('2026-01-01T00:00:00Z'),
  price: priceFact({ mint: SOL, symbol: 'SOL', recentUsd: [40.4], time: new Date('2026-01-01T00:00:00Z'), source: 'test' }),
  quoteUsd: 1,
  wallet: walletFact({ baseAtoms: 0n, quoteAtoms: 10n ** 12n, baseDecimals: 9, quoteDecimals: 6 }),
  params,
  base: SOL_TOKEN,
  quote: USDC_TOKEN,
});

const attempt = (landed: boolean, expected: bigint, realized: bigint) => ({ landed, expected: expected.toString(), realized: realized.toString() });

test('thresholdMultiplier: 1 below five attempts; 1 / (realized share × landing rate) within [1, max] after', () => {
  assert.equal(thresholdMultiplier([attempt(false, 100n, 0n), attempt(false, 100n, 0n)], 4).multiplier, 1, 'too few to judge');
  const allGood = Array.from({ length: 6 }, () => attempt(true, 100n, 100n));
  assert.deepEqual(thresholdMultiplier(allGood, 4), { multiplier: 1, landingRate: 1, realizedOverExpected: 1 });
  // Half land, realizing 80 % of what they expected: 1 / (0.8 × 0.5) = 2.5.
  const mixed = [attempt(true, 100n, 80n), attempt(true, 100n, 80n), attempt(true, 100n, 80n), attempt(false, 100n, 0n), attempt(false, 100n, 0n), attempt(false, 100n, 0n)];
  assert.deepEqual(thresholdMultiplier(mixed, 4), { multiplier: 2.5, landingRate: 0.5, realizedOverExpected: 0.8 });
  // Nothing lands: capped at the maximum.
  assert.equal(thresholdMultiplier(Array.from({ length: 8 }, () => attempt(false, 100n, 0n)), 3).multiplier, 3);
  // Realizing more than expected never lowers the threshold below the configured one.
  assert.equal(thresholdMultiplier(Array.from({ length: 5 }, () => attempt(true, 100n, 150n)), 4).multiplier, 1);
});

test('the planner feeds its executions into the fact: minProfitUsd / minProfitBps rise as round trips fail', () => {
  const planner = new ArbitragePlanner({ market: new StaticPoolProvider([raydiumEntry(undefined, raydiumNear(1.01)), orcaEntry()]), base: SOL_TOKEN, quote: USDC_TOKEN });
  const params = { maxInputUsd: 5_000, minProfitUsd: 1, minProfitBps: 30, thresholdWindow: 10, maxThresholdMultiplier: 4 };
  const first = planner.facts(ctx(params)).arbitrage as Record<string, any>;
  assert.equal(first.minProfitUsd, 1);
  assert.equal(first.minProfitBps, 30);
  assert.equal(first.thresholdMultiplier, 1);
  assert.equal(first.recentAttempts, 0);
  const route = planner.lastRoute!;
  const order = { side: 'roundtrip', inputMint: USDC, outputMint: USDC, params: { route } } as unknown as Order;
  const expectedProfit = BigInt(route.expectedOut) - BigInt(route.amountIn) - BigInt(route.flashLoanFee) - BigInt(route.costsInInput);
  assert.ok(expectedProfit > 0n);
  const report = (status: ExecutionReport['status'], out: bigint): ExecutionReport => ({ orderId: 'o', executor: 'jito', status, amountIn: BigInt(route.amountIn), amountOut: out, feeAtoms: 0n, networkFeeLamports: 0n, simulated: false, at: '' });
  // Two land exactly as expected, two do not land at all: landing rate 0.5, realized share 1 → × 2.
  for (let i = 0; i < 2; i++) planner.onExecution(order, report('filled', BigInt(route.expectedOut)));
  for (let i = 0; i < 2; i++) planner.onExecution(order, report('expired', 0n));
  assert.equal((planner.facts(ctx(params)).arbitrage as any).thresholdMultiplier, 1, 'four is below the five needed');
  planner.onExecution(order, report('failed', 0n));
  const raised = planner.facts(ctx(params)).arbitrage as Record<string, any>;
  assert.equal(raised.recentAttempts, 5);
  assert.equal(raised.landingRate, 0.4);
  assert.equal(raised.realizedOverExpected, 1);
  assert.equal(raised.thresholdMultiplier, 2.5);
  assert.equal(raised.minProfitUsd, 2.5);
  assert.equal(raised.minProfitBps, 75);
  // The window forgets: ten good round trips later the threshold is back to the configured one.
  for (let i = 0; i < 10; i++) planner.onExecution(order, report('filled', BigInt(route.expectedOut)));
  const back = planner.facts(ctx(params)).arbitrage as Record<string, any>;
  assert.equal(back.recentAttempts, 10);
  assert.equal(back.thresholdMultiplier, 1);
  // It survives a restart (planner state).
  const restored = new ArbitragePlanner({ market: new StaticPoolProvider([]), base: SOL_TOKEN, quote: USDC_TOKEN });
  restored.restore(planner.snapshot());
  assert.equal((restored.facts(ctx(params)).arbitrage as any).recentAttempts, 10);
});

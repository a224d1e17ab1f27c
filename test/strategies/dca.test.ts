import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DcaPlanner } from '../../engine/strategies/index.ts';
import { priceFact, walletFact } from '../../engine/facts/index.ts';
import type { Order, ExecutionReport } from '../../engine/orders/index.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const params = { intervalMinutes: 1440, amount: { type: 'scaled', usd: 100, belowAverageMultiplier: 2 }, maxPriceUsd: 150 };

function ctx(usd: number, iso: string) {
  const time = new Date(iso);
  return { time, price: priceFact({ mint: SOL.mint, symbol: 'SOL', recentUsd: [usd], time, source: 'test' }), quoteUsd: 1, wallet: walletFact({ baseAtoms: 0n, quoteAtoms: 0n, baseDecimals: 9, quoteDecimals: 6 }), params, base: SOL, quote: USDC };
}
const fact = (d: DcaPlanner, usd: number, iso: string) => d.facts(ctx(usd, iso)).dca as Record<string, unknown>;
const report = (o: Order, status: ExecutionReport['status'], amountOut: bigint): ExecutionReport => ({ orderId: o.id, executor: 'paper', status, amountIn: o.amountIn, amountOut, feeAtoms: 0n, networkFeeLamports: 0n, simulated: true, at: '' });

test('due on schedule; average entry, P&L and the scaled amount follow the fills', () => {
  const d = new DcaPlanner({ base: SOL, quote: USDC });
  let f = fact(d, 50, '2022-01-01T00:00:00Z');
  assert.equal(f.due, true);
  assert.equal(f.buyAmountUsd, 100);
  const b1 = { id: 'b1', side: 'buy', amountIn: 100_000_000n, params: {} } as unknown as Order;
  d.onOrders([b1], ctx(50, '2022-01-01T00:00:00Z'));
  assert.equal(fact(d, 50, '2022-01-01T06:00:00Z').due, false);
  d.onExecution(b1, report(b1, 'filled', 2_000_000_000n)); // 2 SOL for 100 USDC
  f = fact(d, 40, '2022-01-02T00:00:00Z');
  assert.equal(f.due, true);
  assert.equal(f.averageEntryUsd, 50);
  assert.equal(f.pnlPct, -20);
  assert.equal(f.drawdownPct, 20);
  assert.equal(f.buyAmountUsd, 200); // below the average entry: doubled
  assert.equal(f.costAfterBuyUsd, 300);
});

test('a failed buy does not push the schedule back; an exit sells the position and books the P&L exactly', () => {
  const d = new DcaPlanner({ base: SOL, quote: USDC });
  fact(d, 50, '2022-01-01T00:00:00Z');
  const b1 = { id: 'b1', side: 'buy', amountIn: 100_000_000n, params: {} } as unknown as Order;
  d.onOrders([b1], ctx(50, '2022-01-01T00:00:00Z'));
  d.onExecution(b1, report(b1, 'failed', 0n));
  assert.equal(fact(d, 50, '2022-01-01T06:00:00Z').due, true);
  d.onOrders([b1], ctx(50, '2022-01-01T06:00:00Z'));
  d.onExecution(b1, report(b1, 'filled', 2_000_000_000n));
  const s1 = { id: 's1', side: 'sell', amountIn: 2_000_000_000n, params: { exit: 'take-profit' } } as unknown as Order;
  d.onOrders([s1], ctx(125, '2022-02-01T00:00:00Z'));
  const locked = fact(d, 125, '2022-02-01T00:00:00Z');
  assert.equal(locked.positionAtoms, '0'); // spoken for by the exit in flight
  assert.equal(locked.due, false);
  d.onExecution(s1, report(s1, 'filled', 250_000_000n));
  assert.equal(d.pnl(125, 1).realizedUsd, 150);
  assert.equal(d.exits.takeProfit, 1);
  assert.equal(fact(d, 125, '2022-02-02T00:00:00Z').buys, 0);
});

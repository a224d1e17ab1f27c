/** Orders and reports for store and worker tests (valid per the order model; amounts exact). */
import { orderId, type Order, type ExecutionReport } from '../../../engine/orders/index.ts';

export const SOL = 'So11111111111111111111111111111111111111112';
export const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';

/** The `i`-th test order of `strategy` (deterministic id, as the engine derives it). */
export function makeOrder(i: number, strategy = 'grid', overrides: Partial<Order> = {}): Order {
  const factsDigest = `digest-${strategy}-${i}`;
  return {
    id: orderId({ strategy, rule: 'buy-level', ruleSetHash: 'rs1', factsDigest }),
    strategy,
    rule: 'buy-level',
    ruleFile: 'rules/grid.yaml',
    ruleSetHash: 'rs1',
    side: 'buy',
    inputMint: USDC,
    outputMint: SOL,
    amountIn: 400_000_000n + BigInt(i),
    minAmountOut: 2_000_000_000n,
    limitPriceUsd: 201.5,
    notionalUsd: 400,
    urgency: 'normal',
    createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)).toISOString(),
    expiresAt: new Date(Date.UTC(2024, 0, 1, 12, 0, i)).toISOString(),
    params: { level: i % 16, note: 'test' },
    factsDigest,
    explanation: {
      ruleId: 'buy-level',
      ruleSetHash: 'rs1',
      conditions: { kind: 'all', result: true, children: [{ kind: 'leaf', result: true, fact: 'price', path: 'usd', operator: 'lessThan', factValue: 200, value: 201 }] },
    },
    ...overrides,
  };
}

/** A paper fill report for `order` (simulated: nothing sent to a chain). */
export function paperReport(order: Order, at = '2024-01-01T00:00:05.000Z'): ExecutionReport {
  return {
    orderId: order.id,
    executor: 'paper',
    status: 'filled',
    amountIn: order.amountIn,
    amountOut: order.minAmountOut,
    feeAtoms: order.amountIn / 400n,
    networkFeeLamports: 5000n,
    fillPriceUsd: 200.25,
    simulated: true,
    at,
  };
}

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GridPlanner, levelIndex, levelPrices, waterfall } from '../../engine/strategies/index.ts';
import { priceFact, walletFact } from '../../engine/facts/index.ts';
import type { Order, ExecutionReport } from '../../engine/orders/index.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const params = { basePriceUsd: 100, levels: 5, spacing: { type: 'fixed', value: 10 }, orderSizeUsd: 100 };

function ctx(usd: number, p: Record<string, unknown> = params) {
  const time = new Date('2022-01-01T00:00:00Z');
  return {
    time,
    price: priceFact({ mint: SOL.mint, symbol: 'SOL', recentUsd: [usd], time, source: 'test' }),
    quoteUsd: 1,
    wallet: walletFact({ baseAtoms: 0n, quoteAtoms: 10_000_000_000n, baseDecimals: 9, quoteDecimals: 6 }),
    params: p,
    base: SOL,
    quote: USDC,
  };
}

function fill(order: Order, amountOut: bigint): ExecutionReport {
  return { orderId: order.id, executor: 'paper', status: 'filled', amountIn: order.amountIn, amountOut, feeAtoms: 0n, networkFeeLamports: 0n, fillPriceUsd: 1, simulated: true, at: '' };
}

const orderOf = (id: string, side: 'buy' | 'sell', amountIn: bigint) => ({ id, side, amountIn } as unknown as Order);

test('levels are arithmetic for fixed spacing and geometric for percent, centred on the base', () => {
  assert.deepEqual(levelPrices(100, { levels: 5, spacing: { type: 'fixed', value: 10 } }), [80, 90, 100, 110, 120]);
  const g = levelPrices(100, { levels: 3, spacing: { type: 'percent', value: 10 } });
  assert.deepEqual(g.map((x) => Math.round(x * 1e6) / 1e6), [90.909091, 100, 110]);
  assert.equal(levelIndex([80, 90, 100], 79.99), -1);
  assert.equal(levelIndex([80, 90, 100], 90), 1);
  assert.equal(levelIndex([80, 90, 100], 1000), 2);
});

test('a fall through two free levels offers both; a fill books inventory and cost per level; a rise sells them one level up with exact P&L', () => {
  const g = new GridPlanner({ base: SOL, quote: USDC });
  let f = g.facts(ctx(105)).grid as Record<string, unknown>;
  assert.equal(f.level, 2);
  assert.equal(f.crossedDown, false);
  f = g.facts(ctx(85)).grid as Record<string, unknown>; // through 100 and 90
  assert.equal(f.crossedDown, true);
  assert.equal(f.buyLevelFree, true);
  assert.equal(f.buySizeAtoms, '200000000'); // 2 levels x 100 USDC
  assert.equal(f.buyLevelUsd, 100);
  const buy = orderOf('b1', 'buy', 200_000_000n);
  g.onOrders([buy]);
  // While the buy is in flight the same levels are not offered again.
  assert.equal((g.facts(ctx(84)).grid as Record<string, unknown>).buyLevelFree, false);
  g.onExecution(buy, fill(buy, 2_105_263_157n)); // bought ~2.1 SOL
  const levels = g.levels();
  assert.equal(BigInt(levels[1]!.holdingAtoms) + BigInt(levels[2]!.holdingAtoms), 2_105_263_157n);
  assert.equal(levels[1]!.costQuoteAtoms, '100000000');
  f = g.facts(ctx(111)).grid as Record<string, unknown>; // up through 90, 100, 110
  assert.equal(f.crossedUp, true);
  assert.equal(f.sellLevelHolding, true);
  assert.equal(f.sellSizeAtoms, '2105263157');
  const sell = orderOf('s1', 'sell', 2_105_263_157n);
  g.onOrders([sell]);
  g.onExecution(sell, fill(sell, 230_000_000n)); // sold for 230 USDC
  const after = g.levels();
  assert.equal(after[1]!.holdingAtoms, '0');
  assert.equal(after[2]!.holdingAtoms, '0');
  const realized = BigInt(after[1]!.realizedQuoteAtoms) + BigInt(after[2]!.realizedQuoteAtoms);
  assert.equal(realized, 30_000_000n); // 230 - 200, to the atom
  assert.equal(g.pnl(111, 1).realizedUsd, 30);
});

test('chunked sells never oversell a level (randomized waterfall over thousands of cases)', () => {
  let seed = 7;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let c = 0; c < 3000; c++) {
    const levels = Array.from({ length: 1 + rnd(6) }, () => BigInt(rnd(10_000)));
    const total = levels.reduce((a, b) => a + b, 0n);
    const n = 1 + rnd(5);
    const chunks = Array.from({ length: n }, (_, i) => total / BigInt(n) + (i === 0 ? total % BigInt(n) : 0n));
    const parts = waterfall(levels, chunks);
    const perLevel = levels.map(() => 0n);
    parts.forEach((chunk, i) => {
      assert.equal(chunk.reduce((a, p) => a + p.atoms, 0n), chunks[i]);
      for (const p of chunk) perLevel[p.index]! += p.atoms;
    });
    assert.deepEqual(perLevel, levels);
  }
});

test('price outside the grid counts ticks; a rebalance re-centres and carries inventory at its cost', () => {
  const g = new GridPlanner({ base: SOL, quote: USDC });
  g.facts(ctx(100));
  g.facts(ctx(95));
  const buy = orderOf('b', 'buy', 100_000_000n);
  g.onOrders([buy]);
  g.onExecution(buy, fill(buy, 1_000_000_000n));
  let f = g.facts(ctx(70)).grid as Record<string, unknown>;
  assert.equal(f.outsideGrid, true);
  f = g.facts(ctx(69)).grid as Record<string, unknown>;
  assert.equal(f.ticksOutside, 2);
  const auto = { ...params, basePriceUsd: 'auto' };
  g.onSignal({ ruleId: 'grid-rebalance', fileId: 'grid', priority: 5, type: 'rebalance', params: {} }, ctx(69, auto));
  const levels = g.levels();
  assert.deepEqual(levels.map((l) => l.priceUsd), [49, 59, 69, 79, 89]);
  assert.equal(levels[2]!.holdingAtoms, '1000000000');
  assert.equal(levels[2]!.costQuoteAtoms, '100000000');
  assert.equal(g.rebalances, 1);
  f = g.facts(ctx(80, auto)).grid as Record<string, unknown>;
  assert.equal(f.sellLevelHolding, true); // sells on the first level up
  assert.equal(f.outsideGrid, false);
});

test('state survives a snapshot and restore through JSON', () => {
  const g = new GridPlanner({ base: SOL, quote: USDC });
  g.facts(ctx(100));
  g.facts(ctx(85));
  const buy = orderOf('b', 'buy', 200_000_000n);
  g.onOrders([buy]);
  g.onExecution(buy, fill(buy, 2_000_000_000n));
  const copy = new GridPlanner({ base: SOL, quote: USDC });
  copy.restore(JSON.parse(JSON.stringify(g.snapshot())));
  assert.deepEqual(copy.levels(), g.levels());
  assert.deepEqual(copy.pnl(90, 1), g.pnl(90, 1));
});

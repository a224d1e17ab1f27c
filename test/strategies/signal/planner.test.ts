/**
 * The signal planner against hand-computed positions: indicator facts per closed bar, entry
 * sizes in exact atoms, protective exits on the close, the trade record, cooldown, snapshots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignalPlanner, entrySize, type PriceBar, type SignalTrade, type TickContext } from '../../../engine/strategies/index.ts';
import type { Order } from '../../../engine/orders/index.ts';
import type { ExecutionReport } from '../../../engine/orders/index.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const market = { base: SOL, quote: USDC };
const HOUR = 3_600_000;

type Facts = { indicator: Record<string, Record<string, unknown>>; bar: Record<string, unknown>; position: Record<string, unknown> };

function tick(planner: SignalPlanner, params: Record<string, unknown>, i: number, bar: Partial<PriceBar> & { close: number }, wallet = { quote: 5_000_000_000n, base: 0n }, otherBars?: Record<string, PriceBar>): Facts {
  const b: PriceBar = { time: i * HOUR, open: bar.open ?? bar.close, high: bar.high ?? bar.close, low: bar.low ?? bar.close, close: bar.close };
  const ctx = {
    time: new Date(b.time + HOUR),
    price: { usd: bar.close },
    quoteUsd: 1,
    wallet: { baseAtoms: wallet.base.toString(), quoteAtoms: wallet.quote.toString() },
    params,
    base: SOL,
    quote: USDC,
    bar: b,
    ...(otherBars ? { otherBars } : {}),
  } as unknown as TickContext;
  return planner.facts(ctx) as unknown as Facts;
}

function order(id: string, side: 'buy' | 'sell', params: Record<string, unknown> = {}): Order {
  return { id, side, params, strategy: 's', rule: `rule-${side}` } as unknown as Order;
}

function filled(id: string, amountIn: bigint, amountOut: bigint, feeAtoms: bigint, fillPriceUsd: number, at: string): ExecutionReport {
  return { orderId: id, executor: 'paper', status: 'filled', amountIn, amountOut, feeAtoms, networkFeeLamports: 0n, fillPriceUsd, simulated: true, at };
}

const CROSS = { fast: { sma: 2 }, slow: { sma: 3 } };

test('indicators update once per closed bar; unready values are null and crossing series empty', () => {
  const p = new SignalPlanner(market, 's', { params: {}, indicators: CROSS });
  const params = { sizing: { type: 'usd', value: 1000 } };
  let f = tick(p, params, 1, { close: 100 });
  assert.equal(f.indicator.fast!.ready, false);
  assert.equal(f.indicator.fast!.value, null);
  assert.deepEqual(f.indicator.fast!.series, { value: [] });
  f = tick(p, params, 2, { close: 102 });
  assert.equal(f.indicator.fast!.value, 101);
  assert.equal(f.indicator.fast!.prev, null, 'not ready on the previous bar');
  assert.deepEqual(f.bar.closes, [100, 102]);
  f = tick(p, params, 3, { close: 104 });
  assert.deepEqual(f.indicator.fast!.series, { value: [101, 103] });
  assert.equal(f.indicator.slow!.value, 102);
  assert.deepEqual(f.indicator.slow!.series, { value: [] });
  // the same bar again (a second price event inside it) does not advance anything
  f = tick(p, params, 3, { close: 104 });
  assert.equal(f.indicator.fast!.bars, 3);
  f = tick(p, params, 4, { close: 99 });
  assert.deepEqual(f.indicator.fast!.series, { value: [103, 101.5] });
  assert.equal((f.indicator.slow!.series as { value: number[] }).value[0], 102);
  assert.ok(Math.abs((f.indicator.slow!.series as { value: number[] }).value[1]! - 305 / 3) < 1e-12);
});

test('a position from entry to stop-loss exit: sizes, prices, P&L and fees by hand', () => {
  const p = new SignalPlanner(market, 's', { params: {}, indicators: CROSS });
  const params = { sizing: { type: 'usd', value: 1000 }, stopLoss: { pct: 5 }, takeProfit: { pct: 10 }, cooldownBars: 2 };
  let f = tick(p, params, 1, { close: 100 });
  assert.equal(f.position.canEnter, true);
  assert.equal(f.position.enterSizeAtoms, '1000000000', '1000 USDC in atoms');
  assert.equal(f.position.exitSizeAtoms, '0');
  // a thinner wallet caps the entry at the free quote
  assert.equal(tick(p, params, 1, { close: 100 }, { quote: 500_000_000n, base: 0n }).position.enterSizeAtoms, '500000000');

  p.onOrders([order('b1', 'buy')], { params } as unknown as TickContext);
  f = tick(p, params, 1, { close: 100 });
  assert.equal(f.position.pending, true);
  assert.equal(f.position.enterSizeAtoms, '0', 'no second entry while one is in flight');
  // 1000 USDC in, 0.25 % fee on the input: 997.5 USDC at 100 = 9.975 SOL
  p.onExecution(order('b1', 'buy'), filled('b1', 1_000_000_000n, 9_975_000_000n, 2_500_000n, 100, '2026-01-01T01:00:00.000Z'));

  f = tick(p, params, 2, { close: 96 }, { quote: 4_000_000_000n, base: 9_975_000_000n });
  const entry = 1000 / 9.975; // 100.2506… (fees in the cost)
  assert.equal(f.position.open, true);
  assert.equal(f.position.sizeAtoms, '9975000000');
  assert.ok(Math.abs((f.position.entryUsd as number) - entry) < 1e-9);
  assert.ok(Math.abs((f.position.stopUsd as number) - entry * 0.95) < 1e-9);
  assert.ok(Math.abs((f.position.takeProfitUsd as number) - entry * 1.1) < 1e-9);
  assert.ok(Math.abs((f.position.pnlUsd as number) - (9.975 * 96 - 1000)) < 1e-9);
  assert.equal(f.position.stopHit, false, '96 is above the stop at 95.24');
  assert.equal(f.position.exitDue, false);
  assert.equal(f.position.barsHeld, 1);
  assert.equal(f.position.canEnter, false, 'maxPositions 1');

  f = tick(p, params, 3, { close: 95 }, { quote: 4_000_000_000n, base: 9_975_000_000n });
  assert.equal(f.position.stopHit, true);
  assert.equal(f.position.exitDue, true);
  assert.equal(f.position.exitReason, 'stop-loss');
  assert.equal(f.position.exitSizeAtoms, '9975000000');

  p.onOrders([order('s1', 'sell', { exit: 'stop-loss' })], { params } as unknown as TickContext);
  // 9.975 SOL at 95 less 0.25 %: 945.2559375 USDC → 945255937 atoms; fee 24937500 lamports
  p.onExecution(order('s1', 'sell', { exit: 'stop-loss' }), filled('s1', 9_975_000_000n, 945_255_937n, 24_937_500n, 95, '2026-01-01T03:00:00.000Z'));
  const summary = p.summary() as { trades: Array<Record<string, unknown>>; exits: Record<string, number> };
  assert.equal(summary.trades.length, 1);
  const t = summary.trades[0]!;
  assert.equal(t.exitReason, 'stop-loss');
  assert.equal(t.sizeAtoms, '9975000000');
  assert.equal(t.costQuoteAtoms, '1000000000');
  assert.equal(t.proceedsQuoteAtoms, '945255937');
  assert.equal(t.entryTime, '2026-01-01T01:00:00.000Z');
  assert.equal(t.exitTime, '2026-01-01T03:00:00.000Z');
  assert.equal(t.exitPriceUsd, 95);
  assert.equal(t.barsHeld, 2);
  assert.ok(Math.abs((t.pnlUsd as number) - (945.255937 - 1000)) < 1e-9);
  assert.ok(Math.abs((t.feesUsd as number) - (2.5 + 0.0249375 * 95)) < 1e-9, 'entry fee in USDC + exit fee in SOL at the fill price');
  assert.deepEqual(summary.exits, { 'stop-loss': 1 });
  const pnl = p.pnl(95, 1);
  assert.equal(pnl.inventoryAtoms, 0n);
  assert.equal(pnl.unrealizedUsd, 0);
  assert.ok(Math.abs(pnl.realizedUsd - (945.255937 - 1000)) < 1e-9);
  assert.ok(Math.abs(pnl.feesUsd - (2.5 + 0.0249375 * 95)) < 1e-9);

  // cooldown of 2 bars after the exit
  f = tick(p, params, 4, { close: 97 });
  assert.equal(f.position.open, false);
  assert.equal(f.position.inCooldown, true);
  assert.equal(f.position.canEnter, false);
  assert.equal(f.position.enterSizeAtoms, '0');
  f = tick(p, params, 5, { close: 98 });
  assert.equal(f.position.barsSinceExit, 2);
  assert.equal(f.position.canEnter, true);
});

function openAt100(p: SignalPlanner, params: Record<string, unknown>): void {
  tick(p, params, 1, { close: 100 });
  p.onOrders([order('b', 'buy')], { params } as unknown as TickContext);
  p.onExecution(order('b', 'buy'), filled('b', 1_000_000_000n, 10_000_000_000n, 0n, 100, '2026-01-01T01:00:00.000Z'));
}

test('trailing stop follows the highest close; take-profit and the holding limit', () => {
  const trail = { sizing: { type: 'usd', value: 1000 }, trailingStop: { pct: 10 } };
  const a = new SignalPlanner(market, 's', { params: trail });
  openAt100(a, trail);
  assert.equal(tick(a, trail, 2, { close: 110 }).position.trailingStopUsd, 99);
  let f = tick(a, trail, 3, { close: 120 });
  assert.equal(f.position.trailingStopUsd, 108);
  assert.equal(f.position.highUsd, 120);
  assert.equal(tick(a, trail, 4, { close: 108.01 }).position.trailingHit, false);
  f = tick(a, trail, 5, { close: 108 });
  assert.equal(f.position.trailingHit, true);
  assert.equal(f.position.exitReason, 'trailing-stop');

  const tp = { sizing: { type: 'usd', value: 1000 }, takeProfit: { pct: 10 }, maxHoldingBars: 3 };
  const b = new SignalPlanner(market, 's', { params: tp });
  openAt100(b, tp);
  assert.equal(tick(b, tp, 2, { close: 109.99 }).position.takeProfitHit, false);
  f = tick(b, tp, 3, { close: 110 });
  assert.equal(f.position.takeProfitHit, true);
  assert.equal(f.position.exitReason, 'take-profit');
  f = tick(b, tp, 4, { close: 105 });
  assert.equal(f.position.barsHeld, 3);
  assert.equal(f.position.maxHoldingHit, true);
  assert.equal(f.position.exitReason, 'max-holding');
});

test('an ATR stop-loss is fixed at entry from the ATR when the entry was decided', () => {
  const params = { sizing: { type: 'usd', value: 1000 }, stopLoss: { atr: 'atr', multiple: 2 } };
  const p = new SignalPlanner(market, 's', { params, indicators: { atr: { atr: 2 } } });
  tick(p, params, 1, { open: 100, high: 101, low: 99, close: 100 }); // TR 2
  const f = tick(p, params, 2, { open: 100, high: 103, low: 100, close: 102 }); // TR 3 → ATR (2+3)/2 = 2.5
  assert.equal(f.indicator.atr!.value, 2.5);
  p.onOrders([order('b', 'buy')], { params } as unknown as TickContext);
  p.onExecution(order('b', 'buy'), filled('b', 1_000_000_000n, 10_000_000_000n, 0n, 100, '2026-01-01T02:00:00.000Z'));
  // a later, larger ATR does not move the stop: entry 100 − 2 × 2.5
  const g = tick(p, params, 3, { open: 102, high: 110, low: 96, close: 96 });
  assert.equal(g.position.stopUsd, 95);
  assert.equal(g.position.stopHit, false);
  assert.equal(tick(p, params, 4, { close: 95 }).position.stopHit, true);
});

test('sizing by hand: fixed USD, % of equity, % of free quote, risk from the stop distance', () => {
  const base = { freeQuoteAtoms: 4_000_000_000n, quote: USDC, quoteUsd: 1, priceUsd: 100, stopUsd: 95, equityUsd: 10_000 };
  assert.equal(entrySize({ ...base, sizing: { type: 'usd', value: 750 } }).atoms, 750_000_000n);
  assert.equal(entrySize({ ...base, sizing: { type: 'equityPct', value: 20 } }).atoms, 2_000_000_000n);
  assert.equal(entrySize({ ...base, sizing: { type: 'quotePct', value: 25 } }).atoms, 1_000_000_000n);
  // risk 1 % of 10,000 = 100 USD over a 5 % stop distance = 2,000 USD
  assert.equal(entrySize({ ...base, sizing: { type: 'risk', value: 1 } }).atoms, 2_000_000_000n);
  // capped by the free quote
  assert.equal(entrySize({ ...base, sizing: { type: 'risk', value: 3 } }).atoms, 4_000_000_000n);
  // no stop (an unready ATR): no entry
  assert.equal(entrySize({ ...base, stopUsd: undefined, sizing: { type: 'risk', value: 1 } }).atoms, 0n);
});

test('snapshot and restore keep the position; indicators warm up again', () => {
  const params = { sizing: { type: 'usd', value: 1000 }, stopLoss: { pct: 5 } };
  const p = new SignalPlanner(market, 's', { params, indicators: CROSS });
  openAt100(p, params);
  tick(p, params, 2, { close: 101 });
  const state = JSON.parse(JSON.stringify(p.snapshot()));
  const q = new SignalPlanner(market, 's', { params, indicators: CROSS });
  q.restore(state);
  const f = tick(q, params, 3, { close: 102 });
  assert.equal(f.position.sizeAtoms, '10000000000');
  assert.equal(f.position.barsHeld, 2);
  assert.equal(f.position.stopUsd, 95);
  assert.equal(f.indicator.fast!.ready, false, 'indicator state is not stored');
  assert.equal(q.pnl(102, 1).unrealizedUsd, 20);
});

test('an indicator on another market is fed from otherBars; without them it stays unready', () => {
  const params = { sizing: { type: 'usd', value: 1000 } };
  const p = new SignalPlanner(market, 's', { params, indicators: { solTrend: { sma: 2, market: 'SOL' }, fast: { sma: 2 } } });
  assert.deepEqual(p.otherMarkets, ['SOL']);
  tick(p, params, 1, { close: 2 }, undefined, { SOL: { time: HOUR, open: 150, high: 150, low: 150, close: 150 } });
  let f = tick(p, params, 2, { close: 2.1 }, undefined, { SOL: { time: 2 * HOUR, open: 160, high: 160, low: 160, close: 160 } });
  assert.equal(f.indicator.solTrend!.value, 155);
  assert.ok(Math.abs((f.indicator.fast!.value as number) - 2.05) < 1e-12);
  const q = new SignalPlanner(market, 's', { params, indicators: { solTrend: { sma: 2, market: 'SOL' } } });
  tick(q, params, 1, { close: 2 });
  f = tick(q, params, 2, { close: 2.1 });
  assert.equal(f.indicator.solTrend!.ready, false);
  assert.equal(f.indicator.solTrend!.value, null);
});

test('a price event without a bar is a bar with open = high = low = close', () => {
  const params = { sizing: { type: 'usd', value: 1000 } };
  const p = new SignalPlanner(market, 's', { params, indicators: { hi: { highest: 2 } } });
  const ctx = (usd: number, t: number) => ({ time: new Date(t), price: { usd }, quoteUsd: 1, wallet: { baseAtoms: '0', quoteAtoms: '0' }, params, base: SOL, quote: USDC }) as unknown as TickContext;
  p.facts(ctx(10, 1000));
  const f = p.facts(ctx(12, 2000)) as unknown as Facts;
  assert.equal(f.bar.high, 12);
  assert.equal(f.bar.low, 12);
  assert.equal(f.indicator.hi!.value, 12);
  assert.equal(f.position.enterSizeAtoms, '0', 'no quote, no entry');
});

test('an exit split into chunks is one trade, recorded when its last chunk settles', () => {
  const params = { sizing: { type: 'usd', value: 1000 } };
  const p = new SignalPlanner(market, 's', { params });
  openAt100(p, params); // 10 SOL for 1000 USDC
  tick(p, params, 2, { close: 110 });
  const chunks = [order('s-1of2', 'sell', { exit: 'cross-down' }), order('s-2of2', 'sell', { exit: 'cross-down' })];
  p.onOrders(chunks, { params } as unknown as TickContext);
  p.onExecution(chunks[0]!, filled('s-1of2', 6_000_000_000n, 660_000_000n, 0n, 110, '2026-01-01T03:00:00.000Z'));
  assert.equal((p.summary() as { trades: unknown[] }).trades.length, 0, 'half-way: no trade yet');
  assert.equal(tick(p, params, 3, { close: 110 }).position.exitSizeAtoms, '0', 'nothing more to sell while a chunk is in flight');
  p.onExecution(chunks[1]!, filled('s-2of2', 4_000_000_000n, 436_000_000n, 0n, 109, '2026-01-01T03:00:05.000Z'));
  const [t, ...rest] = (p.summary() as { trades: SignalTrade[] }).trades;
  assert.equal(rest.length, 0);
  assert.equal(t!.sizeAtoms, '10000000000');
  assert.equal(t!.costQuoteAtoms, '1000000000');
  assert.equal(t!.proceedsQuoteAtoms, '1096000000');
  assert.ok(Math.abs(t!.pnlUsd - 96) < 1e-9);
  assert.ok(Math.abs(t!.exitPriceUsd - (6 * 110 + 4 * 109) / 10) < 1e-9, 'fill prices weighted by base sold');
  assert.equal(t!.exitTime, '2026-01-01T03:00:05.000Z');
  assert.equal(t!.exitReason, 'cross-down');
});

test('a chunk that fails leaves the rest of the position open, and the sold part is the trade', () => {
  const params = { sizing: { type: 'usd', value: 1000 } };
  const p = new SignalPlanner(market, 's', { params });
  openAt100(p, params);
  const chunks = [order('a', 'sell'), order('b', 'sell')];
  p.onOrders(chunks, { params } as unknown as TickContext);
  p.onExecution(chunks[0]!, filled('a', 5_000_000_000n, 500_000_000n, 0n, 100, '2026-01-01T02:00:00.000Z'));
  p.onExecution(chunks[1]!, { ...filled('b', 0n, 0n, 0n, 100, '2026-01-01T02:00:00.000Z'), status: 'failed' });
  const trades = (p.summary() as { trades: SignalTrade[] }).trades;
  assert.equal(trades.length, 1);
  assert.equal(trades[0]!.sizeAtoms, '5000000000');
  assert.equal(trades[0]!.exitReason, 'rule-sell');
  const f = tick(p, params, 2, { close: 100 });
  assert.equal(f.position.sizeAtoms, '5000000000');
  assert.equal(f.position.exitSizeAtoms, '5000000000');
});

test('the entry size follows every input its sizing reads, bar after bar (remembered between bars only while they are the same)', () => {
  const p = new SignalPlanner(market, 's', { params: {}, indicators: CROSS });
  const wallet = { quote: 3_000_000_000n, base: 20_000_000_000n }; // 3,000 USDC + 20 SOL
  const size = (params: Record<string, unknown>, i: number, close: number, w = wallet) => tick(p, params, i, { close }, w).position.enterSizeAtoms;
  const expected = (sizing: { type: 'usd' | 'equityPct' | 'quotePct' | 'risk'; value: number }, close: number, w = wallet, extra: { stopUsd?: number; maxUsd?: number } = {}) =>
    entrySize({ sizing, equityUsd: Number(w.quote) / 1e6 + (Number(w.base) / 1e9) * close, freeQuoteAtoms: w.quote, quote: USDC, quoteUsd: 1, priceUsd: close, stopUsd: extra.stopUsd, ...(extra.maxUsd !== undefined ? { maxUsd: extra.maxUsd } : {}) }).atoms.toString();
  // % of equity: the price moves the equity (20 SOL), so the size, bar after bar.
  const eq = { sizing: { type: 'equityPct', value: 10 } };
  assert.equal(size(eq, 1, 100), expected(eq.sizing as never, 100)); // 10 % of 5,000
  assert.equal(size(eq, 2, 100), '500000000');
  assert.equal(size(eq, 3, 110), expected(eq.sizing as never, 110)); // 10 % of 5,200
  assert.equal(size(eq, 3, 110), '520000000');
  // The same sizing object with another value (a reload), then a cap.
  (eq.sizing as { value: number }).value = 20;
  assert.equal(size(eq, 4, 110), '1040000000');
  assert.equal(size({ ...eq, maxEntryUsd: 700 }, 5, 110), '700000000');
  assert.equal(size(eq, 6, 110), '1040000000', 'the cap removed again');
  // Fixed USD reads the free quote only: a thinner wallet caps it.
  const usd = { sizing: { type: 'usd', value: 1500 } };
  assert.equal(size(usd, 7, 110), '1500000000');
  assert.equal(size(usd, 8, 120, { quote: 1_200_000_000n, base: 0n }), '1200000000');
  // Risk: the stop moves with the price (5 % below) and the equity with the price.
  const risk = { sizing: { type: 'risk', value: 1 }, stopLoss: { pct: 5 } };
  assert.equal(size(risk, 9, 100), expected(risk.sizing as never, 100, wallet, { stopUsd: 95 })); // 1 % of 5,000 / 5 % = 1,000
  assert.equal(size(risk, 9, 100), '1000000000');
  assert.equal(size(risk, 10, 150), expected(risk.sizing as never, 150, wallet, { stopUsd: 142.5 })); // 1 % of 6,000 / 5 % = 1,200
  assert.equal(size(risk, 10, 150), '1200000000');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOrders, checkOrderJson, orderFromJson, orderId, orderToJson, type OrderContext } from '../../engine/orders/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import type { FiredEvent } from '../../engine/rules/index.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };

function ctx(overrides: Partial<OrderContext> = {}): OrderContext {
  return {
    strategy: 'grid',
    ruleFile: 'grid',
    ruleSetHash: 'a'.repeat(64),
    base: SOL,
    quote: USDC,
    priceUsd: (m) => (m === SOL.mint ? 100 : m === USDC.mint ? 1 : undefined),
    now: new Date('2022-01-01T00:00:00Z'),
    facts: { price: { usd: 100 }, grid: { crossedDown: true } },
    explanation: { ruleId: 'grid-buy', ruleSetHash: 'a'.repeat(64), conditions: { kind: 'all', result: true, children: [] } },
    ...overrides,
  };
}

const buy = (params: Record<string, unknown>): FiredEvent => ({ ruleId: 'grid-buy', fileId: 'grid', priority: 10, type: 'order', params: { side: 'buy', ...params } });

test('a buy spends quote atoms for the base token with a limit and minimum output from the slippage', () => {
  const [order] = buildOrders(buy({ amountIn: '400000000', maxSlippageBps: 100, ttlHours: 12, urgency: 'normal' }), ctx());
  assert.ok(order);
  assert.equal(order.inputMint, USDC.mint);
  assert.equal(order.outputMint, SOL.mint);
  assert.equal(order.amountIn, 400_000_000n);
  // 400 USDC at 100 USD/SOL = 4 SOL; 1 % slippage -> 3.96 SOL minimum.
  assert.equal(order.minAmountOut, 3_960_000_000n);
  assert.equal(order.notionalUsd, 400);
  assert.equal(order.limitPriceUsd, 101);
  assert.equal(order.expiresAt, '2022-01-01T12:00:00.000Z');
  assert.deepEqual(order.params, { maxSlippageBps: 100, ttlHours: 12 });
  assert.equal(checkOrderJson(orderToJson(order)).id, order.id);
});

test('the same decision on the same facts gets the same id; any difference a different one', () => {
  const a = buildOrders(buy({ amountIn: '1000' }), ctx())[0]!;
  const b = buildOrders(buy({ amountIn: '1000' }), ctx())[0]!;
  assert.equal(a.id, b.id);
  assert.match(a.id, /^ord_[0-9a-f]{32}$/);
  const otherFacts = buildOrders(buy({ amountIn: '1000' }), ctx({ facts: { price: { usd: 100.01 } } }))[0]!;
  const otherSet = buildOrders(buy({ amountIn: '1000' }), ctx({ ruleSetHash: 'b'.repeat(64) }))[0]!;
  assert.notEqual(otherFacts.id, a.id);
  assert.notEqual(otherSet.id, a.id);
  assert.equal(orderId({ strategy: 'grid', rule: 'grid-buy', ruleSetHash: 'a'.repeat(64), factsDigest: a.factsDigest }), a.id);
});

test('large orders split into chunks whose atoms sum exactly to the whole', () => {
  for (let amount = 1_000_000_001n; amount < 1_000_000_001n + 50n; amount += 7n) {
    const orders = buildOrders(buy({ amountIn: amount.toString(), maxChunkUsd: 300 }), ctx());
    assert.equal(orders.length, 4); // ~1000 USD in chunks of at most 300
    assert.equal(orders.reduce((s, o) => s + o.amountIn, 0n), amount);
    assert.deepEqual(orders.map((o) => o.chunk), [1, 2, 3, 4].map((index) => ({ index, count: 4 })));
    assert.equal(new Set(orders.map((o) => o.id)).size, 4);
    for (const o of orders) assert.ok(o.notionalUsd <= 300.001, `chunk of ${o.notionalUsd} USD`);
    assert.ok(orders.every((o) => checkOrderJson(orderToJson(o))));
  }
});

test('bad event params are refused with ORDER_INVALID_PARAM naming rule, field and value', () => {
  for (const [params, field] of [
    [{ amountIn: '12.5' }, 'amountIn'],
    [{ amountIn: '0' }, 'amountIn'],
    [{ amountIn: '10', urgency: 'asap' }, 'urgency'],
    [{ amountIn: '10', maxSlippageBps: 20000 }, 'maxSlippageBps'],
    [{ amountIn: '10', side: 'hold' }, 'side'],
  ] as const) {
    assert.throws(() => buildOrders(buy(params), ctx()), (err) => {
      assert.ok(isSolrulesError(err, 'ORDER_INVALID_PARAM'));
      assert.equal(err.context.field, field);
      assert.equal(err.context.rule, 'grid-buy');
      return true;
    });
  }
});

test('JSON form keeps atoms exact as decimal strings and rejects non-atoms', () => {
  const [order] = buildOrders(buy({ amountIn: '18446744073709551617' }), ctx());
  const json = orderToJson(order!);
  assert.equal(json.amountIn, '18446744073709551617');
  assert.equal(orderFromJson(JSON.parse(JSON.stringify(json))).amountIn, 18446744073709551617n);
  assert.throws(() => orderFromJson({ ...json, amountIn: '1e3' }), (err) => isSolrulesError(err, 'ORDER_INVALID') && err.context.field === 'amountIn');
  assert.throws(() => checkOrderJson({ ...json, side: 'hold' }), (err) => isSolrulesError(err, 'ORDER_INVALID') && err.context.field === 'side');
});

test('a round trip named in the base token is valued with the base token (decimals and price)', () => {
  const [order] = buildOrders(
    { ruleId: 'two-leg-arb', fileId: 'arbitrage', priority: 10, type: 'order', params: { side: 'roundtrip', amountIn: '2000000000', inputMint: SOL.mint, outputMint: SOL.mint } },
    ctx({ strategy: 'arbitrage', ruleFile: 'arbitrage' }),
  );
  assert.equal(order!.inputMint, SOL.mint);
  assert.equal(order!.outputMint, SOL.mint);
  assert.equal(order!.notionalUsd, 200); // 2 SOL at 100 USD, not 2000 USDC
  assert.equal(order!.minAmountOut, 2_000_000_000n);
  assert.throws(
    () => buildOrders({ ruleId: 'x', fileId: 'f', priority: 1, type: 'order', params: { side: 'roundtrip', amountIn: '1', inputMint: 'Unknown1111111111111111111111111111111111111' } }, ctx()),
    (err) => isSolrulesError(err, 'ORDER_INVALID_PARAM') && err.context.field === 'inputMint',
  );
});

test('an order and its JSON form convert to each other once: the same objects both ways; a form parsed from text converts afresh, equal', () => {
  const [order] = buildOrders(buy({ amountIn: '1000', expectedProfitLamports: '5' }), ctx());
  const json = orderToJson(order!);
  assert.equal(orderToJson(order!), json, 'the order\'s JSON form is remembered');
  assert.equal(orderFromJson(json), order, 'its form converts back to the order itself (an in-process bus sharing payloads)');
  const parsed = JSON.parse(JSON.stringify(json));
  const again = orderFromJson(parsed);
  assert.notEqual(again, order);
  assert.deepEqual(again, order);
  assert.equal(orderFromJson(parsed), again);
  assert.equal(orderToJson(again), parsed);
});

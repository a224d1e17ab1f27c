import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PaperExecutor, Portfolio } from '../../engine/executors/index.ts';
import { buildOrders, type Order } from '../../engine/orders/index.ts';
import { feeAtoms } from '../../engine/executors/paper/index.ts';

const SOL = { symbol: 'SOL', mint: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { symbol: 'USDC', mint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const tokens = new Map([SOL, USDC].map((t) => [t.mint, t]));

function order(side: 'buy' | 'sell', amountIn: string, slippageBps = 100): Order {
  return buildOrders(
    { ruleId: 'r', fileId: 'f', priority: 1, type: 'order', params: { side, amountIn, maxSlippageBps: slippageBps } },
    {
      strategy: 's', ruleFile: 'f', ruleSetHash: 'c'.repeat(64), base: SOL, quote: USDC,
      priceUsd: (m) => (m === SOL.mint ? 100 : 1), now: new Date('2022-01-01T00:00:00Z'), facts: {},
      explanation: { ruleId: 'r', ruleSetHash: 'c'.repeat(64), conditions: { kind: 'all', result: true } },
    },
  )[0]!;
}

function setup(price = 100, slippageBps = 10) {
  const portfolio = new Portfolio({ [SOL.mint]: 0n, [USDC.mint]: 1_000_000_000n });
  let p = price;
  const exec = new PaperExecutor('paper', { feeBps: 25, slippageBps }, tokens, portfolio, { priceUsd: (m) => (m === SOL.mint ? p : 1), now: () => new Date('2022-01-01T00:00:00Z') });
  return { portfolio, exec, setPrice: (x: number) => (p = x) };
}

const route = { executor: 'jito', ruleId: 'route', params: {} };

test('fee is rounded up, as AMM programs round fees', () => {
  assert.equal(feeAtoms(400_000_000n, 25), 1_000_000n);
  assert.equal(feeAtoms(1n, 25), 1n);
  assert.equal(feeAtoms(0n, 25), 0n);
  assert.equal(feeAtoms(3999n, 25), 10n); // 9.9975 -> 10
});

test('a buy fills at the price plus slippage, minus the fee, exactly, and moves the balances', async () => {
  const { portfolio, exec } = setup();
  const r = await exec.execute({ order: order('buy', '400000000'), route });
  assert.equal(r.status, 'filled');
  assert.equal(r.simulated, true);
  assert.equal(r.feeAtoms, 1_000_000n);
  // (400 - 1) USDC at 100.1 USD/SOL = 3.986013986... SOL -> floor in lamports.
  assert.equal(r.amountOut, 3_986_013_986n);
  assert.equal(r.fillPriceUsd, 100.1);
  assert.equal(portfolio.balance(USDC.mint), 600_000_000n);
  assert.equal(portfolio.balance(SOL.mint), 3_986_013_986n);
});

test('a sell below its minimum output fails without touching balances', async () => {
  const { portfolio, exec, setPrice } = setup();
  await exec.execute({ order: order('buy', '400000000'), route });
  const sell = order('sell', '1000000000', 50); // min out at 100 USD - 0.5 %
  setPrice(98); // moved 2 % against us
  const r = await exec.execute({ order: sell, route });
  assert.equal(r.status, 'failed');
  assert.match(r.reason!, /slippage/);
  assert.equal(portfolio.balance(SOL.mint), 3_986_013_986n);
});

test('insufficient balance fails with the reason; round trips are not simulated by paper', async () => {
  const { exec } = setup();
  const r = await exec.execute({ order: order('sell', '5000000000'), route });
  assert.equal(r.status, 'failed');
  assert.match(r.reason!, /paper balance .* needs 5000000000/);
  const rt = { ...order('buy', '10'), side: 'roundtrip' as const, outputMint: USDC.mint };
  assert.equal((await exec.execute({ order: rt, route })).status, 'rejected');
});

test('with pool state, a paper fill is the venue\'s exact quote at the current state (not an assumed price)', async () => {
  const { loadAccountDir } = await import('../../engine/accounts/index.ts');
  const { orcaWhirlpool } = await import('../../engine/venues/index.ts');
  const { PoolStateQuoter } = await import('../../engine/executors/index.ts');
  const { sharedFixture } = await import('../support/paths.ts');
  const accounts = loadAccountDir(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials'));
  const state = orcaWhirlpool.buildState(accounts.get('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ')!, accounts, { unixTimestamp: 1668008674n });
  assert.equal(state.mintA, SOL.mint);
  assert.equal(state.mintB, USDC.mint);
  const portfolio = new Portfolio({ [SOL.mint]: 0n, [USDC.mint]: 1_000_000_000n });
  const exec = new PaperExecutor('paper', { feeBps: 25, slippageBps: 10 }, tokens, portfolio, { priceUsd: (m) => (m === SOL.mint ? 100 : 1), now: () => new Date('2022-01-01T00:00:00Z') }, { quoter: new PoolStateQuoter({ statesFor: async () => [state] }) });
  const o = order('buy', '40000000', 9000); // 40 USDC at a 100 USD assumed price; the pool's price differs
  const r = await exec.execute({ order: o, route });
  const q = orcaWhirlpool.quoteExactIn(state, USDC.mint, 40_000_000n);
  assert.equal(r.status, 'filled', r.reason);
  assert.equal(r.fillSource, 'pool-quote');
  assert.equal(r.amountOut, q.amountOut);
  assert.equal(r.feeAtoms, q.feeAmount);
  assert.equal(portfolio.balance(SOL.mint), q.amountOut);
  // Without pool state the same order falls back to the price, and says so.
  const fallback = await setup().exec.execute({ order: o, route });
  assert.equal(fallback.fillSource, 'price');
  assert.notEqual(fallback.amountOut, q.amountOut);
});

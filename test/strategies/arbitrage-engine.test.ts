/**
 * End to end on loopback: the sandbox holds two real SOL/USDC pools priced 1.5 % apart; the
 * WebSocket scanner decodes them into market state and publishes prices; the engine's arbitrage
 * planner turns that state into the `arbitrage` fact; rules/arbitrage.yaml decides a round-trip
 * order; the coordinator applies risk and routing; the paper executor re-quotes the route against
 * the live pools and fills it. Then the prices converge and no further order is decided.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBus, type BusMessage } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { buildActiveConfig, ConfigHolder } from '../../engine/config/index.ts';
import { flashLoanFee, quoteRoundTrip, type ArbitrageRoute } from '../../engine/strategies/arbitrage/index.ts';
import { referenceEvaluator } from '../../engine/rules/index.ts';
import { composeEngine, type TradingEngine } from '../../engine/app/index.ts';
import { MarketScanner } from '../../engine/market/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import { REPO_ROOT } from '../support/paths.ts';
import { ORCA_POOL, RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT, RAYDIUM_POOL, raydiumNear, USDC, withTokenAmount } from '../quotes/support.ts';
import { fixtureSandbox, sandboxConfig, until } from '../market/support.ts';
import { SUBJECTS } from '../../engine/messages/index.ts';

test('live pool state → arbitrage fact → rule → coordinator → paper round trip filled against the pools', async () => {
  const built = await buildActiveConfig(REPO_ROOT, referenceEvaluator, 'test', { runTests: false });
  assert.ok(built.active, JSON.stringify(built.diagnostics));
  const active = built.active;
  const strategies = active.strategies.strategies;
  strategies.grid!.enabled = false;
  strategies.dca!.enabled = false;
  strategies.arbitrage!.enabled = true;
  Object.assign(active.ruleSet.params.arbitrage as Record<string, unknown>, { maxInputUsd: 1_000, flashLoanFeeBps: 9, tipLamports: 100_000, priorityFeeLamports: 50_000 });

  const sb = await fixtureSandbox({ raydium: raydiumNear(1.015) });
  const bus = new MemoryBus();
  const store = new MemoryStore();
  const log = createLogger({ level: 'silent' });
  const scanner = new MarketScanner({ config: sandboxConfig(sb), bus, cache: new MemoryCache(), log });
  const engine = await composeEngine({ holder: new ConfigHolder(active), bus, store, log, market: scanner.market });
  const confirmed: BusMessage<any>[] = [];
  const failed: BusMessage<any>[] = [];
  await bus.subscribe(SUBJECTS.confirmed, (m) => void confirmed.push(m));
  await bus.subscribe(SUBJECTS.failed, (m) => void failed.push(m));
  const usdc0 = engine.portfolio.balance(USDC);
  try {
    await engine.start();
    await scanner.start();
    await until(() => confirmed.length + failed.length >= 1, 'the arbitrage order to be executed', 8_000);
    assert.deepEqual(failed.map((m) => m.data.report.reason), []);
    const { order, report, route } = confirmed[0]!.data;
    assert.equal(order.strategy, 'arbitrage');
    assert.equal(order.rule, 'two-leg-arb');
    assert.equal(order.side, 'roundtrip');
    assert.equal(order.inputMint, USDC);
    assert.equal(order.outputMint, USDC);
    assert.equal(order.urgency, 'high');
    assert.ok(['route-profitable-to-jito', 'route-arbitrage-to-jito'].includes(route.ruleId), route.ruleId);
    assert.equal(route.executor, 'jito');
    const r = order.params.route as ArbitrageRoute;
    assert.deepEqual(r.legs.map((l) => l.pool), [ORCA_POOL, RAYDIUM_POOL], 'buy SOL on Orca, sell it on Raydium');
    assert.equal(r.amountIn, order.amountIn);
    // The fill is the route re-quoted on the pools as they are on the sandbox: unchanged, so exactly as planned.
    const orca = scanner.market.poolsFor(USDC, r.midMint).find((e) => e.state.address === ORCA_POOL)!;
    const ray = scanner.market.poolsFor(USDC, r.midMint).find((e) => e.state.address === RAYDIUM_POOL)!;
    const [, q2] = quoteRoundTrip(orca, ray, USDC, BigInt(r.amountIn))!;
    assert.equal(report.status, 'filled');
    assert.equal(report.simulated, true);
    assert.equal(report.amountOut, q2.amountOut.toString());
    assert.equal(report.amountOut, r.expectedOut);
    const fee = flashLoanFee(BigInt(r.amountIn), { flashLoan: true, flashLoanFeeBps: 9, tipLamports: 0n, priorityFeeLamports: 0n, lamportsToInput: () => 0n });
    assert.equal(r.flashLoanFee, fee.toString());
    const net = BigInt(report.amountOut) - BigInt(r.amountIn) - fee - BigInt(r.costsInInput);
    assert.ok(net > 0n);
    assert.equal(engine.portfolio.balance(USDC) - usdc0, net, 'the paper portfolio gained exactly the net profit');
    assert.ok(BigInt(order.expectedProfitLamports) > 0n);
    const stored = await store.getOrder(order.id);
    assert.equal(stored?.status, 'filled');
    const planner = engine.planners.get('arbitrage')!;
    assert.equal((planner.snapshot() as { filled: number }).filled, 1);
    assert.ok(planner.pnl(40, 1).realizedUsd > 0);

    // Prices converge (Raydium's vaults rewritten to Orca's price): the next tick finds no profit.
    const decided = engine.stats.orders.get('arbitrage/two-leg-arb')!.decided;
    const ticks = engine.stats.ticks;
    const even = raydiumNear(1.0);
    sb.advanceSlots(1);
    for (const vault of [RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT]) {
      const a = sb.getAccount(vault)!;
      sb.setAccount(vault, { ...a, data: withTokenAmount({ address: vault, ...a }, new DataView(even.get(vault)!.data.buffer).getBigUint64(64, true)).data });
    }
    await until(() => engine.stats.ticks > ticks, 'a tick on the new prices');
    await scanner.idle();
    await bus.settle();
    assert.equal(engine.stats.orders.get('arbitrage/two-leg-arb')!.decided, decided, 'no order once the spread is gone');
  } finally {
    await scanner.stop();
    await engine.stop();
    await bus.close();
    await sb.close();
  }
});

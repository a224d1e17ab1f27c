/**
 * Route templates: a profitable round trip is remembered by the hash of its route; the next tick
 * re-fills it with its size and quotes it once instead of searching; landings update it; it is
 * saved with the strategy state and `StoredRouteTemplates.load(profitableSince)` returns those
 * that made money.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArbitragePlanner, bestRoundTrip, StoredRouteTemplates, routeHash, type ArbitrageRoute } from '../../engine/strategies/arbitrage/index.ts';
import { StaticPoolProvider } from '../../engine/quotes/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { priceFact, walletFact } from '../../engine/facts/index.ts';
import { routeHistoryFromStore } from '../../engine/market/index.ts';
import type { TickContext } from '../../engine/strategies/index.ts';
import type { ExecutionReport, Order } from '../../engine/orders/index.ts';
import { orcaEntry, raydiumEntry, raydiumNear, SOL, USDC } from '../quotes/support.ts';

const SOL_TOKEN = { symbol: 'SOL', mint: SOL, decimals: 9 };
const USDC_TOKEN = { symbol: 'USDC', mint: USDC, decimals: 6 };
const ctx = (params: Record<string, unknown>, iso = '2026-01-01T00:00:00Z'): TickContext => ({
  time: new Date(iso),
  price: priceFact({ mint: SOL, symbol: 'SOL', recentUsd: [40.4], time: new Date(iso), source: 'test' }),
  quoteUsd: 1,
  wallet: walletFact({ baseAtoms: 0n, quoteAtoms: 10n ** 12n, baseDecimals: 9, quoteDecimals: 6 }),
  params,
  base: SOL_TOKEN,
  quote: USDC_TOKEN,
});

test('routeHash names pools, venues and directions: the same route hashes the same, a reversed one differently', () => {
  const legs = [
    { pool: 'A', venue: 'orca-whirlpool', inputMint: USDC, outputMint: SOL },
    { pool: 'B', venue: 'raydium-amm-v4', inputMint: SOL, outputMint: USDC },
  ];
  assert.equal(routeHash(legs), routeHash(structuredClone(legs)));
  assert.notEqual(routeHash(legs), routeHash([...legs].reverse()));
  assert.notEqual(routeHash(legs), routeHash([{ ...legs[0]!, venue: 'meteora-dlmm' }, legs[1]!]));
  assert.match(routeHash(legs), /^[0-9a-f]{32}$/);
});

test('a repeated opportunity is rebuilt from its template with one quote; the search runs when none pays', async () => {
  const ray = raydiumEntry(undefined, raydiumNear(1.01));
  const orca = orcaEntry();
  const planner = new ArbitragePlanner({ market: new StaticPoolProvider([ray, orca]), base: SOL_TOKEN, quote: USDC_TOKEN });
  const params = { maxInputUsd: 5_000 };
  const searched = planner.facts(ctx(params)).arbitrage as Record<string, any>;
  assert.equal(planner.lastSearch.template, undefined, 'the first time: a search');
  assert.ok(planner.lastSearch.evaluations > 20, `searched ${planner.lastSearch.evaluations} sizes`);
  const route = planner.lastRoute!;
  assert.ok(route.template);
  const tmpl = planner.templates[route.template!]!;
  assert.equal(tmpl.hash, routeHash(tmpl.legs));
  assert.deepEqual(tmpl.legs.map((l) => l.venue), ['orca-whirlpool', 'raydium-amm-v4']);
  assert.equal(tmpl.amountIn, searched.amountIn);
  // Same state, the next tick: the template, quoted once, the same round trip to the atom.
  const rebuilt = planner.facts(ctx(params)).arbitrage as Record<string, any>;
  assert.equal(planner.lastSearch.template, route.template);
  assert.equal(planner.lastSearch.evaluations, 1);
  for (const k of ['amountIn', 'expectedOut', 'netProfitLamports', 'buyVenue', 'sellVenue']) assert.equal(rebuilt[k], searched[k], k);
  assert.equal(planner.templates[route.template!]!.offered, 2);
  // With costs that eat the profit the template no longer pays: the search runs (and finds none).
  planner.facts(ctx({ ...params, tipLamports: 10 ** 12 }));
  assert.equal(planner.lastSearch.template, undefined);
  assert.ok(planner.lastSearch.evaluations > 1);
  // A template that no longer clears the thresholds at its size leaves the choice to the search.
  const rich = planner.facts(ctx({ ...params, minProfitUsd: 10 ** 6 })).arbitrage as Record<string, any>;
  assert.equal(planner.lastSearch.template, undefined);
  assert.ok(planner.lastSearch.evaluations > 1);
  assert.equal(rich.amountIn, searched.amountIn, 'the search finds the same best size here');
  // Templates off: always the search.
  planner.facts(ctx({ ...params, routeTemplates: false }));
  assert.equal(planner.lastSearch.template, undefined);
  // The template's size is what the search had found on this state.
  const direct = bestRoundTrip(orca, ray, USDC, 1n, BigInt(Math.floor(5_000 * 1e6)), { flashLoan: true, flashLoanFeeBps: 0, tipLamports: 10_000n, priorityFeeLamports: 5_000n, lamportsToInput: (l) => BigInt(Math.ceil(((Number(l) / 1e9) * 40.4 * 1e6) / 1)) })!;
  assert.equal(tmpl.amountIn, direct.amountIn.toString());
});

test('landings update the template; it is saved with the strategy state and load(profitableSince) returns those that made money', async () => {
  const planner = new ArbitragePlanner({ market: new StaticPoolProvider([raydiumEntry(undefined, raydiumNear(1.01)), orcaEntry()]), base: SOL_TOKEN, quote: USDC_TOKEN }, 'arb');
  planner.facts(ctx({ maxInputUsd: 5_000 }));
  const route: ArbitrageRoute = planner.lastRoute!;
  const order = { side: 'roundtrip', inputMint: USDC, outputMint: USDC, params: { route } } as unknown as Order;
  const report = (out: bigint, at: string): ExecutionReport => ({ orderId: 'o', executor: 'jito', status: 'filled', amountIn: BigInt(route.amountIn), amountOut: out, feeAtoms: 0n, networkFeeLamports: 0n, simulated: false, at });
  planner.onExecution(order, report(BigInt(route.expectedOut), '2026-01-01T10:00:00.000Z'));
  const gained = BigInt(route.expectedOut) - BigInt(route.amountIn) - BigInt(route.flashLoanFee) - BigInt(route.costsInInput);
  const t = planner.templates[route.template!]!;
  assert.equal(t.landed, 1);
  assert.equal(t.realizedAtoms, gained.toString());
  assert.equal(t.lastProfitAt, '2026-01-01T10:00:00.000Z');
  // A landing that lost money counts, but does not move lastProfitAt.
  planner.onExecution(order, report(BigInt(route.amountIn) - 5n, '2026-01-01T11:00:00.000Z'));
  assert.equal(planner.templates[route.template!]!.lastProfitAt, '2026-01-01T10:00:00.000Z');
  const store = new MemoryStore();
  await store.saveStrategyState('arb', planner.snapshot());
  const stored = new StoredRouteTemplates(store, 'arb');
  const [loaded] = await stored.load(new Date('2026-01-01T09:00:00Z'));
  assert.equal(loaded?.hash, route.template);
  assert.equal(loaded?.landed, 2);
  assert.deepEqual(await stored.load(new Date('2026-01-01T10:30:00Z')), [], 'nothing profitable since');
  assert.deepEqual(await new StoredRouteTemplates(store, 'other').load(new Date(0)), []);
  // A restart: the restored planner rebuilds from the template without a search.
  const restarted = new ArbitragePlanner({ market: new StaticPoolProvider([raydiumEntry(undefined, raydiumNear(1.01)), orcaEntry()]), base: SOL_TOKEN, quote: USDC_TOKEN }, 'arb');
  restarted.restore(await store.loadStrategyState('arb'));
  restarted.facts(ctx({ maxInputUsd: 5_000 }));
  assert.equal(restarted.lastSearch.template, route.template);
  assert.equal(restarted.lastSearch.evaluations, 1);
});

test('routes from history (the initializer) become templates: the first opportunity is rebuilt with one quote, no search', async () => {
  const pools = () => new StaticPoolProvider([raydiumEntry(undefined, raydiumNear(1.01)), orcaEntry()]);
  const params = { maxInputUsd: 5_000 };
  // Yesterday's run: the search found this round trip, it filled and made money (recorded as the store has it).
  const yesterday = new ArbitragePlanner({ market: pools(), base: SOL_TOKEN, quote: USDC_TOKEN });
  const found = yesterday.facts(ctx(params)).arbitrage as Record<string, any>;
  const route = yesterday.lastRoute!;
  const store = new MemoryStore();
  const order: any = { id: 'ord_1', strategy: 'arbitrage', rule: 'r', ruleFile: 'f', ruleSetHash: 'h', side: 'roundtrip', inputMint: USDC, outputMint: USDC, amountIn: BigInt(route.amountIn), minAmountOut: BigInt(route.amountIn), notionalUsd: 1, urgency: 'high', createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T01:00:00Z', params: { route }, factsDigest: 'd', explanation: { ruleId: 'r', ruleSetHash: 'h', conditions: {} } };
  await store.insertOrder(order, 'filled');
  await store.recordExecution({ orderId: 'ord_1', executor: 'jito', status: 'filled', amountIn: BigInt(route.amountIn), amountOut: BigInt(route.expectedOut), feeAtoms: 0n, networkFeeLamports: 5000n, simulated: false, at: '2026-01-01T00:00:01Z' });
  const history = await routeHistoryFromStore(store).profitableRoutes(100);
  assert.equal(history.length, 1);
  assert.equal(history[0]!.amountIn, route.amountIn, 'history keeps the size of the fill');

  // Today, a fresh planner (no state): without history its first opportunity is a search ...
  const cold = new ArbitragePlanner({ market: pools(), base: SOL_TOKEN, quote: USDC_TOKEN });
  cold.facts(ctx(params));
  assert.equal(cold.lastSearch.template, undefined);
  assert.ok(cold.lastSearch.evaluations > 20, `searched ${cold.lastSearch.evaluations} sizes`);
  // ... with it, the first opportunity is the route from history re-filled and quoted once.
  const warm = new ArbitragePlanner({ market: pools(), base: SOL_TOKEN, quote: USDC_TOKEN });
  const otherPair = { ...history[0]!, legs: history[0]!.legs.map((l) => ({ ...l, inputMint: l.inputMint === USDC ? 'OtherMint1111111111111111111111111111111111' : l.inputMint, outputMint: l.outputMint === USDC ? 'OtherMint1111111111111111111111111111111111' : l.outputMint })) };
  const oneLeg = { ...history[0]!, legs: history[0]!.legs.slice(0, 1) };
  assert.equal(warm.learnRoutes([otherPair, oneLeg, ...history]), 1, 'only the round trip of this pair is taken');
  const hash = routeHash(history[0]!.legs);
  assert.equal(warm.templates[hash]?.landed, 1);
  assert.equal(warm.templates[hash]?.realizedAtoms, (BigInt(route.expectedOut) - BigInt(route.amountIn)).toString());
  const first = warm.facts(ctx(params)).arbitrage as Record<string, any>;
  assert.equal(warm.lastSearch.template, hash, 'the first opportunity came from the history route');
  assert.equal(warm.lastSearch.evaluations, 1, 'one quote, no search');
  for (const k of ['amountIn', 'expectedOut', 'buyVenue', 'sellVenue']) assert.equal(first[k], found[k], k);
  assert.equal(warm.lastRoute!.template, hash);
  assert.equal(warm.learnRoutes(history), 0, 'a template it already keeps is left as it is');
});

/**
 * Several markets in one backtest (engine/backtest/clock.ts, data.ts, runner.ts):
 * - ray-sol-trend on the real RAY and SOL 1h spot series: it enters RAY only while SOL closes
 *   above its 200-hour average, checked against that average computed here from SOL's CSV (a run
 *   that ignored SOL would never enter: its SOL indicators would never be ready);
 * - two strategies on two markets share one portfolio: its P&L is exactly theirs together;
 * - bars of a read market missing where the traded market has one are counted, not filled;
 * - a strategy quoted in another token than the portfolio's cash is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildActiveConfig, type ActiveConfig } from '../../engine/config/index.ts';
import { evaluatorFactory } from '../../engine/rules/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { CandleSeries } from '../../engine/market/index.ts';
import { fillModel, loadBacktestMarkets, mergeClock, misalignments, runBacktest } from '../../engine/backtest/index.ts';
import { REPO_ROOT, SHARED_FIXTURES } from '../support/paths.ts';

const H = 3_600_000;
const FILL = fillModel({ fillAt: 'next-open', feeBps: 25, slippageBps: 10 });

let repo: ActiveConfig | undefined;
async function repoConfig(): Promise<ActiveConfig> {
  if (!repo) {
    const built = await buildActiveConfig(REPO_ROOT, evaluatorFactory('compiled'), 'test', { runTests: false });
    assert.ok(built.active, JSON.stringify(built.diagnostics));
    repo = built.active;
  }
  return repo;
}

/** Close time (ms) → close of SOL's bar closing then, and SOL's 200-bar SMA of closes at that bar (null before 200 bars). */
function solTrend(): Map<number, { close: number; sma200: number | null }> {
  const lines = readFileSync(join(SHARED_FIXTURES, 'candles/sol-usdt-1h-binance-spot/SOLUSDT_1h.csv'), 'utf8').trim().split(/\r?\n/);
  assert.equal(lines[0], 'timestamp,open,high,low,close,volume');
  const out = new Map<number, { close: number; sma200: number | null }>();
  const closes: number[] = [];
  let sum = 0;
  for (const line of lines.slice(1)) {
    const cols = line.split(',');
    const open = Date.parse(cols[0]!.replace(' ', 'T') + 'Z');
    const close = Number(cols[4]);
    closes.push(close);
    sum += close;
    if (closes.length > 200) sum -= closes[closes.length - 201]!;
    out.set(open + H, { close, sma200: closes.length >= 200 ? sum / 200 : null });
  }
  return out;
}

/** RAY's close time → close, from its CSV (the last, partial bar dropped as strategies.yaml does). */
function rayCloses(): Array<{ closeMs: number; close: number }> {
  const lines = readFileSync(join(SHARED_FIXTURES, 'candles/ray-usdt-1h-binance-spot/RAYUSDT_1h.csv'), 'utf8').trim().split(/\r?\n/).slice(1, -1);
  return lines.map((l) => {
    const c = l.split(',');
    return { closeMs: Date.parse(c[0]!.replace(' ', 'T') + 'Z') + H, close: Number(c[4]) };
  });
}

test('ray-sol-trend on the real RAY and SOL 1h data: no RAY entry while SOL is at or below its 200-hour average', async () => {
  const active = await repoConfig();
  const cfg = active.strategies;
  const data = loadBacktestMarkets(cfg, join(REPO_ROOT, 'strategies.yaml'), { strategies: ['ray-sol-trend'] });
  assert.deepEqual([...data.markets.keys()], ['RAY/USDC', 'SOL/USDC'], 'the traded market, then the market its indicators read');
  assert.deepEqual(data.reads['ray-sol-trend'], { SOL: 'SOL/USDC' });
  const run = await runBacktest({ active, markets: data, fill: FILL, generatedAt: '2024-01-01T00:00:00Z' });
  assert.deepEqual(run.misalignments, [], 'RAY and SOL share their gaps (fixture README): every RAY bar came with its SOL bar');
  assert.equal(run.stats.errors, 0);
  const sol = solTrend();
  const buys = run.orders.filter((o) => o.strategy === 'ray-sol-trend' && o.side === 'buy');
  assert.ok(buys.length >= 20, `ray-sol-trend entered ${buys.length} times (a run ignoring SOL never enters)`);
  for (const b of buys) {
    const s = sol.get(b.decidedAtMs);
    assert.ok(s && s.sma200 !== null, `a SOL bar with a 200-hour average closes with the RAY bar at ${new Date(b.decidedAtMs).toISOString()}`);
    assert.ok(s.close > s.sma200!, `entry decided ${new Date(b.decidedAtMs).toISOString()}: SOL ${s.close} above its 200-hour average ${s.sma200!.toFixed(4)}`);
  }
  // Not vacuous: RAY's EMA 12 crossed above its EMA 26 many times while SOL was under its average
  // (EMAs seeded with the first close, as the engine's); none of those crossings became an entry.
  const ray = rayCloses();
  const decided = new Set(buys.map((b) => b.decidedAtMs));
  let fast = ray[0]!.close;
  let slow = ray[0]!.close;
  let blocked = 0;
  for (let i = 1; i < ray.length; i++) {
    const [pf, ps] = [fast, slow];
    fast += (2 / 13) * (ray[i]!.close - fast);
    slow += (2 / 27) * (ray[i]!.close - slow);
    const s = sol.get(ray[i]!.closeMs);
    if (i >= 26 && pf <= ps && fast > slow && s?.sma200 != null && s.close < s.sma200) {
      blocked += 1;
      assert.ok(!decided.has(ray[i]!.closeMs), `no entry on the RAY cross at ${new Date(ray[i]!.closeMs).toISOString()} while SOL was under its average`);
    }
  }
  assert.ok(blocked >= 20, `${blocked} RAY crossings happened while SOL was under its average`);
  // Every entry filled at the next RAY bar's open, on RAY's own prices.
  const m = run.result.markets.find((x) => x.id === 'RAY/USDC')!;
  const bars = m.bars as unknown as { timeMs: Float64Array; open: Float64Array };
  for (const b of buys.filter((o) => o.status === 'filled')) {
    const i = bars.timeMs.indexOf(b.fillTimeMs!);
    assert.ok(i > 0, 'fills at a RAY bar open');
    assert.equal(b.fillPrice, bars.open[i]! * 1.001, 'next RAY open, 10 bps slippage');
  }
});

test('two strategies on two markets in one run share one portfolio: its P&L is exactly the sum of theirs', async () => {
  const active = await repoConfig();
  const data = loadBacktestMarkets(active.strategies, join(REPO_ROOT, 'strategies.yaml'), { strategies: ['sma-cross', 'ray-sol-trend'], from: '2021-09-01', to: '2022-09-01' });
  assert.deepEqual([...data.markets.keys()], ['SOL/USDC', 'RAY/USDC']);
  const run = await runBacktest({ active, markets: data, fill: FILL, generatedAt: '2024-01-01T00:00:00Z' });
  const r = run.result;
  assert.deepEqual(r.markets.map((m) => m.id), ['SOL/USDC', 'RAY/USDC']);
  assert.deepEqual(r.strategies.map((s) => [s.id, s.marketIds]), [['sma-cross', ['SOL/USDC']], ['ray-sol-trend', ['RAY/USDC']]]);
  for (const s of r.strategies) assert.ok(s.fills.length > 4, `${s.id} traded (${s.fills.length} fills)`);
  const last = (c: typeof r.portfolio.equity) => {
    const q = (c as unknown as { equityQuoteAtoms: bigint[] }).equityQuoteAtoms;
    return q[q.length - 1]!;
  };
  const pnl = last(r.portfolio.equity) - 20_000_000_000n;
  const sum = r.strategies.reduce((a, s) => a + (last(s.equity) - 20_000_000_000n), 0n);
  assert.equal(pnl, sum, 'portfolio P&L = sma-cross P&L + ray-sol-trend P&L, to the atom');
  // Both markets stepped on one clock in time order: the fills of the two interleave.
  const fills = r.strategies.flatMap((s) => s.fills.map((f) => ({ t: f.timeMs, s: s.id })));
  const sorted = [...fills].sort((a, b) => a.t - b.t);
  let switches = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i]!.s !== sorted[i - 1]!.s) switches += 1;
  assert.ok(switches >= 4, `fills of the two strategies interleave in time (${switches} switches)`);
  assert.equal(run.stats.steps, data.markets.get('SOL/USDC')!.series.length, 'RAY bars all fall on SOL bar times here');
  assert.equal(run.stats.bars, data.markets.get('SOL/USDC')!.series.length + data.markets.get('RAY/USDC')!.series.length);
});

function series(market: string, hours: number[], close = (h: number) => 100 + h): CandleSeries {
  const time = Float64Array.from(hours.map((h) => h * H));
  const c = Float64Array.from(hours.map(close));
  return new CandleSeries({ time, open: c, high: c, low: c, close: c, volume: null }, { market, kind: 'spot', timeframeMs: H, sources: [] });
}

test('merged clock: steps are the traded bars in time order; a read market missing a bar is counted there, never filled', () => {
  const markets = new Map([
    ['RAY/USDC', series('RAY', [0, 1, 2, 3, 5, 6])],
    ['SOL/USDC', series('SOL', [0, 1, 3, 4, 5, 6])],
  ]);
  const clock = mergeClock(markets, ['RAY/USDC']);
  assert.deepEqual([...clock.times].map((t) => t / H), [0, 1, 2, 3, 5, 6], 'SOL-only bar at hour 4 is not a step: nothing trades on it');
  assert.deepEqual([...clock.index.get('RAY/USDC')!], [0, 1, 2, 3, 4, 5]);
  assert.deepEqual([...clock.index.get('SOL/USDC')!], [0, 1, -1, 2, 4, 5], 'no SOL bar at hour 2: -1, not the neighbour');
  const gaps = misalignments(clock, [{ strategy: 'ray-sol-trend', traded: 'RAY/USDC', reads: 'SOL/USDC' }]);
  assert.deepEqual(gaps, [{ strategy: 'ray-sol-trend', traded: 'RAY/USDC', reads: 'SOL/USDC', steps: 1, firstMs: [2 * H] }]);
  const both = mergeClock(markets, ['RAY/USDC', 'SOL/USDC']);
  assert.deepEqual([...both.times].map((t) => t / H), [0, 1, 2, 3, 4, 5, 6], 'two traded markets: the union of their bars');
  const four = new Map([...markets, ['JUP/USDC', new CandleSeries({ time: Float64Array.from([0, 4 * H]), open: new Float64Array(2), high: new Float64Array(2), low: new Float64Array(2), close: new Float64Array(2), volume: null }, { market: 'JUP', kind: 'spot', timeframeMs: 4 * H, sources: [] })]]);
  assert.throws(() => mergeClock(four, ['RAY/USDC']), (e: unknown) => isSolrulesError(e, 'BACKTEST_TIMEFRAME_MISMATCH'));
});

test('a strategy quoted in another token than the portfolio cash is refused, naming it', async () => {
  const active = await repoConfig();
  const cfg = active.strategies;
  const USDT = { symbol: 'USDT', mint: 'Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB', decimals: 6 };
  const ray = cfg.strategies['ray-sol-trend']!;
  const edited: ActiveConfig = { ...active, strategies: { ...cfg, strategies: { ...cfg.strategies, 'ray-sol-trend': { ...ray, market: { base: ray.market!.base, quote: USDT } } } } };
  const { 'RAY/USDC': rayData, ...rest } = cfg.backtest!.data!;
  const data = loadBacktestMarkets({ ...edited.strategies, backtest: { ...cfg.backtest, data: { ...rest, 'RAY/USDT': rayData! } } }, join(REPO_ROOT, 'strategies.yaml'), { strategies: ['ray-sol-trend'], from: '2022-01-01', to: '2022-02-01' });
  await assert.rejects(runBacktest({ active: edited, markets: data, fill: FILL }), (e: unknown) => isSolrulesError(e, 'BACKTEST_QUOTE_MISMATCH') && /ray-sol-trend.*USDT.*USDC/.test((e as Error).message));
});

test('a read market without data, and --data with several markets, are typed errors', async () => {
  const active = await repoConfig();
  const cfg = active.strategies;
  const { 'RAY/USDC': _ray, ...noRay } = cfg.backtest!.data!;
  assert.throws(() => loadBacktestMarkets({ ...cfg, backtest: { ...cfg.backtest, data: noRay } }, join(REPO_ROOT, 'strategies.yaml'), { strategies: ['ray-sol-trend'] }), (e: unknown) => isSolrulesError(e, 'BACKTEST_NO_MARKET_DATA') && /RAY\/USDC/.test((e as Error).message));
  assert.throws(() => loadBacktestMarkets(cfg, join(REPO_ROOT, 'strategies.yaml'), { strategies: ['ray-sol-trend'], files: ['x.csv'] }), (e: unknown) => isSolrulesError(e, 'BACKTEST_DATA_AMBIGUOUS'));
  assert.throws(() => loadBacktestMarkets({ ...cfg, backtest: { ...cfg.backtest, data: { ...cfg.backtest!.data, 'JUP/USDC': 'x.csv' } } }, join(REPO_ROOT, 'strategies.yaml'), { strategies: ['dca'] }), (e: unknown) => isSolrulesError(e, 'BACKTEST_UNKNOWN_MARKET'));
  // One series given (the single-market form): a strategy trading another market is refused, not run on the wrong bars.
  await assert.rejects(runBacktest({ active, series: series('SOL', [0, 1, 2]), strategies: ['ray-sol-trend'], fill: FILL }), (e: unknown) => isSolrulesError(e, 'BACKTEST_UNKNOWN_MARKET') && /ray-sol-trend trades RAY\/USDC/.test((e as Error).message.replace("'ray-sol-trend'", 'ray-sol-trend')));
});

test('the merged clock is the sorted union of the traded markets\' bar times, whether or not a series is in order', () => {
  const meta = { market: 'X', kind: 'spot' as const, timeframeMs: H, sources: [] };
  const series = (hours: number[]) => new CandleSeries({ time: Float64Array.from(hours.map((h) => h * H)), open: new Float64Array(hours.length), high: new Float64Array(hours.length), low: new Float64Array(hours.length), close: new Float64Array(hours.length), volume: null }, meta);
  const hours = (times: Float64Array) => [...times].map((t) => t / H);
  const ordered = new Map([['A', series([0, 2, 4, 7])], ['B', series([1, 2, 3, 7, 9])], ['C', series([5])]]);
  assert.deepEqual(hours(mergeClock(ordered, ['A', 'B', 'C']).times), [0, 1, 2, 3, 4, 5, 7, 9]);
  assert.deepEqual(hours(mergeClock(ordered, ['B']).times), [1, 2, 3, 7, 9]);
  // Built out of order (the loaders never do): the same union, sorted.
  const unordered = new Map([['A', series([4, 0, 2, 2])], ['B', series([3, 1])]]);
  assert.deepEqual(hours(mergeClock(unordered, ['A', 'B']).times), [0, 1, 2, 3, 4]);
});

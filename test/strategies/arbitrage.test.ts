/**
 * Arbitrage planner: the integer search against brute force, the round trip's best size against
 * every size, the cost arithmetic, and the fact and route on the real fixture pools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { raydiumAmmV4, type Venue } from '../../engine/venues/index.ts';
import { ArbitragePlanner, bestRoundTrip, feasibleRange, flashLoanFee, maximizeUnimodal, quoteRoundTrip, type CostModel } from '../../engine/strategies/arbitrage/index.ts';
import { StaticPoolProvider, type PoolEntry } from '../../engine/quotes/index.ts';
import { priceFact, walletFact } from '../../engine/facts/index.ts';
import type { TickContext } from '../../engine/strategies/index.ts';
import { orcaEntry, raydiumAccounts, raydiumEntry, raydiumNear, RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT, RAYDIUM_POOL, SOL, USDC, withTokenAmount, FIXTURE_UNIX } from '../quotes/support.ts';

const SEED = Number(process.env.SOLRULES_SEED ?? 11);
const FULL = !!process.env.SOLRULES_FULL;
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

const FREE: CostModel = { flashLoan: true, flashLoanFeeBps: 0, tipLamports: 0n, priorityFeeLamports: 0n, lamportsToInput: () => 0n };
const SOL_TOKEN = { symbol: 'SOL', mint: SOL, decimals: 9 };
const USDC_TOKEN = { symbol: 'USDC', mint: USDC, decimals: 6 };

test('golden-section search finds the maximum of random unimodal integer functions (brute force)', () => {
  const rand = rng(SEED);
  const n = FULL ? 20_000 : 3_000;
  let evals = 0;
  for (let i = 0; i < n; i++) {
    const lo = BigInt(Math.floor(rand() * 50));
    const hi = lo + BigInt(Math.floor(rand() * 3_000));
    const peak = lo + BigInt(Math.floor(rand() * Number(hi - lo + 1n)));
    const slopeL = BigInt(1 + Math.floor(rand() * 50));
    const slopeR = BigInt(1 + Math.floor(rand() * 50));
    const plateau = BigInt(Math.floor(rand() * 4));
    // Concave, piecewise linear with a possible flat top; −∞ outside a feasible window around the peak.
    // (A venue refuses sizes too small to produce output and too large for the pool: the window spans far more than a factor of 2.)
    const feasLo = peak - BigInt(Math.floor(rand() * Number(peak)));
    const feasHi = [peak + BigInt(Math.floor(rand() * 3_000)), 2n * feasLo].reduce((x, y) => (x > y ? x : y));
    const f = (x: bigint) => {
      if (x < feasLo || x > feasHi) return undefined;
      if (x < peak) return -slopeL * (peak - x);
      if (x <= peak + plateau) return 0n;
      return -slopeR * (x - peak - plateau);
    };
    let best: bigint | undefined;
    for (let x = lo; x <= hi; x++) {
      const v = f(x);
      if (v !== undefined && (best === undefined || v > best)) best = v;
    }
    const range = feasibleRange((x) => f(x) !== undefined, lo, hi);
    const r = range && maximizeUnimodal(f, range.lo, range.hi);
    assert.equal(r?.value, best, `case ${i}: [${lo}, ${hi}] peak ${peak}`);
    if (r) evals += r.evaluations;
  }
  assert.ok(evals / n < 40, `about log_φ(range) evaluations each, got ${evals / n}`);
  const wide = maximizeUnimodal((x) => -((x - 123_456_789_012n) ** 2n), 1n, 10n ** 13n)!;
  assert.equal(wide.x, 123_456_789_012n);
  assert.ok(wide.evaluations < 80, `${wide.evaluations} evaluations over 10^13`);
});

test('feasible range: both ends bisected exactly', () => {
  const rand = rng(SEED + 1);
  for (let i = 0; i < 2_000; i++) {
    const a = BigInt(1 + Math.floor(rand() * 1e6));
    const b = a * BigInt(2 + Math.floor(rand() * 1_000)); // a venue's window spans far more than a factor of 2
    const hi = b + BigInt(Math.floor(rand() * 1e9));
    assert.deepEqual(feasibleRange((x) => x >= a && x <= b, 1n, hi), { lo: a, hi: b });
  }
  assert.equal(feasibleRange(() => false, 1n, 1000n), undefined);
});

test('feasible range with hints (last search\'s edges): the same range as without, whatever the hint; a still-true hint costs 2 probes an edge', () => {
  const rand = rng(SEED + 2);
  let hinted = 0;
  let unhinted = 0;
  for (let i = 0; i < 2_000; i++) {
    const a = BigInt(1 + Math.floor(rand() * 1e6));
    const b = a * BigInt(2 + Math.floor(rand() * 1_000));
    const hi = b + 1n + BigInt(Math.floor(rand() * 1e9));
    const counted = () => {
      const c = { n: 0, ok: (x: bigint) => (c.n++, x >= a && x <= b) };
      return c;
    };
    const plain = counted();
    const expect = feasibleRange(plain.ok, 1n, hi);
    assert.deepEqual(expect, { lo: a, hi: b });
    // The edges themselves, edges moved since (either way, by 1 or far), sizes outside the range.
    const shift = (x: bigint, d: bigint) => (x + d < 1n ? 1n : x + d);
    const hints = [{ lo: a, hi: b }, { lo: shift(a, 1n), hi: shift(b, -1n) }, { lo: shift(a, -1n), hi: b + 1n }, { lo: shift(a, 12_345n), hi: shift(b, -b / 3n) }, { lo: 0n, hi: hi + 5n }, { lo: b, hi: a }];
    for (const hint of hints) {
      const c = counted();
      assert.deepEqual(feasibleRange(c.ok, 1n, hi, hint), expect, `hint ${hint.lo}..${hint.hi} for ${a}..${b}`);
      if (hint.lo === a && hint.hi === b) {
        hinted += c.n;
        unhinted += plain.n;
      }
    }
  }
  assert.ok(hinted * 4 < unhinted, `true hints: ${hinted} probes against ${unhinted} bisecting`);
});

/** A Raydium AMM v4 pool with given reserves under its own address (the fixture AmmInfo, vaults rewritten). */
function ammPool(address: string, coin: bigint, pc: bigint): PoolEntry {
  const acc = raydiumAccounts();
  acc.set(RAYDIUM_COIN_VAULT, withTokenAmount(acc.get(RAYDIUM_COIN_VAULT)!, coin));
  acc.set(RAYDIUM_PC_VAULT, withTokenAmount(acc.get(RAYDIUM_PC_VAULT)!, pc));
  return { venue: raydiumAmmV4 as Venue, state: raydiumAmmV4.buildState({ ...acc.get(RAYDIUM_POOL)!, address }, acc, { unixTimestamp: FIXTURE_UNIX }) };
}

test('best round-trip size against the brute-force optimum over every size (random small pools)', () => {
  const rand = rng(SEED + 2);
  const cases = FULL ? 300 : 40;
  let profitable = 0;
  let exact = 0;
  for (let c = 0; c < cases; c++) {
    const coin = BigInt(Math.floor(1e5 + rand() * 1e6));
    const pc = BigInt(Math.floor(1e5 + rand() * 1e6));
    const a = ammPool('11111111111111111111111111111111', coin, pc);
    // SOL is dearer on b: sell it there, buy it back on a.
    const b = ammPool('22222222222222222222222222222222', coin, BigInt(Math.floor(Number(pc) * (1.004 + rand() * 0.03))));
    const costs: CostModel = { ...FREE, flashLoanFeeBps: rand() < 0.5 ? 0 : 9, tipLamports: BigInt(Math.floor(rand() * 20)), lamportsToInput: (l) => l };
    const maxIn = 20_000n;
    let best: bigint | undefined;
    for (let x = 1n; x <= maxIn; x++) {
      const q = quoteRoundTrip(b, a, SOL, x);
      if (!q) continue;
      const p = q[1].amountOut - x - flashLoanFee(x, costs) - costs.tipLamports;
      if (best === undefined || p > best) best = p;
    }
    const r = bestRoundTrip(b, a, SOL, 1n, maxIn, costs);
    assert.ok(r && best !== undefined);
    if (best > 0n) {
      profitable++;
      if (r.netProfit === best) exact++;
      // Rounding makes the top a jittery plateau (see roundtrip.ts): within 5 atoms of the optimum. (4 until the
      // AMM fee followed the program's checked_ceil_div: legs under 200 atoms pay no fee, one more step in the
      // jitter of these tiny pools; 1 case of 300 under SOLRULES_FULL=1 lands 5 atoms short.)
      assert.ok(best - r.netProfit <= 5n, `case ${c}: found ${r.netProfit} at ${r.amountIn}, optimum ${best}`);
    } else {
      // Where every size loses, integer rounding makes profit not quite concave: never report a profit.
      assert.ok(r.netProfit <= 0n && best - r.netProfit <= 8n, `case ${c}: ${r.netProfit} vs ${best}`);
    }
    const [q1, q2] = quoteRoundTrip(b, a, SOL, r.amountIn)!;
    assert.equal(r.expectedOut, q2.amountOut);
    assert.equal(r.legs[0].amountOut, q1.amountOut);
    assert.equal(r.netProfit, r.expectedOut - r.amountIn - r.flashLoanFee - r.fixedCosts);
  }
  assert.ok(profitable >= cases / 4, `${profitable} of ${cases} cases had a profitable size`);
  console.log(`# round trips: ${profitable} of ${cases} profitable, ${exact} at the exact optimum, the rest within 5 atoms`);
});

test('flash-loan fee is rounded up from hundredths of a bps', () => {
  assert.equal(flashLoanFee(1_000_000n, { ...FREE, flashLoanFeeBps: 9 }), 900n);
  assert.equal(flashLoanFee(1_001n, { ...FREE, flashLoanFeeBps: 9 }), 1n);
  assert.equal(flashLoanFee(1_000_000n, { ...FREE, flashLoanFeeBps: 0.5 }), 50n);
  assert.equal(flashLoanFee(1_000_000n, { ...FREE, flashLoan: false, flashLoanFeeBps: 9 }), 0n);
});

function ctx(params: Record<string, unknown>, solUsd = 40.4): TickContext {
  return {
    time: new Date('2024-01-01T00:00:00Z'),
    price: priceFact({ mint: SOL, symbol: 'SOL', recentUsd: [solUsd], time: new Date('2024-01-01T00:00:00Z'), source: 'test' }),
    quoteUsd: 1,
    wallet: walletFact({ baseAtoms: 0n, quoteAtoms: 0n, baseDecimals: 9, quoteDecimals: 6 }),
    params,
    base: SOL_TOKEN,
    quote: USDC_TOKEN,
  };
}

test('planner on the real pools (Raydium priced 1 % above Orca): the fact, its arithmetic and the route', () => {
  const ray = raydiumEntry(undefined, raydiumNear(1.01));
  const orca = orcaEntry();
  const planner = new ArbitragePlanner({ market: new StaticPoolProvider([ray, orca]), base: SOL_TOKEN, quote: USDC_TOKEN });
  const params = { maxInputUsd: 50_000, flashLoanFeeBps: 9, tipLamports: 100_000, priorityFeeLamports: 50_000 };
  const fact = planner.facts(ctx(params)).arbitrage as Record<string, any>;
  // USDC buys SOL where it is cheap (Orca) and sells it where it is dear (Raydium).
  assert.equal(fact.pair, 'SOL/USDC');
  assert.equal(fact.buyVenue, 'orca-whirlpool');
  assert.equal(fact.sellVenue, 'raydium-amm-v4');
  assert.equal(fact.inputMint, USDC);
  assert.equal(fact.hops, 2);
  assert.equal(fact.flashLoan, true);
  const amountIn = BigInt(fact.amountIn);
  const [q1, q2] = quoteRoundTrip(orca, ray, USDC, amountIn)!;
  assert.equal(fact.expectedOut, q2.amountOut.toString());
  const costs = BigInt(Math.ceil(((150_000 / 1e9) * 40.4 * 1e6) / 1)); // 150 000 lamports at 40.4 USD/SOL, in USDC atoms, rounded up
  const net = q2.amountOut - amountIn - flashLoanFee(amountIn, { ...FREE, flashLoanFeeBps: 9 }) - costs;
  assert.ok(Math.abs(fact.netProfitUsd - Number(net) / 1e6) < 1e-9);
  assert.ok(Math.abs(fact.netProfitBps - Math.round((Number(net) / Number(amountIn)) * 1e6) / 100) < 1e-9);
  assert.ok(fact.grossProfitBps > fact.netProfitBps, 'gross is before swap fees and costs');
  // The swap fees are inside `out` (exact venue quotes), so net takes them once; gross adds them back:
  // leg 1's fee is in USDC, leg 2's in SOL at leg 2's own rate.
  assert.equal(q1.feeMint ?? q1.inputMint, USDC);
  assert.equal(q2.feeMint ?? q2.inputMint, SOL);
  const swapFees = q1.feeAmount + (q2.feeAmount * q2.amountOut) / q2.amountIn;
  assert.ok(swapFees > 0n);
  assert.ok(Math.abs(fact.grossProfitBps - Math.round((Number(q2.amountOut + swapFees - amountIn) / Number(amountIn)) * 1e6) / 100) < 1e-9);
  assert.ok(fact.netProfitBps > 10 && fact.netProfitUsd > 1, `profitable: ${fact.netProfitBps} bps, ${fact.netProfitUsd} USD`);
  assert.equal(BigInt(fact.netProfitLamports), BigInt(Math.floor(((Number(net) / 1e6) * 1e9) / 40.4)));
  // The size is a maximum: no size around it, and none on a dense grid, does better.
  const profit = (x: bigint) => {
    const q = quoteRoundTrip(orca, ray, USDC, x);
    return q ? q[1].amountOut - x - flashLoanFee(x, { ...FREE, flashLoanFeeBps: 9 }) - costs : undefined;
  };
  const found = profit(amountIn)!;
  for (const d of [1n, 2n, 10n, 1_000n, amountIn / 100n, amountIn / 10n]) {
    for (const x of [amountIn - d, amountIn + d]) {
      const p = profit(x);
      if (x > 0n && x <= 50_000n * 10n ** 6n && p !== undefined) assert.ok(p <= found, `size ${x} beats ${amountIn}`);
    }
  }
  for (let i = 1; i <= 400; i++) {
    const x = BigInt(Math.floor(10 ** (3 + (i / 400) * 7.69))); // 0.001 .. 49 000 USDC
    const p = profit(x);
    if (p !== undefined) assert.ok(p <= found, `grid size ${x} beats ${amountIn}`);
  }
  assert.ok(amountIn < 50_000n * 10n ** 6n, 'the optimum is inside the range, not the cap');
  // The route executes exactly what was quoted.
  const route = planner.lastRoute!;
  assert.deepEqual(route.legs.map((l) => [l.pool, l.inputMint, l.outputMint, l.amountIn, l.amountOut]), [
    [orca.state.address, USDC, SOL, amountIn.toString(), q1.amountOut.toString()],
    [ray.state.address, SOL, USDC, q1.amountOut.toString(), q2.amountOut.toString()],
  ]);
  assert.equal(route.minAmountOut, (amountIn + flashLoanFee(amountIn, { ...FREE, flashLoanFeeBps: 9 }) + costs).toString());
  assert.ok(route.legs[0]!.accounts.includes(orca.state.address));
  assert.ok(planner.lastSearch.evaluations > 0 && planner.lastSearch.candidates === 2);
});

test('planner: costs above the edge leave no profit; no pools, no opportunity; stale pools are skipped', () => {
  const ray = raydiumEntry(990, raydiumNear(1.01));
  const orca = orcaEntry(990);
  let slot = 1_000;
  const market = new StaticPoolProvider([ray, orca], () => slot);
  const planner = new ArbitragePlanner({ market, base: SOL_TOKEN, quote: USDC_TOKEN });
  const cheap = planner.facts(ctx({ maxInputUsd: 1_000 })).arbitrage as Record<string, any>;
  assert.ok(cheap.netProfitUsd > 0);
  const dear = planner.facts(ctx({ maxInputUsd: 1_000, tipLamports: 10 ** 12 })).arbitrage as Record<string, any>;
  assert.ok(dear.netProfitUsd < 0 && dear.netProfitBps < 0);
  assert.equal(dear.netProfitLamports, '0', 'a loss is never passed on as lamports of profit');
  slot = 2_000;
  const stale = planner.facts(ctx({ maxInputUsd: 1_000, maxStateAgeSlots: 150 })).arbitrage as Record<string, any>;
  assert.equal(stale.amountIn, '0');
  assert.equal(stale.netProfitBps, -10_000);
  const none = new ArbitragePlanner({ market: new StaticPoolProvider([]), base: SOL_TOKEN, quote: USDC_TOKEN }).facts(ctx({})).arbitrage as Record<string, any>;
  assert.equal(none.amountIn, '0');
  assert.equal(none.hops, 0);
  assert.throws(() => planner.facts(ctx({ tipLamports: -1 })), /ARB_INVALID_PARAM|tipLamports/);
});

test('planner: starting from SOL searches the other direction', () => {
  const ray = raydiumEntry(undefined, raydiumNear(1.01));
  const orca = orcaEntry();
  const planner = new ArbitragePlanner({ market: new StaticPoolProvider([ray, orca]), base: SOL_TOKEN, quote: USDC_TOKEN });
  const fact = planner.facts(ctx({ inputs: ['base'], maxInputUsd: 5_000 })).arbitrage as Record<string, any>;
  assert.equal(fact.inputMint, SOL);
  assert.equal(fact.buyVenue, 'raydium-amm-v4', 'SOL is sold where it is dear first');
  assert.equal(fact.sellVenue, 'orca-whirlpool');
  assert.ok(BigInt(fact.expectedOut) > BigInt(fact.amountIn));
});

/** Local router over the real fixture pools: best venue, two hops, exact-out, staleness guard, typed refusals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { LocalRouter, StaticPoolProvider, type PoolEntry, type RouteQuote } from '../../engine/quotes/index.ts';
import { orcaEntry, raydiumEntry, samoEntry, SAMO, SOL, USDC } from './support.ts';

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ray = raydiumEntry();
const orca = orcaEntry();
const samo = samoEntry();

function tryQuote(e: PoolEntry, input: string, amount: bigint, exactIn: boolean) {
  try {
    return exactIn ? e.venue.quoteExactIn(e.state, input, amount) : e.venue.quoteExactOut(e.state, input, amount);
  } catch {
    return undefined;
  }
}

test('one hop: the venue giving the most output wins, with its exact amounts', () => {
  const router = new LocalRouter(new StaticPoolProvider([ray, orca]));
  // The Raydium capture prices SOL near 73 USDC, the Orca one near 40: sell SOL on Raydium, buy it on Orca.
  const sell = router.quoteSync({ inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' });
  assert.equal(sell.legs.length, 1);
  assert.equal(sell.legs[0]!.venue, 'raydium-amm-v4');
  assert.equal(sell.amountOut, ray.venue.quoteExactIn(ray.state, SOL, 10n ** 9n).amountOut);
  assert.deepEqual(sell.accounts, ray.venue.quoteExactIn(ray.state, SOL, 10n ** 9n).accounts);
  const buy = router.quoteSync({ inputMint: USDC, outputMint: SOL, amount: 100_000_000n, mode: 'exact-in' });
  assert.equal(buy.legs[0]!.venue, 'orca-whirlpool');
  assert.equal(buy.amountOut, orca.venue.quoteExactIn(orca.state, USDC, 100_000_000n).amountOut);
});

test('exact-out: the venue asking the least input wins', () => {
  const router = new LocalRouter(new StaticPoolProvider([ray, orca]));
  const q = router.quoteSync({ inputMint: USDC, outputMint: SOL, amount: 2n * 10n ** 9n, mode: 'exact-out' });
  const expected = orca.venue.quoteExactOut(orca.state, USDC, 2n * 10n ** 9n);
  assert.equal(q.legs[0]!.venue, 'orca-whirlpool');
  assert.equal(q.amountIn, expected.amountIn);
  assert.equal(q.amountOut, 2n * 10n ** 9n);
});

test('two hops through USDC: SAMO → USDC → SOL over the best pool combination', () => {
  const router = new LocalRouter(new StaticPoolProvider([ray, orca, samo]));
  const amount = 5n * 10n ** 12n;
  const q = router.quoteSync({ inputMint: SAMO, outputMint: SOL, amount, mode: 'exact-in' });
  assert.equal(q.legs.length, 2);
  assert.deepEqual([q.legs[0]!.inputMint, q.legs[0]!.outputMint, q.legs[1]!.outputMint], [SAMO, USDC, SOL]);
  const leg1 = samo.venue.quoteExactIn(samo.state, SAMO, amount);
  const best = [ray, orca].map((e) => e.venue.quoteExactIn(e.state, USDC, leg1.amountOut)).sort((a, b) => (a.amountOut > b.amountOut ? -1 : 1))[0]!;
  assert.equal(q.legs[1]!.pool, best.pool);
  assert.equal(q.amountOut, best.amountOut);
  assert.equal(q.legs[1]!.amountIn, leg1.amountOut);
  assert.ok(q.accounts.includes(samo.state.address) && q.accounts.includes(best.pool));
  assert.ok(q.priceImpactBps >= Math.max(q.legs[0]!.priceImpactBps, q.legs[1]!.priceImpactBps));

  const out = router.quoteSync({ inputMint: SAMO, outputMint: SOL, amount: 10n ** 9n, mode: 'exact-out' });
  assert.equal(out.amountOut, 10n ** 9n);
  assert.equal(out.legs[1]!.amountOut, 10n ** 9n);
  assert.equal(out.legs[0]!.amountOut, out.legs[1]!.amountIn, 'leg 1 buys exactly what leg 2 spends');
  assert.equal(out.amountIn, samo.venue.quoteExactOut(samo.state, SAMO, out.legs[1]!.amountIn).amountIn);
});

test('maxHops 1 refuses a pair only reachable in two hops', () => {
  const router = new LocalRouter(new StaticPoolProvider([ray, samo]), { maxHops: 1 });
  assert.throws(() => router.quoteSync({ inputMint: SAMO, outputMint: SOL, amount: 10n ** 9n, mode: 'exact-in' }), (e: unknown) => isSolrulesError(e, 'QUOTE_NO_ROUTE'));
});

test('randomized: the route is always the best single or two-hop combination, to the atom', () => {
  const rand = seeded(Number(process.env.SOLRULES_SEED ?? 7));
  const n = process.env.SOLRULES_FULL ? 3000 : 400;
  const router = new LocalRouter(new StaticPoolProvider([ray, orca, samo]));
  const pairs: [string, string][] = [[SOL, USDC], [USDC, SOL], [SAMO, SOL], [SOL, SAMO], [SAMO, USDC], [USDC, SAMO]];
  let quoted = 0;
  for (let i = 0; i < n; i++) {
    const [input, output] = pairs[i % pairs.length]!;
    const exactIn = rand() < 0.6;
    const decimals = exactIn ? (input === USDC ? 6 : 9) : output === USDC ? 6 : 9;
    const amount = BigInt(Math.floor(10 ** (decimals - 3 + rand() * 7)));
    // Brute force over every route.
    const candidates: bigint[] = [];
    for (const e of [ray, orca, samo]) {
      const mints = [e.state.mintA, e.state.mintB];
      if (mints.includes(input) && mints.includes(output)) {
        const q = tryQuote(e, input, amount, exactIn);
        if (q) candidates.push(exactIn ? q.amountOut : q.amountIn);
      }
    }
    for (const mid of [SOL, USDC].filter((m) => m !== input && m !== output)) {
      for (const e1 of [ray, orca, samo].filter((e) => [e.state.mintA, e.state.mintB].sort().join() === [input, mid].sort().join())) {
        for (const e2 of [ray, orca, samo].filter((e) => [e.state.mintA, e.state.mintB].sort().join() === [mid, output].sort().join())) {
          if (exactIn) {
            const q1 = tryQuote(e1, input, amount, true);
            const q2 = q1 && q1.amountOut > 0n ? tryQuote(e2, mid, q1.amountOut, true) : undefined;
            if (q2) candidates.push(q2.amountOut);
          } else {
            const q2 = tryQuote(e2, mid, amount, false);
            const q1 = q2 ? tryQuote(e1, input, q2.amountIn, false) : undefined;
            if (q1) candidates.push(q1.amountIn);
          }
        }
      }
    }
    let got: RouteQuote | undefined;
    try {
      got = router.quoteSync({ inputMint: input, outputMint: output, amount, mode: exactIn ? 'exact-in' : 'exact-out' });
    } catch (err) {
      assert.ok(isSolrulesError(err, 'QUOTE_NO_ROUTE'), String(err));
    }
    if (!candidates.length) {
      assert.equal(got, undefined, `case ${i}: no route exists but one was returned`);
      continue;
    }
    const best = candidates.reduce((a, b) => (exactIn ? (b > a ? b : a) : b < a ? b : a));
    assert.ok(got, `case ${i}: a route exists but none was returned`);
    assert.equal(exactIn ? got.amountOut : got.amountIn, best, `case ${i}: ${input}→${output} ${amount} ${exactIn ? 'in' : 'out'}`);
    quoted++;
  }
  assert.ok(quoted > n / 2, `only ${quoted} of ${n} cases had a route`);
});

test('staleness guard: state more than N slots old is never quoted', () => {
  let slot = 1_000;
  const fresh = orcaEntry(995);
  const old = raydiumEntry(800); // the better price, but 200 slots old
  const router = new LocalRouter(new StaticPoolProvider([old, fresh], () => slot), { maxStateAgeSlots: 50 });
  const q = router.quoteSync({ inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' });
  assert.equal(q.legs[0]!.venue, 'orca-whirlpool', 'the stale Raydium state was skipped');
  assert.equal(q.slot, 995);
  slot = 1_100;
  assert.throws(
    () => router.quoteSync({ inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' }),
    (e: unknown) => {
      assert.ok(isSolrulesError(e, 'QUOTE_STATE_STALE'));
      assert.equal(e.context.currentSlot, 1_100);
      assert.equal(e.context.maxStateAgeSlots, 50);
      assert.deepEqual(e.context.stale, [{ pool: old.state.address, slot: 800 }, { pool: fresh.state.address, slot: 995 }]);
      return true;
    },
  );
  const unknownSlot = new LocalRouter(new StaticPoolProvider([orcaEntry()], () => 10), { maxStateAgeSlots: 50 });
  assert.throws(() => unknownSlot.quoteSync({ inputMint: SOL, outputMint: USDC, amount: 1n, mode: 'exact-in' }), (e: unknown) => isSolrulesError(e, 'QUOTE_STATE_STALE'));
});

test('staleness guard boundary: state exactly N slots old is quoted, N + 1 is refused (N defaults to 150)', () => {
  const req = { inputMint: SOL, outputMint: USDC, amount: 10n ** 9n, mode: 'exact-in' as const };
  const stale = (e: unknown) => isSolrulesError(e, 'QUOTE_STATE_STALE');
  let slot = 1_050;
  const router = new LocalRouter(new StaticPoolProvider([orcaEntry(1_000)], () => slot), { maxStateAgeSlots: 50 });
  assert.equal(router.quoteSync(req).slot, 1_000);
  slot = 1_051;
  assert.throws(() => router.quoteSync(req), stale);
  slot = 1_150;
  const byDefault = new LocalRouter(new StaticPoolProvider([orcaEntry(1_000)], () => slot));
  assert.equal(byDefault.quoteSync(req).slot, 1_000);
  slot = 1_151;
  assert.throws(() => byDefault.quoteSync(req), stale);
});

test('refusals: no pool, bad requests, venue errors carried in the context', () => {
  const router = new LocalRouter(new StaticPoolProvider([ray]));
  assert.throws(() => router.quoteSync({ inputMint: SAMO, outputMint: USDC, amount: 1n, mode: 'exact-in' }), (e: unknown) => isSolrulesError(e, 'QUOTE_NO_ROUTE'));
  const bad: [Record<string, unknown>, string][] = [
    [{ amount: 0n }, 'amount'],
    [{ amount: 2n ** 64n }, 'amount'],
    [{ inputMint: 'xyz' }, 'inputMint'],
    [{ outputMint: SOL }, 'outputMint'],
    [{ mode: 'exact' }, 'mode'],
    [{ slippageBps: 1.5 }, 'slippageBps'],
  ];
  for (const [patch, field] of bad) {
    assert.throws(
      () => router.quoteSync({ inputMint: SOL, outputMint: USDC, amount: 1n, mode: 'exact-in', ...patch } as never),
      (e: unknown) => isSolrulesError(e, 'QUOTE_INVALID_REQUEST') && e.context.field === field,
      field,
    );
  }
  // More SOL out than the pool holds: the venue's typed error is in the route error.
  assert.throws(
    () => router.quoteSync({ inputMint: USDC, outputMint: SOL, amount: 10n ** 15n, mode: 'exact-out' }),
    (e: unknown) => isSolrulesError(e, 'QUOTE_NO_ROUTE') && (e.context.failures as { code: string }[])[0]!.code === 'DEX_INSUFFICIENT_LIQUIDITY',
  );
});

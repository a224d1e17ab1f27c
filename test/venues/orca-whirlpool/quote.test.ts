/**
 * Orca Whirlpool quotes against the official core (`@orca-so/whirlpools-core` 3.x, the Rust core
 * compiled to WASM: swapQuoteByInputToken / swapQuoteByOutputToken): the fixture pools and random
 * pools (tick crossings, both layouts of tick arrays, adaptive fees, Token-2022 transfer fees).
 *
 * Counts: by default 1500 static + 600 adaptive + 600 transfer-fee states, 2 quotes each
 * (5400 comparisons); SOLRULES_FULL=1 runs 10000 + 3000 + 3000 states (32000 comparisons).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from '@orca-so/whirlpools-core';
import { loadAccountDir } from '../../../engine/accounts/index.ts';
import { orcaWhirlpool, type OrcaWhirlpoolState } from '../../../engine/venues/orca-whirlpool/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { caseCount, rng, seedFor } from '../support/random.ts';
import { compareQuote, coreTickArraysOf, coreWhirlpoolOf, type Outcome } from './compare.ts';
import { EPOCH, NOW, coreOracle, coreTickArrays, coreWhirlpool, generatePool, programSequenceStarts, regenerate, type GenPool } from './generate.ts';

const ESSENTIALS = sharedFixture('accounts/orca-whirlpool/whirlpool-essentials');
const SOL_USDC = 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ';
const SAMO_USDC = '9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe';
const SNAPSHOT_TIME = 1668008674n;

function build(p: GenPool): OrcaWhirlpoolState {
  return orcaWhirlpool.buildState(p.accounts.get(p.address)!, p.accounts, { unixTimestamp: NOW, epoch: EPOCH });
}

function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Amounts from 1 atom to u64::MAX, weighted toward sizes that move the price across ticks. */
function pickAmount(r: ReturnType<typeof rng>, p: GenPool): bigint {
  const roll = r.next();
  if (roll < 0.03) return (1n << 64n) - 1n;
  if (roll < 0.4) return r.logBig(64);
  const around = Math.max(4, Math.min(64, bitLength(p.liquidity) - r.int(-4, 24)));
  return r.logBig(around);
}

function runRandom(label: string, seed: number, states: number, opts: { adaptive?: boolean; transferFees?: boolean }): Record<Outcome, number> & { crossing: number } {
  const r = rng(seed);
  const tally = {
    equal: 0,
    'both-rejected': 0,
    'program-rejects-partial-fill': 0,
    'program-rejects-after-last-tick': 0,
    'program-charges-full-amount': 0,
    'program-rejects-overflow': 0,
    crossing: 0,
  };
  for (let i = 0; i < states; i++) {
    const p = generatePool(r, opts);
    const state = build(p);
    for (let k = 0; k < 2; k++) {
      const aToB = r.bool();
      const exactIn = r.bool();
      const amount = pickAmount(r, p);
      try {
        const c = compareQuote(p, state, aToB, exactIn, amount);
        tally[c.outcome] += 1;
        if (c.outcome === 'equal' && c.ticksCrossed > 0) tally.crossing += 1;
      } catch (err) {
        assert.fail(`${label} seed ${seed} state ${i} quote ${k}: ${(err as Error).message}`);
      }
    }
  }
  console.log(`${label}: seed ${seed}, ${states} states, ${states * 2} quotes:`, JSON.stringify(tally));
  return tally;
}

test('fixture pools (SOL/USDC, SAMO/USDC): every quote equals the core to the atom', () => {
  const accounts = loadAccountDir(ESSENTIALS);
  let equal = 0;
  let crossing = 0;
  for (const address of [SOL_USDC, SAMO_USDC]) {
    const state = orcaWhirlpool.buildState(accounts.get(address)!, accounts, { unixTimestamp: SNAPSHOT_TIME });
    const facade = coreWhirlpoolOf(state);
    for (const aToB of [true, false]) {
      const seq = aToB ? state.sequenceAToB : state.sequenceBToA;
      assert.ok(seq.every((s) => s.status === 'loaded'), 'the fixture holds every array the program reads');
      const arrays = coreTickArraysOf(state, aToB);
      const mint = aToB ? state.mintA : state.mintB;
      for (let e = 0; e <= 14; e++) {
        for (const amount of [10n ** BigInt(e), 3n * 10n ** BigInt(e) + 7n]) {
          for (const exactIn of [true, false]) {
            let ours: [bigint, bigint, bigint] | 'rejected';
            let theirs: [bigint, bigint, bigint] | 'rejected';
            try {
              const q = exactIn ? orcaWhirlpool.quoteExactIn(state, mint, amount) : orcaWhirlpool.quoteExactOut(state, mint, amount);
              ours = [q.amountIn, q.amountOut, q.feeAmount];
              if (q.ticksCrossed > 0) crossing += 1;
            } catch (err) {
              assert.ok(isSolrulesError(err) && err.code.startsWith('DEX_'), String(err));
              ours = 'rejected';
            }
            try {
              const q = exactIn
                ? core.swapQuoteByInputToken(amount, aToB, 0, facade, undefined, arrays, SNAPSHOT_TIME)
                : core.swapQuoteByOutputToken(amount, !aToB, 0, facade, undefined, arrays, SNAPSHOT_TIME);
              theirs = 'tokenIn' in q ? [q.tokenIn, q.tokenEstOut, q.tradeFee] : [q.tokenEstIn, q.tokenOut, q.tradeFee];
            } catch {
              theirs = 'rejected';
            }
            assert.deepEqual(ours, theirs, `${address} aToB=${aToB} exactIn=${exactIn} amount=${amount}`);
            if (ours !== 'rejected') equal += 1;
          }
        }
      }
    }
  }
  console.log(`fixture pools: ${equal} quotes equal to the core, ${crossing} of them crossing ticks`);
  assert.ok(equal >= 150, `expected ≥150 equal fixture quotes, got ${equal}`);
  assert.ok(crossing >= 10, `expected fixture quotes that cross ticks, got ${crossing}`);
});

test('random static-fee pools: equal to the core to the atom, crossing ticks', () => {
  const t = runRandom('static', seedFor(0x5eed01), caseCount(1500, 10_000), {});
  assert.ok(t.equal > t['both-rejected'], 'most random quotes must be comparable, not rejected');
  assert.ok(t.crossing >= 200, `expected ≥200 equal quotes that cross ticks, got ${t.crossing}`);
});

test('random adaptive-fee pools (oracle volatility, tick groups): equal to the core', () => {
  const t = runRandom('adaptive', seedFor(0x5eed02), caseCount(600, 3_000), { adaptive: true });
  assert.ok(t.equal >= 300, `expected ≥300 equal adaptive-fee quotes, got ${t.equal}`);
  assert.ok(t.crossing >= 50, `expected adaptive-fee quotes that cross ticks, got ${t.crossing}`);
});

test('random Token-2022 transfer fees: equal to the core except where the program charges the full input', () => {
  const t = runRandom('transfer-fee', seedFor(0x5eed03), caseCount(600, 3_000), { transferFees: true });
  assert.ok(t.equal >= 300, `expected ≥300 equal transfer-fee quotes, got ${t.equal}`);
});

// ---------- where the core SDK and the program disagree: we follow the program ----------

/** A spacing-64, 0.3% pool at `tick` with liquidity only in [lower, upper), every array the program reads present. */
function rangePool(tick: number, lower: number, upper: number, liquidity: bigint, extra: (p: GenPool) => void = () => {}): GenPool {
  const r = rng(7);
  let p = generatePool(r);
  p = { ...p, tickSpacing: 64, feeTierIndex: 64, feeRate: 3000, protocolFeeRate: 300, oracle: null, transferFeeA: null, transferFeeB: null };
  p.tickCurrentIndex = tick;
  p.sqrtPrice = core.tickIndexToSqrtPrice(tick);
  p.ticks = new Map([
    [lower, [liquidity, liquidity]],
    [upper, [-liquidity, liquidity]],
  ]);
  p.liquidity = lower <= tick && tick < upper ? liquidity : 0n;
  const starts = [...programSequenceStarts(tick, 64, true), ...programSequenceStarts(tick, 64, false)];
  p.arrays = new Map(starts.map((s) => [s, 'fixed' as const]));
  extra(p);
  return regenerate(p);
}

test('program vs core: an exact-out swap the pool cannot fill is rejected (PartialFillError); core quotes the partial fill', () => {
  // near the top of the price range the program's sequence ends at MAX_TICK_INDEX, so the swap stops at the price limit
  const p = rangePool(443000, 442944, 443584, 10n ** 9n);
  const state = build(p);
  const want = 10n ** 15n;
  assert.throws(() => orcaWhirlpool.quoteExactOut(state, p.mintB, want), (err) => {
    assert.ok(isSolrulesError(err, 'DEX_INSUFFICIENT_LIQUIDITY'));
    assert.equal(err.context.reason, 'PartialFillError');
    return true;
  });
  const partial = core.swapQuoteByOutputToken(want, true, 0, coreWhirlpool(p), coreOracle(p), coreTickArrays(p, false), NOW);
  assert.ok(partial.tokenOut < want, 'core returns less than asked instead of failing');
});

test('program vs core: crossing the last tick of the third array (b→a) fails on chain; core keeps quoting', () => {
  // array starts for b→a at tick 0: 0, 5632, 11264; the last tick of the third array is 11264 + 87×64 = 16832
  const p = rangePool(0, 16832, 22464, 10n ** 20n, (x) => {
    x.ticks.set(-64, [10n ** 12n, 10n ** 12n]);
    x.ticks.set(64, [-(10n ** 12n), 10n ** 12n]);
    x.liquidity = 10n ** 12n;
  });
  const state = build(p);
  const amount = 10n ** 15n;
  assert.throws(() => orcaWhirlpool.quoteExactIn(state, p.mintB, amount), (err) => {
    assert.ok(isSolrulesError(err, 'DEX_SWAP_REJECTED'));
    assert.equal(err.context.reason, 'TickArraySequenceInvalidIndex');
    return true;
  });
  const q = core.swapQuoteByInputToken(amount, false, 0, coreWhirlpool(p), coreOracle(p), coreTickArrays(p, false), NOW);
  assert.ok(q.tokenEstOut > 0n, 'core quotes past the tick the program cannot leave');
});

test('program vs core: exact-in with an input transfer fee charges the whole amount when filled', () => {
  const p = rangePool(0, -6400, 6400, 10n ** 15n, (x) => {
    x.transferFeeA = { olderEpoch: 0n, older: { bps: 9116, max: 10n ** 12n }, newerEpoch: 0n, newer: { bps: 9116, max: 10n ** 12n } };
  });
  const state = build(p);
  const q = orcaWhirlpool.quoteExactIn(state, p.mintA, 5854n);
  assert.equal(q.amountIn, 5854n, 'swap_with_transfer_fee_extension: fulfilled → transfer_fee_included_input = amount');
  assert.equal(q.transferFeeIn, 5337n, 'ceil(5854 × 9116 / 10000)');
  const c = core.swapQuoteByInputToken(5854n, true, 0, coreWhirlpool(p), coreOracle(p), coreTickArrays(p, true), NOW, { feeBps: 9116, maxFee: 10n ** 12n });
  assert.equal(c.tokenEstOut, q.amountOut);
  assert.ok(c.tokenIn < 5854n, `core reverse-applies the fee to the 517 swapped: ${c.tokenIn}`);
});

// ---------- refusals ----------

test('a tick array that was not provided: small quotes are exact, quotes that reach it are refused', () => {
  const full = rangePool(3000, -64 * 200, 64 * 200, 10n ** 14n);
  const partial = regenerate({ ...full, accounts: new Map() }, { omitStarts: [-11264, -5632] });
  const fullState = build(full);
  const partialState = build(partial);
  const small = orcaWhirlpool.quoteExactIn(partialState, full.mintA, 10n ** 6n);
  assert.deepEqual(
    [small.amountIn, small.amountOut, small.feeAmount],
    (({ amountIn, amountOut, feeAmount }) => [amountIn, amountOut, feeAmount])(orcaWhirlpool.quoteExactIn(fullState, full.mintA, 10n ** 6n)),
  );
  assert.throws(() => orcaWhirlpool.quoteExactIn(partialState, full.mintA, 10n ** 18n), (err) => {
    assert.ok(isSolrulesError(err, 'DEX_TICK_ARRAY_MISSING'));
    assert.equal(err.context.startTickIndex, -5632);
    assert.ok(typeof err.context.account === 'string');
    return true;
  });
});

test('refusals name the field: unknown mint, zero amount, adaptive pool not yet trading, epoch needed for a fee change', () => {
  const p = rangePool(0, -640, 640, 10n ** 9n);
  const state = build(p);
  assert.throws(() => orcaWhirlpool.quoteExactIn(state, SOL_USDC, 1n), (e) => isSolrulesError(e, 'DEX_MINT_NOT_IN_POOL') && e.context.field === 'inputMint');
  assert.throws(() => orcaWhirlpool.quoteExactIn(state, p.mintA, 0n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID') && e.context.field === 'amountIn');
  assert.throws(() => orcaWhirlpool.quoteExactOut(state, p.mintA, 1n << 64n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID'));

  const r = rng(11);
  let adaptive: GenPool;
  do adaptive = generatePool(r, { adaptive: true });
  while (!adaptive.oracle);
  adaptive.oracle.tradeEnableTimestamp = NOW + 60n;
  adaptive = regenerate(adaptive);
  assert.throws(() => build(adaptive) && orcaWhirlpool.quoteExactIn(build(adaptive), adaptive.mintA, 1000n), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING') && e.context.field === 'tradeEnableTimestamp');

  const scheduled = rangePool(0, -640, 640, 10n ** 9n, (x) => {
    x.transferFeeA = { olderEpoch: 0n, older: { bps: 10, max: 1000n }, newerEpoch: EPOCH + 1n, newer: { bps: 50, max: 1000n } };
  });
  const noEpoch = orcaWhirlpool.buildState(scheduled.accounts.get(scheduled.address)!, scheduled.accounts, { unixTimestamp: NOW });
  assert.throws(() => orcaWhirlpool.quoteExactIn(noEpoch, scheduled.mintA, 1000n), (e) => isSolrulesError(e, 'DEX_TRANSFER_FEE_EPOCH_REQUIRED') && e.context.account === scheduled.mintA);
  const withEpoch = build(scheduled);
  assert.equal(orcaWhirlpool.quoteExactIn(withEpoch, scheduled.mintA, 1000n).transferFeeIn, 1n, 'epoch 600 < 601: older fee, ceil(1000 × 10 / 10000)');
});

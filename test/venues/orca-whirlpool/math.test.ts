/**
 * Whirlpool math primitives against `@orca-so/whirlpools-core`: tick ↔ sqrt price over the whole
 * tick range, and random swap steps. Default: every 7th tick + 20 000 random prices + 20 000 steps;
 * SOLRULES_FULL=1: every tick (887 273) + 200 000 prices + 200 000 steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from '@orca-so/whirlpools-core';
import {
  MAX_SQRT_PRICE,
  MAX_TICK_INDEX,
  MIN_SQRT_PRICE,
  MIN_TICK_INDEX,
  computeSwapStep,
  sqrtPriceFromTickIndex,
  tickIndexFromSqrtPrice,
} from '../../../engine/venues/orca-whirlpool/index.ts';
import { FULL, caseCount, rng, seedFor } from '../support/random.ts';

test('sqrt price of every tick (or every 7th by default) equals the core', () => {
  const step = FULL ? 1 : 7;
  let checked = 0;
  for (let t = MIN_TICK_INDEX; t <= MAX_TICK_INDEX; t += step) {
    const ours = sqrtPriceFromTickIndex(t);
    if (ours !== core.tickIndexToSqrtPrice(t)) assert.fail(`tick ${t}: ours ${ours}, core ${core.tickIndexToSqrtPrice(t)}`);
    checked += 1;
  }
  assert.equal(sqrtPriceFromTickIndex(MIN_TICK_INDEX), MIN_SQRT_PRICE);
  assert.equal(sqrtPriceFromTickIndex(MAX_TICK_INDEX), MAX_SQRT_PRICE);
  assert.equal(sqrtPriceFromTickIndex(0), 1n << 64n);
  assert.ok(checked > 100_000);
});

test('tick of random sqrt prices (and of exact tick prices ±1) equals the core', () => {
  const r = rng(seedFor(0x71c));
  const n = caseCount(20_000, 200_000);
  for (let i = 0; i < n; i++) {
    let p: bigint;
    if (i % 3 === 0) {
      const t = r.int(MIN_TICK_INDEX, MAX_TICK_INDEX);
      p = sqrtPriceFromTickIndex(t) + BigInt(r.int(-1, 1));
      if (p < MIN_SQRT_PRICE || p > MAX_SQRT_PRICE) continue;
    } else p = r.big(MIN_SQRT_PRICE, MAX_SQRT_PRICE);
    const ours = tickIndexFromSqrtPrice(p);
    if (ours !== core.sqrtPriceToTickIndex(p)) assert.fail(`sqrt ${p}: ours ${ours}, core ${core.sqrtPriceToTickIndex(p)}`);
  }
});

/** The program's `compute_swap`, assembled from core's exported primitives (they throw where the program fails). */
function coreStep(amount: bigint, feeRate: number, liquidity: bigint, current: bigint, target: bigint, specifiedInput: boolean, aToB: boolean) {
  const fixedIsA = aToB === specifiedInput;
  const fixedDelta = (to: bigint) => (fixedIsA ? core.tryGetAmountDeltaA(current, to, liquidity, specifiedInput) : core.tryGetAmountDeltaB(current, to, liquidity, specifiedInput));
  let initial: bigint | null;
  try {
    initial = fixedDelta(target);
  } catch {
    initial = null; // exceeds u64: not a max swap
  }
  const amountCalc = specifiedInput ? core.tryApplySwapFee(amount, feeRate) : amount;
  const next =
    initial !== null && initial <= amountCalc
      ? target
      : fixedIsA
        ? core.tryGetNextSqrtPriceFromA(current, liquidity, amountCalc, specifiedInput)
        : core.tryGetNextSqrtPriceFromB(current, liquidity, amountCalc, specifiedInput);
  const isMax = next === target;
  const unfixed = fixedIsA ? core.tryGetAmountDeltaB(current, next, liquidity, !specifiedInput) : core.tryGetAmountDeltaA(current, next, liquidity, !specifiedInput);
  const fixed = !isMax || initial === null ? fixedDelta(next) : initial;
  const amountIn = specifiedInput ? fixed : unfixed;
  let amountOut = specifiedInput ? unfixed : fixed;
  if (!specifiedInput && amountOut > amount) amountOut = amount;
  // checked_mul_div_round_up(amount_in, fee_rate, 1e6 − fee_rate): core has no export for the fee alone
  // (tryReverseApplySwapFee returns in + fee and overflows where the fee alone fits)
  const d = 1_000_000n - BigInt(feeRate);
  const feeAmount = specifiedInput && !isMax ? amount - amountIn : (amountIn * BigInt(feeRate) + d - 1n) / d;
  return { amountIn, amountOut, nextSqrtPrice: next, feeAmount };
}

test('random swap steps equal the program step assembled from core primitives', () => {
  const r = rng(seedFor(0x57e9));
  const n = caseCount(20_000, 200_000);
  let equal = 0;
  let bothFail = 0;
  for (let i = 0; i < n; i++) {
    const current = r.big(MIN_SQRT_PRICE, MAX_SQRT_PRICE);
    const aToB = r.bool();
    const target = aToB ? r.big(MIN_SQRT_PRICE, current) : r.big(current, MAX_SQRT_PRICE);
    const liquidity = r.logBig(r.pick([32, 64, 96, 110]));
    const amount = r.logBig(64);
    const feeRate = r.pick([0, 100, 3000, 10_000, 60_000, r.int(0, 100_000)]);
    const specifiedInput = r.bool();
    // beyond 192-bit products the program fails (MultiplicationOverflow) while core's U256 shift drops
    // bits silently; that difference has its own test below
    const widest = liquidity * (current > target ? current : target);
    if (widest >= 1n << 192n) continue;
    let ours: unknown;
    let theirs: unknown;
    try {
      ours = computeSwapStep(amount, BigInt(feeRate), liquidity, current, target, specifiedInput, aToB);
    } catch {
      ours = 'fails';
    }
    try {
      theirs = coreStep(amount, feeRate, liquidity, current, target, specifiedInput, aToB);
    } catch {
      theirs = 'fails';
    }
    assert.deepEqual(ours, theirs, `case ${i}: amount ${amount} fee ${feeRate} L ${liquidity} ${current} → ${target} in=${specifiedInput} aToB=${aToB}`);
    if (ours === 'fails') bothFail += 1;
    else equal += 1;
  }
  assert.ok(equal > n / 2, `only ${equal} of ${n} steps computed (${bothFail} failed on both sides)`);
});

test('program vs core: Δa with liquidity × Δsqrt_price ≥ 2^192 fails on chain; core shifts bits out and returns a wrong amount', () => {
  const liquidity = 1n << 110n;
  const upper = MAX_SQRT_PRICE;
  const lower = 1n << 64n;
  const exact = ((liquidity * (upper - lower)) << 64n) / (upper * lower);
  let coreValue: bigint | string;
  try {
    coreValue = core.tryGetAmountDeltaA(lower, upper, liquidity, false);
  } catch (err) {
    coreValue = String(err);
  }
  assert.notEqual(coreValue, exact, 'core does not produce the exact quotient');
  assert.throws(
    () => computeSwapStep(1n << 63n, 3000n, liquidity, upper, lower, true, true),
    (err: unknown) => (err as { context?: { reason?: string } }).context?.reason === 'MultiplicationOverflow',
  );
});

/**
 * Raydium AMM v4 quotes against the official SDK (`@raydium-io/raydium-sdk-v2` liquidity
 * computeAmountOut / computeAmountIn) and against the program's published math (raydium-amm
 * `processor.rs` process_swap_base_in / _base_out, `math.rs`), transcribed below on its own.
 *
 * Counts: 10 000 random states by default for each of exact-in vs SDK, exact-in/out vs program
 * math and exact-out vs SDK (40 000 quotes); SOLRULES_FULL=1 runs 100 000 each.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AccountSnapshot } from '../../../engine/accounts/index.ts';
import { loadAccountFile } from '../../../engine/accounts/index.ts';
import { programCeilDiv, raydiumAmmV4, swapBaseIn, type RaydiumAmmV4State } from '../../../engine/venues/raydium-amm-v4/index.ts';
import { TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from '../../../engine/venues/spl-token/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { caseCount, rng, seedFor, type Rng } from '../support/random.ts';
import { encodeTokenAccount } from '../support/writer.ts';
import { sdkAmountIn, sdkAmountOut } from './sdk.ts';

const DIR = sharedFixture('accounts/raydium-amm-v4');
const POOL = loadAccountFile(`${DIR}/58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.capture-with-vaults.json`);
const COIN_VAULT = loadAccountFile(`${DIR}/DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz.coin-vault.capture-with-vaults.json`);
const PC_VAULT = loadAccountFile(`${DIR}/HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz.pc-vault.capture-with-vaults.json`);
const SOL = { address: 'So11111111111111111111111111111111111111112', decimals: 9 };
const USDC = { address: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', decimals: 6 };
const U64_MAX = (1n << 64n) - 1n;

// ---------- the program's math, transcribed from processor.rs / math.rs (U128 with checked ops) ----------

type ProgramResult = { amountIn: bigint; amountOut: bigint; fee: bigint } | { error: string };

/** `U128::checked_ceil_div(..).0` (math.rs): a zero quotient is rounded to nearest (1 if 2n ≥ d), else a ceiling. */
function checkedCeilDiv(n: bigint, d: bigint): bigint | null {
  if (d === 0n) return null;
  const q = n / d;
  if (q === 0n) return n * 2n >= d ? 1n : 0n;
  return n % d !== 0n ? q + 1n : q;
}

/** process_swap_base_in after the account checks: reserves are vault − need_take_pnl. */
function programBaseIn(amountIn: bigint, totalIn: bigint, totalOut: bigint, num: bigint, den: bigint): ProgramResult {
  const swapFee = checkedCeilDiv(amountIn * num, den)!;
  const afterFee = amountIn - swapFee;
  const denominator = totalIn + afterFee;
  if (denominator === 0n) return { error: 'panic: checked_div None' };
  const out = (totalOut * afterFee) / denominator;
  if (out === 0n || amountIn === 0n) return { error: 'InvalidInput' };
  if (out >= totalOut) return { error: 'InsufficientFunds' };
  return { amountIn, amountOut: out, fee: swapFee };
}

/** process_swap_base_out after the account checks. */
function programBaseOut(amountOut: bigint, totalIn: bigint, totalOut: bigint, num: bigint, den: bigint): ProgramResult {
  if (amountOut > totalOut) return { error: 'panic: checked_sub None' };
  const before = checkedCeilDiv(totalIn * amountOut, totalOut - amountOut);
  if (before === null) return { error: 'panic: checked_ceil_div None' };
  const after = checkedCeilDiv(before * den, den - num)!;
  if (after > U64_MAX) return { error: 'panic: as_u64 overflow' };
  if (after === 0n || amountOut === 0n) return { error: 'InvalidInput' };
  if (amountOut >= totalOut) return { error: 'InsufficientFunds' };
  return { amountIn: after, amountOut, fee: after - before };
}

// ---------- random pools: the fixture AmmInfo with random fees / need_take_pnl, vaults with random balances ----------

function tokenAccount(address: string, mint: string, amount: bigint, owner = TOKEN_PROGRAM_ID): AccountSnapshot {
  const data = encodeTokenAccount({ mint, owner: '5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1', amount });
  return { address, owner, data, lamports: 2039280n, executable: false, rentEpoch: 0n };
}

interface RandomPool {
  state: RaydiumAmmV4State;
  coinReserve: bigint;
  pcReserve: bigint;
  num: bigint;
  den: bigint;
}

function randomPool(r: Rng, sdkFee: boolean, status = 6): RandomPool {
  const coinVault = r.logBig(64);
  const pcVault = r.logBig(64);
  const needCoin = r.bool(0.5) ? 0n : r.big(0n, coinVault / 100n);
  const needPc = r.bool(0.5) ? 0n : r.big(0n, pcVault / 100n);
  const den = sdkFee ? 10_000n : r.pick([10_000n, 1_000_000n, r.logBig(40)]);
  const num = sdkFee ? 25n : r.big(0n, den - 1n);
  const data = new Uint8Array(POOL.data);
  const view = new DataView(data.buffer);
  view.setBigUint64(0, BigInt(status), true);
  view.setBigUint64(176, num, true);
  view.setBigUint64(184, den, true);
  view.setBigUint64(192, needCoin, true);
  view.setBigUint64(200, needPc, true);
  const accounts = new Map([
    [COIN_VAULT.address!, tokenAccount(COIN_VAULT.address!, SOL.address, coinVault)],
    [PC_VAULT.address!, tokenAccount(PC_VAULT.address!, USDC.address, pcVault)],
  ]);
  const state = raydiumAmmV4.buildState({ ...POOL, data }, accounts, { unixTimestamp: 1_700_000_000n });
  return { state, coinReserve: coinVault - needCoin, pcReserve: pcVault - needPc, num, den };
}

function ours(state: RaydiumAmmV4State, mintIn: string, amount: bigint, exactOut: boolean): ProgramResult {
  try {
    const q = exactOut ? raydiumAmmV4.quoteExactOut(state, mintIn, amount) : raydiumAmmV4.quoteExactIn(state, mintIn, amount);
    return { amountIn: q.amountIn, amountOut: q.amountOut, fee: q.feeAmount };
  } catch (err) {
    if (!isSolrulesError(err) || !err.code.startsWith('DEX_')) throw err;
    return { error: err.code };
  }
}

// ---------- tests ----------

test('fixture pool (capture with vaults): exact-in equals the SDK to the atom, both directions, 1 atom … 10^15', () => {
  const state = raydiumAmmV4.buildState(POOL, new Map([[COIN_VAULT.address!, COIN_VAULT], [PC_VAULT.address!, PC_VAULT]]));
  assert.equal(state.coinReserve, 67661004799950n);
  assert.equal(state.pcReserve, 4936181262839n);
  let compared = 0;
  for (const mint of [SOL, USDC]) {
    for (let e = 0; e <= 15; e++) {
      for (const amount of [10n ** BigInt(e), 10n ** BigInt(e) * 7n + 3n]) {
        const sdk = sdkAmountOut(SOL, USDC, state.coinReserve, state.pcReserve, mint.address, amount);
        const q = ours(state, mint.address, amount, false);
        if (amount < 200n) continue; // the program charges no fee there, the SDK 1 atom (pinned in the next test)
        if ('error' in q) {
          assert.equal(sdk.amountOut, 0n, `we refuse only zero-output swaps (program: InvalidInput), amount ${amount}`);
          continue;
        }
        assert.deepEqual([q.amountOut, q.fee], [sdk.amountOut, sdk.fee], `${mint.address} in ${amount}`);
        compared += 1;
      }
    }
  }
  assert.ok(compared >= 45);
  // a worked example: 1 SOL → 72.771136 USDC, fee 0.0025 SOL
  assert.deepEqual(ours(state, SOL.address, 1_000_000_000n, false), { amountIn: 1_000_000_000n, amountOut: 72_771_136n, fee: 2_500_000n });
});

test('tiny inputs: the fee is U128::checked_ceil_div, which rounds a zero quotient to nearest, not up (pinned by hand)', () => {
  // the rule, at the pool's 25 / 10 000: fee = round-to-nearest(in × 25 / 10 000) while in × 25 < 10 000
  const fees: Array<[bigint, bigint]> = [[1n, 0n], [199n, 0n], [200n, 1n], [399n, 1n], [400n, 1n], [401n, 2n], [800n, 2n], [801n, 3n]];
  for (const [amountIn, fee] of fees) {
    assert.equal(swapBaseIn(amountIn, 10n ** 12n, 10n ** 15n, 25n, 10_000n).fee, fee, `fee on ${amountIn}`);
    assert.equal(programCeilDiv(amountIn * 25n, 10_000n), fee);
  }
  assert.equal(programCeilDiv(0n, 7n), 0n);
  assert.equal(programCeilDiv(3n, 7n), 0n, '2·3 < 7');
  assert.equal(programCeilDiv(4n, 7n), 1n, '2·4 ≥ 7');
  assert.equal(programCeilDiv(14n, 7n), 2n);
  assert.equal(programCeilDiv(15n, 7n), 3n);

  // the fixture pool (coin 67 661 004 799 950 SOL atoms, pc 4 936 181 262 839 USDC atoms)
  const state = raydiumAmmV4.buildState(POOL, new Map([[COIN_VAULT.address!, COIN_VAULT], [PC_VAULT.address!, PC_VAULT]]));
  // 1 USDC atom in: no fee, floor(67 661 004 799 950 × 1 / 4 936 181 262 840) = 13 SOL atoms (a plain ceiling takes the
  // atom as fee and the swap buys 0: refused)
  assert.deepEqual(ours(state, USDC.address, 1n, false), { amountIn: 1n, amountOut: 13n, fee: 0n });
  // 199 in: floor(67 661 004 799 950 × 199 / 4 936 181 263 038) = 2727 (plain ceiling: fee 1, 2714 out)
  assert.deepEqual(ours(state, USDC.address, 199n, false), { amountIn: 199n, amountOut: 2727n, fee: 0n });
  // 200 in: fee 1 (2·5000 ≥ 10 000), out floor(… × 199 / 4 936 181 263 038) = 2727
  assert.deepEqual(ours(state, USDC.address, 200n, false), { amountIn: 200n, amountOut: 2727n, fee: 1n });
  assert.deepEqual(ours(state, SOL.address, 199n, false), { amountIn: 199n, amountOut: 14n, fee: 0n });
  // the SDK's plain ceiling charges the atom: that is where the SDK and the program part
  assert.equal(sdkAmountOut(SOL, USDC, state.coinReserve, state.pcReserve, USDC.address, 199n).fee, 1n);

  // exact-out: the curve's ceiling is the same helper. Buying 6 SOL atoms with USDC: 4 936 181 262 839 × 6 over
  // 67 661 004 799 944 has quotient 0 and 2a < b, so the program needs 0 input and refuses (InvalidInput);
  // 7 atoms: 2a ≥ b → 1, then checked_ceil_div(1 × 10 000, 9975) = 2.
  assert.deepEqual(ours(state, USDC.address, 6n, true), { error: 'DEX_SWAP_REJECTED' });
  assert.deepEqual(ours(state, USDC.address, 7n, true), { amountIn: 2n, amountOut: 7n, fee: 1n });
  // 20 SOL atoms: a/b = 1.459… → 2 (ceiling above zero), then ceil(2 × 10 000 / 9975) = 3
  assert.deepEqual(ours(state, USDC.address, 20n, true), { amountIn: 3n, amountOut: 20n, fee: 1n });
});

test('fixture pool with need_take_pnl (slot 453868631 capture): reserves are vault − need_take_pnl, as program and SDK compute them', () => {
  const pool = loadAccountFile(`${DIR}/58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.slot453868631.json`);
  const state = raydiumAmmV4.buildState(pool, new Map([[COIN_VAULT.address!, COIN_VAULT], [PC_VAULT.address!, PC_VAULT]]));
  assert.equal(state.coinReserve, 67661004799950n - 183502858n);
  assert.equal(state.pcReserve, 4936181262839n - 21928100n);
  for (const amount of [1000n, 10n ** 9n, 10n ** 12n]) {
    const sdk = sdkAmountOut(SOL, USDC, state.coinReserve, state.pcReserve, USDC.address, amount);
    assert.equal(raydiumAmmV4.quoteExactIn(state, USDC.address, amount).amountOut, sdk.amountOut);
  }
});

test('random pools (25/10000): exact-in equals the SDK to the atom', () => {
  const seed = seedFor(0x4a1);
  const r = rng(seed);
  const n = caseCount(10_000, 100_000);
  let equal = 0;
  let tiny = 0;
  for (let i = 0; i < n; i++) {
    const p = randomPool(r, true);
    const mintIn = r.bool() ? SOL : USDC;
    const amount = r.logBig(64);
    const [rin, rout] = mintIn === SOL ? [p.coinReserve, p.pcReserve] : [p.pcReserve, p.coinReserve];
    const q = ours(p.state, mintIn.address, amount, false);
    const sdk = sdkAmountOut(SOL, USDC, p.coinReserve, p.pcReserve, mintIn.address, amount);
    if (amount < 200n) {
      // the program's checked_ceil_div charges no fee below 200 atoms, the SDK's ceiling 1: compare with the program
      const expected = programBaseIn(amount, rin, rout, 25n, 10_000n);
      if ('error' in expected) assert.ok('error' in q, `seed ${seed} case ${i}: program fails (${expected.error}) on ${amount}`);
      else assert.deepEqual(q, expected, `seed ${seed} case ${i}: tiny amount ${amount}`);
      assert.equal(sdk.fee, 1n);
      tiny += 1;
      continue;
    }
    if ('error' in q) {
      // the program refuses what the SDK quotes as 0 (InvalidInput) or as the whole reserve (InsufficientFunds)
      assert.ok(sdk.amountOut === 0n || sdk.amountOut >= rout || rin + amount === 0n, `seed ${seed} case ${i}: we refused, SDK quoted ${sdk.amountOut}`);
      continue;
    }
    assert.deepEqual([q.amountOut, q.fee], [sdk.amountOut, sdk.fee], `seed ${seed} case ${i}: amount ${amount} reserves ${rin}/${rout}`);
    equal += 1;
  }
  console.log(`raydium exact-in vs SDK: seed ${seed}, ${n} cases, ${equal} equal, ${tiny} under 200 atoms (program fee 0, SDK 1), ${n - equal - tiny} refused by the program (SDK: 0 out)`);
  assert.ok(equal > n * 0.7);
});

test('random pools (any fee): exact-in and exact-out equal the program math transcribed from processor.rs', () => {
  const seed = seedFor(0x4a2);
  const r = rng(seed);
  const n = caseCount(10_000, 100_000);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const p = randomPool(r, false);
    const coinIn = r.bool();
    const exactOut = r.bool();
    const [rin, rout] = coinIn ? [p.coinReserve, p.pcReserve] : [p.pcReserve, p.coinReserve];
    const amount = exactOut && r.bool(0.8) ? r.big(1n, rout > 1n ? rout : 1n) : r.logBig(64);
    const q = ours(p.state, coinIn ? SOL.address : USDC.address, amount, exactOut);
    const expected = exactOut ? programBaseOut(amount, rin, rout, p.num, p.den) : programBaseIn(amount, rin, rout, p.num, p.den);
    if ('error' in expected) assert.ok('error' in q, `seed ${seed} case ${i}: program fails (${expected.error}), we quoted ${JSON.stringify(q, (_k, v) => (typeof v === 'bigint' ? `${v}` : v))}`);
    else {
      assert.deepEqual(q, expected, `seed ${seed} case ${i}`);
      ok += 1;
    }
  }
  assert.ok(ok > n * 0.6, `only ${ok} of ${n} quotes succeeded`);
});

test('program vs SDK: exact-out — the program rounds the curve and the fee up, the SDK rounds both down', () => {
  const seed = seedFor(0x4a3);
  const r = rng(seed);
  const n = caseCount(10_000, 100_000);
  let differ = 0;
  let sdkTooLow = 0;
  for (let i = 0; i < n; i++) {
    const p = randomPool(r, true);
    const coinIn = r.bool();
    const [rin, rout] = coinIn ? [p.coinReserve, p.pcReserve] : [p.pcReserve, p.coinReserve];
    if (rout < 2n) continue;
    const amountOut = r.big(1n, rout - 1n);
    const q = ours(p.state, coinIn ? SOL.address : USDC.address, amountOut, true);
    if ('error' in q) continue;
    const sdk = sdkAmountIn(SOL, USDC, p.coinReserve, p.pcReserve, coinIn ? SOL.address : USDC.address, amountOut);
    const diff = q.amountIn - sdk.amountIn;
    assert.ok(diff >= 0n && diff <= 3n, `seed ${seed} case ${i}: program ${q.amountIn}, SDK ${sdk.amountIn}`);
    if (diff > 0n) differ += 1;
    // does the SDK's input even pay for the output? the constant product must not shrink
    const sdkBeforeFee = sdk.amountIn - sdk.fee;
    if ((rin + sdkBeforeFee) * (rout - amountOut) < rin * rout) sdkTooLow += 1;
    assert.ok((rin + q.amountIn - q.fee) * (rout - amountOut) >= rin * rout, 'the program keeps the invariant');
  }
  console.log(`raydium exact-out: seed ${seed}, ${n} cases: program > SDK in ${differ}; SDK input below the invariant in ${sdkTooLow}`);
  assert.ok(differ > n / 10, 'the rounding difference is common, so a wrong rounding would show');
  // a worked case: reserves 1000/1000, buy 1 → curve needs ceil(1000/999) = 2, fee-inclusive ceil(2 × 10000 / 9975) = 3
  const small = randomPoolWith(1000n, 1000n);
  assert.equal(raydiumAmmV4.quoteExactOut(small, SOL.address, 1n).amountIn, 3n);
  assert.equal(sdkAmountIn(SOL, USDC, 1000n, 1000n, SOL.address, 1n).amountIn, 1n, 'SDK: floor(1000/999) = 1, floor(1 × 10000 / 9975) = 1');
});

test('program vs SDK: buying the whole reserve or more is refused; the SDK quotes reserve − 1', () => {
  const state = randomPoolWith(10n ** 9n, 10n ** 9n);
  assert.throws(() => raydiumAmmV4.quoteExactOut(state, SOL.address, 10n ** 9n), (e) => isSolrulesError(e, 'DEX_INSUFFICIENT_LIQUIDITY'));
  assert.throws(() => raydiumAmmV4.quoteExactOut(state, SOL.address, 2n * 10n ** 9n), (e) => isSolrulesError(e, 'DEX_INSUFFICIENT_LIQUIDITY'));
  const sdk = sdkAmountIn(SOL, USDC, 10n ** 9n, 10n ** 9n, SOL.address, 2n * 10n ** 9n);
  assert.ok(sdk.amountIn > 0n, 'the SDK silently clamps the output to reserve − 1');
});

test('program vs SDK: the program charges the pool\'s swap_fee, the SDK always 25/10000', () => {
  const r = rng(5);
  let p: RandomPool;
  do p = randomPool(r, false);
  while (p.num * 10_000n === 25n * p.den || p.coinReserve < 10n ** 6n || p.pcReserve < 10n ** 6n);
  const amount = p.coinReserve / 10n;
  const q = ours(p.state, SOL.address, amount, false);
  assert.ok(!('error' in q));
  assert.deepEqual(q, programBaseIn(amount, p.coinReserve, p.pcReserve, p.num, p.den));
  assert.notEqual(q.fee, sdkAmountOut(SOL, USDC, p.coinReserve, p.pcReserve, SOL.address, amount).fee);
});

function randomPoolWith(coin: bigint, pc: bigint, status = 6, openTime = 0n): RaydiumAmmV4State {
  const data = new Uint8Array(POOL.data);
  const view = new DataView(data.buffer);
  view.setBigUint64(0, BigInt(status), true);
  view.setBigUint64(224, openTime, true);
  return raydiumAmmV4.buildState(
    { ...POOL, data },
    new Map([
      [COIN_VAULT.address!, tokenAccount(COIN_VAULT.address!, SOL.address, coin)],
      [PC_VAULT.address!, tokenAccount(PC_VAULT.address!, USDC.address, pc)],
    ]),
    { unixTimestamp: 1_700_000_000n },
  );
}

test('refusals: pool status, open time, vault problems, unknown mint, bad amounts', () => {
  for (const status of [0, 2, 3, 4, 5]) {
    assert.throws(() => raydiumAmmV4.quoteExactIn(randomPoolWith(10n ** 9n, 10n ** 9n, status), SOL.address, 1000n), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING') && e.context.field === 'status');
  }
  for (const status of [1, 6]) assert.ok(raydiumAmmV4.quoteExactIn(randomPoolWith(10n ** 9n, 10n ** 9n, status), SOL.address, 1000n).amountOut > 0n);
  assert.throws(() => raydiumAmmV4.quoteExactIn(randomPoolWith(10n ** 9n, 10n ** 9n, 7, 1_700_000_001n), SOL.address, 1000n), (e) => isSolrulesError(e, 'DEX_POOL_NOT_TRADING'));
  assert.ok(raydiumAmmV4.quoteExactIn(randomPoolWith(10n ** 9n, 10n ** 9n, 7, 1_700_000_000n), SOL.address, 1000n).amountOut > 0n, 'WaitingTrade opens at pool_open_time');

  const state = randomPoolWith(10n ** 9n, 10n ** 9n);
  assert.throws(() => raydiumAmmV4.quoteExactIn(state, 'orcaEKTdK7LKz57vaAYr9QeNsVEPfiu6QeMU1kektZE', 1n), (e) => isSolrulesError(e, 'DEX_MINT_NOT_IN_POOL'));
  assert.throws(() => raydiumAmmV4.quoteExactIn(state, SOL.address, 0n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID'));
  assert.throws(() => raydiumAmmV4.quoteExactIn(state, SOL.address, 1n << 64n), (e) => isSolrulesError(e, 'DEX_AMOUNT_INVALID'));
  assert.throws(() => raydiumAmmV4.quoteExactIn(state, SOL.address, 1n), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.reason === 'InvalidInput');

  assert.throws(() => raydiumAmmV4.buildState(POOL, new Map([[COIN_VAULT.address!, COIN_VAULT]])), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISSING') && e.context.account === PC_VAULT.address);
  const wrongMint = new Map([[COIN_VAULT.address!, COIN_VAULT], [PC_VAULT.address!, tokenAccount(PC_VAULT.address!, SOL.address, 5n)]]);
  assert.throws(() => raydiumAmmV4.buildState(POOL, wrongMint), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISMATCH') && e.context.field === 'mint');
  const token2022 = new Map([[COIN_VAULT.address!, COIN_VAULT], [PC_VAULT.address!, tokenAccount(PC_VAULT.address!, USDC.address, 5n, TOKEN_2022_PROGRAM_ID)]]);
  assert.throws(() => raydiumAmmV4.buildState(POOL, token2022), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER'));
  const pnl = new Uint8Array(POOL.data);
  new DataView(pnl.buffer).setBigUint64(192, COIN_VAULT_AMOUNT + 1n, true);
  assert.throws(() => raydiumAmmV4.buildState({ ...POOL, data: pnl }, new Map([[COIN_VAULT.address!, COIN_VAULT], [PC_VAULT.address!, PC_VAULT]])), (e) => isSolrulesError(e, 'DEX_SWAP_REJECTED') && e.context.field === 'needTakePnlCoin');
});

const COIN_VAULT_AMOUNT = 67661004799950n;

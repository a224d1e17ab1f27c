/**
 * Kamino flash loans on the sandbox, executed by the real klend program: the lending market and
 * USDC reserve made by the program's own instructions; the flash fee our provider predicts equal
 * to what the program charges; a flash loan that cannot be repaid failing atomically; and an
 * arbitrage round trip across the sandbox's two venues wrapped in a flash loan (borrow → leg 1 →
 * leg 2 → repay, one transaction) realizing exactly the expected profit in atoms — and the same
 * plan refused by the send guard's simulation once the opportunity has closed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ComputeBudgetProgram, Keypair, PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createMarket, fundTokenAccount, PROGRAMS, readKaminoReserve, readPoolState, sendInstructions, swapExactIn, tokenBalance, type Market, type MarketVenue } from '../../sandbox/market/index.ts';
import { KaminoFlashLoan, kaminoFlashLoanFee, RoundTripSource, SendGuard, type RouteSource, type SwapPlan } from '../../engine/executors/index.ts';
import { flashWrapped } from '../../engine/executors/flash/provider.ts';
import { venueById } from '../../engine/venues/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import type { Order } from '../../engine/orders/index.ts';

const KLEND = PROGRAMS['kamino-lending'].id;
const CU: TransactionInstruction[] = [ComputeBudgetProgram.setComputeUnitLimit({ units: 1_400_000 })];
const USDC = 1_000_000n;
let sb: Sandbox;
let market: Market;

before(async () => {
  sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  market = createMarket({ chain: sb.chain, seed: 5, kamino: { liquidity: 500_000n * USDC, flashLoanFeeBps: 9n } });
});
after(async () => {
  await sb.close();
});

/** A wallet with lamports for fees and a USDC account holding `usdc` atoms. */
function wallet(usdc: bigint): { kp: Keypair; usdc: PublicKey } {
  const kp = Keypair.generate();
  sb.chain.setAccount(kp.publicKey, { lamports: 10n ** 10n });
  return { kp, usdc: fundTokenAccount(sb.chain, market.mints.usdc, kp.publicKey, usdc) };
}

test('the lending market and reserve were made by the klend program: its accounts, PDAs and deposit', () => {
  const k = market.kamino!;
  assert.equal(k.signatures.length, 4, 'init_lending_market, init_reserve, update_reserve_config, refresh + deposit');
  for (const sig of k.signatures) {
    const tx = sb.getTransaction(sig)!;
    assert.equal(tx.err, null);
    assert.ok(tx.logs.some((l) => l.startsWith(`Program ${KLEND} invoke`)), 'each setup step ran the klend program');
  }
  const r = readKaminoReserve(sb.chain, k.reserve.reserve);
  for (const a of [k.lendingMarket, r.reserve]) assert.equal(sb.getAccount(a)!.owner, KLEND);
  assert.equal(r.lendingMarket, k.lendingMarket);
  assert.equal(r.liquidityMint, market.mints.usdc);
  assert.equal(r.version, 1n, 'the program wrote its layout version');
  assert.equal(r.status, 0, 'active');
  assert.equal(r.availableAmount, 500_000n * USDC, 'deposit_reserve_liquidity credited the reserve');
  assert.equal(tokenBalance(sb.chain, r.liquiditySupplyVault), 500_000n * USDC, 'the supply vault (a PDA token account the program created) holds the deposit');
  const seeds = (s: string) => PublicKey.findProgramAddressSync([Buffer.from(s), new PublicKey(k.lendingMarket).toBuffer(), new PublicKey(market.mints.usdc).toBuffer()], new PublicKey(KLEND))[0].toBase58();
  assert.equal(r.liquiditySupplyVault, seeds('reserve_liq_supply'));
  assert.equal(r.feeReceiver, seeds('fee_receiver'));
  assert.equal(r.pythOracle, k.oracle);
  assert.ok(r.flashLoanFeeSf > 0n && r.flashLoanFeeSf < (1n << 60n) / 1000n, '9 bps as fee bits');
});

test('flash borrow + repay: the fee the program charges is the one our provider predicts, to the atom', () => {
  const flash = new KaminoFlashLoan(readKaminoReserve(sb.chain, market.kamino!.reserve.reserve));
  const w = wallet(10_000n * USDC);
  // 1,000 atoms: the 1-atom minimum; 5,555: 4.9995 rounds to 5; 12,345: 11.11 rounds down (a ceiling would say 12).
  for (const amount of [1_000n, 5_555n, 12_345n, 123_456_789n, 400_000n * USDC]) {
    const req = { borrower: w.kp.publicKey, mint: new PublicKey(market.mints.usdc), amount, userTokenAccount: w.usdc };
    const [user0, fees0, vault0] = [tokenBalance(sb.chain, w.usdc), tokenBalance(sb.chain, flash.reserve.feeReceiver), tokenBalance(sb.chain, flash.reserve.liquiditySupplyVault)];
    sendInstructions(sb.chain, w.kp, flashWrapped({ provider: flash, request: req }, [], CU), { computeUnits: 0 });
    sb.chain.advanceSlots(1);
    const paid = user0 - tokenBalance(sb.chain, w.usdc);
    assert.equal(paid, flash.fee(amount), `fee on ${amount}`);
    assert.equal(tokenBalance(sb.chain, flash.reserve.feeReceiver) - fees0, paid, 'the fee goes to the reserve fee receiver');
    assert.equal(tokenBalance(sb.chain, flash.reserve.liquiditySupplyVault), vault0, 'the loan came back in full');
  }
  assert.equal(kaminoFlashLoanFee(12_345n, flash.reserve.flashLoanFeeSf), 11n);
});

test('a flash loan that cannot be repaid fails atomically: no token balance and no reserve byte changes', () => {
  const flash = new KaminoFlashLoan(readKaminoReserve(sb.chain, market.kamino!.reserve.reserve));
  const w = wallet(5n * USDC);
  const thief = wallet(0n);
  const amount = 100_000n * USDC;
  const req = { borrower: w.kp.publicKey, mint: new PublicKey(market.mints.usdc), amount, userTokenAccount: w.usdc };
  // Borrow, send the loan away, then try to repay: the repay cannot pay.
  const transfer = { programId: new PublicKey('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'), keys: [{ pubkey: w.usdc, isSigner: false, isWritable: true }, { pubkey: thief.usdc, isSigner: false, isWritable: true }, { pubkey: w.kp.publicKey, isSigner: true, isWritable: false }], data: Buffer.concat([Buffer.from([3]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64LE(amount); return b; })()]) };
  const watched = [w.usdc.toBase58(), thief.usdc.toBase58(), flash.reserve.liquiditySupplyVault, flash.reserve.feeReceiver];
  const before = watched.map((a) => tokenBalance(sb.chain, a));
  const reserveBefore = Buffer.from(sb.getAccount(flash.reserve.reserve)!.data);
  assert.throws(() => sendInstructions(sb.chain, w.kp, flashWrapped({ provider: flash, request: req }, [transfer as never], CU), { computeUnits: 0 }), (e: unknown) => isSolrulesError(e, 'MARKET_TX_FAILED') && /FlashRepayReserveLiquidity/.test(String(e.message)));
  sb.chain.advanceSlots(1);
  assert.deepEqual(watched.map((a) => tokenBalance(sb.chain, a)), before);
  assert.ok(Buffer.from(sb.getAccount(flash.reserve.reserve)!.data).equals(reserveBefore), 'the reserve is as it was');
  // A repay naming the wrong borrow index (the compute-budget instruction in front shifts it) is refused by klend.
  assert.throws(() => sendInstructions(sb.chain, w.kp, flashWrapped({ provider: flash, request: req }, [], [])), (e: unknown) => isSolrulesError(e, 'MARKET_TX_FAILED') && /InvalidFlashRepay|doesn't match current index/.test(String(e.message)));
  sb.chain.advanceSlots(1);
  // And without the repay at all, klend refuses the borrow itself.
  assert.throws(() => sendInstructions(sb.chain, w.kp, flash.borrow(req)), (e: unknown) => isSolrulesError(e, 'MARKET_TX_FAILED') && /NoFlashRepayFound/.test(String(e.message)));
  sb.chain.advanceSlots(1);
  assert.deepEqual(watched.map((a) => tokenBalance(sb.chain, a)), before);
});

function statesOf() {
  return { statesFor: async () => market.pools.map((p) => readPoolState(sb.chain, p.venue, p.address).state) };
}

/** The round trip USDC -> SOL on `buy` -> USDC on `sell` with the best profit net of the flash fee (coarse scan of sizes). */
function bestTrip(buy: MarketVenue, sell: MarketVenue, flash: KaminoFlashLoan): { amountIn: bigint; out: bigint; profit: bigint } {
  const b = readPoolState(sb.chain, buy, market.pool(buy).address);
  const s = readPoolState(sb.chain, sell, market.pool(sell).address);
  let best = { amountIn: 0n, out: 0n, profit: 0n };
  for (let usd = 10n; usd <= 20_000n; usd += 10n) {
    const amountIn = usd * USDC;
    try {
      const mid = b.venue.quoteExactIn(b.state, market.mints.usdc, amountIn).amountOut;
      const out = s.venue.quoteExactIn(s.state, market.mints.sol, mid).amountOut;
      const profit = out - amountIn - flash.fee(amountIn);
      if (profit > best.profit) best = { amountIn, out, profit };
    } catch {
      break;
    }
  }
  return best;
}

function roundTripOrder(amountIn: bigint, buy: MarketVenue, sell: MarketVenue): Order {
  return {
    id: `ord_flash_${amountIn}`, strategy: 'arbitrage', rule: 'arb', ruleFile: 'arbitrage', ruleSetHash: 'h', side: 'roundtrip',
    inputMint: market.mints.usdc, outputMint: market.mints.usdc, amountIn, minAmountOut: amountIn, notionalUsd: 0, urgency: 'high',
    createdAt: new Date(0).toISOString(), expiresAt: new Date(0).toISOString(), factsDigest: 'd', explanation: { ruleId: 'arb', ruleSetHash: 'h', conditions: { kind: 'all', result: true } },
    params: { route: { flashLoan: true, flashLoanFee: '0', legs: [{ pool: market.pool(buy).address, inputMint: market.mints.usdc, outputMint: market.mints.sol }, { pool: market.pool(sell).address, inputMint: market.mints.sol, outputMint: market.mints.usdc }] } },
  } as Order;
}

test('arbitrage wrapped in a Kamino flash loan on the two venues: realized profit = out − in − fee, exactly; a closed opportunity is refused by the guard', async () => {
  const flash = new KaminoFlashLoan(readKaminoReserve(sb.chain, market.kamino!.reserve.reserve), { lookupTables: [market.kamino!.lookupTable] });
  // A SIMULATED trader's large SOL sale on the whirlpool: SOL is cheap there, dear on the DLMM pair.
  swapExactIn(sb.chain, market.traders[0]!, 'orca-whirlpool', market.pool('orca-whirlpool').address, market.mints.sol, 6_000n * 10n ** 9n);
  sb.chain.advanceSlots(1);
  const trip = bestTrip('orca-whirlpool', 'meteora-dlmm', flash);
  assert.ok(trip.profit > 0n, `the shock opened a spread (best ${trip.profit} atoms on ${trip.amountIn})`);

  // The wallet holds no USDC at all: the input is the reserve's.
  const w = wallet(0n);
  fundTokenAccount(sb.chain, market.mints.sol, w.kp.publicKey, 0n);
  const source = new RoundTripSource(statesOf(), [flash]);
  const order = roundTripOrder(trip.amountIn, 'orca-whirlpool', 'meteora-dlmm');
  const guard = new SendGuard({ inner: source, rpcUrl: sb.rpcUrl, maxShortfallBps: () => 0 });
  const plan = await guard.plan(order, w.kp.publicKey);
  assert.equal(guard.stats.passed, 1, 'the guard simulated the wrapped transaction and passed it');
  assert.equal(source.stats.flashLoanWrapped, 1);
  assert.equal(plan.flashLoan?.provider, flash);
  assert.equal(plan.expected.amountOut, trip.out - flash.fee(trip.amountIn), 'expected = leg 2 out less the flash fee');

  const [usdc0, vault0, fees0] = [tokenBalance(sb.chain, w.usdc), tokenBalance(sb.chain, flash.reserve.liquiditySupplyVault), tokenBalance(sb.chain, flash.reserve.feeReceiver)];
  const record = sendInstructions(sb.chain, w.kp, flashWrapped(plan.flashLoan!, plan.instructions, CU), { computeUnits: 0, lookupTables: plan.lookupTables! });
  sb.chain.advanceSlots(1);
  const programs = new Set(record.logs.filter((l) => / invoke \[1\]$/.test(l)).map((l) => l.split(' ')[1]));
  for (const p of [KLEND, PROGRAMS['orca-whirlpool'].id, PROGRAMS['meteora-dlmm'].id]) assert.ok(programs.has(p), `${p} ran in the one transaction`);
  const realized = tokenBalance(sb.chain, w.usdc) - usdc0;
  assert.equal(realized, trip.out - trip.amountIn - flash.fee(trip.amountIn), 'realized profit = out − in − flash fee, in atoms');
  assert.equal(realized, plan.expected.amountOut - plan.expected.amountIn);
  assert.equal(tokenBalance(sb.chain, flash.reserve.liquiditySupplyVault), vault0, 'the reserve got its loan back');
  assert.equal(tokenBalance(sb.chain, flash.reserve.feeReceiver) - fees0, flash.fee(trip.amountIn));
  console.log(`# flash-loan arbitrage: borrowed ${trip.amountIn}, out ${trip.out}, fee ${flash.fee(trip.amountIn)}, profit ${realized} atoms`);

  // The same opportunity again, planned; then it closes before the send (another trader arbitrages it away).
  swapExactIn(sb.chain, market.traders[1]!, 'orca-whirlpool', market.pool('orca-whirlpool').address, market.mints.sol, 3_000n * 10n ** 9n);
  sb.chain.advanceSlots(1);
  const again = bestTrip('orca-whirlpool', 'meteora-dlmm', flash);
  assert.ok(again.profit > 0n);
  const stale: SwapPlan = await source.plan(roundTripOrder(again.amountIn, 'orca-whirlpool', 'meteora-dlmm'), w.kp.publicKey);
  swapExactIn(sb.chain, market.traders[1]!, 'orca-whirlpool', market.pool('orca-whirlpool').address, market.mints.usdc, 400_000n * USDC);
  sb.chain.advanceSlots(1);
  const sendsStale: RouteSource = { name: 'stale', plan: async () => stale };
  const lateGuard = new SendGuard({ inner: sendsStale, rpcUrl: sb.rpcUrl, maxShortfallBps: () => 0 });
  const usdcBefore = tokenBalance(sb.chain, w.usdc);
  await assert.rejects(lateGuard.plan(roundTripOrder(again.amountIn, 'orca-whirlpool', 'meteora-dlmm'), w.kp.publicKey), (e: unknown) => isSolrulesError(e, 'EXEC_GUARD_WOULD_FAIL'));
  assert.equal(lateGuard.stats.refused.wouldFail, 1);
  assert.equal(tokenBalance(sb.chain, w.usdc), usdcBefore, 'refused, not lost: nothing was sent');
  // Re-planned on the closed state, the source refuses it before building anything.
  await assert.rejects(source.plan(roundTripOrder(again.amountIn, 'orca-whirlpool', 'meteora-dlmm'), w.kp.publicKey), (e: unknown) => isSolrulesError(e, 'EXEC_SLIPPAGE'));
});

test('a route asking for a flash loan with no provider lending its input is refused, not paid from the wallet', async () => {
  const source = new RoundTripSource(statesOf(), []);
  await assert.rejects(source.plan(roundTripOrder(100n * USDC, 'orca-whirlpool', 'meteora-dlmm'), Keypair.generate().publicKey), (e: unknown) => isSolrulesError(e, 'EXEC_FLASH_UNAVAILABLE'));
  assert.ok(venueById('orca-whirlpool'));
});

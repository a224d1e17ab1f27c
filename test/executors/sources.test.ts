/**
 * Route sources and flash loans: Jupiter swap-instructions responses (the recorded fixtures)
 * become plans; the Kamino flash-loan instructions follow the klend IDL and sit first and last;
 * the local venue source picks the best pool and builds its swap instruction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AddressLookupTableAccount, Keypair, PublicKey, SYSVAR_INSTRUCTIONS_PUBKEY, TransactionMessage } from '@solana/web3.js';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { loadAccountDir } from '../../engine/accounts/index.ts';
import { orcaWhirlpool } from '../../engine/venues/index.ts';
import { JupiterSource, VenueSource } from '../../engine/executors/index.ts';
import { parseQuoteResponse, parseSwapInstructionsResponse } from '../../engine/quotes/index.ts';
import { buildOrders } from '../../engine/orders/index.ts';
import { sharedFixture } from '../support/paths.ts';
import { transactionSize } from '../../engine/executors/tx/size.ts';
import { FLASH_BORROW_DISCRIMINATOR, FLASH_REPAY_DISCRIMINATOR, feeSfFromBps, KaminoFlashLoan, kaminoFlashLoanFee, KLEND_PROGRAM_ID, lendingMarketAuthority } from '../../engine/executors/flash/kamino.ts';
import { planFromJupiter } from '../../engine/executors/sources/jupiter.ts';

const jup = (f: string) => JSON.parse(readFileSync(sharedFixture('jupiter', f), 'utf8'));
const QUOTE = parseQuoteResponse(jup('quote-response.sol-usdc.meteora-dlmm.slot299283763.json'));

test('Jupiter swap-instructions: setup, swap and cleanup kept; compute budget and the tip dropped; amounts from the quote', () => {
  const withTip = parseSwapInstructionsResponse(jup('swap-instructions-response.with-jito-tip.json'));
  const cb = parseSwapInstructionsResponse(jup('swap-instructions-response.compute-budget.json'));
  const a = planFromJupiter(QUOTE, withTip);
  // ilkamo/jupiter-go asserts 4 setup instructions, a swap and a cleanup; 1 other (the tip) in the Jito file.
  assert.equal(a.instructions.length, 4 + 1 + 1);
  assert.deepEqual(a.dropped, { computeBudget: 1, other: 1 });
  assert.equal(a.instructions[4]!.programId.toBase58(), 'JUP6LkbZbjS1jKKwapdHNy74zcZ3tLUZoi5QNyVTaV4');
  assert.deepEqual(a.instructions[4]!.data, Buffer.from(jup('swap-instructions-response.with-jito-tip.json').swapInstruction.data, 'base64'));
  assert.equal(a.instructions[4]!.keys.length, withTip.swapInstruction.accounts.length);
  withTip.swapInstruction.accounts.forEach((m, i) => assert.deepEqual({ pubkey: a.instructions[4]!.keys[i]!.pubkey.toBase58(), isSigner: a.instructions[4]!.keys[i]!.isSigner, isWritable: a.instructions[4]!.keys[i]!.isWritable }, m));
  assert.deepEqual(a.expected, { inputMint: QUOTE.inputMint, outputMint: QUOTE.outputMint, amountIn: 100_000_000n, amountOut: 16_198_753n, minAmountOut: 16_117_760n });
  assert.equal(a.venue, 'jupiter:Meteora DLMM');
  assert.deepEqual(a.lookupTableAddresses, withTip.addressLookupTableAddresses);
  const b = planFromJupiter(QUOTE, cb, { keepOtherInstructions: true });
  assert.deepEqual(b.dropped, { computeBudget: 2, other: 0 });
  assert.equal(b.lookupTableAddresses.length, 3);
  const kept = planFromJupiter(QUOTE, withTip, { keepOtherInstructions: true });
  assert.equal(kept.instructions.at(-1)!.programId.toBase58(), '11111111111111111111111111111111', 'the tip transfer when kept');
  assert.throws(() => planFromJupiter(QUOTE, { ...withTip, simulationError: { error: 'x' } }), (e: unknown) => isSolrulesError(e, 'EXEC_JUPITER_SIMULATION'));
  // Jupiter's answers are checked once, by engine/quotes' parser: a bad amount never reaches the plan.
  assert.throws(() => parseQuoteResponse({ ...QUOTE.raw, outAmount: 16198753 }), (e: unknown) => isSolrulesError(e, 'QUOTE_BAD_RESPONSE') && e.context.field === 'outAmount');
});

test('a Jupiter route needs its lookup tables to fit in 1232 bytes', async () => {
  const resp = parseSwapInstructionsResponse(jup('swap-instructions-response.with-jito-tip.json'));
  const user = new PublicKey(resp.swapInstruction.accounts.find((a) => a.isSigner)!.pubkey);
  const parts = planFromJupiter(QUOTE, resp);
  const keys = [...new Set(parts.instructions.flatMap((ix) => ix.keys.filter((k) => !k.isSigner).map((k) => k.pubkey.toBase58())))];
  const bh = '11111111111111111111111111111111';
  const bare = new TransactionMessage({ payerKey: user, recentBlockhash: bh, instructions: parts.instructions }).compileToV0Message();
  // The tables' contents are not in the fixture: stand-in tables hold the route's accounts.
  const tables = parts.lookupTableAddresses.map((address, i) => new AddressLookupTableAccount({ key: new PublicKey(address), state: { deactivationSlot: 2n ** 64n - 1n, lastExtendedSlot: 1, lastExtendedSlotStartIndex: 0, authority: undefined, addresses: keys.filter((_, j) => j % parts.lookupTableAddresses.length === i).map((k) => new PublicKey(k)) } }));
  const source = new JupiterSource({ getQuote: async () => QUOTE, swapInstructions: async () => resp }, { getAddressLookupTable: async (a) => tables.find((t) => t.key.toBase58() === a) ?? null });
  const order = buildOrders(
    { ruleId: 'r', fileId: 'x', priority: 1, type: 'order', params: { side: 'sell', amountIn: '100000000', maxSlippageBps: 100 } },
    { strategy: 'x', ruleFile: 'x', ruleSetHash: 'h', base: { symbol: 'SOL', mint: QUOTE.inputMint, decimals: 9 }, quote: { symbol: 'USDC', mint: QUOTE.outputMint, decimals: 6 }, priceUsd: (m) => (m === QUOTE.inputMint ? 160 : 1), now: new Date(), facts: {}, explanation: { ruleId: 'r', ruleSetHash: 'h', conditions: { kind: 'all', result: true } } },
  )[0]!;
  const plan = await source.plan(order, user);
  assert.equal(plan.lookupTables!.length, 2);
  const compressed = new TransactionMessage({ payerKey: user, recentBlockhash: bh, instructions: plan.instructions }).compileToV0Message(plan.lookupTables);
  console.log(`# Jupiter route: ${transactionSize(bare)} bytes without its lookup tables, ${transactionSize(compressed)} with them`);
  assert.ok(transactionSize(compressed) < transactionSize(bare));
  assert.ok(transactionSize(compressed) <= 1232);
  const strict = { ...order, minAmountOut: 16_200_000n };
  await assert.rejects(source.plan(strict, user), (e: unknown) => isSolrulesError(e, 'EXEC_SLIPPAGE'));
});

test('Kamino flash loan: klend IDL discriminators and accounts; the repay names the borrow index; the fee as klend computes it (fee bits, at least 1 atom, nearest)', () => {
  assert.deepEqual(FLASH_BORROW_DISCRIMINATOR, createHash('sha256').update('global:flash_borrow_reserve_liquidity').digest().subarray(0, 8));
  assert.deepEqual(FLASH_REPAY_DISCRIMINATOR, createHash('sha256').update('global:flash_repay_reserve_liquidity').digest().subarray(0, 8));
  const k = () => Keypair.generate().publicKey.toBase58();
  const reserve = { lendingMarket: '7u3HeHxYDLhnCoErrtycNokbQYbWGzLs6JSDqGAv5PfF', reserve: 'D6q6wuQSrifJKZYpR1M8R4YawnLDtDsMmWM1NbBmgJ59', liquidityMint: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', liquiditySupplyVault: k(), feeReceiver: k(), flashLoanFeeSf: feeSfFromBps(9n) };
  const flash = new KaminoFlashLoan(reserve);
  const borrower = Keypair.generate().publicKey;
  const req = { borrower, mint: new PublicKey(reserve.liquidityMint), amount: 1_000_000_000n, userTokenAccount: Keypair.generate().publicKey };
  const [b] = flash.borrow(req);
  const [r] = flash.repay(req, 0);
  for (const ix of [b!, r!]) {
    assert.equal(ix.programId.toBase58(), KLEND_PROGRAM_ID.toBase58());
    assert.equal(ix.keys.length, 12);
    assert.deepEqual([ix.keys[0]!.isSigner, ix.keys[0]!.pubkey.toBase58()], [true, borrower.toBase58()]);
    assert.equal(ix.keys[1]!.pubkey.toBase58(), lendingMarketAuthority(reserve.lendingMarket).toBase58());
    assert.deepEqual(ix.keys.map((x) => x.isWritable), [false, false, false, true, false, true, true, true, false, false, false, false]);
    assert.equal(ix.keys[8]!.pubkey.toBase58(), KLEND_PROGRAM_ID.toBase58(), 'absent referrer = program id');
    assert.equal(ix.keys[10]!.pubkey.toBase58(), SYSVAR_INSTRUCTIONS_PUBKEY.toBase58());
  }
  assert.equal(b!.data.toString('hex'), `${FLASH_BORROW_DISCRIMINATOR.toString('hex')}00ca9a3b00000000`);
  assert.equal(r!.data.toString('hex'), `${FLASH_REPAY_DISCRIMINATOR.toString('hex')}00ca9a3b0000000000`);
  assert.equal(flash.repay(req, 3)[0]!.data.at(-1), 3);
  // 9 bps as fee bits is a hair under 9 bps (truncated): 1e9 atoms pay 899,999.99… -> 900,000 (nearest).
  assert.equal(flash.fee(1_000_000_000n), 900_000n);
  assert.equal(flash.fee(123_456_789n), 111_111n, 'nearest, not up (111,111.1…)');
  assert.equal(flash.fee(5_555n), 5n, '4.9995 rounds to 5');
  assert.equal(flash.fee(1_000n), 1n, 'at least one atom (0.9)');
  assert.equal(kaminoFlashLoanFee(1_000_000n, 0n), 0n, 'a zero rate charges nothing');
  assert.throws(() => flash.borrow({ ...req, amount: 1n }), (e: unknown) => isSolrulesError(e, 'EXEC_BAD_AMOUNT'), 'klend refuses a loan whose fee is not below it (BorrowTooSmall)');
  assert.throws(() => new KaminoFlashLoan({ ...reserve, flashLoanFeeSf: (1n << 64n) - 1n }), (e: unknown) => isSolrulesError(e, 'EXEC_FLASH_DISABLED'));
  assert.throws(() => flash.borrow({ ...req, mint: Keypair.generate().publicKey }), (e: unknown) => isSolrulesError(e, 'EXEC_FLASH_MINT'));
});

test('the venue source quotes the pools it is given and builds the best one\'s swap instruction', async () => {
  const accounts = loadAccountDir(sharedFixture('accounts/orca-whirlpool/whirlpool-essentials'));
  const state = orcaWhirlpool.buildState(accounts.get('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ')!, accounts, { unixTimestamp: 1668008674n });
  const source = new VenueSource({ statesFor: async () => [state] });
  const base = { symbol: 'SOL', mint: state.mintA, decimals: 9 };
  const quote = { symbol: 'USDC', mint: state.mintB, decimals: 6 };
  const order = buildOrders(
    { ruleId: 'r', fileId: 'x', priority: 1, type: 'order', params: { side: 'sell', amountIn: '1000000000', maxSlippageBps: 9000 } },
    { strategy: 'x', ruleFile: 'x', ruleSetHash: 'h', base, quote, priceUsd: (m) => (m === base.mint ? 30 : 1), now: new Date(), facts: {}, explanation: { ruleId: 'r', ruleSetHash: 'h', conditions: { kind: 'all', result: true } } },
  )[0]!;
  const wallet = Keypair.generate().publicKey;
  const plan = await source.plan(order, wallet);
  assert.equal(plan.venue, 'orca-whirlpool');
  assert.equal(plan.instructions.length, 2, 'create output account (idempotent), swap');
  assert.equal(plan.expected.amountOut, orcaWhirlpool.quoteExactIn(state, state.mintA, 1_000_000_000n).amountOut);
  const data = plan.instructions[1]!.data;
  assert.equal(data.readBigUInt64LE(8), 1_000_000_000n);
  assert.equal(data.readBigUInt64LE(16), order.minAmountOut, 'the order\'s minAmountOut is the threshold');
  await assert.rejects(new VenueSource({ statesFor: async () => [] }).plan(order, wallet), (e: unknown) => isSolrulesError(e, 'EXEC_NO_ROUTE'));
});

/**
 * The transaction builder on the sandbox: plan order (flash borrow → CU price → CU limit → swaps
 * → flash repay), priority fee from recent fees of the writable accounts, CU limit from
 * simulation, lookup tables, and refusal of transactions over 1232 bytes or the compute limit —
 * before anything is sent. Every built transaction is executed on the sandbox's SVM; its size
 * and compute use are printed.
 */
import { liveSetup, type LiveSetup } from './support/live-setup.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ComputeBudgetProgram, Keypair, PublicKey, SystemProgram, TransactionInstruction } from '@solana/web3.js';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { LookupTableManager } from '../../engine/executors/index.ts';
import { TransactionBuilder, type BuiltTransaction } from '../../engine/executors/tx/builder.ts';
import { computeUnitPrice, percentileFee, priorityFeeLamports } from '../../engine/executors/tx/fees.ts';
import type { FlashLoanProvider } from '../../engine/executors/flash/provider.ts';

let s: LiveSetup;
before(async () => {
  s = await liveSetup({ workers: 1, sandbox: { slotMs: 20 } });
});
after(async () => s.close());

const MEMO = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');

async function executeOnSvm(label: string, built: BuiltTransaction): Promise<number> {
  const sig = await s.rpc.sendAndConfirm(built.tx, built.lastValidBlockHeight, 20);
  const tx = await s.rpc.getTransaction(sig);
  assert.equal(tx?.meta?.err, null);
  const used = tx!.meta!.computeUnitsConsumed!;
  console.log(`# ${label}: ran on the sandbox SVM — ${built.sizeBytes} bytes, ${used} CU used (simulated ${built.unitsSimulated}, limit ${built.computeUnitLimit}, price ${built.computeUnitPriceMicroLamports} µlamports/CU)`);
  assert.ok(used <= built.computeUnitLimit, 'used within the limit the builder set');
  assert.equal(tx!.meta!.fee, Number(built.feeLamports), 'the fee the builder computed is the fee charged');
  return used;
}

test('percentile priority fee, floored and capped', () => {
  const fees = [0n, 10n, 20n, 30n, 40n, 50n, 60n, 70n, 80n, 90n];
  assert.equal(percentileFee(fees, 50), 40n);
  assert.equal(percentileFee(fees, 75), 70n);
  assert.equal(percentileFee(fees, 100), 90n);
  assert.equal(percentileFee([], 75), 0n);
  const recent = fees.map((f, i) => ({ slot: i, prioritizationFee: Number(f) }));
  assert.deepEqual(computeUnitPrice(recent, { percentile: 90, capMicroLamports: 50n }), { microLamports: 50n, observed: 80n, capped: true });
  assert.deepEqual(computeUnitPrice([], { percentile: 90, capMicroLamports: 50n, floorMicroLamports: 5n }), { microLamports: 5n, observed: 0n, capped: false });
  assert.equal(priorityFeeLamports(1_000_001n, 1_000), 1001n, 'rounded up');
});

test('instructions in the plan order; CU limit from simulation plus margin; price from recent fees of the writable accounts', async () => {
  const w = s.workers[0]!;
  const dest = Keypair.generate().publicKey;
  // Someone paid 5000 µlamports/CU for a transaction writing `dest` in a recent slot.
  const other = Keypair.generate();
  s.sb.airdrop(other.publicKey, 1_000_000_000n);
  const otherTx = await new TransactionBuilder(s.rpc, { priorityFee: { percentile: 50, capMicroLamports: 5000n, floorMicroLamports: 5000n }, computeMarginPct: 10, computeMarginUnits: 1000, maxComputeUnits: 1_400_000 }).build({ payer: { publicKey: other.publicKey, sign: (tx) => tx.sign([other]) }, instructions: [SystemProgram.transfer({ fromPubkey: other.publicKey, toPubkey: dest, lamports: 1_000_000 })] });
  await executeOnSvm('fee-setter', otherTx);
  const recent = await s.rpc.getRecentPrioritizationFees([dest.toBase58()]);
  assert.ok(recent.some((r) => r.prioritizationFee === 5000), JSON.stringify(recent));

  const borrowed: string[] = [];
  const flash: FlashLoanProvider = {
    name: 'memo-flash',
    mint: 'So11111111111111111111111111111111111111112',
    fee: () => 0n,
    borrow: () => [new TransactionInstruction({ programId: MEMO, keys: [], data: Buffer.from('borrow') })],
    repay: (_r, borrowIndex) => {
      borrowed.push(String(borrowIndex));
      return [new TransactionInstruction({ programId: MEMO, keys: [], data: Buffer.from(`repay ${borrowIndex}`) })];
    },
  };
  // Most recent slots had no fee for these accounts: the 100th percentile picks the one that did.
  const builder = new TransactionBuilder(s.rpc, { priorityFee: { percentile: 100, capMicroLamports: 3000n }, computeMarginPct: 10, computeMarginUnits: 1000, maxComputeUnits: 1_400_000 });
  const built = await builder.build({
    payer: w,
    instructions: [SystemProgram.transfer({ fromPubkey: w.publicKey, toPubkey: dest, lamports: 2_000_000 })],
    flashLoan: { provider: flash, request: { borrower: w.publicKey, mint: PublicKey.default, amount: 1n, userTokenAccount: PublicKey.default } },
  });
  assert.deepEqual(built.layout, ['flash-borrow', 'cu-price', 'cu-limit', 'swap', 'flash-repay']);
  assert.ok(borrowed.length >= 1 && borrowed.every((i) => i === '0'), 'repay knows the borrow is instruction 0');
  assert.equal(built.computeUnitPriceMicroLamports, 3000n, 'the 100th percentile (5000) capped at 3000');
  assert.equal(built.computeUnitLimit, Math.ceil(built.unitsSimulated * 1.1) + 1000);
  const keys = built.tx.message.staticAccountKeys.map((k) => k.toBase58());
  const ixs = built.tx.message.compiledInstructions;
  assert.equal(keys[ixs[1]!.programIdIndex], ComputeBudgetProgram.programId.toBase58());
  assert.equal(Buffer.from(ixs[1]!.data)[0], 3, 'SetComputeUnitPrice');
  assert.equal(Buffer.from(ixs[2]!.data)[0], 2, 'SetComputeUnitLimit');
  assert.equal(Buffer.from(ixs[2]!.data).readUInt32LE(1), built.computeUnitLimit);
  await executeOnSvm('flash-borrow/swap/repay layout', built);
});

test('over 1232 bytes is refused before sending, with what is in it; a lookup table makes it fit', async () => {
  const w = s.workers[0]!;
  const dests = Array.from({ length: 26 }, () => Keypair.generate().publicKey);
  const ixs = dests.map((d) => SystemProgram.transfer({ fromPubkey: w.publicKey, toPubkey: d, lamports: 1_000_000 }));
  const builder = new TransactionBuilder(s.rpc);
  const sendsBefore = s.sb.stats().rpcRequests.sendTransaction ?? 0;
  await assert.rejects(builder.build({ payer: w, instructions: ixs }), (err: unknown) => {
    assert.ok(isSolrulesError(err, 'EXEC_TX_TOO_LARGE'));
    assert.match(err.message, /transaction is \d+ bytes, over the 1232-byte limit by \d+ \(29 static accounts, 0 lookup tables, 28 instructions\)/);
    return true;
  });
  assert.equal(s.sb.stats().rpcRequests.sendTransaction ?? 0, sendsBefore, 'nothing was sent');
  const tables = new LookupTableManager(s.rpc, s.controller, { minUses: 1 });
  tables.note(dests.map((d) => d.toBase58()));
  const added = await tables.ensure();
  assert.equal(added.length, 26);
  assert.deepEqual(tables.sent.map((t) => t.kind), ['create', 'extend']);
  const built = await builder.build({ payer: w, instructions: ixs, lookupTables: tables.current() });
  assert.ok(built.sizeBytes <= 1232);
  assert.equal(built.tx.message.addressTableLookups.length, 1);
  await executeOnSvm('26 transfers through a lookup table', built);
  for (const d of dests) assert.equal(s.sb.getAccount(d)?.lamports, 1_000_000n);
});

test('over the compute limit is refused before sending', async () => {
  const w = s.workers[0]!;
  const builder = new TransactionBuilder(s.rpc, { priorityFee: { percentile: 50, capMicroLamports: 0n }, computeMarginPct: 10, computeMarginUnits: 0, maxComputeUnits: 200 });
  await assert.rejects(
    builder.build({ payer: w, instructions: [SystemProgram.transfer({ fromPubkey: w.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 }), new TransactionInstruction({ programId: MEMO, keys: [], data: Buffer.from('x'.repeat(200)) })] }),
    (err: unknown) => {
      assert.ok(isSolrulesError(err), String(err));
      assert.match(err.code, /EXEC_COMPUTE_LIMIT|EXEC_SIMULATION_FAILED/);
      assert.match(err.message, /compute|ComputationalBudgetExceeded|exceeded/i);
      return true;
    },
  );
  assert.throws(() => new TransactionBuilder(s.rpc, { priorityFee: { percentile: 50, capMicroLamports: 0n }, computeMarginPct: 0, computeMarginUnits: 0, maxComputeUnits: 2_000_000 }), (err: unknown) => isSolrulesError(err, 'EXEC_BAD_POLICY'));
});

test('a failing simulation is refused with its error and logs', async () => {
  const w = s.workers[0]!;
  const broke = Keypair.generate();
  await assert.rejects(
    new TransactionBuilder(s.rpc).build({ payer: w, signers: [{ publicKey: broke.publicKey, sign: (tx) => tx.sign([broke]) }], instructions: [SystemProgram.transfer({ fromPubkey: broke.publicKey, toPubkey: w.publicKey, lamports: 5 })] }),
    (err: unknown) => isSolrulesError(err, 'EXEC_SIMULATION_FAILED') && /InstructionError|insufficient/i.test(err.message),
  );
});

test('paper executor: the route is simulated on the sandbox (simulateTransaction); a failing simulation fails the fill', async () => {
  const { PaperExecutor, Portfolio } = await import('../../engine/executors/index.ts');
  const { TransactionBuilder: Builder } = await import('../../engine/executors/tx/builder.ts');
  const { sandboxOrder } = await import('./support/live-setup.ts');
  const w = s.workers[0]!;
  const usdc = s.usdcMint.toBase58();
  const SOL = 'So11111111111111111111111111111111111111112';
  const tokens = new Map([[SOL, { symbol: 'SOL', mint: SOL, decimals: 9 }], [usdc, { symbol: 'USDC', mint: usdc, decimals: 6 }]]);
  const portfolio = new Portfolio({ [usdc]: 10n ** 15n });
  const quoter = { quote: async (o: import('../../engine/orders/index.ts').Order) => ({ venue: 'sandbox-exchange', pool: s.counterparty.address, amountOut: s.exchange.quote(o.inputMint, o.amountIn), feeAtoms: 0n }) };
  const paper = new PaperExecutor('paper', { feeBps: 25, slippageBps: 10 }, tokens, portfolio, { priceUsd: (m) => (m === SOL ? 150 : 1), now: () => new Date() }, { quoter, simulation: { source: s.exchange, builder: new Builder(s.rpc), wallet: w } });
  const sendsBefore = s.sb.stats().rpcRequests.sendTransaction ?? 0;
  const ok = await paper.execute({ order: sandboxOrder(s, 'paper-sim', 30_000_000n), route: { executor: 'paper', ruleId: 'r', params: {} } });
  assert.equal(ok.status, 'filled', ok.reason);
  assert.ok(ok.simulation && ok.simulation.unitsConsumed > 0);
  console.log(`# paper fill simulated on the sandbox SVM: ${ok.simulation!.sizeBytes} bytes, ${ok.simulation!.unitsConsumed} CU`);
  const tooBig = await paper.execute({ order: sandboxOrder(s, 'paper-sim-too-big', 10n ** 14n), route: { executor: 'paper', ruleId: 'r', params: {} } });
  assert.equal(tooBig.status, 'failed');
  assert.match(tooBig.reason!, /^simulation: simulation failed/);
  assert.equal(s.sb.stats().rpcRequests.sendTransaction ?? 0, sendsBefore, 'paper sends nothing');
});

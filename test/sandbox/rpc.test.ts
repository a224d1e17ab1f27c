// The sandbox must be imported before anything loads grpc-js (see sandbox/trust-env.ts).
import { startSandbox, type Sandbox, MAX_PROCESSING_AGE } from '../../sandbox/index.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddressLookupTableProgram,
  ComputeBudgetProgram,
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SendTransactionError,
  SystemProgram,
  Transaction,
  TransactionExpiredBlockheightExceededError,
  TransactionInstruction,
  TransactionMessage,
  sendAndConfirmTransaction,
  type Connection,
} from '@solana/web3.js';
import {
  TOKEN_2022_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  createMint,
  getAccount,
  getOrCreateAssociatedTokenAccount,
  mintTo,
  transfer,
} from '@solana/spl-token';
import bs58 from 'bs58';
import { connect, rpc, v0, webSocketsIdle } from './helpers.ts';

const MEMO_PROGRAM = new PublicKey('MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr');
let sb: Sandbox;
let conn: Connection;
let payer: Keypair;

before(async () => {
  sb = await startSandbox({ slotMs: 'manual' });
  conn = connect(sb);
  payer = Keypair.generate();
  await conn.confirmTransaction(await conn.requestAirdrop(payer.publicKey, 100 * LAMPORTS_PER_SOL));
});

after(async () => {
  await webSocketsIdle(sb);
  await sb.close();
});

test('binds loopback, reports slot and block height apart, and answers the cluster-info methods', async () => {
  assert.match(sb.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(new URL(sb.wsUrl).port, String(Number(new URL(sb.rpcUrl).port) + 1));
  const slot = await conn.getSlot();
  const height = await conn.getBlockHeight();
  assert.equal(slot - height, 100);
  sb.advanceSlots(3);
  assert.equal(await conn.getSlot(), slot + 3);
  assert.equal(await conn.getBlockHeight(), height + 3);
  const epoch = await conn.getEpochInfo();
  assert.equal(epoch.absoluteSlot, slot + 3);
  assert.equal(epoch.slotsInEpoch, 432_000);
  assert.equal(typeof (await conn.getVersion())['solana-core'], 'string');
  assert.equal((await rpc(sb.rpcUrl, 'getHealth')).body.result, 'ok');
  const latest = await conn.getLatestBlockhash();
  assert.equal(latest.lastValidBlockHeight, height + 3 + MAX_PROCESSING_AGE);
  assert.equal(await conn.getMinimumBalanceForRentExemption(165), 2_039_280);
});

test('SOL transfer: balances move and getTransaction shows fee, pre/post balances and logs', async () => {
  const to = Keypair.generate().publicKey;
  const before = await conn.getBalance(payer.publicKey);
  const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_500_000 }));
  const sig = await sendAndConfirmTransaction(conn, tx, [payer]);
  assert.equal(await conn.getBalance(to), 1_500_000);
  assert.equal(await conn.getBalance(payer.publicKey), before - 1_500_000 - 5000);
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
  assert.ok(got?.meta);
  assert.equal(got.version, 'legacy');
  assert.equal(got.meta.fee, 5000);
  assert.equal(got.meta.err, null);
  const keys = got.transaction.message.getAccountKeys().staticAccountKeys.map((k) => k.toBase58());
  const ip = keys.indexOf(payer.publicKey.toBase58());
  const it = keys.indexOf(to.toBase58());
  assert.equal(got.meta.preBalances[ip]! - got.meta.postBalances[ip]!, 1_500_000 + 5000);
  assert.equal(got.meta.postBalances[it]! - got.meta.preBalances[it]!, 1_500_000);
  assert.deepEqual(got.meta.logMessages, ['Program 11111111111111111111111111111111 invoke [1]', 'Program 11111111111111111111111111111111 success']);
  assert.equal(got.meta.computeUnitsConsumed, 150);
  assert.equal(got.slot, sb.slot);
  const status = (await conn.getSignatureStatuses([sig])).value[0];
  assert.equal(status?.confirmationStatus, 'finalized');
});

test('sendTransaction accepts base58 (the default encoding) as well as base64', async () => {
  const to = Keypair.generate().publicKey;
  const tx = v0(sb, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 })]);
  const reply = await rpc(sb.rpcUrl, 'sendTransaction', [bs58.encode(tx.serialize())]);
  assert.equal(reply.body.result, bs58.encode(tx.signatures[0]!));
  assert.equal(await conn.getBalance(to), 1_000_000);
  const again = await rpc(sb.rpcUrl, 'sendTransaction', [Buffer.from(tx.serialize()).toString('base64'), { encoding: 'base64' }]);
  assert.equal(again.body.error.code, -32002);
  assert.match(again.body.error.message, /already been processed/);
});

test('SPL Token: mint, associated token account creation and transfer, with token balances in getTransaction', async () => {
  const mint = await createMint(conn, payer, payer.publicKey, null, 6);
  const alice = Keypair.generate();
  const from = await getOrCreateAssociatedTokenAccount(conn, payer, mint, payer.publicKey);
  const to = await getOrCreateAssociatedTokenAccount(conn, payer, mint, alice.publicKey);
  await mintTo(conn, payer, mint, from.address, payer, 5_000_000n);
  const sig = await transfer(conn, payer, from.address, to.address, payer, 1_250_000n);
  assert.equal((await getAccount(conn, to.address)).amount, 1_250_000n);
  assert.equal((await getAccount(conn, from.address)).amount, 3_750_000n);
  assert.deepEqual((await conn.getTokenAccountBalance(to.address)).value, { amount: '1250000', decimals: 6, uiAmount: 1.25, uiAmountString: '1.25' });

  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
  const balance = (list: typeof got extends null ? never : any[], owner: PublicKey) => list.find((b: any) => b.owner === owner.toBase58())?.uiTokenAmount.amount;
  assert.equal(balance(got!.meta!.preTokenBalances!, alice.publicKey), '0');
  assert.equal(balance(got!.meta!.postTokenBalances!, alice.publicKey), '1250000');
  assert.equal(balance(got!.meta!.postTokenBalances!, payer.publicKey), '3750000');
  assert.equal(got!.meta!.postTokenBalances![0]!.mint, mint.toBase58());

  const parsed = await conn.getParsedAccountInfo(to.address);
  const info = (parsed.value!.data as { program: string; parsed: { type: string; info: { owner: string; tokenAmount: { amount: string } } } });
  assert.equal(info.program, 'spl-token');
  assert.equal(info.parsed.type, 'account');
  assert.equal(info.parsed.info.owner, alice.publicKey.toBase58());
  assert.equal(info.parsed.info.tokenAmount.amount, '1250000');
  const owned = await conn.getParsedTokenAccountsByOwner(alice.publicKey, { mint });
  assert.deepEqual(owned.value.map((a) => a.pubkey.toBase58()), [to.address.toBase58()]);
  const byProgram = await conn.getTokenAccountsByOwner(payer.publicKey, { programId: TOKEN_PROGRAM_ID });
  assert.ok(byProgram.value.some((a) => a.pubkey.equals(from.address)));

  const holders = await conn.getProgramAccounts(TOKEN_PROGRAM_ID, { filters: [{ dataSize: 165 }, { memcmp: { offset: 0, bytes: mint.toBase58() } }] });
  assert.deepEqual(holders.map((h) => h.pubkey.toBase58()).sort(), [from.address.toBase58(), to.address.toBase58()].sort());
  const onlyAlice = await conn.getProgramAccounts(TOKEN_PROGRAM_ID, { filters: [{ memcmp: { offset: 0, bytes: mint.toBase58() } }, { memcmp: { offset: 32, bytes: alice.publicKey.toBase58() } }] });
  assert.deepEqual(onlyAlice.map((h) => h.pubkey.toBase58()), [to.address.toBase58()]);
  assert.equal((await conn.getTokenSupply(mint)).value.amount, '5000000');
});

test('Token-2022 mint, associated account and transfer work too', async () => {
  const mint = await createMint(conn, payer, payer.publicKey, null, 2, undefined, undefined, TOKEN_2022_PROGRAM_ID);
  const bob = Keypair.generate().publicKey;
  const from = await getOrCreateAssociatedTokenAccount(conn, payer, mint, payer.publicKey, false, undefined, undefined, TOKEN_2022_PROGRAM_ID);
  const to = await getOrCreateAssociatedTokenAccount(conn, payer, mint, bob, false, undefined, undefined, TOKEN_2022_PROGRAM_ID);
  await mintTo(conn, payer, mint, from.address, payer, 999n, [], undefined, TOKEN_2022_PROGRAM_ID);
  await transfer(conn, payer, from.address, to.address, payer, 123n, [], undefined, TOKEN_2022_PROGRAM_ID);
  assert.equal((await getAccount(conn, to.address, undefined, TOKEN_2022_PROGRAM_ID)).amount, 123n);
  const parsed = await conn.getParsedAccountInfo(to.address);
  assert.equal((parsed.value!.data as { program: string }).program, 'spl-token-2022');
});

test('a v0 transaction resolves its recipients through an address lookup table', async () => {
  const recipients = [Keypair.generate().publicKey, Keypair.generate().publicKey, Keypair.generate().publicKey];
  const [create, table] = AddressLookupTableProgram.createLookupTable({ authority: payer.publicKey, payer: payer.publicKey, recentSlot: await conn.getSlot() });
  const extend = AddressLookupTableProgram.extendLookupTable({ lookupTable: table, authority: payer.publicKey, payer: payer.publicKey, addresses: recipients });
  await sendAndConfirmTransaction(conn, new Transaction().add(create, extend), [payer]);
  sb.advanceSlots(1); // addresses added in a slot become usable in the next one, as on a cluster
  const lut = (await conn.getAddressLookupTable(table)).value;
  assert.ok(lut);
  assert.deepEqual(lut.state.addresses.map((a) => a.toBase58()), recipients.map((r) => r.toBase58()));

  const ixs = recipients.map((r, i) => SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: r, lamports: 1_000_000 * (i + 1) }));
  const tx = v0(sb, payer, ixs, [], [lut]);
  assert.equal(tx.message.addressTableLookups.length, 1);
  assert.ok(!tx.message.staticAccountKeys.some((k) => k.equals(recipients[0]!)), 'recipients must come from the table');
  const sig = await conn.sendTransaction(tx);
  await conn.confirmTransaction({ signature: sig, ...sb.latestBlockhash() });
  for (const [i, r] of recipients.entries()) assert.equal(await conn.getBalance(r), 1_000_000 * (i + 1));
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
  assert.equal(got!.version, 0);
  assert.deepEqual(got!.meta!.loadedAddresses!.writable.map((k) => k.toBase58()), recipients.map((r) => r.toBase58()));
  assert.equal(got!.transaction.message.addressTableLookups[0]!.accountKey.toBase58(), table.toBase58());
  await assert.rejects(rpc(sb.rpcUrl, 'getTransaction', [sig]).then((r) => (r.body.error ? Promise.reject(new Error(r.body.error.message)) : r)), /maxSupportedTransactionVersion/);
});

test('compute budget: the unit price and limit set the priority fee, and a limit below what the program needs fails it', async () => {
  const to = Keypair.generate().publicKey;
  sb.advanceSlots(1); // a fresh slot: the fee report is the minimum over a slot's transactions
  const priced = new Transaction().add(
    ComputeBudgetProgram.setComputeUnitLimit({ units: 20_000 }),
    ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 2_500_000 }),
    SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 }),
  );
  const sig = await sendAndConfirmTransaction(conn, priced, [payer]);
  const got = await conn.getTransaction(sig, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
  // 5000 per signature + ceil(2.5 lamports/CU × 20 000 CU) = 5000 + 50 000
  assert.equal(got!.meta!.fee, 55_000);
  const fees = await conn.getRecentPrioritizationFees({ lockedWritableAccounts: [payer.publicKey] });
  assert.equal(fees.find((f) => f.slot === got!.slot)?.prioritizationFee, 2_500_000);
  assert.equal((await conn.getFeeForMessage(priced.compileMessage())).value, 55_000, 'getFeeForMessage agrees with the fee charged');
  const unlimited = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: sb.latestBlockhash().blockhash,
    instructions: [ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 1_000_000 }), SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1 })],
  }).compileToV0Message();
  assert.equal((await conn.getFeeForMessage(unlimited)).value, 5000 + 200_000, 'no limit: 200 000 CU for the one other instruction at 1 lamport each');

  const memo = (limit: number) =>
    new Transaction().add(ComputeBudgetProgram.setComputeUnitLimit({ units: limit }), new TransactionInstruction({ programId: MEMO_PROGRAM, keys: [], data: Buffer.from(`budget ${limit}`) }));
  await assert.rejects(sendAndConfirmTransaction(conn, memo(500), [payer]), (err: unknown) => {
    assert.ok(err instanceof SendTransactionError);
    assert.match(err.message, /Transaction simulation failed/);
    assert.ok((err.logs ?? []).some((l) => /consumed 500 of 500 compute units|exceeded CUs meter/.test(l)), `logs: ${err.logs?.join(' | ')}`);
    return true;
  });
  const ok = await sendAndConfirmTransaction(conn, memo(50_000), [payer]);
  const okTx = await conn.getTransaction(ok, { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
  assert.ok(okTx!.meta!.computeUnitsConsumed! > 500 && okTx!.meta!.computeUnitsConsumed! <= 50_000);
  assert.ok(okTx!.meta!.logMessages!.some((l) => l.includes('Memo (len 12): "budget 50000"')));

  // Without preflight the failing transaction lands, fails on chain, and still pays its fee.
  const before = await conn.getBalance(payer.publicKey);
  const failed = await sendAndConfirmTransaction(conn, memo(501), [payer], { skipPreflight: true }).catch((e: Error) => e);
  assert.ok(failed instanceof Error);
  assert.equal(await conn.getBalance(payer.publicKey), before - 5000);
});

test('simulateTransaction runs without changing state and reports logs and units', async () => {
  const to = Keypair.generate().publicKey;
  const tx = v0(sb, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 2_000_000 })]);
  const sim = await conn.simulateTransaction(tx, { sigVerify: true, accounts: { encoding: 'base64', addresses: [to.toBase58()] } });
  assert.equal(sim.value.err, null);
  assert.equal(sim.value.unitsConsumed, 150);
  assert.equal(sim.value.accounts?.[0]?.lamports, 2_000_000);
  assert.equal(await conn.getBalance(to), 0);
  const stale = v0(sb, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 2_000_000 })], [], [], bs58.encode(Buffer.alloc(32, 9)));
  assert.equal((await conn.simulateTransaction(stale, { sigVerify: false })).value.err, 'BlockhashNotFound');
  const replaced = await conn.simulateTransaction(stale, { replaceRecentBlockhash: true });
  assert.equal(replaced.value.err, null);
});

test('a transaction whose blockhash is older than 150 blocks is refused as expired; 150 blocks old still lands', async () => {
  const to = Keypair.generate().publicKey;
  const old = await conn.getLatestBlockhash();
  const transferTo = (lamports: number) => v0(sb, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports })], [], [], old.blockhash);

  sb.advanceSlots(MAX_PROCESSING_AGE);
  assert.equal(await conn.getBlockHeight(), old.lastValidBlockHeight);
  const atLimit = await conn.sendTransaction(transferTo(1_000_000));
  await conn.confirmTransaction({ signature: atLimit, ...old });
  assert.equal(await conn.getBalance(to), 1_000_000);

  sb.advanceSlots(1);
  assert.equal((await conn.isBlockhashValid(old.blockhash)).value, false);
  await assert.rejects(conn.sendTransaction(transferTo(2_000_000)), (err: unknown) => {
    assert.ok(err instanceof SendTransactionError);
    assert.match(err.message, /Blockhash not found/);
    return true;
  });
  const sig = await conn.sendTransaction(transferTo(3_000_000), { skipPreflight: true });
  await assert.rejects(conn.confirmTransaction({ signature: sig, ...old }), TransactionExpiredBlockheightExceededError);
  assert.equal((await conn.getSignatureStatuses([sig])).value[0], null);
  assert.equal(await conn.getBalance(to), 1_000_000);
});

test('limits and errors use the RPC codes clients branch on', async () => {
  const keys = Array.from({ length: 101 }, () => Keypair.generate().publicKey.toBase58());
  const tooMany = await rpc(sb.rpcUrl, 'getMultipleAccounts', [keys]);
  assert.equal(tooMany.body.error.code, -32602);
  assert.match(tooMany.body.error.message, /max 100/);
  const hundred = await conn.getMultipleAccountsInfo(keys.slice(0, 100).map((k) => new PublicKey(k)));
  assert.equal(hundred.length, 100);
  assert.equal(hundred[0], null);
  assert.equal((await rpc(sb.rpcUrl, 'getSignatureStatuses', [Array(257).fill('1')])).body.error.code, -32602);
  const statuses = await rpc(sb.rpcUrl, 'getSignatureStatuses', [Array(256).fill('1')]);
  assert.equal(statuses.body.result?.value.length, 256, '256 signatures are allowed');
  assert.equal((await rpc(sb.rpcUrl, 'noSuchMethod')).body.error.code, -32601);
  assert.equal((await rpc(sb.rpcUrl, 'getBalance', ['not-a-key'])).body.error.code, -32602);
  const future = await rpc(sb.rpcUrl, 'getSlot', [{ minContextSlot: sb.slot + 10 }]);
  assert.equal(future.body.error.code, -32016);
  const batch = await fetch(sb.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'getSlot' }, { jsonrpc: '2.0', id: 2, method: 'getBlockHeight' }]),
  }).then((r) => r.json() as Promise<{ id: number; result: number }[]>);
  assert.deepEqual(batch.map((r) => [r.id, r.result]), [[1, sb.slot], [2, sb.blockHeight]]);
});

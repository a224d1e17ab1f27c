import { startSandbox, MAX_PROCESSING_AGE } from '../../sandbox/index.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair, LAMPORTS_PER_SOL, NonceAccount, NONCE_ACCOUNT_LENGTH, SystemProgram, Transaction, sendAndConfirmTransaction } from '@solana/web3.js';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { connect, v0, waitFor, webSocketsIdle } from './helpers.ts';

test('the slot clock ticks on its own, with a new blockhash and a later block time each slot', async () => {
  const sb = await startSandbox({ slotMs: 20 });
  try {
    const conn = connect(sb);
    const first = { slot: await conn.getSlot(), hash: (await conn.getLatestBlockhash()).blockhash };
    await waitFor(async () => (await conn.getSlot()) >= first.slot + 5, 3000, 'five slots');
    const later = await conn.getLatestBlockhash();
    assert.notEqual(later.blockhash, first.hash);
    const height = await conn.getBlockHeight(); // the clock runs: a slot may pass between the two calls
    const issuedAt = later.lastValidBlockHeight - MAX_PROCESSING_AGE;
    assert.ok(height >= issuedAt && height - issuedAt <= 10, `blockhash issued at height ${issuedAt}, now ${height}`);
    const t0 = await conn.getBlockTime(first.slot);
    const t1 = await conn.getBlockTime(sb.slot);
    assert.ok(t0 !== null && t1 !== null && t1 >= t0);
  } finally {
    await sb.close();
  }
  await assert.rejects(startSandbox({ slotMs: 1 }), (e) => isSolrulesError(e, 'SANDBOX_BAD_OPTION'));
});

test('with a commitment lag, statuses go processed → confirmed → finalized as slots pass', async () => {
  const sb = await startSandbox({ slotMs: 'manual', commitmentLagSlots: { confirmed: 1, finalized: 3 } });
  const conn = connect(sb);
  try {
    const payer = Keypair.generate();
    sb.airdrop(payer.publicKey, BigInt(LAMPORTS_PER_SOL));
    const sig = await conn.sendTransaction(v0(sb, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: Keypair.generate().publicKey, lamports: 1_000_000 })]));
    const statusNow = async () => (await conn.getSignatureStatuses([sig])).value[0];
    assert.equal((await statusNow())?.confirmationStatus, 'processed');
    let finalized = false;
    conn.onSignature(sig, () => void (finalized = true), 'finalized'); // ends itself after notifying
    sb.advanceSlots(1);
    assert.equal((await statusNow())?.confirmationStatus, 'confirmed');
    assert.equal((await statusNow())?.confirmations, 1);
    sb.advanceSlots(1);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(finalized, false, 'not final after 2 slots');
    sb.advanceSlots(1);
    await waitFor(() => finalized, 3000, 'the finalized signature notification');
    const final = await statusNow();
    assert.equal(final?.confirmationStatus, 'finalized');
    assert.equal(final?.confirmations, null);
  } finally {
    await webSocketsIdle(sb);
    await sb.close();
  }
});

test('a durable-nonce transaction still lands long after its blockhash window', async () => {
  const sb = await startSandbox({ slotMs: 'manual' });
  const conn = connect(sb);
  try {
    const payer = Keypair.generate();
    const nonce = Keypair.generate();
    sb.airdrop(payer.publicKey, BigInt(LAMPORTS_PER_SOL));
    const rent = await conn.getMinimumBalanceForRentExemption(NONCE_ACCOUNT_LENGTH);
    await sendAndConfirmTransaction(conn, new Transaction().add(...SystemProgram.createNonceAccount({ fromPubkey: payer.publicKey, noncePubkey: nonce.publicKey, authorizedPubkey: payer.publicKey, lamports: rent }).instructions), [payer, nonce]);
    sb.advanceSlots(1);
    const stored = NonceAccount.fromAccountData((await conn.getAccountInfo(nonce.publicKey))!.data).nonce;
    const to = Keypair.generate().publicKey;
    const tx = v0(
      sb,
      payer,
      [SystemProgram.nonceAdvance({ noncePubkey: nonce.publicKey, authorizedPubkey: payer.publicKey }), SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 1_000_000 })],
      [],
      [],
      stored,
    );
    sb.advanceSlots(MAX_PROCESSING_AGE + 50);
    const sig = await conn.sendTransaction(tx);
    assert.equal((await conn.getSignatureStatuses([sig])).value[0]?.err, null);
    assert.equal(await conn.getBalance(to), 1_000_000);
    const advanced = NonceAccount.fromAccountData((await conn.getAccountInfo(nonce.publicKey))!.data).nonce;
    assert.notEqual(advanced, stored, 'the nonce moved on, so the same transaction cannot land twice');
  } finally {
    await webSocketsIdle(sb);
    await sb.close();
  }
});

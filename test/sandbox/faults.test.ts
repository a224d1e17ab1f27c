import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, type Connection } from '@solana/web3.js';
import { searcherClient } from 'jito-ts/dist/sdk/block-engine/searcher.js';
import { Bundle } from 'jito-ts/dist/sdk/block-engine/types.js';
import { isSolrulesError } from '../../engine/errors/index.ts';
import bs58 from 'bs58';
import { connect, rpc, v0, waitFor, webSocketsIdle } from './helpers.ts';

let sb: Sandbox;
let conn: Connection;
let payer: Keypair;

before(async () => {
  sb = await startSandbox({ slotMs: 'manual', faultSeed: 7 });
  conn = connect(sb, { disableRetryOnRateLimit: true });
  payer = Keypair.generate();
  sb.airdrop(payer.publicKey, 50n * BigInt(LAMPORTS_PER_SOL));
});

afterEach(() => sb.faults.reset());

after(async () => {
  await webSocketsIdle(sb);
  await sb.close();
});

const transfer = (to: PublicKey, lamports: number) => v0(sb, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports })]);
const elapsed = async (work: () => Promise<unknown>) => {
  const t = performance.now();
  await work();
  return performance.now() - t;
};

test('faults are off by default and bad settings are refused with the field named', () => {
  assert.deepEqual(sb.faults.get(), { dropTransactions: 0, latencyMs: 0, rateLimit: false, timeout: false, failNextBundles: 0, loseNextBundles: 0, websocketsDown: false });
  assert.throws(() => sb.faults.set({ loseNextBundles: 1.5 }), (e) => isSolrulesError(e, 'SANDBOX_BAD_FAULT') && e.context.field === 'loseNextBundles');
  assert.throws(() => sb.faults.set({ dropTransactions: 1.5 }), (e) => isSolrulesError(e, 'SANDBOX_BAD_FAULT') && e.context.field === 'dropTransactions');
  assert.throws(() => sb.faults.set({ latency: 5 } as never), (e) => isSolrulesError(e, 'SANDBOX_BAD_FAULT') && e.context.field === 'latency');
});

test('dropTransactions: the client gets a signature but the transaction never lands; off restores landing', async () => {
  const to = Keypair.generate().publicKey;
  sb.faults.set({ dropTransactions: 1 });
  const dropped = await conn.sendTransaction(transfer(to, 1_000_000));
  assert.equal(typeof dropped, 'string');
  assert.equal((await conn.getSignatureStatuses([dropped])).value[0], null);
  assert.equal(await conn.getBalance(to), 0);
  const viaJito = transfer(to, 1_500_000);
  const jitoReply = await rpc(`${sb.blockEngineUrl}/api/v1/transactions`, 'sendTransaction', [Buffer.from(viaJito.serialize()).toString('base64'), { encoding: 'base64' }]);
  assert.equal(jitoReply.body.result, bs58.encode(viaJito.signatures[0]!), 'the block engine\'s /transactions answers with the signature');
  assert.equal((await conn.getSignatureStatuses([jitoReply.body.result])).value[0], null, 'and drops it too');
  assert.equal(await conn.getBalance(to), 0);

  sb.faults.set({ dropTransactions: 0.5 });
  let landed = 0;
  for (let i = 0; i < 20; i++) {
    const sig = await conn.sendTransaction(transfer(to, 1_000_000 + i));
    if ((await conn.getSignatureStatuses([sig])).value[0]) landed += 1;
  }
  assert.ok(landed > 2 && landed < 18, `about half of 20 should land, ${landed} did`);

  sb.faults.set({ dropTransactions: 0 });
  const before = await conn.getBalance(to);
  const sig = await conn.sendTransaction(transfer(to, 7_000_000));
  assert.equal((await conn.getSignatureStatuses([sig])).value[0]?.err, null);
  assert.equal(await conn.getBalance(to), before + 7_000_000);
});

test('latencyMs delays every answer; off restores fast answers', async () => {
  // The injected delay is large so "off" can be told apart with a generous bound on a loaded machine.
  sb.faults.set({ latencyMs: 1_500 });
  assert.ok((await elapsed(() => conn.getSlot())) >= 1_490);
  assert.ok((await elapsed(() => searcherClient(sb.blockEngineGrpcAddress).getTipAccounts())) >= 1_490);
  sb.faults.set({ latencyMs: 0 });
  const off = await elapsed(() => conn.getSlot());
  assert.ok(off < 1_000, `answered in ${off.toFixed(0)} ms with the delay off`);
});

test('rateLimit answers HTTP 429 on the RPC and block engine and RESOURCE_EXHAUSTED on gRPC; off restores service', async () => {
  sb.faults.set({ rateLimit: true });
  await assert.rejects(conn.getSlot(), /429/);
  const jito = await rpc(`${sb.blockEngineUrl}/api/v1/bundles`, 'getTipAccounts');
  assert.equal(jito.status, 429);
  assert.equal(jito.headers.get('retry-after'), '1');
  const grpcAnswer = await searcherClient(sb.blockEngineGrpcAddress).getTipAccounts();
  assert.ok(!grpcAnswer.ok);
  assert.equal(grpcAnswer.error.code, status.RESOURCE_EXHAUSTED);
  assert.ok(sb.stats().faults.rateLimited >= 3);

  sb.faults.set({ rateLimit: false });
  assert.equal(await conn.getSlot(), sb.slot);
  assert.equal((await rpc(`${sb.blockEngineUrl}/api/v1/bundles`, 'getTipAccounts')).status, 200);
  assert.ok((await searcherClient(sb.blockEngineGrpcAddress).getTipAccounts()).ok);
});

test('timeout holds requests unanswered; switching it off answers them and restores service', async () => {
  sb.faults.set({ timeout: true });
  const held = conn.getSlot();
  const heldGrpc = searcherClient(sb.blockEngineGrpcAddress).getTipAccounts();
  const outcome = await Promise.race([held.then(() => 'answered'), new Promise((r) => setTimeout(() => r('no answer'), 300))]);
  assert.equal(outcome, 'no answer');
  await waitFor(() => sb.stats().faults.heldRequests >= 2, 3000, 'both requests to be held');

  sb.faults.set({ timeout: false });
  assert.equal(await held, sb.slot);
  assert.ok((await heldGrpc).ok);
  assert.equal(await conn.getBlockHeight(), sb.blockHeight);
});

test('failNextBundles fails the next bundle whatever it holds; the same bundle then lands', async () => {
  const to = Keypair.generate().publicKey;
  const bundle = () => new Bundle([v0(sb, payer, [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports: 4_000_000 }), SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: new PublicKey(sb.tipAccounts[0]!), lamports: 1000 })])], 5);
  const first = bundle();
  sb.faults.set({ failNextBundles: 1 });
  const failed = await searcherClient(sb.blockEngineGrpcAddress).sendBundle(first);
  assert.ok(failed.ok);
  assert.equal(sb.getBundle(failed.value)?.status, 'Failed');
  assert.equal(await conn.getBalance(to), 0);
  assert.equal(sb.faults.get().failNextBundles, 0, 'the switch counts down');

  const again = await searcherClient(sb.blockEngineGrpcAddress).sendBundle(first);
  assert.ok(again.ok);
  assert.equal(sb.getBundle(again.value)?.status, 'Landed');
  assert.equal(await conn.getBalance(to), 4_000_000);
});

test('websocketsDown closes subscriptions and refuses reconnects; off lets web3.js reconnect and resubscribe', async () => {
  const slots: number[] = [];
  const id = conn.onSlotChange((s) => void slots.push(s.slot));
  await waitFor(() => sb.stats().subscriptions === 1, 3000, 'the slot subscription');
  sb.advanceSlots(1);
  await waitFor(() => slots.length === 1, 3000, 'a first slot notification');

  sb.faults.set({ websocketsDown: true });
  assert.equal(sb.stats().webSocketConnections, 0);
  sb.advanceSlots(1);
  await waitFor(() => sb.stats().faults.refusedWebSockets >= 1, 4000, 'web3.js to try to reconnect and be refused');
  assert.equal(slots.length, 1, 'no notification while the WebSocket is down');

  sb.faults.set({ websocketsDown: false });
  await waitFor(() => sb.stats().subscriptions === 1, 5000, 'web3.js to reconnect and resubscribe');
  sb.advanceSlots(1);
  await waitFor(() => slots.length === 2, 3000, 'a slot notification after recovery');
  assert.equal(slots[1], sb.slot);

  sb.faults.closeWebSockets(); // one-shot: the client comes straight back
  await waitFor(() => sb.stats().faults.closedWebSockets >= 2 && sb.stats().subscriptions === 1, 5000, 'a reconnect after closeWebSockets');
  await conn.removeSlotChangeListener(id);
});

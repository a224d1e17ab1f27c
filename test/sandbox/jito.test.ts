// The sandbox must be imported before jito-ts: importing it points grpc-js at the sandbox's TLS trust bundle.
import { startSandbox, bundleIdOf, TIP_LOCK_MESSAGE, type Sandbox } from '../../sandbox/index.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { status } from '@grpc/grpc-js';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, type VersionedTransaction } from '@solana/web3.js';
import { searcherClient } from 'jito-ts/dist/sdk/block-engine/searcher.js';
import { Bundle } from 'jito-ts/dist/sdk/block-engine/types.js';
import type { BundleResult } from 'jito-ts/dist/gen/block-engine/bundle.js';
import bs58 from 'bs58';
import { sharedFixture } from '../support/paths.ts';
import { connect, rpc, v0, waitFor } from './helpers.ts';

const fixture = (name: string) => JSON.parse(readFileSync(sharedFixture('jito', name), 'utf8'));
const TIP_ACCOUNTS: string[] = fixture('tip-accounts-and-limits.json').tipAccounts;
let sb: Sandbox;
let alice: Keypair;
const results: BundleResult[] = [];
let stopResults: () => void;

before(async () => {
  sb = await startSandbox({ slotMs: 'manual' });
  alice = Keypair.generate();
  sb.airdrop(alice.publicKey, 10n * BigInt(LAMPORTS_PER_SOL));
  stopResults = searcherClient(sb.blockEngineGrpcAddress).onBundleResult(
    (r) => void results.push(r),
    () => {},
  );
});

after(async () => {
  stopResults();
  await sb.close();
});

const tipIx = (from: Keypair, lamports: number, account = TIP_ACCOUNTS[3]!) =>
  SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: new PublicKey(account), lamports });
const pay = (from: Keypair, to: PublicKey, lamports: number) => SystemProgram.transfer({ fromPubkey: from.publicKey, toPubkey: to, lamports });
const lamportsOf = (key: PublicKey | string) => sb.getAccount(key)?.lamports ?? 0n;

test('an unmodified jito-ts searcherClient reaches the gRPC block engine over TLS', async () => {
  assert.equal(await sb.grpcClientTrustsSandbox(), true);
  const client = searcherClient(sb.blockEngineGrpcAddress);
  const tips = await client.getTipAccounts();
  assert.ok(tips.ok);
  assert.deepEqual(tips.value, TIP_ACCOUNTS);
  const leader = await client.getNextScheduledLeader();
  assert.ok(leader.ok);
  assert.equal(leader.value.currentSlot, sb.slot);
  assert.ok(leader.value.nextLeaderSlot >= sb.slot);
});

test('a tipped bundle lands atomically in one slot and the result stream reports it', async () => {
  const to = Keypair.generate().publicKey;
  const tipBefore = lamportsOf(TIP_ACCOUNTS[0]!);
  const { blockhash } = sb.latestBlockhash();
  const bundle = new Bundle([v0(sb, alice, [pay(alice, to, 2_000_000)])], 5);
  const tipped = bundle.addTipTx(alice, 5_000, new PublicKey(TIP_ACCOUNTS[0]!), blockhash);
  assert.ok(!(tipped instanceof Error));
  const sent = await searcherClient(sb.blockEngineGrpcAddress).sendBundle(bundle);
  assert.ok(sent.ok, sent.ok ? '' : sent.error.message);
  assert.match(sent.value, /^[0-9a-f]{64}$/);
  assert.equal(lamportsOf(to), 2_000_000n);
  assert.equal(lamportsOf(TIP_ACCOUNTS[0]!) - tipBefore, 5_000n);
  const record = sb.getBundle(sent.value);
  assert.equal(record?.status, 'Landed');
  const slots = record!.signatures.map((s) => sb.getTransaction(s)?.slot);
  assert.deepEqual(slots, [sb.slot, sb.slot]);
  await waitFor(() => results.filter((r) => r.bundleId === sent.value).length === 3, 3000, 'accepted, processed, finalized');
  const mine = results.filter((r) => r.bundleId === sent.value);
  assert.equal(mine[0]!.accepted?.slot, sb.slot);
  assert.equal(mine[1]!.processed?.slot, sb.slot);
  assert.deepEqual(mine[2]!.finalized, {});
});

test('a bundle whose second transaction fails leaves the first one unapplied', async () => {
  const to = Keypair.generate().publicKey;
  const broke = Keypair.generate();
  sb.airdrop(broke.publicKey, 1_000_000n);
  const aliceBefore = lamportsOf(alice.publicKey);
  const first = v0(sb, alice, [pay(alice, to, 3_000_000), tipIx(alice, 10_000)]);
  const second = v0(sb, broke, [pay(broke, to, 50_000_000)]); // more than it has
  const sent = await searcherClient(sb.blockEngineGrpcAddress).sendBundle(new Bundle([first, second], 5));
  assert.ok(sent.ok, 'the block engine accepts the bundle; it fails in simulation');
  assert.equal(lamportsOf(to), 0n);
  assert.equal(lamportsOf(alice.publicKey), aliceBefore, 'no transfer, no tip and no fee for the first transaction');
  assert.equal(lamportsOf(broke.publicKey), 1_000_000n);
  assert.equal(sb.getTransaction(bs58.encode(first.signatures[0]!)), undefined);
  assert.equal(sb.getBundle(sent.value)?.status, 'Failed');
  await waitFor(() => results.some((r) => r.bundleId === sent.value), 3000, 'a bundle result');
  const failure = results.find((r) => r.bundleId === sent.value)!;
  assert.equal(failure.rejected?.simulationFailure?.txSignature, bs58.encode(second.signatures[0]!));

  // The first transaction never landed, so it can still be sent on its own.
  const alone = await searcherClient(sb.blockEngineGrpcAddress).sendBundle(new Bundle([first], 5));
  assert.ok(alone.ok);
  assert.equal(sb.getBundle(alone.value)?.status, 'Landed');
  assert.equal(lamportsOf(to), 3_000_000n);
});

test('each transaction of a bundle reports the balances it ran on, so the bundle reconciles', async () => {
  const to = Keypair.generate().publicKey;
  const first = v0(sb, alice, [pay(alice, to, 3_000_000)]);
  const second = v0(sb, alice, [pay(alice, to, 4_000_000), tipIx(alice, 2_000)]);
  const sent = await searcherClient(sb.blockEngineGrpcAddress).sendBundle(new Bundle([first, second], 5));
  assert.ok(sent.ok, sent.ok ? '' : sent.error.message);
  assert.equal(sb.getBundle(sent.value)?.status, 'Landed');
  const conn = connect(sb);
  const [m1, m2] = await Promise.all(
    [first, second].map(async (tx) => {
      const got = await conn.getTransaction(bs58.encode(tx.signatures[0]!), { maxSupportedTransactionVersion: 0, commitment: 'confirmed' });
      const keys = got!.transaction.message.staticAccountKeys.map((k) => k.toBase58());
      const of = (list: number[], key: PublicKey) => list[keys.indexOf(key.toBase58())]!;
      return { fee: got!.meta!.fee, pre: (k: PublicKey) => of(got!.meta!.preBalances, k), post: (k: PublicKey) => of(got!.meta!.postBalances, k) };
    }),
  );
  assert.equal(m1!.fee, 5000);
  assert.equal(m2!.fee, 5000, 'the second transaction is charged its own fee, not the first one\'s transfer');
  assert.equal(m2!.pre(alice.publicKey), m1!.post(alice.publicKey), 'the second starts where the first ended');
  assert.equal(m2!.pre(to), 3_000_000);
  assert.equal(m2!.pre(alice.publicKey) - m2!.post(alice.publicKey), 4_000_000 + 2_000 + 5000);
  assert.equal(m2!.post(to), 7_000_000);
});

test('a bundle of the maximum 5 transactions lands', async () => {
  const to = Keypair.generate().publicKey;
  const txs = Array.from({ length: 5 }, (_, i) => v0(sb, alice, i === 4 ? [pay(alice, to, 1_000_000 + i), tipIx(alice, 1000)] : [pay(alice, to, 1_000_000 + i)]));
  const sent = await searcherClient(sb.blockEngineGrpcAddress).sendBundle(new Bundle(txs, 5));
  assert.ok(sent.ok, sent.ok ? '' : sent.error.message);
  assert.equal(sb.getBundle(sent.value)?.status, 'Landed');
  assert.equal(lamportsOf(to), 5_000_010n);
});

test('bundles without a tip of at least 1000 lamports to a tip account are rejected and change nothing', async () => {
  const client = searcherClient(sb.blockEngineGrpcAddress);
  const to = Keypair.generate().publicKey;
  const before = lamportsOf(alice.publicKey);
  const untipped = await client.sendBundle(new Bundle([v0(sb, alice, [pay(alice, to, 1_000_000)])], 5));
  assert.ok(!untipped.ok);
  assert.equal(untipped.error.code, status.INVALID_ARGUMENT);
  assert.match(untipped.error.message, /Bundles must write lock at least one tip account/);
  const stingy = await client.sendBundle(new Bundle([v0(sb, alice, [pay(alice, to, 1_000_000), tipIx(alice, 999, TIP_ACCOUNTS[7])])], 5));
  assert.ok(!stingy.ok);
  assert.match(stingy.error.message, /999 lamports.*minimum of 1000/);
  assert.equal(lamportsOf(to), 0n);
  assert.equal(lamportsOf(alice.publicKey), before);
  const tooBig = await client.sendBundle(new Bundle(Array.from({ length: 6 }, (_, i) => v0(sb, alice, [pay(alice, to, 1_000_000 + i), tipIx(alice, 1000)])), 6));
  assert.ok(!tooBig.ok);
  assert.match(tooBig.error.message, /exceeded maximum number of transactions/);
});

test('searcherClient with an auth keypair completes the challenge and is admitted where auth is required', async () => {
  const locked = await startSandbox({ slotMs: 'manual', requireAuth: true });
  try {
    const anonymous = await searcherClient(locked.blockEngineGrpcAddress).getTipAccounts();
    assert.ok(!anonymous.ok);
    assert.equal(anonymous.error.code, status.UNAUTHENTICATED);
    const authed = await searcherClient(locked.blockEngineGrpcAddress, Keypair.generate()).getTipAccounts();
    assert.ok(authed.ok, authed.ok ? '' : authed.error.message);
    assert.equal(authed.value.length, 8);
  } finally {
    await locked.close();
  }
});

test('the JSON-RPC block engine serves /api/v1/bundles and /api/v1/transactions with the documented shapes', async () => {
  const bundles = `${sb.blockEngineUrl}/api/v1/bundles`;
  assert.deepEqual((await rpc(bundles, 'getTipAccounts')).body.result, fixture('getTipAccounts.json').response.result);

  const to = Keypair.generate().publicKey;
  const txs: VersionedTransaction[] = [v0(sb, alice, [pay(alice, to, 1_000_000)]), v0(sb, alice, [tipIx(alice, 1000, TIP_ACCOUNTS[5])])];
  const sent = await rpc(bundles, 'sendBundle', [txs.map((t) => bs58.encode(t.serialize()))]);
  const id = sent.body.result as string;
  assert.equal(id, bundleIdOf(txs.map((t) => t.signatures[0]!)));

  const statuses = await rpc(bundles, 'getBundleStatuses', [[id]]);
  const example = fixture('getBundleStatuses.json').response.result;
  assert.deepEqual(Object.keys(statuses.body.result.value[0]).sort(), Object.keys(example.value[0]).sort());
  assert.deepEqual(statuses.body.result.value[0].transactions, txs.map((t) => bs58.encode(t.signatures[0]!)));
  assert.deepEqual(statuses.body.result.value[0].err, { Ok: null });
  assert.equal(statuses.body.result.context.slot, sb.slot);
  const unknown = 'ab'.repeat(32);
  assert.deepEqual((await rpc(bundles, 'getBundleStatuses', [[unknown]])).body.result.value, []);

  const failing = await rpc(bundles, 'sendBundle', [[v0(sb, alice, [tipIx(alice, 1000), pay(alice, to, 1_000 * LAMPORTS_PER_SOL)])].map((t) => Buffer.from(t.serialize()).toString('base64')), { encoding: 'base64' }]);
  const inflight = await rpc(bundles, 'getInflightBundleStatuses', [[id, failing.body.result, unknown]]);
  assert.deepEqual(
    inflight.body.result.value.map((v: { status: string; landed_slot: number | null }) => [v.status, v.landed_slot]),
    [['Landed', sb.slot], ['Failed', null], ['Invalid', null]],
  );
  assert.equal((await rpc(bundles, 'getInflightBundleStatuses', [[id, id, id, id, id, id]])).body.error.code, -32602);
  const refused = await rpc(bundles, 'sendBundle', [[bs58.encode(v0(sb, alice, [pay(alice, to, 5)]).serialize())]]);
  assert.equal(refused.body.error.message, TIP_LOCK_MESSAGE);

  const single = v0(sb, alice, [pay(alice, to, 2_000_000), tipIx(alice, 1000)]);
  const viaTx = await rpc(`${sb.blockEngineUrl}/api/v1/transactions`, 'sendTransaction', [Buffer.from(single.serialize()).toString('base64'), { encoding: 'base64' }]);
  assert.equal(viaTx.body.result, bs58.encode(single.signatures[0]!));
  assert.equal(viaTx.headers.get('x-bundle-id'), bundleIdOf([single.signatures[0]!]));
  assert.equal(lamportsOf(to), 3_000_000n);
  const bundleOnly = await rpc(`${sb.blockEngineUrl}/api/v1/transactions?bundleOnly=true`, 'sendTransaction', [bs58.encode(v0(sb, alice, [pay(alice, to, 7)]).serialize())]);
  assert.equal(bundleOnly.body.error.message, TIP_LOCK_MESSAGE);
});

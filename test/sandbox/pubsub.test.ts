import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction, sendAndConfirmTransaction, type AccountInfo, type Context, type Connection } from '@solana/web3.js';
import WebSocket from 'ws';
import { sharedFixture } from '../support/paths.ts';
import { connect, waitFor, webSocketsIdle } from './helpers.ts';

const RAYDIUM_AMM = '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2';
const RAYDIUM_PROGRAM = new PublicKey('675kPX9MHTjS2zt1qfr1NYHuzeLXfQM9H24wFSUt1Mp8');
let sb: Sandbox;
let conn: Connection;

before(async () => {
  sb = await startSandbox({ slotMs: 'manual', accountsDir: sharedFixture('accounts/raydium-amm-v4') });
  conn = connect(sb);
});

after(async () => {
  await webSocketsIdle(sb);
  await sb.close();
});

function next<T>(): { promise: Promise<T>; resolve: (v: T) => void; seen: T[] } {
  let resolve!: (v: T) => void;
  const seen: T[] = [];
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve: (v) => (seen.push(v), resolve(v)), seen };
}

test('onAccountChange fires after the harness overwrites a real pool account, with the new data', async () => {
  const pool = new PublicKey(RAYDIUM_AMM);
  const original = sb.getAccount(pool);
  assert.ok(original, 'the Raydium pool fixture is loaded');
  const got = next<[AccountInfo<Buffer>, Context]>();
  const id = conn.onAccountChange(pool, (info, ctx) => got.resolve([info, ctx]), { commitment: 'confirmed' });
  await waitFor(() => sb.stats().subscriptions === 1, 3000, 'the account subscription');

  const swapped = Buffer.from(original.data);
  swapped.writeBigUInt64LE(123_456_789n, 0x100); // as another trader's swap would move the pool's numbers
  sb.advanceSlots(2);
  sb.setAccount(pool, { ...original, data: swapped });
  const [info, ctx] = await got.promise;
  assert.ok(info.data.equals(swapped));
  assert.equal(info.data.readBigUInt64LE(0x100), 123_456_789n);
  assert.ok(info.owner.equals(RAYDIUM_PROGRAM));
  assert.equal(info.lamports, Number(original.lamports));
  assert.equal(ctx.slot, sb.slot);
  await conn.removeAccountChangeListener(id);
  sb.setAccount(pool, original);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(got.seen.length, 1, 'no notification after unsubscribing');
});

test('onAccountChange also fires for transactions, and program subscriptions honour filters', async () => {
  const payer = Keypair.generate();
  sb.airdrop(payer.publicKey, 5n * BigInt(LAMPORTS_PER_SOL));
  const watched = Keypair.generate().publicKey;
  const balance = next<number>();
  const a = conn.onAccountChange(watched, (info) => balance.resolve(info.lamports));
  const programHits: string[] = [];
  const p = conn.onProgramAccountChange(RAYDIUM_PROGRAM, (keyed) => void programHits.push(keyed.accountId.toBase58()), { commitment: 'confirmed', filters: [{ dataSize: 752 }] });
  const slots: number[] = [];
  const s = conn.onSlotChange((info) => void slots.push(info.slot));
  const logs = next<string[]>();
  const l = conn.onLogs(watched, (entry) => logs.resolve(entry.logs));
  await waitFor(() => sb.stats().subscriptions === 4, 3000, 'four subscriptions');

  await sendAndConfirmTransaction(conn, new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: watched, lamports: 3_000_000 })), [payer]);
  assert.equal(await balance.promise, 3_000_000);
  assert.ok((await logs.promise).includes('Program 11111111111111111111111111111111 success'));

  const pool = sb.getAccount(RAYDIUM_AMM)!;
  sb.setAccount(RAYDIUM_AMM, { ...pool, lamports: pool.lamports + 1n }); // 752 bytes: passes the filter
  sb.setAccount(Keypair.generate().publicKey, { owner: RAYDIUM_PROGRAM, data: new Uint8Array(10) }); // filtered out
  const start = sb.slot;
  sb.advanceSlots(3);
  await waitFor(() => slots.length >= 3 && programHits.length >= 1, 3000, 'slot and program notifications');
  assert.deepEqual(slots.slice(-3), [start + 1, start + 2, start + 3]);
  assert.deepEqual(programHits, [RAYDIUM_AMM]);
  await Promise.all([conn.removeAccountChangeListener(a), conn.removeProgramAccountChangeListener(p), conn.removeSlotChangeListener(s), conn.removeOnLogsListener(l)]);
});

test('notifications have the documented shape, deleted accounts report zero lamports, and bad ids are refused', async (t) => {
  const fixture = JSON.parse(readFileSync(sharedFixture('solana-rpc/accountSubscribe.json'), 'utf8'));
  const key = Keypair.generate().publicKey;
  sb.setAccount(key, { lamports: 5_000_000n, data: new Uint8Array([1, 2, 3]) });
  const ws = new WebSocket(sb.wsUrl);
  t.after(() => ws.close()); // also when an assertion fails, or the open socket keeps the sandbox from closing
  const messages: any[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'accountSubscribe', params: [key.toBase58(), { encoding: 'base64', commitment: 'confirmed' }] }));
  await waitFor(() => messages.length === 1);
  assert.equal(messages[0].id, 7);
  assert.equal(typeof messages[0].result, 'number');
  sb.setAccount(key, { lamports: 0n });
  await waitFor(() => messages.length === 2);
  const note = messages[1];
  assert.deepEqual(Object.keys(note).sort(), Object.keys(fixture.notificationBase58).sort());
  assert.equal(note.method, 'accountNotification');
  assert.equal(note.params.subscription, messages[0].result);
  assert.deepEqual(Object.keys(note.params.result.value).sort(), Object.keys(fixture.notificationBase58.params.result.value).sort());
  assert.equal(note.params.result.value.lamports, 0);
  assert.deepEqual(note.params.result.value.data, ['', 'base64']);
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'accountUnsubscribe', params: [messages[0].result] }));
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'accountUnsubscribe', params: [999_999] }));
  await waitFor(() => messages.length === 4);
  assert.deepEqual(messages[2], { ...fixture.unsubscribe.response, id: 8 });
  assert.equal(messages[3].error.code, -32602);
  // An address is checked as the HTTP methods check it: base58 that is not 32 bytes is refused too.
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 10, method: 'accountSubscribe', params: ['not-a-key'] }));
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'programSubscribe', params: ['1'.repeat(44)] }));
  await waitFor(() => messages.length >= 6);
  assert.deepEqual(messages.slice(4).map((m) => [m.id, m.error?.code]), [[10, -32602], [11, -32602]]);
  ws.close();
});

test('subscriptions may ask for base58 data of any size (only the HTTP methods cap it at 128 bytes)', async () => {
  const ws = new WebSocket(sb.wsUrl);
  const messages: any[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'accountSubscribe', params: [RAYDIUM_AMM, { encoding: 'base58' }] }));
  await waitFor(() => messages.length === 1);
  const pool = sb.getAccount(RAYDIUM_AMM)!;
  sb.setAccount(RAYDIUM_AMM, { ...pool, lamports: pool.lamports + 5n });
  await waitFor(() => messages.length === 2);
  assert.equal(messages[1].params.result.value.data[1], 'base58');
  assert.equal(messages[1].params.result.value.space, 752);
  const http = await fetch(sb.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getAccountInfo', params: [RAYDIUM_AMM, { encoding: 'base58' }] }),
  }).then((r) => r.json() as Promise<{ error: { code: number; message: string } }>);
  assert.match(http.error.message, /less than 128 bytes/);
  ws.close();
});

/**
 * The batched getMultipleAccounts reader over raw JSON-RPC: the same accounts as web3.js reads on
 * the sandbox; held bytes handed back when unchanged (and only then); answers written differently
 * (escaped base64, short data inline, key order) read the same; HTTP, RPC and malformed failures
 * typed as SCAN_RPC_FAILED with their status; calls bounded and retried.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection, Keypair, PublicKey } from '@solana/web3.js';
import { BatchReader, fetchAccounts, getBlockTime, getMultipleAccounts } from '../../engine/market/rpc.ts';
import { MarketState, PollingSource } from '../../engine/market/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { fixtureSandbox, sandboxConfig } from './support.ts';
import { ORCA_POOL, orcaAccounts, RAYDIUM_COIN_VAULT, RAYDIUM_POOL, raydiumAccounts, withTokenAmount } from '../quotes/support.ts';

test('reader: the accounts web3.js reads, byte for byte, in ≤ 100-key calls; absent ones as empty System accounts', async () => {
  const sb = await fixtureSandbox();
  try {
    const connection = new Connection(sb.rpcUrl, 'confirmed');
    const absent = Array.from({ length: 150 }, () => Keypair.generate().publicKey.toBase58());
    const present = [...raydiumAccounts().keys(), ...orcaAccounts().keys()];
    const addresses = [...present, ...absent];
    const reader = new BatchReader(connection, { commitment: 'confirmed', concurrency: 2 });
    await reader.read(addresses);
    assert.equal(reader.counts.calls, Math.ceil(addresses.length / 100));
    assert.equal(reader.counts.maxKeysPerCall, 100);
    const web3 = await connection.getMultipleAccountsInfo(present.map((a) => new PublicKey(a)), 'confirmed');
    present.forEach((a, i) => {
      const ours = reader.accounts.get(a)!;
      const theirs = web3[i]!;
      assert.ok(Buffer.from(ours.data).equals(theirs.data), a);
      assert.equal(ours.owner, theirs.owner.toBase58());
      assert.equal(ours.lamports, BigInt(theirs.lamports));
      assert.equal(ours.executable, theirs.executable);
    });
    for (const a of absent) assert.deepEqual({ owner: reader.accounts.get(a)!.owner, length: reader.accounts.get(a)!.data.length }, { owner: '11111111111111111111111111111111', length: 0 });
  } finally {
    await sb.close();
  }
});

test('reader: bytes equal to the held ones come back as the held array; changed bytes as a fresh one', async () => {
  const sb = await fixtureSandbox();
  try {
    const connection = new Connection(sb.rpcUrl, 'confirmed');
    const first = await getMultipleAccounts(connection, [RAYDIUM_POOL, RAYDIUM_COIN_VAULT], { commitment: 'confirmed' });
    const held = new Map(first.accounts.map((a) => [a.address!, a]));
    const vault = sb.getAccount(RAYDIUM_COIN_VAULT)!;
    sb.setAccount(RAYDIUM_COIN_VAULT, { ...vault, data: withTokenAmount({ address: RAYDIUM_COIN_VAULT, ...vault }, 777n).data });
    const second = await getMultipleAccounts(connection, [RAYDIUM_POOL, RAYDIUM_COIN_VAULT], { commitment: 'confirmed', known: (a) => held.get(a) });
    assert.equal(second.accounts[0]!.data, held.get(RAYDIUM_POOL)!.data, 'unchanged: the very array held');
    assert.notEqual(second.accounts[1]!.data, held.get(RAYDIUM_COIN_VAULT)!.data);
    assert.equal(Buffer.from(second.accounts[1]!.data).readBigUInt64LE(64), 777n);
    // the market state keeps the held bytes for an update that only moves freshness
    const market = new MarketState({ pools: [RAYDIUM_POOL], oracles: [], slotMs: 400 });
    const copy = { ...first.accounts[0]!, data: new Uint8Array(first.accounts[0]!.data) };
    market.apply({ address: RAYDIUM_POOL, account: first.accounts[0]!, slot: 10, receivedAt: 0, via: 'poll' });
    assert.equal(market.apply({ address: RAYDIUM_POOL, account: copy, slot: 11, receivedAt: 0, via: 'poll' }).changed, false);
    assert.equal(market.accounts.get(RAYDIUM_POOL)!.data, first.accounts[0]!.data, 'not a second copy');
    assert.equal(market.accounts.get(RAYDIUM_POOL)!.slot, 11);
  } finally {
    await sb.close();
  }
});

test('polling with the scanner\'s accounts: unchanged accounts are not delivered again, a change is', async () => {
  const sb = await fixtureSandbox();
  const held = new Map<string, import('../../engine/accounts/index.ts').AccountSnapshot>();
  const delivered: string[] = [];
  const source = new PollingSource({ config: sandboxConfig(sb, { subscriptionMode: 'rpc-polling', polling: { intervalMs: 60_000 } }), known: (a) => held.get(a) });
  const sink = { account: (u: { address: string; account: import('../../engine/accounts/index.ts').AccountSnapshot }) => void (held.set(u.address, u.account), delivered.push(u.address)), slot: () => undefined, disconnected: () => undefined, reconnected: () => undefined, error: () => undefined };
  try {
    await source.watch([RAYDIUM_POOL, RAYDIUM_COIN_VAULT, ORCA_POOL]);
    await source.start(sink);
    await source.pollOnce();
    assert.deepEqual([...delivered].sort(), [ORCA_POOL, RAYDIUM_COIN_VAULT, RAYDIUM_POOL].sort());
    delivered.length = 0;
    await source.pollOnce();
    assert.deepEqual(delivered, [], 'nothing changed');
    const vault = sb.getAccount(RAYDIUM_COIN_VAULT)!;
    sb.setAccount(RAYDIUM_COIN_VAULT, { ...vault, data: withTokenAmount({ address: RAYDIUM_COIN_VAULT, ...vault }, 5n).data });
    await source.pollOnce();
    assert.deepEqual(delivered, [RAYDIUM_COIN_VAULT]);
  } finally {
    await source.stop();
    await sb.close();
  }
});

/** An HTTP JSON-RPC server answering every call with `answer(keys)`: the wire forms other servers write. */
async function server(answer: (keys: string[]) => { status?: number; body: string }): Promise<{ url: string; server: Server; calls: () => number }> {
  let calls = 0;
  const s = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      calls++;
      const keys = JSON.parse(Buffer.concat(chunks).toString()).params[0] as string[];
      const a = answer(keys);
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(a.body);
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, server: s, calls: () => calls };
}

test('reader: escaped slashes, short data kept inline, another key order and whitespace read the same', async () => {
  const long = Buffer.alloc(3_000, 7);
  long[0] = 0xff; // base64 with '/' in it
  const short = Buffer.from([1, 2, 3, 250]);
  const owner = RAYDIUM_POOL;
  const srv = await server(() => ({
    body: `{ "id": 1, "result": { "value": [ ${JSON.stringify({ owner, rentEpoch: 18446744073709551615, space: long.length, executable: false, lamports: 5, data: [long.toString('base64').replaceAll('/', '\\/'), 'base64'] }).replaceAll('\\\\/', '\\/')}, {"data":["${short.toString('base64')}","base64"],"owner":"${owner}","lamports":6,"executable":true,"rentEpoch":3}, null ], "context": { "slot": 42 } }, "jsonrpc": "2.0" }`,
  }));
  try {
    const a = await getMultipleAccounts(new Connection(srv.url), [ORCA_POOL, RAYDIUM_POOL, RAYDIUM_COIN_VAULT], { commitment: 'confirmed' });
    assert.equal(a.slot, 42);
    assert.ok(Buffer.from(a.accounts[0]!.data).equals(long));
    assert.deepEqual({ lamports: a.accounts[0]!.lamports, rentEpoch: a.accounts[0]!.rentEpoch }, { lamports: 5n, rentEpoch: null });
    assert.ok(Buffer.from(a.accounts[1]!.data).equals(short));
    assert.deepEqual({ executable: a.accounts[1]!.executable, rentEpoch: a.accounts[1]!.rentEpoch }, { executable: true, rentEpoch: 3n });
    assert.equal(a.accounts[2]!.data.length, 0);
  } finally {
    srv.server.close();
  }
});

test('reader: answers read into reused buffers leave every account its own bytes (8 calls in flight, answers larger than a buffer)', async () => {
  // Each key's bytes are derived from the key; answers of 100 keys × 2 KB (~270 KB, several chunks) outgrow the pooled buffers.
  const bytesOf = (key: string) => Buffer.alloc(2_048, Buffer.from(key));
  const srv = await server((keys) => ({
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, result: { context: { slot: 9 }, value: keys.map((k) => ({ data: [bytesOf(k).toString('base64'), 'base64'], owner: RAYDIUM_POOL, lamports: 1, executable: false, rentEpoch: 0 })) } }),
  }));
  try {
    const keys = Array.from({ length: 1_600 }, () => Keypair.generate().publicKey.toBase58());
    const reader = new BatchReader(new Connection(srv.url), { commitment: 'confirmed', concurrency: 8 });
    await reader.read(keys.slice(0, 800));
    await reader.read(keys.slice(800)); // a second round: the buffers of the first are reused
    assert.equal(srv.calls(), 16);
    assert.equal(reader.unreadable.size, 0);
    for (const k of keys) assert.ok(Buffer.from(reader.accounts.get(k)!.data).equals(bytesOf(k)), `bytes of ${k}`);
  } finally {
    srv.server.close();
  }
});

test('reader: HTTP 429, an RPC error and a malformed answer are SCAN_RPC_FAILED; each call retried, then the keys unreadable', async () => {
  const cases: { body: string; status?: number; expect: RegExp; status429?: boolean }[] = [
    { status: 429, body: '{"jsonrpc":"2.0","error":{"code":429,"message":"Too many requests"},"id":null}', expect: /HTTP 429/, status429: true },
    { body: `{"jsonrpc":"2.0","error":{"code":-32602,"message":"${'x'.repeat(600)} too long"},"id":1}`, expect: /RPC error -32602: x{600} too long/ },
    { body: '{"jsonrpc":"2.0","result":{"context":{"slot":1},"value":[]},"id":1}', expect: /not a getMultipleAccounts result for 2 key/ },
    { body: '{"jsonrpc":"2.0","result":{"context":{"slot":1},"value":[{"data":["AAAA","base58"],"owner":"x","lamports":1},null]},"id":1}', expect: /malformed account/ },
    { body: '{"jsonrpc":"2.0","result":', expect: /not JSON/ },
  ];
  for (const c of cases) {
    const srv = await server(() => ({ status: c.status ?? 200, body: c.body }));
    try {
      const reader = new BatchReader(new Connection(srv.url), { commitment: 'confirmed', attempts: 2, retryMs: 1 });
      await reader.read([ORCA_POOL, RAYDIUM_POOL]);
      assert.equal(srv.calls(), 2, 'retried once');
      const e = reader.unreadable.get(ORCA_POOL)!;
      assert.ok(isSolrulesError(e) && e.code === 'SCAN_RPC_FAILED', c.body);
      assert.match(e.message, c.expect);
      if (c.status429) assert.equal(e.context.status, 429);
      await assert.rejects(fetchAccounts(new Connection(srv.url), [ORCA_POOL], { commitment: 'confirmed' }), (err: unknown) => isSolrulesError(err) && err.code === 'SCAN_RPC_FAILED');
    } finally {
      srv.server.close();
    }
  }
});

test('getBlockTime over raw JSON-RPC: what web3.js reads on the sandbox; a slot without one is null; an RPC error is SCAN_RPC_FAILED', async () => {
  const sb = await fixtureSandbox();
  try {
    const connection = new Connection(sb.rpcUrl, 'confirmed');
    const slot = await connection.getSlot('confirmed');
    const web3 = await connection.getBlockTime(slot);
    assert.equal(typeof web3, 'number');
    assert.equal(await getBlockTime(connection, slot), web3);
  } finally {
    await sb.close();
  }
  const answers = ['{"jsonrpc":"2.0","result":null,"id":1}', '{"jsonrpc":"2.0","error":{"code":-32004,"message":"Block not available for slot 5"},"id":1}'];
  const srv = await server(() => ({ status: 200, body: answers.shift()! }));
  try {
    assert.equal(await getBlockTime(new Connection(srv.url), 5), null);
    await assert.rejects(getBlockTime(new Connection(srv.url), 5), (err: unknown) => isSolrulesError(err) && err.code === 'SCAN_RPC_FAILED' && /Block not available/.test(err.message));
  } finally {
    srv.server.close();
  }
});

/** RPC pool answers vs failovers, and the leader-change timing the RPC executor rebroadcasts on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { RpcPool } from '../../engine/executors/index.ts';
import { msUntilLeaderChange } from '../../engine/executors/rpc/submitter.ts';

test('leader changes: from the schedule when the node serves it, else every 4 slots', () => {
  assert.equal(msUntilLeaderChange(1001, undefined, 4, 400), 3 * 400);
  assert.equal(msUntilLeaderChange(1003, undefined, 4, 400), 400);
  assert.equal(msUntilLeaderChange(1004, undefined, 4, 400), 4 * 400);
  assert.equal(msUntilLeaderChange(1001, ['A', 'A', 'B', 'B', 'B'], 4, 400), 2 * 400);
  assert.equal(msUntilLeaderChange(1001, ['A', 'A', 'A', 'A', 'A'], 4, 400), 3 * 400, 'one leader throughout: fall back to the 4-slot rotation');
});

test('a JSON-RPC error that is an answer is not failed over; a rate-limit code is', async () => {
  const hits = { a: 0, b: 0 };
  const mk = (name: 'a' | 'b', body: unknown) =>
    new Promise<{ url: string; close: () => void }>((resolve) => {
      const server = createServer((req, res) => {
        hits[name] += 1;
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() }));
    });
  const answer = await mk('a', { jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Invalid params' } });
  const limited = await mk('b', { jsonrpc: '2.0', id: 1, error: { code: -32429, message: 'rate limited' } });
  try {
    await assert.rejects(new RpcPool([answer.url, limited.url]).getSlot(), (e: unknown) => isSolrulesError(e, 'EXEC_RPC_ERROR') && /Invalid params/.test(e.message));
    assert.deepEqual(hits, { a: 1, b: 0 });
    await assert.rejects(new RpcPool([limited.url, answer.url]).getSlot(), (e: unknown) => isSolrulesError(e, 'EXEC_RPC_ERROR'));
    assert.deepEqual(hits, { a: 2, b: 1 }, 'the rate-limited endpoint was failed over to the next');
  } finally {
    answer.close();
    limited.close();
  }
});

test('an API key in an endpoint URL never reaches an error: endpoints are shown by host', async () => {
  const server = createServer((req, res) => {
    req.resume();
    if (req.url!.includes('limited')) res.writeHead(429).end('Too many requests');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id: 1, error: { code: -32602, message: 'Invalid params' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secret = 'k3y-6f1d0c9e';
  const shown = (e: unknown) => `${(e as Error).message} ${JSON.stringify((e as { context?: unknown }).context)}`;
  try {
    await assert.rejects(new RpcPool([`http://${host}/limited/${secret}`, `http://${host}/limited?api-key=${secret}`]).getSlot(), (e: unknown) => {
      assert.ok(isSolrulesError(e, 'EXEC_RPC_UNAVAILABLE'));
      assert.match(e.message, new RegExp(`getSlot failed on every endpoint: ${host}: HTTP 429`));
      assert.doesNotMatch(shown(e), new RegExp(secret));
      return true;
    });
    await assert.rejects(new RpcPool([`http://${host}/answer/${secret}`]).getSlot(), (e: unknown) => {
      assert.ok(isSolrulesError(e, 'EXEC_RPC_ERROR'));
      assert.match(e.message, new RegExp(`getSlot on ${host}: Invalid params`));
      assert.doesNotMatch(`${shown(e)} ${(e as unknown as { endpoint: string }).endpoint}`, new RegExp(secret));
      return true;
    });
  } finally {
    server.close();
  }
});

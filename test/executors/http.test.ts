/** keepAliveFetch: fetch's answers (status, headers, JSON body, abort) over reused keep-alive sockets. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { keepAliveFetch } from '../../engine/executors/http.ts';

test('POSTs JSON-RPC, answers like fetch, reuses one socket, honors a timeout signal', async () => {
  const sockets = new Set<unknown>();
  const server = createServer((req, res) => {
    sockets.add(req.socket);
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.url === '/slow') return void setTimeout(() => res.end('{}'), 2_000);
      if (req.url === '/empty') return void res.writeHead(204).end();
      res.writeHead(req.url === '/limited' ? 429 : 200, { 'content-type': 'application/json', 'x-echo-length': String(body.length) });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: { method: JSON.parse(body).method, header: req.headers['x-jito-auth'] ?? null } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getSlot' });
    for (let i = 0; i < 5; i++) {
      const res = await keepAliveFetch(`${base}/`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-jito-auth': 'u' }, body });
      assert.equal(res.status, 200);
      assert.equal(res.ok, true);
      assert.equal(res.headers.get('x-echo-length'), String(body.length));
      assert.deepEqual(await res.json(), { jsonrpc: '2.0', id: 1, result: { method: 'getSlot', header: 'u' } });
    }
    assert.equal(sockets.size, 1, 'five calls, one kept-alive socket');
    const limited = await keepAliveFetch(`${base}/limited`, { method: 'POST', body });
    assert.equal(limited.status, 429);
    assert.equal(limited.ok, false);
    const empty = await keepAliveFetch(`${base}/empty`, { method: 'POST', body });
    assert.equal(empty.status, 204);
    assert.equal(await empty.text(), '');
    await assert.rejects(keepAliveFetch(`${base}/slow`, { method: 'POST', body, signal: AbortSignal.timeout(100) }), (err: Error) => err.name === 'TimeoutError');
    await assert.rejects(keepAliveFetch('http://127.0.0.1:1/', { method: 'POST', body }), (err: NodeJS.ErrnoException) => err.code === 'ECONNREFUSED');
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

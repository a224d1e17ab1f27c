/** JSON-RPC 2.0 over HTTP (single and batch requests), with the fault switches applied. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SolrulesError } from '../engine/errors/index.ts';
import type { Faults } from './faults.ts';
import { RpcErrorReply, RPC_CODES, stringifyRpc, type RpcErrorObject } from './json.ts';

export interface RpcCallContext {
  /** Query string parameters of the request URL. */
  query: URLSearchParams;
  /** `performance.now()` when the request reached the server, before its body was read. */
  receivedAt: number;
  /** Sets a response header (e.g. Jito's `x-bundle-id`). */
  setHeader(name: string, value: string): void;
}

export type RpcHandler = (method: string, params: unknown[], ctx: RpcCallContext) => unknown | Promise<unknown>;

export interface RpcRoute {
  handler: RpcHandler;
  /** Error object sent with HTTP 429 while the rate-limit fault is on. */
  rateLimitError: RpcErrorObject;
}

const MAX_BODY = 10 * 1024 * 1024;

interface JsonRpcRequest {
  jsonrpc?: unknown;
  id?: unknown;
  method?: unknown;
  params?: unknown;
}

function errorReply(id: unknown, error: RpcErrorObject) {
  return { jsonrpc: '2.0', error, id: id ?? null };
}

async function callOne(route: RpcRoute, req: JsonRpcRequest, ctx: RpcCallContext): Promise<unknown> {
  const id = req?.id ?? null;
  if (!req || typeof req !== 'object' || typeof req.method !== 'string') {
    return errorReply(id, { code: RPC_CODES.invalidRequest, message: 'Invalid request' });
  }
  const params = req.params === undefined || req.params === null ? [] : req.params;
  if (!Array.isArray(params)) return errorReply(id, { code: RPC_CODES.invalidParams, message: 'Invalid params: expected an array' });
  try {
    const result = await route.handler(req.method, params, ctx);
    return { jsonrpc: '2.0', result, id };
  } catch (err) {
    if (err instanceof RpcErrorReply) return errorReply(id, err.toObject());
    if (err instanceof SolrulesError) return errorReply(id, { code: RPC_CODES.invalidParams, message: err.message });
    return errorReply(id, { code: RPC_CODES.internalError, message: `Internal error: ${(err as Error).message}` });
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** An HTTP server answering JSON-RPC on the given paths (`GET /health` answers "ok"). */
export function createRpcServer(routes: Record<string, RpcRoute>, faults: Faults, gets: Record<string, () => unknown> = {}): Server {
  const server = createServer(async (req, res) => {
    const receivedAt = performance.now();
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const route = routes[url.pathname];
    if (req.method === 'GET' && url.pathname === '/health') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    const get = gets[url.pathname];
    if (req.method === 'GET' && get) {
      send(res, 200, stringifyRpc(get()));
      return;
    }
    if (!route || req.method !== 'POST') {
      send(res, route ? 405 : 404, stringifyRpc(errorReply(null, { code: RPC_CODES.invalidRequest, message: `${req.method} ${url.pathname} is not served here` })));
      return;
    }
    const body = await readBody(req).catch(() => undefined);
    if (body === undefined) {
      send(res, 413, stringifyRpc(errorReply(null, { code: RPC_CODES.invalidRequest, message: 'request body too large' })));
      return;
    }
    await faults.gate();
    if (faults.rateLimited) {
      faults.counters.rateLimited += 1;
      send(res, 429, stringifyRpc(errorReply(null, route.rateLimitError)), { 'retry-after': '1' });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      send(res, 200, stringifyRpc(errorReply(null, { code: RPC_CODES.parseError, message: 'Parse error' })));
      return;
    }
    const headers: Record<string, string> = {};
    const ctx: RpcCallContext = { query: url.searchParams, receivedAt, setHeader: (n, v) => void (headers[n] = v) };
    let reply: unknown;
    if (Array.isArray(parsed)) {
      reply = parsed.length === 0 ? errorReply(null, { code: RPC_CODES.invalidRequest, message: 'Invalid request' }) : await Promise.all(parsed.map((r) => callOne(route, r as JsonRpcRequest, ctx)));
    } else {
      reply = await callOne(route, parsed as JsonRpcRequest, ctx);
    }
    send(res, 200, stringifyRpc(reply), headers);
  });
  server.keepAliveTimeout = 5_000;
  return server;
}

/** Listens on host:port and resolves the bound port. Rejects with SANDBOX_PORT_IN_USE. */
export function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new SolrulesError('SANDBOX_PORT_IN_USE', `port ${port} on ${host} is already in use`, { host, port }, { cause: err }));
      else reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes a server and every connection it holds (keep-alive clients included). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * A loopback HTTP server of the test's own standing in for Jupiter's swap API: it serves the
 * real responses from ../shared/fixtures/jupiter/ (or whatever a test scripts: errors, 429s, slow
 * answers) and records every request. Tests never reach the real Jupiter.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { sharedFixture } from '../support/paths.ts';

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is. */
  body?: unknown;
  delayMs?: number;
}

export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export type Handler = (req: Recorded) => Answer;

export function jupiterFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(sharedFixture('jupiter', name), 'utf8')) as Record<string, unknown>;
}

export const QUOTE_SLOT_299 = 'quote-response.sol-usdc.meteora-dlmm.slot299283763.json';
export const QUOTE_SLOT_324 = 'quote-response.sol-usdc.meteora-dlmm.slot324307186.json';
export const SWAP_IX_JITO = 'swap-instructions-response.with-jito-tip.json';
export const SWAP_IX_CB = 'swap-instructions-response.compute-budget.json';

/** The fixture answers: /quote → the slot-299 quote, /swap-instructions → the Jito-tip response. */
export const fixtureHandler: Handler = (req) => {
  if (req.path.endsWith('/quote')) return { body: jupiterFixture(QUOTE_SLOT_299) };
  if (req.path.endsWith('/swap-instructions')) return { body: jupiterFixture(SWAP_IX_JITO) };
  return { status: 404, body: { error: 'not found' } };
};

export class FakeJupiter {
  readonly requests: Recorded[] = [];
  handler: Handler = fixtureHandler;
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();
  url = '';

  constructor() {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/swap/v1`;
    return this;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const recorded: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body: text ? JSON.parse(text) : undefined };
    this.requests.push(recorded);
    const a = this.handler(recorded);
    const send = () => {
      if (res.destroyed) return;
      const body = typeof a.body === 'string' ? a.body : JSON.stringify(a.body ?? {});
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json', ...a.headers });
      res.end(body);
    };
    if (a.delayMs) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        send();
      }, a.delayMs);
      this.timers.add(t);
    } else send();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

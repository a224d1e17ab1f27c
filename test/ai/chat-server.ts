/**
 * A loopback server speaking the chat-completions protocol for AI tests: it records every request
 * (headers and JSON body) and answers from a script, one step per request (a valid completion by
 * default). Steps can answer any status, hang, or echo what they received.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../../engine/infra/telemetry/index.ts';
import type { AiLogger, AnalysisAnswer, Clock } from '../../engine/ai/index.ts';

export interface Received {
  headers: IncomingMessage['headers'];
  body: {
    model: string;
    messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[];
    response_format: { type: string; json_schema?: { name: string; schema: unknown } };
  };
}

export type Step = (res: ServerResponse, req: Received) => void;

export const VALID: AnalysisAnswer = {
  recommendation: 'buy',
  confidence: 0.72,
  horizon: 'days',
  keyLevels: { support: [131.2, 128], resistance: [140.5] },
  reasoning: 'Higher highs above a rising SMA 20; RSI 60 with room; MACD above signal.',
};

/** A completion whose message content is `content`. */
export function completion(content: string, usage = { prompt_tokens: 900, completion_tokens: 120 }): Step {
  return (res, req) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion', model: req.body.model, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } }));
  };
}

export const answer = (a: AnalysisAnswer = VALID, usage?: { prompt_tokens: number; completion_tokens: number }): Step => completion(JSON.stringify(a), usage);

/** An HTTP error status with a JSON error body and optional headers. */
export function status(code: number, message: string, headers: Record<string, string> = {}): Step {
  return (res) => {
    res.writeHead(code, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ error: { message, type: 'test' } }));
  };
}

/** Never answers (until the server closes). */
export const hang: Step = () => {};

export class ChatServer {
  readonly received: Received[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private script: Step[] = [];
  private readonly server = createServer((req, res) => this.handle(req, res));
  /** Milliseconds every answer is delayed (to observe concurrency). */
  delayMs = 0;

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /** Steps for the next requests, in order; after them every request gets a valid answer. */
  then(...steps: Step[]): this {
    this.script.push(...steps);
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'] };
      if (req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      this.received.push(received);
      this.inFlight++;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
      res.on('close', () => this.inFlight--);
      const step = this.script.shift() ?? answer();
      if (this.delayMs > 0) setTimeout(() => step(res, received), this.delayMs);
      else step(res, received);
    });
  }
}

/** A clock tests move: sleep() advances time at once and records the delay. */
export function fakeClock(start = Date.UTC(2026, 0, 6, 9, 0, 0)): Clock & { t: number; sleeps: number[] } {
  const clock = {
    t: start,
    sleeps: [] as number[],
    now: () => clock.t,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.t += ms;
    },
  };
  return clock;
}

/** A real pino JSON logger whose lines are kept in `lines` (to grep for secrets). */
export function capturedLogger(): { log: AiLogger; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json', destination: { write: (s: string) => void lines.push(s) } });
  return { log, lines };
}

/** Text parts and image URLs of a received request's messages. */
export function partsOf(r: Received): { texts: string[]; images: string[] } {
  const texts: string[] = [];
  const images: string[] = [];
  for (const m of r.body.messages) {
    if (typeof m.content === 'string') texts.push(m.content);
    else for (const p of m.content) p.type === 'image_url' ? images.push(p.image_url!.url) : texts.push(p.text ?? '');
  }
  return { texts, images };
}

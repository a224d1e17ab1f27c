/**
 * Jupiter as a quote source: GET /quote and POST /swap-instructions against a configurable base
 * URL, behind a shared token bucket, a per-request timeout and a circuit breaker with health.
 * A "no route" answer is an answer (the upstream is healthy); 5xx, timeouts, unreachable hosts and
 * malformed bodies count against the breaker; a 429 closes the shared gate for Retry-After.
 */
import { isAddress } from '../../accounts/index.ts';
import type { Cache } from '../../infra/cache/index.ts';
import { isSolrulesError } from '../../errors/index.ts';
import { logger, type Logger } from '../../infra/telemetry/index.ts';
import { CircuitBreaker, type BreakerOptions, type SourceHealth } from '../breaker.ts';
import { quoteError } from '../errors.ts';
import { RateLimiter } from '../limiter.ts';
import { validateRequest } from '../local.ts';
import { quoteMetrics } from '../metrics.ts';
import type { QuoteRequest, QuoteSource, RouteQuote } from '../types.ts';
import { parseQuoteResponse, parseSwapInstructionsResponse, type JupiterQuote, type JupiterSwapInstructions } from './parse.ts';

export const DEFAULT_JUPITER_BASE_URL = 'https://lite-api.jup.ag/swap/v1';

export interface JupiterOptions {
  /** API base; `/quote` and `/swap-instructions` are appended (default the public swap v1 API). */
  baseUrl?: string;
  /** Per-request timeout (default 1500 ms). */
  timeoutMs?: number;
  /** Where the shared token bucket lives. */
  cache: Cache;
  rateLimit?: { requestsPerMinute?: number; burst?: number; maxWaitMs?: number; bucket?: string };
  breaker?: BreakerOptions;
  /** Sent as `x-api-key` (from the environment, never from YAML; never logged). */
  apiKey?: string;
  /** Jupiter may route through these DEXes only / never (its `dexes` / `excludeDexes`). */
  dexes?: string[];
  excludeDexes?: string[];
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  log?: Logger;
}

export interface SwapInstructionsOptions {
  userPublicKey: string;
  wrapAndUnwrapSol?: boolean;
  /** Lamports, `'auto'`, or Jupiter's object form (e.g. `{ jitoTipLamports }`). */
  prioritizationFeeLamports?: number | 'auto' | Record<string, unknown>;
  dynamicComputeUnitLimit?: boolean;
}

function retryAfterMs(header: string | null, now: number): number {
  if (!header) return 1_000;
  const secs = Number(header);
  if (Number.isFinite(secs) && secs >= 0) return Math.min(60_000, Math.ceil(secs * 1000));
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.min(60_000, Math.max(0, at - now)) : 1_000;
}

export class JupiterClient implements QuoteSource {
  readonly name = 'jupiter' as const;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly limiter: RateLimiter;
  private readonly breaker: CircuitBreaker;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly opts: JupiterOptions) {
    this.baseUrl = (opts.baseUrl ?? DEFAULT_JUPITER_BASE_URL).replace(/\/+$/, '');
    if (!/^https?:\/\//.test(this.baseUrl)) throw quoteError('QUOTE_CONFIG_INVALID', `Jupiter baseUrl must be an http(s) URL; got ${JSON.stringify(opts.baseUrl)}`, { field: 'baseUrl', value: opts.baseUrl });
    this.timeoutMs = opts.timeoutMs ?? 1_500;
    this.now = opts.now ?? Date.now;
    this.limiter = new RateLimiter(opts.cache, { bucket: opts.rateLimit?.bucket ?? 'jupiter', ...opts.rateLimit, now: this.now, ...(opts.sleep ? { sleep: opts.sleep } : {}) });
    this.breaker = new CircuitBreaker({ ...opts.breaker, now: this.now });
    this.fetchFn = opts.fetch ?? fetch;
    this.log = opts.log ?? logger().child({ component: 'jupiter' });
    this.publishHealth();
  }

  health(): SourceHealth {
    return this.breaker.health();
  }

  private publishHealth(): void {
    quoteMetrics.circuitOpen(this.breaker.state === 'open');
  }

  /** One request through breaker, limiter and timeout; returns the parsed JSON body of a 2xx. */
  private async call(endpoint: '/quote' | '/swap-instructions', url: string, init: RequestInit): Promise<{ body: unknown; latencyMs: number }> {
    if (!this.breaker.tryAcquire()) {
      this.publishHealth();
      throw quoteError('QUOTE_CIRCUIT_OPEN', `Jupiter circuit is open after ${this.breaker.failureThreshold} failures in a row (last: ${this.breaker.health().lastError}); next trial in ${this.breaker.retryInMs()} ms`, {
        endpoint,
        retryInMs: this.breaker.retryInMs(),
        lastError: this.breaker.health().lastError,
      });
    }
    let waited: number;
    try {
      waited = await this.limiter.acquire();
    } catch (err) {
      this.breaker.release();
      throw err;
    }
    quoteMetrics.rateLimitWait(waited / 1000);
    const started = performance.now();
    const failed = (message: string) => {
      this.breaker.onFailure(message);
      this.publishHealth();
    };
    let res: Response;
    try {
      const headers: Record<string, string> = { accept: 'application/json', ...(init.headers as Record<string, string> | undefined) };
      if (this.opts.apiKey) headers['x-api-key'] = this.opts.apiKey;
      res = await this.fetchFn(url, { ...init, headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        failed(`timeout after ${this.timeoutMs} ms`);
        throw quoteError('QUOTE_TIMEOUT', `Jupiter ${endpoint} did not answer within ${this.timeoutMs} ms`, { endpoint, timeoutMs: this.timeoutMs });
      }
      failed(`unreachable: ${(err as Error)?.message}`);
      throw quoteError('QUOTE_UPSTREAM_UNREACHABLE', `Jupiter ${endpoint} unreachable at ${this.baseUrl}: ${(err as Error)?.message}`, { endpoint, baseUrl: this.baseUrl }, err);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      failed(`body: ${(err as Error)?.message}`);
      throw quoteError('QUOTE_TIMEOUT', `Jupiter ${endpoint} answer was cut off (${(err as Error)?.message})`, { endpoint, status: res.status }, err);
    }
    const latencyMs = performance.now() - started;
    const snippet = text.slice(0, 200);
    let body: unknown;
    try {
      body = text.length ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (res.status === 429) {
      const ms = retryAfterMs(res.headers.get('retry-after'), this.now());
      await this.limiter.backOff(ms);
      this.breaker.release();
      this.log.warn({ endpoint, retryAfterMs: ms }, 'Jupiter answered 429; holding requests back');
      throw quoteError('QUOTE_RATE_LIMITED', `Jupiter ${endpoint} answered 429 Too Many Requests; no request for ${ms} ms`, { endpoint, status: 429, retryInMs: ms });
    }
    if (res.status >= 500) {
      failed(`HTTP ${res.status}`);
      throw quoteError('QUOTE_UPSTREAM_HTTP', `Jupiter ${endpoint} answered HTTP ${res.status}: ${snippet}`, { endpoint, status: res.status, body: snippet });
    }
    if (res.status >= 400) {
      // An answer about our request, not a sick upstream.
      this.breaker.onSuccess(latencyMs);
      this.publishHealth();
      const b = (body ?? {}) as { error?: unknown; errorCode?: unknown };
      const reason = `${String(b.errorCode ?? '')} ${String(b.error ?? snippet)}`.trim();
      if (/route/i.test(reason)) throw quoteError('QUOTE_NO_ROUTE', `Jupiter found no route: ${reason}`, { endpoint, status: res.status, reason });
      throw quoteError('QUOTE_UPSTREAM_HTTP', `Jupiter ${endpoint} refused the request with HTTP ${res.status}: ${reason}`, { endpoint, status: res.status, body: snippet });
    }
    if (body === undefined) {
      failed('body is not JSON');
      throw quoteError('QUOTE_BAD_RESPONSE', `Jupiter ${endpoint} answered HTTP ${res.status} with a body that is not JSON: ${JSON.stringify(snippet)}`, { endpoint, status: res.status, body: snippet });
    }
    return { body, latencyMs };
  }

  /** Parses a 2xx body: a good one counts as a success, a malformed one against the breaker. */
  private parsed<T>(latencyMs: number, parse: () => T): T {
    try {
      const value = parse();
      this.breaker.onSuccess(latencyMs);
      this.publishHealth();
      return value;
    } catch (err) {
      if (isSolrulesError(err, 'QUOTE_BAD_RESPONSE')) {
        this.breaker.onFailure(err.message);
        this.publishHealth();
      }
      throw err;
    }
  }

  /** GET /quote. */
  async getQuote(req: QuoteRequest): Promise<JupiterQuote> {
    validateRequest(req);
    const params = new URLSearchParams({
      inputMint: req.inputMint,
      outputMint: req.outputMint,
      amount: req.amount.toString(),
      slippageBps: String(req.slippageBps ?? 50),
      swapMode: req.mode === 'exact-in' ? 'ExactIn' : 'ExactOut',
    });
    if (this.opts.dexes?.length) params.set('dexes', this.opts.dexes.join(','));
    if (this.opts.excludeDexes?.length) params.set('excludeDexes', this.opts.excludeDexes.join(','));
    const { body, latencyMs } = await this.call('/quote', `${this.baseUrl}/quote?${params}`, { method: 'GET' });
    return this.parsed(latencyMs, () => {
      const q = parseQuoteResponse(body);
      const asked = req.mode === 'exact-in' ? q.inAmount : q.outAmount;
      const mismatch: [string, unknown, unknown][] = [
        ['inputMint', q.inputMint, req.inputMint],
        ['outputMint', q.outputMint, req.outputMint],
        [req.mode === 'exact-in' ? 'inAmount' : 'outAmount', asked.toString(), req.amount.toString()],
        ['swapMode', q.swapMode, req.mode === 'exact-in' ? 'ExactIn' : 'ExactOut'],
      ];
      for (const [field, got, want] of mismatch) {
        if (got !== want) throw quoteError('QUOTE_BAD_RESPONSE', `Jupiter /quote answered a different request: '${field}' is ${JSON.stringify(got)}, asked ${JSON.stringify(want)}`, { endpoint: '/quote', field, value: got, expected: want });
      }
      return q;
    });
  }

  /** QuoteSource: Jupiter's best route as a `RouteQuote`. */
  async quote(req: QuoteRequest): Promise<RouteQuote> {
    return jupiterRouteQuote(await this.getQuote(req), this.now());
  }

  /** POST /swap-instructions for a quote Jupiter gave (the raw response is sent back unchanged). */
  async swapInstructions(quote: JupiterQuote | RouteQuote, opts: SwapInstructionsOptions): Promise<JupiterSwapInstructions> {
    const raw = 'raw' in quote ? quote.raw : quote.jupiter;
    if (!raw || typeof raw !== 'object') {
      throw quoteError('QUOTE_INVALID_REQUEST', 'swap instructions need a quote that came from Jupiter (a local route is executed by our own transaction builder)', { field: 'quote', value: 'source' in quote ? quote.source : undefined });
    }
    if (!isAddress(opts.userPublicKey)) {
      throw quoteError('QUOTE_INVALID_REQUEST', `userPublicKey must be a base58 address; got ${JSON.stringify(opts.userPublicKey)}`, { field: 'userPublicKey', value: opts.userPublicKey });
    }
    const payload: Record<string, unknown> = { quoteResponse: raw, userPublicKey: opts.userPublicKey, wrapAndUnwrapSol: opts.wrapAndUnwrapSol ?? true };
    if (opts.prioritizationFeeLamports !== undefined) payload.prioritizationFeeLamports = opts.prioritizationFeeLamports;
    if (opts.dynamicComputeUnitLimit !== undefined) payload.dynamicComputeUnitLimit = opts.dynamicComputeUnitLimit;
    const { body, latencyMs } = await this.call('/swap-instructions', `${this.baseUrl}/swap-instructions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    return this.parsed(latencyMs, () => parseSwapInstructionsResponse(body));
  }
}

/** A Jupiter quote as a `RouteQuote` (legs from its route plan; each leg "reads" its pool). */
export function jupiterRouteQuote(q: JupiterQuote, quotedAt: number): RouteQuote {
  const legs = q.routePlan.map(({ swapInfo: s }) => ({
    venue: s.label,
    pool: s.ammKey,
    inputMint: s.inputMint,
    outputMint: s.outputMint,
    amountIn: s.inAmount,
    amountOut: s.outAmount,
    feeAmount: s.feeAmount,
    feeMint: s.feeMint,
    priceImpactBps: 0,
    accounts: [s.ammKey],
  }));
  const pct = Number(q.priceImpactPct);
  return {
    source: 'jupiter',
    mode: q.swapMode === 'ExactIn' ? 'exact-in' : 'exact-out',
    inputMint: q.inputMint,
    outputMint: q.outputMint,
    amountIn: q.inAmount,
    amountOut: q.outAmount,
    priceImpactBps: Number.isFinite(pct) ? Math.max(0, Math.round(pct * 100 * 10_000) / 10_000) : 0,
    legs,
    accounts: [...new Set(legs.map((l) => l.pool))],
    slot: q.contextSlot,
    quotedAt,
    otherAmountThreshold: q.otherAmountThreshold,
    jupiter: q.raw,
  };
}

/**
 * One chat-completions POST with the limits around it: a timeout per attempt, retries with
 * exponential backoff on 429, 5xx and network errors (honouring Retry-After), and a budget
 * reservation before every attempt. The API key goes in the Authorization header and nowhere else.
 */
import { SolrulesError, isSolrulesError } from '../errors/index.ts';
import type { DailyBudget } from './budget.ts';
import { redactText, type AiLogger, type Clock } from './support.ts';

export interface HttpLimits {
  timeoutMs: number;
  /** Retries after the first attempt, for 429, 5xx and network errors. */
  maxRetries: number;
  backoffMs: number;
  maxBackoffMs: number;
  /** A Retry-After longer than this fails the call instead of waiting. */
  maxRetryAfterMs: number;
}

export interface PostContext {
  url: string;
  apiKey?: string;
  limits: HttpLimits;
  clock: Clock;
  log: AiLogger;
  budget?: DailyBudget;
  fetch: typeof fetch;
  /** Called for every HTTP attempt made (so failures still count their calls). */
  onAttempt?: () => void;
}

/** Statuses and counts of one post, for logs and results. */
export interface PostOutcome {
  body: Record<string, unknown>;
  attempts: number;
}

/** Delay a Retry-After header asks for (seconds or an HTTP date), in ms. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+(\.\d+)?$/.test(header.trim())) return Math.round(Number(header) * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

const snippet = (text: string, key?: string) => redactText(text.slice(0, 300), [key]);

/** POSTs `payload` as JSON; returns the parsed response body or throws a typed error. */
export async function postJson(ctx: PostContext, payload: unknown): Promise<PostOutcome> {
  const { limits, clock, log } = ctx;
  const body = JSON.stringify(payload);
  for (let attempt = 0; ; attempt++) {
    ctx.budget?.reserveCall();
    ctx.onAttempt?.();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
    let status = 0;
    let text = '';
    let retryAfter: string | null = null;
    try {
      const res = await ctx.fetch(ctx.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(ctx.apiKey ? { authorization: `Bearer ${ctx.apiKey}` } : {}) },
        body,
        signal: controller.signal,
      });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (err) {
      if (controller.signal.aborted) {
        // Not retried: the server may still be working (and billing) on the request.
        throw new SolrulesError('AI_TIMEOUT', `no answer from ${ctx.url} within ${limits.timeoutMs} ms`, { url: ctx.url, timeoutMs: limits.timeoutMs, attempt: attempt + 1 });
      }
      status = -1;
      text = redactText(String((err as Error).cause ?? (err as Error).message), [ctx.apiKey]);
    } finally {
      clearTimeout(timer);
    }

    if (status >= 200 && status < 300) {
      try {
        return { body: JSON.parse(text) as Record<string, unknown>, attempts: attempt + 1 };
      } catch {
        throw new SolrulesError('AI_RESPONSE', `${ctx.url} answered ${status} with a body that is not JSON: ${snippet(text, ctx.apiKey)}`, { url: ctx.url, status });
      }
    }
    const retryable = status === 429 || status >= 500 || status === -1;
    if (!retryable) {
      throw new SolrulesError('AI_HTTP', `${ctx.url} answered ${status}: ${snippet(text, ctx.apiKey)}`, { url: ctx.url, status });
    }
    const code = status === 429 ? 'AI_RATE_LIMITED' : status === -1 ? 'AI_NETWORK' : 'AI_SERVER_ERROR';
    const what = status === -1 ? `network error: ${snippet(text, ctx.apiKey)}` : `${status}: ${snippet(text, ctx.apiKey)}`;
    if (attempt >= limits.maxRetries) {
      throw new SolrulesError(code, `${ctx.url} failed after ${attempt + 1} attempt(s), last ${what}`, { url: ctx.url, status, attempts: attempt + 1 });
    }
    const asked = retryAfterMs(retryAfter, clock.now());
    if (asked !== undefined && asked > limits.maxRetryAfterMs) {
      throw new SolrulesError(code, `${ctx.url} asked to retry after ${asked} ms, more than the ${limits.maxRetryAfterMs} ms allowed`, { url: ctx.url, status, retryAfterMs: asked });
    }
    const delay = asked ?? Math.min(limits.maxBackoffMs, limits.backoffMs * 2 ** attempt);
    log.warn({ url: ctx.url, status, attempt: attempt + 1, delayMs: delay, retryAfter: asked !== undefined }, `AI call ${what}; retrying in ${delay} ms`);
    await clock.sleep(delay);
  }
}

/** True for errors that end an analysis because of money, not because of the answer. */
export function isBudgetError(err: unknown): boolean {
  return isSolrulesError(err, 'AI_BUDGET_EXHAUSTED');
}

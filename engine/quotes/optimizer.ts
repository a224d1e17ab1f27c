/**
 * The quote optimizer: cache first, then the local router (exact, from decoded pool state), then
 * the aggregator fallback (Jupiter) when no local route exists or local state is too old. Every
 * answer is cached keyed on the accounts it read, so a pool update voids it.
 */
import { isSolrulesError, type SolrulesError } from '../errors/index.ts';
import { logger, type Logger } from '../infra/telemetry/index.ts';
import { QuoteCache } from './cache.ts';
import { quoteError } from './errors.ts';
import { validateRequest } from './local.ts';
import { quoteMetrics } from './metrics.ts';
import type { QuoteRequest, QuoteSource, RouteQuote } from './types.ts';

export interface QuoteOptimizerOptions {
  /** The local router (or any primary source). */
  local?: QuoteSource;
  /** The aggregator asked when local has no answer (Jupiter). */
  fallback?: QuoteSource;
  /** Cached quotes are served only while their source says they are current (the local router's staleness guard). */
  cache?: QuoteCache;
  log?: Logger;
}

/** Codes after which the fallback is asked (a failure of the local data, not of the request). */
const FALLBACK_ON = new Set(['QUOTE_NO_ROUTE', 'QUOTE_STATE_STALE']);

function summary(err: unknown): { code: string; message: string } {
  return isSolrulesError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: String((err as Error)?.message ?? err) };
}

export class QuoteOptimizer {
  private readonly log: Logger;

  constructor(private readonly opts: QuoteOptimizerOptions) {
    this.log = opts.log ?? logger().child({ component: 'quotes' });
    if (!opts.local && !opts.fallback) throw quoteError('QUOTE_CONFIG_INVALID', 'the quote optimizer needs a local router, a fallback, or both', { field: 'sources' });
  }

  get cache(): QuoteCache | undefined {
    return this.opts.cache;
  }

  private cachedIsFresh(q: RouteQuote): boolean {
    const source = [this.opts.local, this.opts.fallback].find((s) => s?.name === q.source);
    return source?.isCurrent?.(q) ?? true;
  }

  private async fromSource(source: QuoteSource, req: QuoteRequest): Promise<RouteQuote> {
    const started = performance.now();
    try {
      const q = await source.quote(req);
      quoteMetrics.answered(source.name, (performance.now() - started) / 1000);
      return q;
    } catch (err) {
      quoteMetrics.answered(source.name, (performance.now() - started) / 1000, err);
      throw err;
    }
  }

  /** Best quote for the request; `QUOTE_NO_ROUTE` (with what each source said) when none answers. */
  async quote(req: QuoteRequest): Promise<RouteQuote> {
    validateRequest(req);
    const started = performance.now();
    const cached = await this.opts.cache?.get(req);
    if (cached && this.cachedIsFresh(cached)) {
      quoteMetrics.answered('cache', (performance.now() - started) / 1000);
      return cached;
    }
    let localError: unknown;
    if (this.opts.local) {
      try {
        const q = await this.fromSource(this.opts.local, req);
        await this.opts.cache?.set(req, q);
        return q;
      } catch (err) {
        if (!isSolrulesError(err) || !FALLBACK_ON.has(err.code) || !this.opts.fallback) throw err;
        localError = err;
      }
    }
    try {
      const q = await this.fromSource(this.opts.fallback!, req);
      await this.opts.cache?.set(req, q);
      if (localError) this.log.debug({ inputMint: req.inputMint, outputMint: req.outputMint, local: summary(localError).code }, 'quoted by the fallback');
      return q;
    } catch (err) {
      if (!localError) throw err;
      const local = summary(localError);
      const fallback = summary(err);
      throw quoteError(
        (localError as SolrulesError).code as 'QUOTE_NO_ROUTE' | 'QUOTE_STATE_STALE',
        `no quote for ${req.amount} atoms ${req.inputMint} → ${req.outputMint}: local: ${local.message}; ${this.opts.fallback!.name}: ${fallback.code} ${fallback.message}`,
        { inputMint: req.inputMint, outputMint: req.outputMint, amount: req.amount.toString(), mode: req.mode, local, fallback },
        err,
      );
    }
  }

  /** Accounts changed (scanner updates): cached quotes that read them are void. */
  async invalidate(accounts: Iterable<string>): Promise<void> {
    await this.opts.cache?.invalidate(accounts);
  }
}

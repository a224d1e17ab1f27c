/** The `QUOTE_` error codes of the quote optimizer. */
import { SolrulesError } from '../errors/index.ts';

export type QuoteErrorCode =
  | 'QUOTE_NO_ROUTE'
  | 'QUOTE_STATE_STALE'
  | 'QUOTE_INVALID_REQUEST'
  | 'QUOTE_RATE_LIMITED'
  | 'QUOTE_CIRCUIT_OPEN'
  | 'QUOTE_TIMEOUT'
  | 'QUOTE_UPSTREAM_HTTP'
  | 'QUOTE_UPSTREAM_UNREACHABLE'
  | 'QUOTE_BAD_RESPONSE'
  | 'QUOTE_CONFIG_INVALID';

export function quoteError(code: QuoteErrorCode, message: string, context: Record<string, unknown> = {}, cause?: unknown): SolrulesError<QuoteErrorCode> {
  return new SolrulesError(code, message, context, cause === undefined ? undefined : { cause });
}

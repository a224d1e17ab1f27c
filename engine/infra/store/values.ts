/** Checks and normalizations every store implementation applies the same way (so they agree). */
import { SolrulesError } from '../../errors/index.ts';
import { ORDER_STATUSES, type OrderStatus } from '../../orders/index.ts';

/** Normalizes a timestamp to ISO 8601 UTC with milliseconds; STORE_INVALID naming the field otherwise. */
export function isoTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (typeof value !== 'string' || Number.isNaN(ms)) {
    throw new SolrulesError('STORE_INVALID', `${field} must be an ISO 8601 timestamp; got ${JSON.stringify(value)}`, { field, value });
  }
  return new Date(ms).toISOString();
}

/** Rejects a status outside the OrderStatus set (the SQL stores check the same). */
export function checkStatus(status: OrderStatus): OrderStatus {
  if (!ORDER_STATUSES.includes(status)) {
    throw new SolrulesError('STORE_INVALID', `order status must be one of ${ORDER_STATUSES.join(', ')}; got ${JSON.stringify(status)}`, { field: 'status', value: status });
  }
  return status;
}

/** Rejects a negative amount where only non-negative atoms make sense. */
export function nonNegative(value: bigint, field: string): bigint {
  if (typeof value !== 'bigint' || value < 0n) {
    throw new SolrulesError('STORE_INVALID', `${field} must be non-negative atoms (bigint); got ${String(value)}`, { field, value: String(value) });
  }
  return value;
}

/** The order status an execution report leaves its order in. */
export function statusAfterExecution(status: 'filled' | 'failed' | 'expired' | 'rejected'): OrderStatus {
  return status === 'rejected' ? 'failed' : status;
}

/** The error for a write carrying a fencing token older than one already accepted. */
export function fencedError(resource: string, token: number, current: number): SolrulesError {
  return new SolrulesError(
    'STORE_FENCED',
    `write refused: fencing token ${token} for '${resource}' is older than ${current} (another worker took the lock since)`,
    { resource, token, current },
  );
}

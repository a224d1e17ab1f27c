/**
 * PostgreSQL through a `pg` pool. A connection that drops (server restart, failover,
 * pg_terminate_backend, network) is replaced, and the statement or transaction it was running
 * is run again on a fresh connection, with backoff, until `retryForMs` passes. The store's
 * writes are idempotent, so a re-run after an ambiguous commit never applies twice.
 */
import pg from 'pg';
import { SolrulesError } from '../../../errors/index.ts';
import { redactUrl } from '../../health/index.ts';
import { logger } from '../../telemetry/index.ts';
import type { Query, SqlDb, Tx } from '../sql/index.ts';

export interface PostgresDbOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Keep retrying a statement whose connection dropped for this long (default 30 s). */
  retryForMs?: number;
  /** Connect timeout per attempt (default 5 s). */
  connectTimeoutMs?: number;
}

/** SQLSTATEs and socket errors after which the statement may be re-run on a new connection. */
const RETRYABLE_SQLSTATE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '40001', '40P01']);
const RETRYABLE_ERRNO = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTCONN']);

/** True when `err` is a lost or refused connection (or a serialization retry), not a bad statement. */
export function isRetryable(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | undefined;
  if (!e) return false;
  if (e.code && (RETRYABLE_SQLSTATE.has(e.code) || RETRYABLE_ERRNO.has(e.code))) return true;
  return /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|terminating connection/i.test(e.message ?? '');
}

export class PostgresDb implements SqlDb {
  readonly kind = 'postgres' as const;
  readonly location: string;
  private readonly pool: pg.Pool;
  private readonly retryForMs: number;
  /** Statements re-run after a dropped connection (observability and tests). */
  retries = 0;

  constructor(url: string, opts: PostgresDbOptions = {}) {
    this.location = redactUrl(url);
    this.retryForMs = opts.retryForMs ?? 30_000;
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000 });
    // An idle client whose backend was killed emits here; the pool drops it and the next query reconnects.
    this.pool.on('error', (err) => logger().warn({ err: err.message, store: this.location }, 'postgres connection lost (idle); will reconnect'));
    // Every client gets a listener for its whole life: a backend killed at any moment (even while
    // the client connects or ends) must never surface as an unhandled 'error' event.
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.retryForMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isRetryable(err)) throw err;
        if (Date.now() >= deadline) {
          throw new SolrulesError('STORE_UNAVAILABLE', `PostgreSQL at ${this.location} unreachable for ${this.retryForMs} ms (${what}): ${(err as Error).message}`, { store: this.location }, { cause: err });
        }
        this.retries++;
        logger().warn({ err: (err as Error).message, attempt, store: this.location }, `postgres connection lost during ${what}; retrying`);
        await new Promise((r) => setTimeout(r, Math.min(1_000, 25 * 2 ** Math.min(attempt, 6))));
      }
    }
  }

  query: Query = (sql, params = []) => this.retrying('query', async () => (await this.pool.query(sql, params as unknown[])).rows);

  async exec(sql: string): Promise<void> {
    await this.retrying('script', () => this.pool.query(sql));
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.retrying('transaction', async () => {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      const onError = (err: Error) => void (broken = err);
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const tx: Tx = {
          query: async (sql, params = []) => (await client.query(sql, params as unknown[])).rows,
          exec: async (sql) => void (await client.query(sql)),
        };
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        if (!isRetryable(err)) await client.query('ROLLBACK').catch(() => undefined);
        broken ??= isRetryable(err) ? (err as Error) : undefined;
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken ?? false);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

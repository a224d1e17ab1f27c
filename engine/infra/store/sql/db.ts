/**
 * The database the SQL store runs on: PostgreSQL (pg) or PGlite, behind the few calls the store
 * needs. Both run the same SQL text; results come back as plain rows.
 */

/** Runs one parameterized statement ($1, $2, ...) and returns its rows. */
export type Query = <R = Record<string, unknown>>(sql: string, params?: readonly unknown[]) => Promise<R[]>;

/** What a transaction body can do. */
export interface Tx {
  query: Query;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<void>;
}

export interface SqlDb {
  readonly kind: 'postgres' | 'pglite';
  /** Where it is, for messages (a URL without password, or a directory). */
  readonly location: string;
  query: Query;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction. A server implementation re-runs the whole transaction when
   * the connection drops (the store's writes are idempotent, so a re-run never applies twice).
   */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

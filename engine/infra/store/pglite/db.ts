/**
 * PGlite (PostgreSQL compiled to WebAssembly, in-process): the embedded default store. It runs
 * the same SQL and migrations as the server store. One process at a time may open a data
 * directory, so opening takes a lock file beside it and refuses (STORE_LOCKED) while another
 * live process holds it.
 */
import { PGlite } from '@electric-sql/pglite';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SolrulesError } from '../../../errors/index.ts';
import type { Query, SqlDb, Tx } from '../sql/index.ts';
import { createFromTemplate, templateTarball } from './template.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of another live process holding `<dir>.lock`, if any (a lock left by a dead process holds nothing). */
export function lockHolder(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(`${dir}.lock`, 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid) ? pid : undefined;
}

/** Data directories this process has open (the lock file holds our pid for them). */
const openHere = new Set<string>();

/** Takes `<dir>.lock`; returns its path. A lock left by a dead process is taken over. */
function lockDataDir(dir: string): string {
  const lock = `${dir}.lock`;
  if (openHere.has(lock)) {
    throw new SolrulesError('STORE_LOCKED', `the embedded store ${dir} is already open in this process; share that Store instead of opening it twice`, { dir, pid: process.pid });
  }
  mkdirSync(dirname(lock), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      openHere.add(lock);
      return lock;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = lockHolder(dir);
      if (pid !== undefined) {
        throw new SolrulesError(
          'STORE_LOCKED',
          `the embedded store ${dir} is open in another solrules process (pid ${pid}); stop it, or point SOLRULES_STORE at PostgreSQL to share a store between processes`,
          { dir, pid },
        );
      }
      rmSync(lock, { force: true }); // stale: its process is gone
    }
  }
  throw new SolrulesError('STORE_LOCKED', `could not take the lock ${lock}`, { dir });
}

export class PgliteDb implements SqlDb {
  readonly kind = 'pglite' as const;
  readonly location: string;
  private readonly lock: string | undefined;
  private closed = false;

  private constructor(
    private readonly pg: PGlite,
    dir: string | undefined,
    lock: string | undefined,
  ) {
    this.location = dir ?? 'memory (PGlite)';
    this.lock = lock;
  }

  /**
   * Opens (creating if needed) the database in `dir`, or an in-memory one when `dir` is undefined.
   * With `fromTemplate`, a new `dir` (or the in-memory database) starts as a copy of the migrated
   * template (`template.ts`).
   */
  static async open(dir?: string, opts: { fromTemplate?: boolean } = {}): Promise<PgliteDb> {
    const lock = dir ? lockDataDir(dir) : undefined;
    try {
      const copied = dir && opts.fromTemplate ? await createFromTemplate(dir) : false;
      if (dir) mkdirSync(dir, { recursive: true });
      const tarball = !dir && opts.fromTemplate ? await templateTarball() : undefined;
      const pg = new PGlite(dir ? { dataDir: dir } : tarball ? { loadDataDir: tarball } : {});
      await pg.waitReady;
      // the template's migrations were applied when it was built; for this store they are applied now
      if (copied || tarball) await pg.query('UPDATE solrules_migrations SET applied_at = now()');
      return new PgliteDb(pg, dir, lock);
    } catch (err) {
      if (lock) {
        rmSync(lock, { force: true });
        openHere.delete(lock);
      }
      if (err instanceof SolrulesError) throw err;
      throw new SolrulesError('STORE_OPEN', `could not open the embedded store ${dir ?? '(memory)'}: ${(err as Error).message}`, { dir }, { cause: err });
    }
  }

  query: Query = async (sql, params = []) => (await this.pg.query(sql, params as unknown[])).rows as never[];

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (t) =>
      fn({
        query: async (sql, params = []) => (await t.query(sql, params as unknown[])).rows as never[],
        exec: async (sql) => void (await t.exec(sql)),
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pg.close();
    if (this.lock) {
      rmSync(this.lock, { force: true });
      openHere.delete(this.lock);
    }
  }
}

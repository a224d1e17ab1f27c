/**
 * Templates for new embedded stores. Creating a PGlite data directory runs initdb inside
 * WebAssembly and then the migrations: about 4.5 s of CPU, against under 0.5 s to open an existing
 * one. A new store therefore starts as a copy of a template: a data directory initialized and
 * migrated once, closed cleanly, and never opened again. A template is keyed by the PGlite version
 * and every migration's version and checksum, so a changed or added migration, or another PGlite,
 * makes a new template and an old one is never used for it (the migrations still run on open and
 * would apply whatever a template lacked).
 *
 * Where: `SOLRULES_PGLITE_TEMPLATES` (a directory, or `off`), by default
 * `$XDG_CACHE_HOME/solrules/pglite-templates` (`~/.cache/…`). Safe for concurrent processes: a
 * template is built in a directory of its own and renamed into place whole (the first rename wins,
 * the others drop theirs), and a store's copy is made beside it and renamed into place, so neither
 * a reader nor a crash ever sees half a directory. A template nobody copied for 7 days is removed.
 * Beside each template lies the same database as a tarball (`<key>.tar`), which a store in memory
 * loads instead of running initdb.
 */
import { PGlite } from '@electric-sql/pglite';
import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from '../../telemetry/index.ts';
import { loadMigrations, migrate, type Migration } from '../sql/index.ts';
import type { Query, SqlDb, Tx } from '../sql/index.ts';

/** Bumped when what a template holds changes in a way its key does not see. */
const FORMAT = 2;
const UNUSED_FOR_MS = 7 * 24 * 3600_000;
/** A half-built template or copy older than this is left over from a crashed process. */
const ABANDONED_AFTER_MS = 3600_000;

/** The folder holding the templates, or undefined when they are off. */
export function templatesDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const set = env.SOLRULES_PGLITE_TEMPLATES?.trim();
  if (set === 'off') return undefined;
  if (set) return resolve(set);
  const cache = env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(cache, 'solrules', 'pglite-templates');
}

function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

/** The template's name for these migrations on this PGlite. */
export function templateKey(migrations: readonly Migration[] = loadMigrations()): string {
  const h = createHash('sha256').update(`format ${FORMAT}\npglite ${pgliteVersion()}\n`);
  for (const m of migrations) h.update(`${m.version} ${m.checksum}\n`);
  return `v${FORMAT}-${h.digest('hex').slice(0, 16)}`;
}

/** A PGlite database as the migrations need it (no lock: the directory is ours alone). */
function sqlDb(pg: PGlite, location: string): SqlDb {
  return {
    kind: 'pglite',
    location,
    query: (async (sql: string, params: unknown[] = []) => (await pg.query(sql, params)).rows) as Query,
    exec: async (sql: string) => void (await pg.exec(sql)),
    transaction: <T>(fn: (tx: Tx) => Promise<T>) =>
      pg.transaction(async (t) =>
        fn({
          query: (async (sql: string, params: unknown[] = []) => (await t.query(sql, params)).rows) as Query,
          exec: async (sql: string) => void (await t.exec(sql)),
        }),
      ),
    close: () => pg.close(),
  };
}

const scratchName = (base: string) => `${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

/** Removes templates of other keys unused for a week and leftovers of crashed builds. */
function prune(root: string, keep: string): void {
  const now = Date.now();
  for (const name of readdirSync(root)) {
    if (name === keep || name === `${keep}.tar`) continue;
    const path = join(root, name);
    try {
      const age = now - statSync(path).mtimeMs;
      if (age > (name.includes('.tmp-') ? ABANDONED_AFTER_MS : UNUSED_FOR_MS)) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process removed it first
    }
  }
}

/** Builds the template for `key` in `root` unless it is there; returns its path. */
async function ensureTemplate(root: string, key: string, migrations: readonly Migration[]): Promise<string> {
  const path = join(root, key);
  if (existsSync(join(path, 'PG_VERSION'))) return path;
  mkdirSync(root, { recursive: true });
  prune(root, key);
  const scratch = scratchName(path);
  try {
    mkdirSync(scratch);
    const pg = new PGlite({ dataDir: scratch });
    await pg.waitReady;
    try {
      await migrate(sqlDb(pg, scratch), [...migrations]);
      // the same database as a tarball, for stores in memory (PGlite loads it with `loadDataDir`)
      const tar = await pg.dumpDataDir('none');
      const tarScratch = scratchName(`${path}.tar`);
      writeFileSync(tarScratch, Buffer.from(await tar.arrayBuffer()));
      renameSync(tarScratch, `${path}.tar`); // the same bytes whoever wins: replacing is harmless
    } finally {
      await pg.close();
    }
    try {
      renameSync(scratch, path);
    } catch (err) {
      // another process put its template there first: use that one
      if (!existsSync(join(path, 'PG_VERSION'))) throw err;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return path;
}

/**
 * The template of the current migrations as a tarball, for a new store in memory; undefined when
 * templates are off or it could not be made (the store is then created the ordinary way).
 */
export async function templateTarball(): Promise<Blob | undefined> {
  const root = templatesDir();
  if (!root) return undefined;
  try {
    const migrations = loadMigrations();
    const template = await ensureTemplate(root, templateKey(migrations), migrations);
    const tar = readFileSync(`${template}.tar`);
    const now = new Date();
    utimesSync(template, now, now); // in use: not pruned
    return new Blob([tar]);
  } catch (err) {
    logTemplateFailure(err, root, 'memory');
    return undefined;
  }
}

function logTemplateFailure(err: unknown, root: string, store: string): void {
  const fields = { err: (err as Error).message, templates: root, store };
  if (process.env.SOLRULES_PGLITE_TEMPLATES?.trim()) logger().warn(fields, 'could not start the embedded store from a template; creating it from scratch');
  else logger().debug(fields, 'could not start the embedded store from a template; creating it from scratch');
}

/**
 * Makes `dir` a new store from the template of the current migrations: true when it did, false
 * when templates are off, `dir` already holds a database, or the template could not be made or
 * copied (then the store is created the ordinary way; the reason is logged at debug level, or as
 * a warning when SOLRULES_PGLITE_TEMPLATES names the folder).
 */
export async function createFromTemplate(dir: string): Promise<boolean> {
  const root = templatesDir();
  if (!root) return false;
  if (existsSync(join(dir, 'PG_VERSION'))) return false;
  if (existsSync(dir) && readdirSync(dir).length > 0) return false; // not ours to fill
  try {
    const migrations = loadMigrations();
    const template = await ensureTemplate(root, templateKey(migrations), migrations);
    // copies of this store left by a crashed process (we hold its lock: nobody else is making one)
    const parent = dirname(dir);
    for (const name of readdirSync(parent)) if (name.startsWith(`${basename(dir)}.tmp-`)) rmSync(join(parent, name), { recursive: true, force: true });
    const scratch = scratchName(dir);
    try {
      cpSync(template, scratch, { recursive: true });
      renameSync(scratch, dir); // replaces `dir` only while it is empty or missing
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    const now = new Date();
    utimesSync(template, now, now); // in use: not pruned
    return true;
  } catch (err) {
    logTemplateFailure(err, root, dir);
    return false;
  }
}

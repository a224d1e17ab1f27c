/** `solrules doctor` for the store: reachable, authenticated, the database exists, migrations applied. */
import { existsSync } from 'node:fs';
import { tcpProbe, unusableSetting, type ServiceReport } from '../health/index.ts';
import { resolveStoreConfig, type OpenStoreOptions } from './open.ts';
import type { SqlDb } from './sql/index.ts';

async function schemaDetails(db: SqlDb, details: string[]): Promise<{ pending: number; problem?: string }> {
  const { migrationStatus } = await import('./sql/index.ts');
  const status = await migrationStatus(db);
  const applied = status.filter((s) => s.state === 'applied').length;
  const pending = status.filter((s) => s.state === 'pending');
  const changed = status.filter((s) => s.state === 'changed');
  details.push(`migrations: ${applied} applied, ${pending.length} pending${pending.length ? ` (${pending.map((p) => `${p.version}_${p.name}`).join(', ')})` : ''}`);
  if (changed.length) return { pending: pending.length, problem: `migration ${changed.map((c) => c.version).join(', ')} was edited after it was applied` };
  if (applied) {
    const [layout] = await db.query<{ relkind: string }>(`SELECT relkind::text AS relkind FROM pg_class WHERE oid = to_regclass('market_snapshots')`);
    if (layout) details.push(`market snapshots: ${layout.relkind === 'p' ? 'partitioned by day' : 'TimescaleDB hypertable'}`);
  }
  return { pending: pending.length };
}

/** Checks the store the options / environment select; applies nothing. */
export async function checkStore(opts: OpenStoreOptions = {}): Promise<ServiceReport> {
  let cfg;
  try {
    cfg = resolveStoreConfig(opts);
  } catch (err) {
    return unusableSetting(opts.url ?? process.env.SOLRULES_STORE, err, 'set SOLRULES_STORE to postgres://user@host:5432/db, pglite, pglite:<dir> or memory');
  }
  if (cfg.kind === 'memory') return { target: cfg.display, ok: true, details: ['nothing persists: strategy state and orders are gone when the process ends'] };
  if (cfg.kind === 'pglite') {
    if (!existsSync(cfg.dir)) return { target: cfg.display, ok: true, details: ['not created yet: the first run creates it'] };
    const { PgliteDb, lockHolder } = await import('./pglite/index.ts');
    const pid = lockHolder(cfg.dir);
    if (pid !== undefined) return { target: cfg.display, ok: true, details: [`in use by solrules process ${pid} (only one process opens an embedded store; use PostgreSQL to share one)`] };
    const db = await PgliteDb.open(cfg.dir);
    try {
      const details: string[] = [];
      const s = await schemaDetails(db, details);
      return { target: cfg.display, ok: !s.problem, details, ...(s.problem ? { problem: s.problem, fix: 'restore the original migration file; add changes as a new migration' } : {}) };
    } finally {
      await db.close();
    }
  }
  const u = new URL(cfg.url);
  const host = u.hostname || 'localhost';
  const port = Number(u.port || 5432);
  const database = decodeURIComponent(u.pathname.slice(1)) || u.username || 'postgres';
  const probe = await tcpProbe(host, port);
  if (!probe.ok) return { target: cfg.display, ok: false, details: [], problem: probe.reason, fix: 'start PostgreSQL (pg_ctlcluster 15 main start), or fix the host/port in SOLRULES_STORE' };
  const { PostgresDb } = await import('./postgres/index.ts');
  const db = new PostgresDb(cfg.url, { retryForMs: 0, connectTimeoutMs: 3_000, max: 1 });
  const details: string[] = [];
  try {
    const [v] = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    details.push(`PostgreSQL ${v?.v ?? '?'}, database ${database}`);
    const [ts] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_available_extensions WHERE name = 'timescaledb'`);
    details.push(ts?.n ? 'TimescaleDB available' : 'TimescaleDB not installed (market snapshots use native day partitions)');
    const s = await schemaDetails(db, details);
    if (s.problem) return { target: cfg.display, ok: false, details, problem: s.problem, fix: 'restore the original migration file; add changes as a new migration' };
    if (s.pending) return { target: cfg.display, ok: false, details, problem: `${s.pending} migration(s) not applied`, fix: 'npx solrules migrate' };
    return { target: cfg.display, ok: true, details };
  } catch (err) {
    const e = err as { code?: string; message: string };
    const byCode: Record<string, [string, string]> = {
      '3D000': [`database "${database}" does not exist on ${host}:${port}`, `create it: createdb -h ${host} -p ${port} -U ${u.username || 'postgres'} ${database}`],
      '28P01': [`password authentication failed for user "${u.username}"`, 'fix the password in SOLRULES_STORE (postgres://user:password@host/db)'],
      '28000': [`PostgreSQL refused user "${u.username || '(default)'}" (pg_hba.conf has no entry for this host/user/database)`, 'add a pg_hba.conf entry or use another user'],
      '42501': [`user "${u.username}" lacks a privilege the store needs: ${e.message}`, `GRANT CREATE ON DATABASE ${database} TO ${u.username}`],
    };
    const [problem, fix] = byCode[e.code ?? ''] ?? [`PostgreSQL error: ${e.message}`, 'check the server log'];
    return { target: cfg.display, ok: false, details, problem, fix };
  } finally {
    await db.close();
  }
}

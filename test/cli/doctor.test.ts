/** `solrules doctor` and `solrules migrate`: each configured service checked, problems named precisely. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run as doctor } from '../../engine/cli/doctor.ts';
import { run as migrate } from '../../engine/cli/migrate.ts';
import { requireService, SERVICES } from '../support/services.ts';
import { freePort, requireBinary, startOwnServer } from '../support/servers.ts';
import { createTestDatabase } from '../infra/store/pgtest.ts';

/** The store's migrations, by name, as shipped (a new one must show up in doctor and migrate). */
const MIGRATIONS = readdirSync(new URL('../../engine/infra/store/migrations/', import.meta.url)).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, '')).sort();

/** Runs a command in-process, capturing what it prints. */
async function capture(fn: (argv: string[]) => Promise<number>, argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const [log, err] = [console.log, console.error];
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    return { code: await fn(argv), out: lines.join('\n') };
  } finally {
    [console.log, console.error] = [log, err];
  }
}

test('embedded defaults: doctor passes and says what it would use', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-doctor-'));
  try {
    const r = await capture(doctor, ['--bus', 'memory', '--cache', 'memory', '--store', `pglite:${join(dir, 'store')}`]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /ok {3}bus {3}in-process bus/);
    assert.match(r.out, /ok {3}cache in-memory cache/);
    assert.match(r.out, /ok {3}store PGlite \(embedded\) at .*store\n\s+not created yet/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unreachable services are named with host, port and the reason', async () => {
  const [p1, p2, p3] = [await freePort(), await freePort(), await freePort()];
  const r = await capture(doctor, ['--format', 'json', '--bus', `nats://127.0.0.1:${p1}`, '--cache', `redis://127.0.0.1:${p2}`, '--store', `postgres://postgres@127.0.0.1:${p3}/x`]);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.out);
  assert.equal(j.bus.problem, `no NATS server answers at 127.0.0.1:${p1}`);
  assert.match(j.bus.details[0], new RegExp(`nothing listens on 127\\.0\\.0\\.1:${p1} \\(connection refused\\)`));
  assert.equal(j.cache.problem, `nothing listens on 127.0.0.1:${p2} (connection refused)`);
  assert.equal(j.store.problem, `nothing listens on 127.0.0.1:${p3} (connection refused)`);
});

test('a malformed setting is refused with the variable and value', async () => {
  const r = await capture(doctor, ['--format', 'json', '--bus', 'kafka://x', '--cache', 'memory', '--store', 'mysql://x']);
  const j = JSON.parse(r.out);
  assert.match(j.bus.problem, /SOLRULES_BUS must be 'memory' or a nats:\/\/ URL; got 'kafka:\/\/x'/);
  assert.match(j.store.problem, /SOLRULES_STORE must be .* got 'mysql:\/\/x'/);
  assert.equal(r.code, 1);
});

test('NATS without JetStream, and Redis that wants a password, are told apart from "down"', async (t) => {
  if (!requireBinary(t, 'nats-server') || !requireBinary(t, 'redis-server')) return;
  const nats = await startOwnServer('nats', { jetstream: false });
  const redis = await startOwnServer('redis', { extraArgs: ['--requirepass', 's3cret-doctor'] });
  try {
    const r = await capture(doctor, ['--format', 'json', '--bus', nats.url, '--cache', redis.url, '--store', 'memory']);
    const j = JSON.parse(r.out);
    assert.equal(j.bus.problem, 'JetStream is not enabled on this NATS server');
    assert.match(j.bus.fix, /-js/);
    assert.match(j.cache.problem, /NOAUTH|Authentication required/i);
    assert.match(j.cache.fix, /redis:\/\/:password@host/);
    assert.ok(!r.out.includes('s3cret-doctor'));
    const ok = await capture(doctor, ['--format', 'json', '--bus', 'memory', '--cache', `redis://:s3cret-doctor@127.0.0.1:${redis.port}`, '--store', 'memory']);
    assert.equal(JSON.parse(ok.out).cache.ok, true);
    assert.ok(!ok.out.includes('s3cret-doctor'), 'the password is never printed');
  } finally {
    await nats.dispose();
    await redis.dispose();
  }
});

test('PostgreSQL: a missing database, then pending migrations, then migrate, then ok', async (t) => {
  if (!(await requireService(t, 'postgres'))) return;
  const missing = new URL(SERVICES.postgres.url);
  missing.pathname = '/solrules_no_such_db_here';
  const r1 = await capture(doctor, ['--format', 'json', '--bus', 'memory', '--cache', 'memory', '--store', missing.toString()]);
  const s1 = JSON.parse(r1.out).store;
  assert.equal(s1.problem, `database "solrules_no_such_db_here" does not exist on 127.0.0.1:5432`);
  assert.match(s1.fix, /^create it: createdb -h 127\.0\.0\.1 -p 5432 -U postgres solrules_no_such_db_here$/);

  const db = await createTestDatabase('doctor');
  try {
    const r2 = await capture(doctor, ['--format', 'json', '--bus', 'memory', '--cache', 'memory', '--store', db.url]);
    const s2 = JSON.parse(r2.out).store;
    assert.ok(MIGRATIONS.length >= 3, `migrations found: ${MIGRATIONS.join(', ')}`);
    assert.equal(s2.problem, `${MIGRATIONS.length} migration(s) not applied`);
    assert.equal(s2.fix, 'npx solrules migrate');
    const status = await capture(migrate, ['--status', '--store', db.url]);
    assert.match(status.out, new RegExp(MIGRATIONS.map((m) => `${m} {2}pending`).join('\\n\\s+')));
    const m = await capture(migrate, ['--store', db.url]);
    assert.equal(m.code, 0);
    assert.match(m.out, new RegExp(MIGRATIONS.map((m) => `applied ${m}`).join('\\n\\s+')));
    assert.match((await capture(migrate, ['--store', db.url])).out, /up to date/);
    const r3 = await capture(doctor, ['--format', 'json', '--bus', 'memory', '--cache', 'memory', '--store', db.url]);
    const s3 = JSON.parse(r3.out).store;
    assert.equal(s3.ok, true, r3.out);
    assert.ok(s3.details.some((d: string) => d.includes(`migrations: ${MIGRATIONS.length} applied, 0 pending`)), s3.details.join('; '));
    assert.ok(s3.details.some((d: string) => /partitioned by day|hypertable/.test(d)));
  } finally {
    await db.drop();
  }
});

/**
 * PostgreSQL connections killed mid-write (pg_terminate_backend, over and over while four
 * writers run): the store reconnects, re-runs what was cut off, and every write it acknowledged
 * is there exactly once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore, type PostgresDb } from '../../../engine/infra/store/postgres/index.ts';
import { requireService, SERVICES } from '../../support/services.ts';
import { createTestDatabase } from './pgtest.ts';
import { createLogger, setLogger } from '../../../engine/infra/telemetry/index.ts';
import { makeOrder, paperReport } from './orders.ts';

setLogger(createLogger({ level: 'error' })); // hundreds of expected 'connection lost; retrying' warnings

// Writers back off (50 ms doubling to 1 s) after each cut-off, so the run's length is mostly that
// waiting: 500 orders are ~1,000 writes, of which ~80 (idle machine) to ~470 (loaded) are cut off
// and re-run (at least 20 asserted below), enough to hit a write before, during and after its commit.
const ORDERS = Number(process.env.SOLRULES_FULL ? 5_000 : 500);

test(`connections killed mid-write: ${ORDERS} orders + executions, none lost or doubled`, async (t) => {
  if (!(await requireService(t, 'postgres'))) return;
  const db = await createTestDatabase('kill');
  const store = await openPostgresStore(db.url, { max: 4, retryForMs: 20_000 });
  const admin = new pg.Client({ connectionString: SERVICES.postgres.url });
  await admin.connect();
  try {
    let writing = true;
    let killed = 0;
    let killRounds = 0;
    const killer = (async () => {
      while (writing) {
        await new Promise((r) => setTimeout(r, 15 + Math.random() * 30));
        const r = await admin.query('SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) k', [db.name]);
        killed += r.rows[0].n;
        killRounds++;
      }
    })();

    const acknowledged = { orders: 0, executions: 0, duplicates: 0 };
    const lanes = 4;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        for (let i = lane; i < ORDERS; i += lanes) {
          const o = makeOrder(i, 'grid');
          if (await store.insertOrder(o, 'submitted')) acknowledged.orders++;
          else acknowledged.duplicates++;
          if (await store.recordExecution(paperReport(o))) acknowledged.executions++;
          else acknowledged.duplicates++;
        }
      }),
    );
    writing = false;
    await killer;

    const check = new pg.Client({ connectionString: db.url });
    await check.connect();
    const rows = (await check.query(`SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM executions) AS executions,
      (SELECT count(*)::int FROM orders WHERE status = 'filled') AS filled, (SELECT count(DISTINCT id)::int FROM orders) AS distinct_orders`)).rows[0];
    await check.end();
    const retries = (store.db as PostgresDb).retries;
    console.log(
      `postgres kill test: ${ORDERS} orders written by 4 writers; ${killed} backends terminated in ${killRounds} rounds; ${retries} statements re-run after a dropped connection;` +
        ` acknowledged ${acknowledged.orders} inserts + ${acknowledged.executions} executions (${acknowledged.duplicates} reported duplicate);` +
        ` in the table: ${rows.orders} orders (${rows.distinct_orders} distinct), ${rows.executions} executions, ${rows.filled} filled`,
    );
    assert.ok(killed >= 5, `the test must actually kill connections (killed ${killed})`);
    assert.ok(retries >= 1, 'at least one write must have been cut off and re-run');
    assert.ok(retries >= 20, `writes must be cut off often, not once by chance (${retries} re-runs for ${ORDERS} orders)`);
    assert.equal(acknowledged.duplicates, 0, 'a re-run after an ambiguous commit must still report its own write as done');
    assert.equal(acknowledged.orders, ORDERS);
    assert.equal(acknowledged.executions, ORDERS);
    assert.equal(rows.orders, ORDERS);
    assert.equal(rows.executions, ORDERS);
    assert.equal(rows.filled, ORDERS);
  } finally {
    await admin.end();
    await store.close();
    await db.drop();
  }
});

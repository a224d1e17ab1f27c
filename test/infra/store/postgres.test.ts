import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openPostgresStore } from '../../../engine/infra/store/postgres/index.ts';
import { requireService } from '../../support/services.ts';
import { storeContract } from './contract.ts';
import { assertGroupWriteAtomic, assertStateAndOutboxAtomic } from './outbox-atomic.ts';
import { createTestDatabase } from './pgtest.ts';

storeContract('PostgreSQL', async () => {
  const db = await createTestDatabase('contract');
  return { store: await openPostgresStore(db.url), cleanup: db.drop };
}, 'postgres');

test('market snapshots are partitioned by day on PostgreSQL (no TimescaleDB here)', async (t) => {
  if (!(await requireService(t, 'postgres'))) return;
  const db = await createTestDatabase('parts');
  const store = await openPostgresStore(db.url);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const timescale = (await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`)).rowCount;
    await store.recordMarketSnapshots([
      { market: 'SOL', kind: 'price', at: '2024-05-01T23:59:59.999Z', data: { usd: 1 } },
      { market: 'SOL', kind: 'price', at: '2024-05-02T00:00:00Z', data: { usd: 2 } },
      { market: 'SOL', kind: 'price', at: '2024-05-03T12:00:00Z', data: { usd: 3 } },
    ]);
    if (timescale) {
      const chunks = await c.query(`SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'market_snapshots'`);
      assert.equal(chunks.rows[0].n, 3);
      return;
    }
    const parts = await c.query(
      `SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS bound, (SELECT count(*)::int FROM market_snapshots) AS total
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'market_snapshots'::regclass ORDER BY c.relname`,
    );
    assert.deepEqual(parts.rows.map((r) => r.relname), ['market_snapshots_20240501', 'market_snapshots_20240502', 'market_snapshots_20240503']);
    for (const [i, name] of ['market_snapshots_20240501', 'market_snapshots_20240502', 'market_snapshots_20240503'].entries()) {
      const n = await c.query(`SELECT count(*)::int AS n FROM ${name}`);
      assert.equal(n.rows[0].n, 1, `one row in partition ${i + 1}`);
    }
  } finally {
    await c.end();
    await store.close();
    await db.drop();
  }
});

test('PostgreSQL: a strategy state and its outbox commit together (one strategy, or a group write of several with removals): an outbox row that cannot be written leaves everything as it was', async (t) => {
  if (!(await requireService(t, 'postgres'))) return;
  const db = await createTestDatabase('outbox');
  const store = await openPostgresStore(db.url);
  try {
    await assertStateAndOutboxAtomic(store);
    await assertGroupWriteAtomic(store);
  } finally {
    await store.close();
    await db.drop();
  }
});

/**
 * The bounded history reads at start (RECENT_HISTORY_SQL) use an index on the time column of
 * pnl, wallet_balances and rule_sets (migration 0003_history_at_indexes) instead of scanning and
 * sorting the whole table: on PGlite and on the machine's PostgreSQL, with thousands of rows and
 * fresh statistics, the planner's plan for each statement names its index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PgliteDb } from '../../../engine/infra/store/pglite/index.ts';
import { PostgresDb } from '../../../engine/infra/store/postgres/index.ts';
import { migrate, RECENT_HISTORY_SQL, type SqlDb } from '../../../engine/infra/store/sql/index.ts';
import { requireService } from '../../support/services.ts';
import { createTestDatabase } from './pgtest.ts';

const ROWS = 5_000;
const EXPECTED: Record<keyof typeof RECENT_HISTORY_SQL, string> = { pnl: 'pnl_at_idx', walletBalances: 'wallet_balances_at_idx', ruleSets: 'rule_sets_applied_at_idx' };

async function check(db: SqlDb): Promise<void> {
  await migrate(db);
  const indexes = (await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename IN ('pnl', 'wallet_balances', 'rule_sets')`)).map((r) => r.indexname);
  for (const name of Object.values(EXPECTED)) assert.ok(indexes.includes(name), `${name} exists (${indexes.join(', ')})`);
  // One row a minute, several strategies / wallets / hashes: the reads cut by time, not by those.
  const at = `timestamptz '2026-01-01T00:00:00Z' + g * interval '1 minute'`;
  await db.query(`INSERT INTO pnl (id, strategy, mint, realized_atoms, at) SELECT 'p' || g, 's' || (g % 7), 'USDC', g, ${at} FROM generate_series(1, ${ROWS}) g`);
  await db.query(`INSERT INTO wallet_balances (id, wallet, mint, atoms, at) SELECT 'w' || g, 'W' || (g % 5), 'SOL', g, ${at} FROM generate_series(1, ${ROWS}) g`);
  await db.query(`INSERT INTO rule_sets (id, hash, content, source, applied_at) SELECT 'r' || g, 'h' || g, '{}', 'test', ${at} FROM generate_series(1, ${ROWS}) g`);
  await db.query('ANALYZE pnl, wallet_balances, rule_sets');
  const since = new Date(Date.parse('2026-01-01T00:00:00Z') + (ROWS - 1000) * 60_000).toISOString(); // the newest 1,000 rows are inside
  for (const [key, sql] of Object.entries(RECENT_HISTORY_SQL) as Array<[keyof typeof RECENT_HISTORY_SQL, string]>) {
    const plan = (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, [since, 100])).map((r) => r['QUERY PLAN']).join('\n');
    assert.match(plan, new RegExp(`Index Scan Backward using ${EXPECTED[key]}`), `${key}: the bounded read uses ${EXPECTED[key]}:\n${plan}`);
    assert.doesNotMatch(plan, /Seq Scan/, `${key}: no scan of the whole table:\n${plan}`);
    const rows = await db.query(sql, [since, 100]);
    assert.equal(rows.length, 100, `${key}: the newest 100 rows`);
  }
}

test('PGlite: the bounded history reads use the time indexes', async () => {
  const db = await PgliteDb.open();
  try {
    await check(db);
  } finally {
    await db.close();
  }
});

test('PostgreSQL: the bounded history reads use the time indexes', async (t) => {
  if (!(await requireService(t, 'postgres'))) return;
  const tdb = await createTestDatabase('hist_idx');
  const db = new PostgresDb(tdb.url, { max: 1 });
  try {
    await check(db);
  } finally {
    await db.close();
    await tdb.drop();
  }
});

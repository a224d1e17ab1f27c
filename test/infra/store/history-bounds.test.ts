/**
 * The historical loader reads recent history bounded by time and count, on every store: with
 * more executions, P&L entries, wallet balances and rule sets than the bounds allow (some newer
 * than the window, some older), start-up reads exactly the newest rows inside the window — and
 * the unfinished orders always, however old (nothing unfinished is lost to the bound).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, loadHistory, historyBoundsFromEnv, DEFAULT_HISTORY_BOUNDS, type HistoryBounds, type Store } from '../../../engine/infra/store/index.ts';
import { openPgliteStore } from '../../../engine/infra/store/pglite/index.ts';
import { openPostgresStore } from '../../../engine/infra/store/postgres/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { requireService } from '../../support/services.ts';
import { createTestDatabase } from './pgtest.ts';
import { makeOrder, paperReport } from './orders.ts';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const BOUNDS: HistoryBounds = {
  executions: { hours: 10, limit: 5 },
  pnl: { hours: 10, limit: 4 },
  walletBalances: { hours: 10, limit: 3 },
  ruleSets: { hours: 10, limit: 2 },
};
const UNBOUNDED = new Set(['listPnl', 'listRuleSets', 'walletBalanceHistory', 'listMarketSnapshots']);

async function fill(store: Store): Promise<{ oldOpen: string; oldUnsent: string }> {
  // 20 of each, one an hour, from 19 h ago to now: 11 inside the 10 h window (10 h ago to now), 9 older.
  for (let i = 0; i < 20; i++) {
    const o = makeOrder(i);
    await store.insertOrder(o, 'submitted');
    await store.recordExecution(paperReport(o, hoursAgo(19 - i)));
    await store.recordPnl({ strategy: 'grid', orderId: o.id, mint: 'USDC', realizedAtoms: BigInt(i), at: hoursAgo(19 - i) });
    await store.recordWalletBalance({ wallet: 'W1', mint: 'SOL', atoms: BigInt(1000 + i), at: hoursAgo(19 - i) });
    await store.recordRuleSet({ hash: `rs-${i}`, content: '{}', source: 'startup', appliedAt: hoursAgo(19 - i) });
  }
  // Unfinished orders from two years ago: always loaded.
  const open = makeOrder(500, 'dca', { createdAt: '2024-06-01T00:00:00.000Z' });
  await store.insertOrder(open, 'submitted');
  await store.recordSubmission({ orderId: open.id, attempt: 1, executor: 'rpc', wallet: 'W1', signature: 'sig-old', at: '2024-06-01T00:00:01.000Z' });
  const unsent = makeOrder(501, 'dca', { createdAt: '2024-06-01T00:00:00.000Z' });
  await store.insertOrder(unsent, 'decided');
  return { oldOpen: open.id, oldUnsent: unsent.id };
}

async function check(store: Store): Promise<void> {
  const { oldOpen, oldUnsent } = await fill(store);
  const calls: string[] = [];
  const spy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.push(String(prop) + (prop === 'listExecutions' || prop === 'listSubmissions' ? `(${args[0] === undefined ? 'all' : 'one'})` : ''));
        return v.apply(target, args);
      };
    },
  }) as Store;
  const h = await loadHistory(spy, ['grid', 'dca'], { bounds: BOUNDS, now: NOW });
  const r = h.recent!;
  // Inside the window (at most 10 h old): rows 9…19; the newest `limit` of them, oldest first.
  assert.deepEqual(r.executions.map((e) => e.at), [4, 3, 2, 1, 0].map(hoursAgo));
  assert.deepEqual(r.pnl.map((p) => p.realizedAtoms), [16n, 17n, 18n, 19n]);
  assert.deepEqual(r.walletBalances.map((b) => b.atoms), [1017n, 1018n, 1019n]);
  assert.deepEqual(r.ruleSets.map((x) => x.hash), ['rs-18', 'rs-19']);
  // A window smaller than the limit bounds by time.
  const narrow = await loadHistory(store, [], { bounds: { ...BOUNDS, executions: { hours: 2.5, limit: 100 } }, now: NOW });
  assert.deepEqual(narrow.recent!.executions.map((e) => e.at), [2, 1, 0].map(hoursAgo));
  // Unfinished orders, whatever their age.
  assert.deepEqual(h.inFlight.map((x) => [x.order.order.id, x.submissions.map((s) => s.signature)]), [[oldOpen, ['sig-old']]]);
  assert.deepEqual(h.unsent.map((o) => o.order.id), [oldUnsent]);
  assert.deepEqual(calls.filter((c) => UNBOUNDED.has(c) || c.endsWith('(all)')), [], `no unbounded read: ${calls.join(', ')}`);
}

test('memory store: recent history is read within its bounds; old unfinished orders are loaded', async () => {
  await check(new MemoryStore());
});

test('PGlite: recent history is read within its bounds; old unfinished orders are loaded', async () => {
  const store = await openPgliteStore();
  try {
    await check(store);
  } finally {
    await store.close();
  }
});

test('PostgreSQL: recent history is read within its bounds; old unfinished orders are loaded', async (t) => {
  if (!(await requireService(t, 'postgres'))) return;
  const db = await createTestDatabase('bounds');
  const store = await openPostgresStore(db.url);
  try {
    await check(store);
  } finally {
    await store.close();
    await db.drop();
  }
});

test('history bounds: defaults, environment overrides, a bad value names its variable', () => {
  assert.deepEqual(historyBoundsFromEnv({}), DEFAULT_HISTORY_BOUNDS);
  const b = historyBoundsFromEnv({ SOLRULES_HISTORY_EXECUTIONS_LIMIT: '50', SOLRULES_HISTORY_PNL_HOURS: '1.5' });
  assert.equal(b.executions.limit, 50);
  assert.equal(b.pnl.hours, 1.5);
  assert.equal(b.walletBalances.limit, DEFAULT_HISTORY_BOUNDS.walletBalances.limit);
  assert.throws(() => historyBoundsFromEnv({ SOLRULES_HISTORY_RULE_SETS_LIMIT: '2.5' }), (e: unknown) => isSolrulesError(e, 'STORE_CONFIG') && /SOLRULES_HISTORY_RULE_SETS_LIMIT/.test((e as Error).message));
});

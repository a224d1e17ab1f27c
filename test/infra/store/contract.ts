/**
 * The store contract: one suite every implementation must pass (memory, PGlite, PostgreSQL).
 * `open` returns a fresh, empty store; `cleanup` removes what it made.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadHistory, type Store } from '../../../engine/infra/store/index.ts';
import { isSolrulesError, type ErrorCode } from '../../../engine/errors/index.ts';
import { requireService, type ServiceName } from '../../support/services.ts';
import { makeOrder, paperReport, SOL, USDC } from './orders.ts';

export interface StoreUnderTest {
  store: Store;
  cleanup(): Promise<void>;
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (err: unknown) => isSolrulesError(err, code) || assert.fail(`expected ${code}, got ${String(err)}`));
}

/** Registers the contract suite for one implementation; each case first requires `service` (fails under CI=true when it is down). */
export function storeContract(name: string, open: () => Promise<StoreUnderTest>, service?: ServiceName): void {
  describe(`store contract: ${name}`, () => {
    let sut: StoreUnderTest | undefined;
    let s: Store;
    after(async () => {
      if (sut) {
        await sut.store.close();
        await sut.cleanup();
      }
    });
    const test = (title: string, fn: () => Promise<void>) =>
      it(title, async (t) => {
        if (service && !(await requireService(t, service))) return;
        sut ??= await open();
        s = sut.store;
        await fn();
      });

    test('an order round-trips exactly; a second insert of the same id is refused', async () => {
      const o = makeOrder(1, 'grid', { amountIn: 123_456_789_012_345_678_901_234_567_890n, expectedProfitLamports: 42n, chunk: { index: 1, count: 3 } });
      assert.equal(await s.insertOrder(o), true);
      assert.equal(await s.insertOrder(o), false);
      const got = await s.getOrder(o.id);
      assert.deepEqual(got?.order, o);
      assert.equal(got?.status, 'decided');
      assert.match(got!.updatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(await s.getOrder('ord_missing'), undefined);
    });

    test('status updates keep executor and reason; unknown order and bad status are refused', async () => {
      const o = makeOrder(2);
      await s.insertOrder(o, 'routed');
      await s.updateOrderStatus(o.id, 'submitted', { executor: 'jito' });
      await s.updateOrderStatus(o.id, 'failed', { reason: 'blockhash expired' });
      const got = await s.getOrder(o.id);
      assert.equal(got?.status, 'failed');
      assert.equal(got?.executor, 'jito');
      assert.equal(got?.reason, 'blockhash expired');
      await rejectsWith(s.updateOrderStatus('ord_nope', 'filled'), 'STORE_UNKNOWN_ORDER');
      await rejectsWith(s.updateOrderStatus(o.id, 'lost' as never), 'STORE_INVALID');
    });

    test('listOrders filters by status and strategy, in insertion order', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const o = makeOrder(100 + i, i % 2 ? 'dca' : 'grid');
        ids.push(o.id);
        await s.insertOrder(o, i < 3 ? 'routed' : 'blocked');
      }
      const dcaRouted = await s.listOrders({ status: ['routed'], strategy: 'dca' });
      assert.deepEqual(dcaRouted.map((r) => r.order.id), [ids[1]]);
      const blocked = await s.listOrders({ status: ['blocked', 'expired'] });
      assert.deepEqual(blocked.map((r) => r.order.id), ids.slice(3));
      const allDca = await s.listOrders({ strategy: 'dca' });
      assert.deepEqual(allDca.map((r) => r.order.id), [ids[1], ids[3], ids[5]]);
    });

    test('an execution is recorded once, with its fills, and moves the order to its final status', async () => {
      const o = makeOrder(3);
      await s.insertOrder(o, 'submitted');
      const report = {
        ...paperReport(o, '2024-01-01T00:00:05Z'),
        amountOut: 18_446_744_073_709_551_617n, // 2^64 + 1: exact beyond 64 bits
        signature: 'sig1',
        slot: 250_000_001,
        fills: [
          { inputMint: USDC, outputMint: SOL, amountIn: 200_000_000n, amountOut: 1_000_000_000n, venue: 'orca' },
          { inputMint: USDC, outputMint: SOL, amountIn: 200_000_003n, amountOut: 18_446_744_072_709_551_617n },
        ],
      };
      assert.equal(await s.recordExecution(report), true);
      assert.equal(await s.recordExecution({ ...report, amountOut: 1n }), false);
      const [got] = await s.listExecutions(o.id);
      assert.deepEqual(got, { ...report, at: '2024-01-01T00:00:05.000Z' });
      assert.equal((await s.getOrder(o.id))?.status, 'filled');
      assert.equal((await s.getOrder(o.id))?.executor, 'paper');
      const failed = makeOrder(4);
      await s.insertOrder(failed, 'submitted');
      await s.recordExecution({ ...paperReport(failed, '2024-01-01T00:00:01Z'), status: 'rejected', amountOut: 0n, reason: 'slippage' });
      assert.equal((await s.getOrder(failed.id))?.status, 'failed');
      assert.equal((await s.getOrder(failed.id))?.reason, 'slippage');
      assert.deepEqual((await s.listExecutions()).map((e) => e.orderId), [failed.id, o.id]); // by time
      await rejectsWith(s.recordExecution({ ...paperReport(makeOrder(5)), feeAtoms: -1n }), 'STORE_INVALID');
      await rejectsWith(s.recordExecution({ ...paperReport(makeOrder(5)), at: 'yesterday' }), 'STORE_INVALID');
      assert.deepEqual(await s.listExecutions(makeOrder(5).id), []);
    });

    test('a write with an older fencing token is refused; equal or newer tokens pass', async () => {
      const [a, b, c] = [makeOrder(6), makeOrder(7), makeOrder(8)];
      const fence = (token: number) => ({ fence: { resource: 'wallet:W1', token } });
      assert.equal(await s.recordExecution(paperReport(a), fence(5)), true);
      await rejectsWith(s.recordExecution(paperReport(b), fence(3)), 'STORE_FENCED');
      assert.deepEqual(await s.listExecutions(b.id), [], 'the fenced write left nothing behind');
      assert.equal(await s.recordSubmission({ orderId: b.id, attempt: 1, executor: 'rpc', at: '2024-01-01T00:00:00Z' }, fence(5)), true);
      assert.equal(await s.recordExecution(paperReport(c), fence(9)), true);
      await rejectsWith(s.recordSubmission({ orderId: c.id, attempt: 1, executor: 'rpc', at: '2024-01-01T00:00:00Z' }, fence(5)), 'STORE_FENCED');
      assert.equal(await s.recordExecution(paperReport(b), { fence: { resource: 'wallet:W2', token: 1 } }), true, 'fences are per resource');
    });

    test('submissions are recorded once per attempt', async () => {
      const o = makeOrder(9);
      const sub = { orderId: o.id, attempt: 1, executor: 'jito', workerId: 'w1', wallet: 'W1', bundleId: 'b1', at: '2024-01-01T00:00:01Z' };
      assert.equal(await s.recordSubmission(sub), true);
      assert.equal(await s.recordSubmission(sub), false);
      assert.equal(await s.recordSubmission({ ...sub, attempt: 2, signature: 's2', at: '2024-01-01T00:00:03Z' }), true);
      const list = await s.listSubmissions(o.id);
      assert.deepEqual(list, [
        { ...sub, at: '2024-01-01T00:00:01.000Z' },
        { ...sub, attempt: 2, signature: 's2', at: '2024-01-01T00:00:03.000Z' },
      ]);
    });

    test('P&L entries keep exact signed atoms, per strategy, in time order', async () => {
      await s.recordPnl({ strategy: 'grid', orderId: 'o1', mint: USDC, realizedAtoms: -340_282_366_920_938_463_463_374_607_431_768_211_457n, realizedUsd: -1.5, at: '2024-01-02T00:00:00Z' });
      await s.recordPnl({ strategy: 'grid', mint: USDC, realizedAtoms: 12n, at: '2024-01-01T00:00:00Z' });
      await s.recordPnl({ strategy: 'dca', mint: SOL, realizedAtoms: 5n, at: '2024-01-01T00:00:00Z' });
      const grid = await s.listPnl({ strategy: 'grid' });
      assert.deepEqual(grid, [
        { strategy: 'grid', mint: USDC, realizedAtoms: 12n, at: '2024-01-01T00:00:00.000Z' },
        { strategy: 'grid', orderId: 'o1', mint: USDC, realizedAtoms: -340_282_366_920_938_463_463_374_607_431_768_211_457n, realizedUsd: -1.5, at: '2024-01-02T00:00:00.000Z' },
      ]);
      assert.equal((await s.listPnl()).length, 3);
    });

    test('strategy state round-trips as JSON and is replaced on save', async () => {
      assert.equal(await s.loadStrategyState('grid'), undefined);
      const state = { levels: [{ price: 101.25, filled: true, atoms: '1000000000000000000000' }], nested: { a: [1, null, 'x'] }, ok: false };
      await s.saveStrategyState('grid', state);
      assert.deepEqual(await s.loadStrategyState('grid'), state);
      await s.saveStrategyState('grid', { levels: [] });
      assert.deepEqual(await s.loadStrategyState('grid'), { levels: [] });
      await s.saveStrategyState('dca', null);
      assert.equal(await s.loadStrategyState('dca'), null);
    });

    test('the outbox is written with the strategy state, listed in order, kept across a repeat and cleared by id', async () => {
      const [a, b, c] = [makeOrder(700, 'outbox-grid'), makeOrder(701, 'outbox-grid', { amountIn: 340_282_366_920_938_463_463_374_607_431_768_211_457n }), makeOrder(702, 'outbox-dca')];
      assert.deepEqual(await s.listOutbox('outbox-grid'), []);
      await s.writeOutbox([{ strategy: 'outbox-grid', state: { allocations: { 3: '400' } }, orders: [a!, b!] }]);
      await s.writeOutbox([{ strategy: 'outbox-dca', state: { buys: 1 }, orders: [c!] }]);
      assert.deepEqual((await s.outboxStrategies()).filter((n) => n.startsWith('outbox-')), ['outbox-dca', 'outbox-grid'], 'the strategies with something in their outbox');
      assert.deepEqual(await s.loadStrategyState('outbox-grid'), { allocations: { 3: '400' } });
      assert.deepEqual(await s.listOutbox('outbox-grid'), [a, b], 'exact round trip, bigint atoms included, in the order added');
      // The same decision stored again (a retried write, a takeover re-deciding it) adds no second copy.
      await s.writeOutbox([{ strategy: 'outbox-grid', state: { allocations: { 3: '400', 4: '1' } }, orders: [b!] }]);
      assert.deepEqual((await s.listOutbox('outbox-grid')).map((o) => o.id), [a!.id, b!.id]);
      assert.deepEqual(await s.loadStrategyState('outbox-grid'), { allocations: { 3: '400', 4: '1' } });
      await s.clearOutbox('outbox-grid', [a!.id, 'not-in-the-outbox']);
      assert.deepEqual(await s.listOutbox('outbox-grid'), [b]);
      await s.clearOutbox('outbox-grid', [b!.id]);
      await s.clearOutbox('outbox-grid', []);
      assert.deepEqual(await s.listOutbox('outbox-grid'), []);
      assert.deepEqual(await s.listOutbox('outbox-dca'), [c], 'another strategy\'s outbox is its own');
      assert.deepEqual((await s.outboxStrategies()).filter((n) => n.startsWith('outbox-')), ['outbox-dca'], 'an emptied outbox is no longer listed');
      assert.equal(await s.getOrder(a!.id), undefined, 'the outbox is not the order log: the coordinator records the order when it receives it');
    });

    test('group commit: several strategies\' states and outbox rows in one write, with published rows removed in it', async () => {
      const [a, b, c, d, e] = [makeOrder(710, 'group-grid'), makeOrder(711, 'group-grid'), makeOrder(712, 'group-dca'), makeOrder(713, 'group-grid'), makeOrder(714, 'group-arb')];
      await s.writeOutbox([
        { strategy: 'group-grid', state: { allocations: { [a!.id]: '1' } }, orders: [a!] },
        { strategy: 'group-dca', state: { buys: 1 }, orders: [c!] },
        // The same strategy again (a later tick in the same write): its last state stands, its orders add in turn.
        { strategy: 'group-grid', state: { allocations: { [a!.id]: '1', [b!.id]: '1' } }, orders: [b!] },
        { strategy: 'group-arb', state: { realizedAtoms: '0' }, orders: [] },
      ]);
      assert.deepEqual(await s.loadStrategyState('group-grid'), { allocations: { [a!.id]: '1', [b!.id]: '1' } }, 'the last state of a strategy named twice');
      assert.deepEqual(await s.loadStrategyState('group-dca'), { buys: 1 });
      assert.deepEqual(await s.loadStrategyState('group-arb'), { realizedAtoms: '0' }, 'a state with no order is stored too (a fill\'s state save)');
      assert.deepEqual(await s.listOutbox('group-grid'), [a, b], 'in the order added, across entries');
      assert.deepEqual(await s.listOutbox('group-dca'), [c]);
      assert.deepEqual((await s.outboxStrategies()).filter((n) => n.startsWith('group-')), ['group-dca', 'group-grid'], 'no outbox listed for a strategy that added no order');
      // The next write removes what was seen published (a and c), adds d, and keeps b: removal is by id, across strategies.
      await s.writeOutbox([{ strategy: 'group-grid', state: { allocations: { [b!.id]: '1', [d!.id]: '1' } }, orders: [d!] }], [a!.id, c!.id, 'not-in-any-outbox']);
      assert.deepEqual(await s.listOutbox('group-grid'), [b, d]);
      assert.deepEqual(await s.listOutbox('group-dca'), []);
      assert.deepEqual((await s.outboxStrategies()).filter((n) => n.startsWith('group-')), ['group-grid']);
      // An id both added and named published in one write is kept: the row is there to be published (again).
      await s.writeOutbox([{ strategy: 'group-arb', state: { realizedAtoms: '1' }, orders: [e!] }], [e!.id, b!.id]);
      assert.deepEqual(await s.listOutbox('group-arb'), [e], 'an id added in the same write is not removed by it');
      assert.deepEqual(await s.listOutbox('group-grid'), [d]);
      // Only removals (the planner idle): nothing else changes.
      await s.writeOutbox([], [d!.id, e!.id]);
      assert.deepEqual((await s.outboxStrategies()).filter((n) => n.startsWith('group-')), []);
      assert.deepEqual(await s.loadStrategyState('group-arb'), { realizedAtoms: '1' });
      await s.writeOutbox([]); // nothing to write: a no-op, not an error
    });

    test('rule-set versions are kept in the order applied', async () => {
      await s.recordRuleSet({ hash: 'h1', content: '{"rules":1}', source: 'startup', appliedAt: '2024-01-01T00:00:00Z' });
      await s.recordRuleSet({ hash: 'h2', content: '{"rules":2}', source: 'rules/grid.yaml', appliedAt: '2024-01-01T00:05:00Z' });
      await s.recordRuleSet({ hash: 'h1', content: '{"rules":1}', source: 'admin', appliedAt: '2024-01-01T00:10:00Z' });
      assert.deepEqual((await s.listRuleSets()).map((r) => `${r.hash}@${r.source}`), ['h1@startup', 'h2@rules/grid.yaml', 'h1@admin']);
    });

    test('wallet balance history filters by mint and time', async () => {
      await s.recordWalletBalance({ wallet: 'W1', mint: SOL, atoms: 5_000_000_000n, slot: 10, at: '2024-01-01T00:00:00Z' });
      await s.recordWalletBalance({ wallet: 'W1', mint: USDC, atoms: 20_000_000_000n, at: '2024-01-01T00:00:00Z' });
      await s.recordWalletBalance({ wallet: 'W1', mint: SOL, atoms: 4_999_995_000n, slot: 11, at: '2024-01-01T01:00:00Z' });
      await s.recordWalletBalance({ wallet: 'W2', mint: SOL, atoms: 1n, at: '2024-01-01T01:00:00Z' });
      const sol = await s.walletBalanceHistory('W1', { mint: SOL });
      assert.deepEqual(sol.map((b) => [b.atoms, b.slot]), [[5_000_000_000n, 10], [4_999_995_000n, 11]]);
      assert.equal((await s.walletBalanceHistory('W1')).length, 3);
      assert.deepEqual((await s.walletBalanceHistory('W1', { from: '2024-01-01T00:30:00Z' })).map((b) => b.atoms), [4_999_995_000n]);
      await rejectsWith(s.recordWalletBalance({ wallet: 'W1', mint: SOL, atoms: -1n, at: '2024-01-01T00:00:00Z' }), 'STORE_INVALID');
    });

    test('market snapshots across days: range [from, to), first write of a point kept', async () => {
      const snaps = [];
      for (let h = 0; h < 72; h += 6) {
        snaps.push({ market: SOL, kind: 'price', at: new Date(Date.UTC(2024, 2, 10, h)).toISOString(), data: { usd: 100 + h, atoms: '123' } });
      }
      snaps.push({ market: SOL, kind: 'pool', at: '2024-03-11T00:00:00Z', data: { liquidity: '999999999999999999999' } });
      snaps.push({ market: USDC, kind: 'price', at: '2024-03-11T00:00:00Z', data: { usd: 1 } });
      await s.recordMarketSnapshots(snaps);
      await s.recordMarketSnapshots([{ market: SOL, kind: 'price', at: '2024-03-10T00:00:00.000Z', data: { usd: -1 } }]);
      const day2 = await s.listMarketSnapshots({ market: SOL, from: '2024-03-11T00:00:00Z', to: '2024-03-12T00:00:00Z' });
      assert.deepEqual(day2.map((x) => `${x.at.slice(11, 13)}:${x.kind}`), ['00:pool', '00:price', '06:price', '12:price', '18:price']);
      const prices = await s.listMarketSnapshots({ market: SOL, kind: 'price', from: '2024-03-01T00:00:00Z', to: '2024-04-01T00:00:00Z' });
      assert.equal(prices.length, 12);
      assert.deepEqual(prices[0], { market: SOL, kind: 'price', at: '2024-03-10T00:00:00.000Z', data: { usd: 100, atoms: '123' } });
    });

    test('concurrent inserts of one order id: exactly one wins', async () => {
      const o = makeOrder(500);
      const results = await Promise.all(Array.from({ length: 20 }, () => s.insertOrder(o)));
      assert.equal(results.filter(Boolean).length, 1);
      const reports = await Promise.all(Array.from({ length: 20 }, () => s.recordExecution(paperReport(o))));
      assert.equal(reports.filter(Boolean).length, 1);
    });

    test('discardOrdersAfter removes the orders decided after a time with their submissions, executions, fills and P&L, and nothing older', async () => {
      const at = (sec: number) => new Date(Date.UTC(2031, 0, 1, 0, 0, sec)).toISOString();
      const [kept, cut1, cut2] = [makeOrder(901, 'grid', { createdAt: at(0) }), makeOrder(902, 'grid', { createdAt: at(1) }), makeOrder(903, 'dca', { createdAt: at(2) })];
      for (const o of [kept, cut1, cut2]) await s.insertOrder(o, 'submitted');
      await s.recordSubmission({ orderId: cut1.id, attempt: 1, executor: 'paper', at: at(1) });
      const fills = [{ inputMint: USDC, outputMint: SOL, amountIn: 1n, amountOut: 2n }];
      for (const o of [kept, cut1]) await s.recordExecution({ ...paperReport(o, at(3)), fills });
      await s.recordPnl({ strategy: 'grid', orderId: cut1.id, mint: USDC, realizedAtoms: 5n, at: at(3) });
      const before = { orders: (await s.listOrders()).length, executions: (await s.listExecutions()).length, pnl: (await s.listPnl()).length };
      assert.equal(await s.discardOrdersAfter(at(0)), 2);
      assert.equal((await s.getOrder(kept.id))?.status, 'filled', 'an order at the cut itself is kept');
      assert.equal(await s.getOrder(cut1.id), undefined);
      assert.equal(await s.getOrder(cut2.id), undefined);
      assert.deepEqual(await s.listExecutions(cut1.id), []);
      assert.deepEqual(await s.listSubmissions(cut1.id), []);
      assert.equal((await s.listExecutions(kept.id))[0]?.fills?.length, 1);
      assert.deepEqual({ orders: (await s.listOrders()).length, executions: (await s.listExecutions()).length, pnl: (await s.listPnl()).length }, { orders: before.orders - 2, executions: before.executions - 1, pnl: before.pnl - 1 });
      // A second insert of a discarded order is a new decision again.
      assert.equal(await s.insertOrder(cut1), true);
      assert.equal(await s.discardOrdersAfter(at(0)), 1);
    });

    test('a wallet settlement is claimed once: its claimant again is true, another claimant false, per namespace; concurrent claims have one winner', async () => {
      assert.equal(await s.claimWalletSettlement('treasure-a', 'sig1', 'journal-a@10'), true);
      assert.equal(await s.claimWalletSettlement('treasure-a', 'sig1', 'journal-a@10'), true, 'a retry or replay of the same line');
      assert.equal(await s.claimWalletSettlement('treasure-a', 'sig1', 'journal-b@42'), false, 'another host settling it again');
      assert.equal(await s.claimWalletSettlement('treasure-b', 'sig1', 'journal-b@42'), true, 'another wallet set is another namespace');
      const won = await Promise.all(['x@1', 'y@1', 'z@1'].map((c) => s.claimWalletSettlement('treasure-a', 'sig2', c)));
      assert.equal(won.filter(Boolean).length, 1, `one winner: ${won}`);
    });

    test('the historical loader returns strategy state, unsent and in-flight orders', async () => {
      const [unsent, sent, done] = [makeOrder(600, 'dca'), makeOrder(601, 'dca'), makeOrder(602, 'dca')];
      await s.insertOrder(unsent, 'routed');
      await s.insertOrder(sent, 'submitted');
      await s.recordSubmission({ orderId: sent.id, attempt: 1, executor: 'rpc', signature: 'sigX', at: '2024-01-01T00:00:00Z' });
      await s.insertOrder(done, 'submitted');
      await s.recordExecution(paperReport(done));
      await s.saveStrategyState('dca-recovery', { positionAtoms: '7', entries: 3 });
      const h = await loadHistory(s, ['dca-recovery', 'never-ran']);
      assert.deepEqual([...h.strategyState], [['dca-recovery', { positionAtoms: '7', entries: 3 }]]);
      const ids = (xs: { order: { id: string } }[]) => xs.map((x) => x.order.id);
      assert.ok(ids(h.unsent).includes(unsent.id));
      assert.ok(!ids(h.unsent).includes(sent.id) && !ids(h.unsent).includes(done.id));
      const inflight = h.inFlight.find((x) => x.order.order.id === sent.id);
      assert.equal(inflight?.submissions[0]?.signature, 'sigX');
      assert.ok(!h.inFlight.some((x) => x.order.order.id === done.id));
    });
  });
}

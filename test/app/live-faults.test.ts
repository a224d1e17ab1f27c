/**
 * Faults during a LIVE run on the sandbox (real Whirlpool and DLMM programs, SIMULATED other
 * traders, the engine composed as `npm run demo` and `run --live` compose it): a WebSocket
 * dropped and resumed, an RPC answering 429 and then not answering, a blockhash expiring before
 * its transaction lands, a bundle that never lands. Each test prints its counts and asserts them:
 * no order lands twice, none is lost (every decided order has an outcome, every failure a
 * reason), and the workers' balances on chain reconcile to the atom with the realized legs.
 * The fault switches are the sandbox's (`sandbox/faults.ts`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countsLine, startLiveHarness, type LiveHarness } from './support/live-harness.ts';
import { waitUntil } from '../support/wait.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` once, when the next transaction signed by one of the engine's workers lands. */
function onNextEngineLanding(h: LiveHarness, fn: (signature: string) => void): void {
  const workers = new Set(h.wallets.workers.map((w) => w.address));
  const listener = (record: { signature: string; accountKeys: string[]; err: unknown }) => {
    if (!workers.has(record.accountKeys[0]!) || record.err) return;
    h.sb.chain.off('transaction', listener);
    fn(record.signature);
  };
  h.sb.chain.on('transaction', listener);
}

/** The common end of every fault test: nothing lost, nothing twice, every failure explained, wallets reconciled. */
async function assertAccounted(h: LiveHarness, opts: { exact?: boolean } = {}): Promise<void> {
  const c = await h.counts();
  assert.equal(c.lost, 0, 'every decided order has an outcome');
  assert.equal(c.duplicates, 0, 'no order landed twice');
  assert.equal(c.unexplained, 0, 'every failure has a reason');
  assert.equal(c.landed, c.filled, 'every order that landed is reported filled (and reconciled)');
  for (const { order, report } of h.results.filter((r) => r.report.status === 'filled')) {
    // A send held by the fault lands later, on a pool other traders moved meanwhile: its min-out is
    // the guarantee then, and the reconciliation reports what it realized (the wallets still add up).
    if (opts.exact ?? true) assert.equal(report.reconciliation.realizedAmountOut, report.reconciliation.expectedAmountOut, `order ${order.id}: realized = expected`);
    else assert.ok(BigInt(report.reconciliation.realizedAmountOut) >= BigInt(order.minAmountOut), `order ${order.id}: realized ${report.reconciliation.realizedAmountOut} below its min-out ${order.minAmountOut}`);
  }
  // No new transaction after one landed: attempts after the landed one would be a duplicate send.
  for (const { order } of await h.app.store.listOrders()) {
    const entries = await h.journal.forOrder(order.id);
    const landedAt = entries.findIndex((e) => e.signatures.every((s) => h.sb.getTransaction(s)?.err === null));
    if (landedAt >= 0) assert.equal(landedAt, entries.length - 1, `order ${order.id}: nothing was sent after attempt ${entries[landedAt]!.attempt} landed`);
  }
  assert.deepEqual(h.reconcile(), [], 'the workers reconcile to the atom');
}

test('a WebSocket dropped and resumed mid-run: the missed account updates are recovered by the resync, the facts catch up, trading goes on', { timeout: 120_000 }, async () => {
  const h = await startLiveHarness();
  try {
    for (let i = 0; i < 4; i++) await h.step();
    const scanner = h.source.scanner!;
    const watched = scanner.market.watchedAccounts();
    const same = (a: string) => {
      const mine = scanner.market.accounts.get(a);
      const chain = h.sb.getAccount(a);
      // An account that does not exist (an uninitialized tick or bin array) is held as empty.
      return !!mine && Buffer.from(mine.data).equals(Buffer.from(chain?.data ?? new Uint8Array()));
    };
    const stale = () => watched.filter((a) => !same(a));
    await waitUntil(() => stale().length === 0, { what: 'the scanner in sync before the drop', timeoutMs: 10_000 });
    const watchedSet = new Set(watched);
    let missedNotifications = 0;
    const onAccounts = (changes: { address: string }[]) => {
      if (h.sb.faults.websocketsDown) missedNotifications += changes.filter((c) => watchedSet.has(c.address)).length;
    };
    h.sb.chain.on('accounts', onAccounts);
    const before = { reconnects: scanner.source.stats().reconnects, ticks: h.app.engine.stats.ticks, received: scanner.stats.received };

    h.sb.faults.set({ websocketsDown: true });
    await waitUntil(() => !scanner.source.stats().connected, { what: 'the scanner to see the drop' });
    // Other traders keep swapping while we are blind.
    for (let i = 0; i < 8; i++) h.flow.step();
    await sleep(300);
    const missedAccounts = stale();
    const receivedWhileDown = scanner.stats.received - before.received;
    h.sb.faults.set({ websocketsDown: false });
    h.sb.chain.off('accounts', onAccounts);

    await waitUntil(() => scanner.source.stats().connected && scanner.source.stats().reconnects > before.reconnects, { what: 'the scanner to reconnect and resubscribe', timeoutMs: 20_000 });
    await waitUntil(() => stale().length === 0, { what: 'every watched account resynced', timeoutMs: 10_000 });
    const recovered = missedAccounts.filter(same).length;
    // The facts catch up: a price event computed on the resynced pools reached the engine.
    await waitUntil(() => h.app.engine.stats.ticks > before.ticks, { what: 'a price event after the resync', timeoutMs: 10_000 });
    const lastFlowSlot = h.sb.slot;
    assert.ok((h.app.engine.price?.slot ?? 0) >= lastFlowSlot - 1, `the engine's price is from slot ${h.app.engine.price?.slot}, the chain is at ${lastFlowSlot}`);

    const filledBefore = h.results.filter((r) => r.report.status === 'filled').length;
    for (let i = 0; i < 80 && h.results.filter((r) => r.report.status === 'filled').length === filledBefore; i++) await h.step();
    const c = await h.counts();
    console.log(countsLine('websocket dropped and resumed', c, { 'missed notifications': missedNotifications, 'accounts stale at reconnect': missedAccounts.length, 'recovered by resync': recovered, 'received while down': receivedWhileDown, reconnects: scanner.source.stats().reconnects - before.reconnects, 'closed / refused sockets': `${h.sb.stats().faults.closedWebSockets} / ${h.sb.stats().faults.refusedWebSockets}` }));
    assert.ok(missedNotifications > 0, 'the flow changed watched accounts while the socket was down');
    assert.ok(missedAccounts.length > 0, 'the scanner missed them');
    assert.equal(receivedWhileDown, 0, 'nothing arrived while down');
    assert.equal(recovered, missedAccounts.length, 'every missed account recovered');
    assert.ok(c.filled > filledBefore, 'orders land after the reconnect too');
    await assertAccounted(h);
  } finally {
    await h.close();
  }
});

test('an RPC answering 429, then not answering, mid-send: backoff and retries, no second transaction for an order, each order lands or fails with its reason', { timeout: 120_000 }, async () => {
  const h = await startLiveHarness();
  try {
    await h.step();
    // 429 from the moment one of our transactions lands (its confirmation, reconciliation and the next orders' sends meet it).
    let rateLimitedAt = 0;
    let inFlightAt429 = '';
    onNextEngineLanding(h, (signature) => {
      h.sb.faults.set({ rateLimit: true });
      rateLimitedAt = Date.now();
      inFlightAt429 = signature;
    });
    await waitUntil(async () => (h.flow.step(), await sleep(300), rateLimitedAt > 0), { what: 'an engine transaction to land', timeoutMs: 30_000 });
    for (let i = 0; i < 6; i++) (h.flow.step(), await sleep(150));
    h.sb.faults.set({ rateLimit: false });
    const rateLimited = h.sb.stats().faults.rateLimited;
    await waitUntil(h.settled, { what: 'orders to settle after the 429s', timeoutMs: 30_000 });
    // Then no answer at all, past the executors' 5 s request timeout; held requests are answered afterwards (a timed-out send can still land).
    let heldFrom = 0;
    let inFlightAtTimeout = '';
    onNextEngineLanding(h, (signature) => {
      h.sb.faults.set({ timeout: true });
      heldFrom = Date.now();
      inFlightAtTimeout = signature;
    });
    await waitUntil(async () => (h.flow.step(), await sleep(300), heldFrom > 0), { what: 'an engine transaction to land', timeoutMs: 30_000 });
    for (let i = 0; i < 6; i++) (h.flow.step(), await sleep(1000));
    h.sb.faults.set({ timeout: false });
    const held = h.sb.stats().faults.heldRequests;
    await waitUntil(h.settled, { what: 'orders to settle after the timeouts', timeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) await h.step();

    // The order whose transaction had just been sent (and landed) when each fault began: confirmed through the fault, one attempt.
    const inFlight = async (signature: string) => {
      for (const { order } of await h.app.store.listOrders()) {
        const entries = await h.journal.forOrder(order.id);
        if (entries.some((e) => e.signatures.includes(signature))) return { attempts: entries.length, result: h.results.find((r) => r.order.id === order.id) };
      }
      return undefined;
    };
    const at429 = await inFlight(inFlightAt429);
    const atTimeout = await inFlight(inFlightAtTimeout);
    for (const [what, o] of [['429', at429], ['timeout', atTimeout]] as const) {
      assert.equal(o?.result?.report.status, 'filled', `the order in flight when the ${what} fault began: ${o?.result?.report.reason}`);
      assert.equal(o!.attempts, 1, `the order in flight when the ${what} fault began was not sent again`);
    }
    const c = await h.counts();
    const reasons = h.results.filter((r) => r.report.status !== 'filled').map((r) => String(r.report.reason).slice(0, 160));
    const filled = h.results.filter((r) => r.report.status === 'filled');
    const moved = filled.filter((r) => r.report.reconciliation.realizedAmountOut !== r.report.reconciliation.expectedAmountOut).length;
    console.log(countsLine('rpc 429 then timeouts', c, { 'requests answered 429': rateLimited, 'requests held': held, 'filled at another price than quoted (landed late)': moved }));
    const byReason = new Map<string, number>();
    for (const r of reasons) byReason.set(r.replace(/\d{4,}/g, 'N'), (byReason.get(r.replace(/\d{4,}/g, 'N')) ?? 0) + 1);
    for (const [r, n] of byReason) console.log(`  not filled: ${n} x ${r}`);
    assert.ok(rateLimited > 0 && held > 0, 'both faults hit requests');
    assert.ok(c.filled >= 2);
    await assertAccounted(h, { exact: false });
  } finally {
    await h.close();
  }
});

test('a blockhash expiring before landing: the same bytes are rebroadcast while it can land, a fresh blockhash only after it cannot, and the order lands once', { timeout: 120_000 }, async () => {
  // Every route sends through RPC here (the routing rules' 'jito' names an rpc executor): only DCA's low-urgency buys go to rpc otherwise.
  const h = await startLiveHarness({ executors: (sb) => ({ jito: { type: 'rpc', endpoints: [sb.rpcUrl], rebroadcastMs: 200, concurrency: 1 } }) });
  try {
    await h.step();
    // RPC sends are acknowledged and dropped (bundles are not affected): the first rpc order's transaction cannot land.
    const droppedBefore = h.sb.stats().faults.droppedTransactions;
    h.sb.faults.set({ dropTransactions: 1 });
    let target: { orderId: string; lastValidBlockHeight: number; signature: string } | undefined;
    await waitUntil(async () => {
      // The market moves only while no order is in flight, so every fill lands on the state it was quoted on (realized = expected).
      if (h.settled()) h.flow.step();
      await sleep(60);
      for (const { order } of await h.app.store.listOrders({ status: ['submitted'] })) {
        const [e] = await h.journal.forOrder(order.id);
        if (e && !e.bundleId && h.sb.stats().faults.droppedTransactions > droppedBefore) target = { orderId: order.id, lastValidBlockHeight: e.lastValidBlockHeight, signature: e.signatures[0]! };
      }
      return target !== undefined;
    }, { what: 'an rpc order sent and dropped', timeoutMs: 60_000 });
    const t = target!;
    // While its blockhash is valid it is only rebroadcast: the same signature, no new attempt.
    const dropsAtFirst = h.sb.stats().faults.droppedTransactions;
    await sleep(800);
    const rebroadcasts = h.sb.stats().faults.droppedTransactions - dropsAtFirst;
    assert.equal((await h.journal.forOrder(t.orderId)).length, 1, 'no second transaction while the first can still land');
    assert.ok(rebroadcasts >= 2, `the same bytes were rebroadcast (${rebroadcasts} times)`);
    // Its blockhash expires; only then may a new transaction be built.
    h.sb.advanceSlots(t.lastValidBlockHeight - h.sb.blockHeight + 5);
    const heightAtExpiry = h.sb.blockHeight;
    h.sb.faults.set({ dropTransactions: 0 });
    await waitUntil(async () => (await h.journal.forOrder(t.orderId)).length === 2, { what: 'the rebuilt attempt', timeoutMs: 20_000 });
    await waitUntil(h.settled, { what: 'the order to settle', timeoutMs: 20_000 });
    const entries = await h.journal.forOrder(t.orderId);
    const result = h.results.find((r) => r.order.id === t.orderId);
    for (let i = 0; i < 3; i++) await h.step();
    const c = await h.counts();
    console.log(countsLine('blockhash expired before landing', c, { 'rebroadcasts of attempt 1': rebroadcasts, 'attempt 1 valid until height': t.lastValidBlockHeight, 'height when attempt 2 was built': heightAtExpiry, [`order ${t.orderId.slice(0, 12)} attempts`]: entries.length }));
    assert.equal(result?.report.status, 'filled', result?.report.reason);
    assert.deepEqual(entries.map((e) => e.attempt), [1, 2]);
    assert.notEqual(entries[1]!.blockhash, entries[0]!.blockhash, 'the rebuild has a fresh blockhash');
    assert.ok(heightAtExpiry > t.lastValidBlockHeight, 'rebuilt only once the first could not land');
    assert.equal(h.sb.getTransaction(t.signature), undefined, 'the first attempt never landed');
    assert.equal(result.report.signature, entries[1]!.signatures[0], 'the rebuilt one did');
    await assertAccounted(h);
  } finally {
    await h.close();
  }
});

test('a bundle that never lands: detected at its blockhash end, rebuilt once by policy, else reported expired with its reason; nothing lost, no tip paid, tracked balances not inflated', { timeout: 120_000 }, async () => {
  const h = await startLiveHarness();
  try {
    await h.step();
    const cfg = h.app.holder.current.strategies;
    const tracked = () => ({ base: h.app.engine.portfolio.balance(cfg.market.base.mint), quote: h.app.engine.portfolio.balance(cfg.market.quote.mint) });
    // Each lost bundle's blockhash is made to pass (slots are manual here): the submitter can then tell it will never land.
    let expired = 0;
    const expirer = setInterval(() => {
      if (h.sb.stats().faults.lostBundles > expired) {
        expired = h.sb.stats().faults.lostBundles;
        setTimeout(() => h.sb.advanceSlots(200), 300);
      }
    }, 20);
    const lostOrders = async () => {
      const out: string[] = [];
      for (const { order } of await h.app.store.listOrders()) {
        const entries = await h.journal.forOrder(order.id);
        if (entries.some((e) => e.bundleId && h.sb.getBundle(e.bundleId)?.status === 'Pending')) out.push(order.id);
      }
      return out;
    };
    try {
      // (a) one bundle lost: the rebuild lands.
      // The flow stops once a bundle is lost: the rebuild is then quoted on the state the lost one was (no guard refusal in between).
      const stepUntilLost = (n: number) => async () => {
        if (h.sb.stats().faults.lostBundles === n - 1 && h.settled()) h.flow.step();
        await sleep(60);
        return h.sb.stats().faults.lostBundles >= n;
      };
      h.sb.faults.set({ loseNextBundles: 1 });
      await waitUntil(stepUntilLost(1), { what: 'a jito order and its bundle lost', timeoutMs: 60_000 });
      await waitUntil(h.settled, { what: 'the order after a lost bundle to settle', timeoutMs: 30_000 });
      const [rebuiltId] = await lostOrders();
      const rebuilt = h.results.find((r) => r.order.id === rebuiltId);
      assert.equal(rebuilt?.report.status, 'filled', rebuilt?.report.reason);
      assert.equal((await h.journal.forOrder(rebuiltId!)).length, 2, 'the lost attempt and its rebuild');
      // (b) both attempts lost: expired with the reason, not sent again.
      const trackedBefore = tracked();
      const filledBefore = h.results.filter((r) => r.report.status === 'filled').length;
      h.sb.faults.set({ loseNextBundles: 2 });
      await waitUntil(stepUntilLost(2), { what: 'another bundle lost', timeoutMs: 60_000 });
      await waitUntil(() => h.sb.stats().faults.lostBundles >= 3, { what: 'its rebuild lost too', timeoutMs: 30_000 });
      await waitUntil(h.settled, { what: 'the order to settle', timeoutMs: 30_000 });
      const expiredResult = h.results.find((r) => r.report.status === 'expired');
      assert.ok(expiredResult, `the order whose bundles never landed is reported expired: ${JSON.stringify((await lostOrders()).map((id) => h.results.find((x) => x.order.id === id)?.report.reason))}`);
      assert.match(expiredResult.report.reason, /blockhash expired without landing.*rebuilt 1 time\(s\), the policy allows 1/);
      const entries = await h.journal.forOrder(expiredResult.order.id);
      assert.equal(entries.length, 2);
      for (const e of entries) assert.equal(h.sb.getBundle(e.bundleId!)?.status, 'Pending', 'never landed');
      // The tracked balances (the wallet fact) moved only by what filled since, not by the lost order.
      const since = h.results.filter((r) => r.report.status === 'filled').slice(filledBefore);
      const want = { ...trackedBefore };
      for (const { order, report } of since) {
        const delta = (mint: string) => (mint === cfg.market.base.mint ? 'base' : 'quote') as 'base' | 'quote';
        want[delta(order.inputMint)] -= BigInt(report.amountIn);
        want[delta(order.outputMint)] += BigInt(report.amountOut);
      }
      assert.deepEqual(tracked(), want, 'tracked balances not inflated by the bundle that never landed');
    } finally {
      clearInterval(expirer);
    }
    for (let i = 0; i < 3; i++) await h.step();
    const c = await h.counts();
    console.log(countsLine('bundles that never land', c, { 'bundles lost': h.sb.stats().faults.lostBundles, 'orders expired': h.results.filter((r) => r.report.status === 'expired').length }));
    assert.equal(c.failed >= 1, true);
    await assertAccounted(h);
  } finally {
    await h.close();
  }
});

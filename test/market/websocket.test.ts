/**
 * WebSocket scanner over loopback, against the local sandbox (sandbox: JSON-RPC + PubSub on
 * LiteSVM) holding the real fixture pools: account updates in, normalized facts out, duplicates
 * dropped, a dropped WebSocket reconnected without losing the subscription or the updates missed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair } from '@solana/web3.js';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { raydiumAmmV4, RAYDIUM_AMM_V4_PROGRAM_ID, type Venue } from '../../engine/venues/index.ts';
import { MarketScanner, WebSocketSource, type ScannerConfig, type SourceSink } from '../../engine/market/index.ts';
import { auditRegistry, createLogger, registry } from '../../engine/infra/telemetry/index.ts';
import type { Sandbox } from '../../sandbox/index.ts';
import { ORCA_POOL, RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT, RAYDIUM_POOL, raydiumNear, SOL, USDC, withTokenAmount } from '../quotes/support.ts';
import { fixtureSandbox, recorder, sandboxConfig, until } from './support.ts';

async function withScanner(fn: (ctx: { sb: Sandbox; scanner: MarketScanner; rec: Awaited<ReturnType<typeof recorder>>; bus: MemoryBus }) => Promise<void>, cfg: (sb: Sandbox) => ScannerConfig = sandboxConfig): Promise<void> {
  const sb = await fixtureSandbox({ raydium: raydiumNear(1.004) });
  const bus = new MemoryBus();
  const rec = await recorder(bus);
  const scanner = new MarketScanner({ config: cfg(sb), bus, cache: new MemoryCache() });
  try {
    await scanner.start();
    await scanner.idle();
    await fn({ sb, scanner, rec, bus });
  } finally {
    await scanner.stop();
    await bus.close();
    await sb.close();
  }
}

function tokenAmount(sb: Sandbox, address: string): bigint {
  const data = sb.getAccount(address)!.data;
  return new DataView(data.buffer, data.byteOffset).getBigUint64(64, true);
}

function setTokenAmount(sb: Sandbox, address: string, amount: bigint): void {
  const a = sb.getAccount(address)!;
  sb.setAccount(address, { ...a, data: withTokenAmount({ address, ...a }, amount).data });
}

const poolFacts = (rec: Awaited<ReturnType<typeof recorder>>, venue: string) => rec.on(`market.events.${venue}.pool`);

test('initial state: one pool fact per pool, a Pyth price, an aggregated price and a spread', async () => {
  await withScanner(async ({ sb, rec, scanner }) => {
    const ray = poolFacts(rec, 'raydium-amm-v4');
    const orca = poolFacts(rec, 'orca-whirlpool');
    assert.equal(ray.length, 1);
    assert.equal(orca.length, 1);
    assert.equal(ray[0].reserveA, tokenAmount(sb, RAYDIUM_COIN_VAULT).toString(), 'reserves are the vault balances, exact atoms as strings');
    assert.equal(ray[0].reserveB, tokenAmount(sb, RAYDIUM_PC_VAULT).toString());
    assert.equal(ray[0].feeBps, 25);
    assert.equal(orca[0].feeBps, 20);
    assert.equal(ray[0].slot, sb.slot);
    assert.equal(rec.on('market.events.pyth.price').length, 1);
    assert.equal(rec.on('market.events.pyth.price')[0].price, '15933544250');
    const prices = rec.on(`market.prices.${SOL}`);
    const last = prices[prices.length - 1];
    assert.equal(last.source, 'venues+pyth');
    assert.equal(last.venues.length, 2);
    assert.ok(last.askUsd > last.bidUsd * 0.99 && last.askUsd < last.bidUsd * 1.01, 'bid and ask within a percent (pools 0.4 % apart)');
    assert.ok(Math.abs(last.spread.spreadBps - 40) < 8, `spread ${last.spread.spreadBps} bps ≈ the 0.4 % set between the pools`);
    assert.equal(last.spread.bestBidVenue, 'raydium-amm-v4');
    assert.equal(last.spread.bestAskVenue, 'orca-whirlpool');
    assert.equal(typeof last.time, 'string');
    assert.deepEqual(Object.keys(last.venues[0].impactBps), ['1000', '10000']);
    assert.ok(last.venues[0].impactBps['10000'] > last.venues[0].impactBps['1000']);
    assert.equal(scanner.market.poolsFor(SOL, USDC).length, 2);
    assert.equal(rec.on(`market.prices.${USDC}`).at(-1).usd, 1);
  });
});

test('a swap (both vaults, one slot) becomes one pool fact, an inferred trade and a volume fact, exact to the atom', async () => {
  await withScanner(async ({ sb, rec, scanner }) => {
    const coin = tokenAmount(sb, RAYDIUM_COIN_VAULT);
    const pc = tokenAmount(sb, RAYDIUM_PC_VAULT);
    // Someone sells 10 SOL into the pool for what the program would pay.
    const before = raydiumAmmV4.buildState(scanner.market.accounts.get(RAYDIUM_POOL)!, scanner.market.accounts);
    const q = (raydiumAmmV4 as Venue).quoteExactIn(before, SOL, 10n * 10n ** 9n);
    sb.advanceSlots(1);
    setTokenAmount(sb, RAYDIUM_COIN_VAULT, coin + q.amountIn);
    setTokenAmount(sb, RAYDIUM_PC_VAULT, pc - q.amountOut);
    await until(() => poolFacts(rec, 'raydium-amm-v4').length === 2, 'the pool fact after the swap');
    const fact = poolFacts(rec, 'raydium-amm-v4')[1];
    assert.equal(fact.reserveA, (coin + q.amountIn).toString());
    assert.equal(fact.reserveB, (pc - q.amountOut).toString());
    assert.deepEqual(fact.causes.sort(), [RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT].sort(), 'both vault notifications coalesced into one rebuild');
    assert.equal(fact.slot, sb.slot);
    // The quote the market state now gives is the venue's on the new reserves.
    const after = scanner.market.poolsFor(SOL, USDC).find((e) => e.state.address === RAYDIUM_POOL)!;
    const onChain = new Map([RAYDIUM_POOL, RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT].map((a) => [a, { address: a, ...sb.getAccount(a)! }]));
    const expected = raydiumAmmV4.buildState(onChain.get(RAYDIUM_POOL)!, onChain);
    assert.equal(after.venue.quoteExactIn(after.state, SOL, 10n ** 9n).amountOut, (raydiumAmmV4 as Venue).quoteExactIn(expected, SOL, 10n ** 9n).amountOut);
    // The trade is settled when the chain moves to the next slot.
    sb.advanceSlots(1);
    await until(() => rec.on('market.events.raydium-amm-v4.trade').length === 1, 'the inferred trade');
    const trade = rec.on('market.events.raydium-amm-v4.trade')[0];
    assert.equal(trade.inputMint, SOL);
    assert.equal(trade.amountIn, q.amountIn.toString());
    assert.equal(trade.amountOut, q.amountOut.toString());
    assert.equal(trade.inferred, true);
    const vol = rec.on(`market.volume.${SOL}`).at(-1);
    assert.equal(vol.trades24h, 1);
    assert.ok(Math.abs(vol.volume24hUsd - vol.averageTradeUsd) < 1e-9);
    // Valued at the reference price: Pyth's 159.3354425 USD (the fixture account is from another day than the pools).
    assert.ok(Math.abs(vol.volume24hUsd - (Number(q.amountIn) / 1e9) * 159.3354425) < 1e-6, `got ${vol.volume24hUsd}`);
  });
});

test('duplicates: the same change from accountSubscribe and programSubscribe is published once', async () => {
  const withProgram = (sb: Sandbox) => sandboxConfig(sb, { programs: [{ programId: RAYDIUM_AMM_V4_PROGRAM_ID, filters: [{ dataSize: 752 }] }] });
  await withScanner(async ({ sb, rec, scanner }) => {
    const facts0 = poolFacts(rec, 'raydium-amm-v4').length;
    const dup0 = scanner.stats.duplicates;
    const pool = sb.getAccount(RAYDIUM_POOL)!;
    const data = Uint8Array.from(pool.data);
    new DataView(data.buffer).setBigUint64(192, 5n * 10n ** 9n, true); // need_take_pnl_coin: the program trades 5 SOL less
    sb.advanceSlots(1);
    sb.setAccount(RAYDIUM_POOL, { ...pool, data });
    await until(() => scanner.stats.duplicates > dup0 && poolFacts(rec, 'raydium-amm-v4').length > facts0, 'both notifications');
    await new Promise((r) => setTimeout(r, 100));
    await scanner.idle();
    assert.equal(scanner.stats.duplicates - dup0, 1, 'the second delivery was dropped');
    assert.equal(poolFacts(rec, 'raydium-amm-v4').length - facts0, 1, 'one fact for one change');
    const fact = poolFacts(rec, 'raydium-amm-v4').at(-1);
    assert.equal(BigInt(fact.reserveA), tokenAmount(sb, RAYDIUM_COIN_VAULT) - 5n * 10n ** 9n);
  }, withProgram);
});

test('a dropped WebSocket is reconnected with its subscriptions, and what changed while it was down is not lost', async () => {
  await withScanner(async ({ sb, rec, scanner }) => {
    const source = scanner.source;
    assert.equal(source.stats().connected, true);
    sb.faults.set({ websocketsDown: true });
    await until(() => !source.stats().connected, 'the source to notice the drop');
    // While down: a change the subscription cannot deliver.
    const coin = tokenAmount(sb, RAYDIUM_COIN_VAULT);
    sb.advanceSlots(1);
    setTokenAmount(sb, RAYDIUM_COIN_VAULT, coin + 7n * 10n ** 9n);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(sb.faults.counters.refusedWebSockets >= 1, 'the client kept trying while the server refused');
    sb.faults.set({ websocketsDown: false });
    await until(() => source.stats().connected, 'the reconnect', 8_000);
    assert.equal(source.stats().reconnects, 1);
    await until(() => poolFacts(rec, 'raydium-amm-v4').some((f) => f.reserveA === (coin + 7n * 10n ** 9n).toString()), 'the change made while down (resync)');
    // After the reconnect the subscription itself delivers again.
    sb.advanceSlots(1);
    setTokenAmount(sb, RAYDIUM_COIN_VAULT, coin + 8n * 10n ** 9n);
    await until(() => poolFacts(rec, 'raydium-amm-v4').some((f) => f.reserveA === (coin + 8n * 10n ** 9n).toString()), 'a change after the reconnect');
    const fact = poolFacts(rec, 'raydium-amm-v4').at(-1);
    assert.deepEqual(fact.causes, [RAYDIUM_COIN_VAULT]);
    assert.ok(sb.stats().subscriptions >= scanner.market.watchedAccounts().length, 'every account subscription is back on the server');
    assert.ok(poolFacts(rec, 'orca-whirlpool').length >= 1);
    void ORCA_POOL;
  });
});

test('reconnect attempts back off: initialMs doubling up to maxMs while the server refuses', async () => {
  const sb = await fixtureSandbox();
  const lines: Record<string, any>[] = [];
  const log = createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  // sandboxConfig: reconnect.initialMs 50, maxMs 400; no jitter.
  const source = new WebSocketSource({ config: sandboxConfig(sb), random: () => 1, log });
  const sink: SourceSink = { account: () => undefined, slot: () => undefined, disconnected: () => undefined, reconnected: () => undefined, error: () => undefined };
  const delays = () => lines.filter((l) => l.msg === 'WebSocket not connected; retrying').map((l) => l.retryInMs);
  try {
    await source.start(sink);
    await source.watch([RAYDIUM_COIN_VAULT]);
    assert.equal(source.stats().connected, true);
    sb.faults.set({ websocketsDown: true });
    await until(() => delays().length >= 5, 'five refused attempts', 8_000);
    assert.deepEqual(delays().slice(0, 5), [50, 100, 200, 400, 400]);
    sb.faults.set({ websocketsDown: false });
    await until(() => source.stats().connected, 'the reconnect', 8_000);
    assert.equal(source.stats().reconnects, 1);
  } finally {
    await source.stop();
    await sb.close();
  }
});

test('event rates and latency (slot seen vs received) are measured', async () => {
  await withScanner(async ({ sb, scanner }) => {
    const coin = tokenAmount(sb, RAYDIUM_COIN_VAULT);
    sb.advanceSlots(1);
    setTokenAmount(sb, RAYDIUM_COIN_VAULT, coin + 1n);
    await until(() => scanner.stats.accepted >= 4, 'the update');
    const events = (await registry.getSingleMetric('solrules_scanner_events_total')!.get()).values.filter((v) => v.labels.mode === 'websocket');
    assert.ok(events.reduce((a, v) => a + v.value, 0) >= 1);
    const latency = (await registry.getSingleMetric('solrules_scanner_event_latency_seconds')!.get()).values.find((v) => (v as { metricName?: string }).metricName === 'solrules_scanner_event_latency_seconds_count' && v.labels.mode === 'websocket');
    assert.ok(latency && latency.value >= 1, 'latency observed');
    const kinds = new Set(events.map((v) => `${v.labels.venue}/${v.labels.kind}`));
    for (const k of ['raydium-amm-v4/pool', 'raydium-amm-v4/vault', 'orca-whirlpool/pool', 'orca-whirlpool/tick-array', 'pyth/oracle']) assert.ok(kinds.has(k), `${k} in ${[...kinds]}`);
    assert.deepEqual(await auditRegistry(), [], 'every label value within its catalog bound');
  });
});

test('subscriptions follow the watch list: many accounts subscribed at once, dropped ones unsubscribed, each delivering its own notifications', async () => {
  const sb = await fixtureSandbox();
  const got: { address: string; slot: number; lamports: bigint | null; data: Uint8Array }[] = [];
  const sink: SourceSink = { account: (u) => void got.push({ address: u.address, slot: u.slot, lamports: u.account.lamports, data: u.account.data }), slot: () => undefined, disconnected: () => undefined, reconnected: () => undefined, error: (e) => assert.fail(e.message) };
  const source = new WebSocketSource({ config: sandboxConfig(sb) });
  // 1,500 addresses that hold nothing, beside a real vault: requests are sent back to back, not one round trip each.
  const filler = Array.from({ length: 1_500 }, () => Keypair.generate().publicKey.toBase58());
  try {
    await source.start(sink);
    const base = sb.stats().subscriptions; // the slot subscription
    await source.watch([RAYDIUM_COIN_VAULT, ...filler]);
    assert.equal(source.stats().watched, 1_501);
    await until(() => sb.stats().subscriptions === base + 1_501, 'every subscription on the server');
    const last = filler.at(-1)!;
    sb.advanceSlots(1);
    sb.setAccount(last, { lamports: 1_234n, data: Uint8Array.from([1, 2, 3]) });
    setTokenAmount(sb, RAYDIUM_COIN_VAULT, tokenAmount(sb, RAYDIUM_COIN_VAULT) + 1n);
    await until(() => got.some((g) => g.address === last) && got.some((g) => g.address === RAYDIUM_COIN_VAULT), 'both notifications');
    const note = got.find((g) => g.address === last)!;
    assert.equal(note.lamports, 1_234n);
    assert.deepEqual([...note.data], [1, 2, 3], 'the account data, base64-decoded');
    assert.equal(note.slot, sb.slot);
    // Shrink the watch list: the server drops the others; a change to a dropped account is not delivered.
    await source.watch([RAYDIUM_COIN_VAULT]);
    assert.equal(source.stats().watched, 1);
    await until(() => sb.stats().subscriptions === base + 1, 'the dropped subscriptions gone from the server');
    got.length = 0;
    sb.setAccount(last, { lamports: 5_678n });
    setTokenAmount(sb, RAYDIUM_COIN_VAULT, tokenAmount(sb, RAYDIUM_COIN_VAULT) + 1n);
    await until(() => got.some((g) => g.address === RAYDIUM_COIN_VAULT), 'the vault notification');
    assert.ok(!got.some((g) => g.address === last), 'no notification for an account no longer watched');
  } finally {
    await source.stop();
    await sb.close();
  }
});

test('a socket silent for staleAfterMs is dropped and reopened, resubscribed and resynced', async () => {
  const sb = await fixtureSandbox(); // manual slots: nothing is sent unless the test writes
  const lines: Record<string, any>[] = [];
  const log = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } });
  const got: string[] = [];
  const sink: SourceSink = { account: (u) => void got.push(`${u.via}:${u.address}`), slot: () => undefined, disconnected: () => undefined, reconnected: () => undefined, error: () => undefined };
  const source = new WebSocketSource({ config: sandboxConfig(sb, { reconnect: { initialMs: 50, maxMs: 400, staleAfterMs: 300 } }), log });
  try {
    await source.start(sink);
    await source.watch([RAYDIUM_COIN_VAULT]);
    await until(() => source.stats().reconnects >= 1 && source.stats().connected, 'a forced reconnect', 8_000);
    assert.ok(lines.some((l) => l.msg === 'no WebSocket message within staleAfterMs; forcing a reconnect'));
    assert.ok(got.includes(`resync:${RAYDIUM_COIN_VAULT}`), 'the watched account read again after the reconnect');
    got.length = 0;
    setTokenAmount(sb, RAYDIUM_COIN_VAULT, tokenAmount(sb, RAYDIUM_COIN_VAULT) + 1n);
    await until(() => got.includes(`account:${RAYDIUM_COIN_VAULT}`), 'a notification on the new socket');
  } finally {
    await source.stop();
    await sb.close();
  }
});

/**
 * SIMULATED market flow through the real programs: a seeded random walk with shocks (same seed →
 * same transactions and same final chain state; prices move and the venues drift apart) and the
 * replay of the recorded mainnet day (directions and order as recorded, sizes fitted to each pool).
 * SOLRULES_FULL=1 runs longer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Connection, PublicKey } from '@solana/web3.js';
import { startSandbox } from '../../sandbox/index.ts';
import { createMarket, describeFlowSwap, loadRecordedDay, MarketFlow, poolPrice, type FlowSwap, type Market } from '../../sandbox/market/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { waitFor, webSocketsIdle } from './helpers.ts';
import { decodePythPriceUpdate, PYTH_RECEIVER_PROGRAM_ID } from '../../engine/venues/index.ts';

const FULL = process.env.SOLRULES_FULL === '1';
const STEPS = FULL ? 400 : 60;
const GENESIS = 1_700_000_000_000;

/** Runs a fresh sandbox + market + flow and returns the swaps and a digest of every pool and trader account. */
async function runWalk(flowSeed: number): Promise<{ swaps: FlowSwap[]; digest: string; prices: number[]; start: number[] }> {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: GENESIS });
  try {
    const market = createMarket({ chain: sb.chain, seed: 11 });
    const start = market.pools.map((p) => poolPrice(market, p.venue));
    const flow = new MarketFlow(market, { seed: flowSeed, shockProbability: 0.1 });
    const swaps = flow.run(STEPS);
    return { swaps, digest: digestOf(market), prices: market.pools.map((p) => poolPrice(market, p.venue)), start };
  } finally {
    await sb.close();
  }
}

function digestOf(market: Market): string {
  const h = createHash('sha256');
  const addresses = [...market.pools.flatMap((p) => [p.address, ...(p.created?.binArrays ?? [])]), ...market.traders.map((t) => t.publicKey.toBase58())];
  for (const a of addresses) h.update(a).update(market.chain.getAccount(a)?.data ?? new Uint8Array());
  return h.digest('hex');
}

test('random walk: same seed → same transactions and final state; another seed differs; prices move and the venues drift apart', async () => {
  const a = await runWalk(5);
  const b = await runWalk(5);
  const c = await runWalk(6);
  assert.ok(a.swaps.length >= STEPS * 0.9, `${a.swaps.length} of ${STEPS} steps landed`);
  const key = (s: FlowSwap) => `${s.venue} ${s.trader} ${s.inputMint} ${s.amountIn} ${s.amountOut} ${s.slot} ${s.signature}`;
  assert.deepEqual(a.swaps.map(key), b.swaps.map(key), 'same seed, same transactions (signatures included)');
  assert.equal(a.digest, b.digest, 'same final pool and trader state');
  assert.notEqual(a.digest, c.digest, 'another seed, another path');
  assert.ok(a.swaps.every((s) => s.simulated === true));
  assert.ok(a.swaps.some((s) => s.kind === 'shock'), 'shocks happen');
  assert.ok(new Set(a.swaps.map((s) => s.venue)).size === 2, 'both venues traded');
  assert.ok(new Set(a.swaps.map((s) => s.inputMint)).size === 2, 'both directions');
  const moved = a.prices.map((p, i) => Math.abs(p / a.start[i]! - 1));
  assert.ok(moved.some((m) => m > 0.0005), `a price moved: ${moved}`);
  const gapBefore = Math.abs(a.start[0]! / a.start[1]! - 1);
  const gapAfter = Math.abs(a.prices[0]! / a.prices[1]! - 1);
  assert.notEqual(gapAfter, gapBefore, 'the venues no longer quote the same gap');
  console.log(`random walk: ${a.swaps.length} SIMULATED swaps; prices ${a.start.map((p) => p.toFixed(3))} → ${a.prices.map((p) => p.toFixed(3))}; gap ${(gapBefore * 1e4).toFixed(1)} → ${(gapAfter * 1e4).toFixed(1)} bps`);
});

test('replay of 2022-04-06: the recorded directions in the recorded order, sizes fitted to each pool; every line says SIMULATED', async () => {
  const day = loadRecordedDay();
  assert.equal(day.length, 4691, 'the 4,692 SOL/USDC swaps of the day but one that paid 0 out (5 lamports in)');
  assert.ok(day.every((r, i) => i === 0 || r.time >= day[i - 1]!.time), 'in time order');
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: GENESIS });
  try {
    const market = createMarket({ chain: sb.chain, seed: 11 });
    const flow = new MarketFlow(market, { mode: 'replay', seed: 1 });
    const swaps = flow.run(STEPS);
    assert.ok(swaps.length >= STEPS * 0.9);
    for (const s of swaps) {
      const rec = day.find((r) => r.signature === s.recorded)!;
      assert.ok(rec, 'each swap names the mainnet swap it re-enacts');
      assert.equal(s.inputMint === market.mints.sol, rec.solIn, 'direction as recorded');
      assert.match(describeFlowSwap(s, market), /^SIMULATED replay #/);
    }
    assert.deepEqual(swaps.map((s) => s.recorded), day.slice(0, STEPS).map((r) => r.signature).filter((sig) => swaps.some((s) => s.recorded === sig)), 'in the recorded order');
  } finally {
    await sb.close();
  }
});

test('bad flow options are typed errors naming the field', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: GENESIS });
  try {
    const market = createMarket({ chain: sb.chain, venues: ['orca-whirlpool'], traders: 1 });
    assert.throws(() => new MarketFlow(market, { ratePerSecond: 0 }), (e) => isSolrulesError(e, 'MARKET_BAD_OPTION') && e.context.field === 'ratePerSecond');
    assert.throws(() => new MarketFlow(market, { shockProbability: 2 }), (e) => isSolrulesError(e, 'MARKET_BAD_OPTION') && e.context.field === 'shockProbability');
    assert.throws(() => new MarketFlow(market, { venues: ['meteora-dlmm'] }), (e) => isSolrulesError(e, 'MARKET_POOL_MISSING'));
  } finally {
    await sb.close();
  }
});

test('start/stop: the flow paces swaps on timers and stops', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: GENESIS });
  try {
    const market = createMarket({ chain: sb.chain, seed: 2, traders: 2 });
    const seen: FlowSwap[] = [];
    const flow = new MarketFlow(market, { ratePerSecond: 50, onSwap: (s) => seen.push(s) });
    flow.start();
    await new Promise((r) => setTimeout(r, 1500));
    flow.stop();
    const count = seen.length;
    assert.ok(count >= 3, `${count} swaps in 1.5 s at 50/s`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(seen.length, count, 'nothing after stop');
  } finally {
    await sb.close();
  }
});

test('the SIMULATED Pyth SOL/USD PriceUpdateV2 follows the pools as the flow moves them, and decodes with the engine decoder', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: GENESIS });
  try {
    const market = createMarket({ chain: sb.chain, seed: 4 });
    const read = () => decodePythPriceUpdate({ address: market.oracle!.address, ...sb.getAccount(market.oracle!.address)!, rentEpoch: null });
    const first = read();
    assert.equal(first.feedId, '0xef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d');
    assert.equal(sb.getAccount(market.oracle!.address)!.owner, PYTH_RECEIVER_PROGRAM_ID);
    const mean = (market.pools.reduce((a, p) => a + poolPrice(market, p.venue), 0) / market.pools.length) * 1e8;
    assert.ok(Math.abs(Number(first.price) / mean - 1) < 1e-6, `${first.price} vs ${mean}`);
    new MarketFlow(market, { seed: 9, shockProbability: 0.3 }).run(20);
    const later = read();
    assert.notEqual(later.price, first.price, 'the oracle moved with the pools');
    assert.ok(later.postedSlot > first.postedSlot && later.publishTime >= first.publishTime);
    const meanNow = (market.pools.reduce((a, p) => a + poolPrice(market, p.venue), 0) / market.pools.length) * 1e8;
    assert.ok(Math.abs(Number(later.price) / meanNow - 1) < 1e-6);
  } finally {
    await sb.close();
  }
});

test('a web3.js client subscribed over WebSocket sees the flow move the pools and the oracle', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: GENESIS });
  const conn = new Connection(sb.rpcUrl, 'confirmed');
  const seen = new Map<string, number>();
  const subs: number[] = [];
  try {
    const market = createMarket({ chain: sb.chain, seed: 8 });
    for (const address of [...market.pools.map((p) => p.address), market.oracle!.address]) {
      subs.push(conn.onAccountChange(new PublicKey(address), () => seen.set(address, (seen.get(address) ?? 0) + 1), { commitment: 'confirmed' }));
    }
    await waitFor(() => sb.stats().subscriptions === 3, 5000, 'three subscriptions');
    new MarketFlow(market, { seed: 2 }).run(12);
    await waitFor(() => seen.size === 3, 5000, 'notifications for both pools and the oracle');
    const dlmm = market.pool('meteora-dlmm').address;
    const info = await conn.getAccountInfo(new PublicKey(dlmm));
    assert.equal(info?.owner.toBase58(), 'LBUZKhRxPF3XUpBCjp4YzTKgLccjZhTSDM9YuVaPwxo');
  } finally {
    for (const id of subs) await conn.removeAccountChangeListener(id);
    await webSocketsIdle(sb);
    await sb.close();
  }
});

test('replay on timers follows the recorded timing, sped up', async () => {
  const day = loadRecordedDay();
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: GENESIS });
  try {
    const market = createMarket({ chain: sb.chain, seed: 3, traders: 2 });
    const seen: FlowSwap[] = [];
    const speed = 1200;
    const flow = new MarketFlow(market, { mode: 'replay', replaySpeed: speed, onSwap: (s) => seen.push(s) });
    const started = performance.now();
    flow.start();
    await new Promise((r) => setTimeout(r, 2000));
    flow.stop();
    const elapsed = (performance.now() - started) / 1000;
    // In `elapsed` real seconds at 1200× the recorded day advances at most elapsed × 1200 seconds.
    const due = day.filter((r) => r.time - day[0]!.time <= elapsed * speed).length;
    assert.ok(seen.length >= 1, 'the first recorded swap is replayed at once');
    assert.ok(seen.length <= due, `${seen.length} replayed, at most ${due} were due in ${elapsed.toFixed(1)} s at ${speed}×`);
    assert.ok(seen.length < day.length / 10, 'not the whole day at once');
  } finally {
    await sb.close();
  }
});

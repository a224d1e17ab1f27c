/**
 * Reconnect backoff of the sources and the scanner's per-event latency (slot seen vs received),
 * with fake connections and a fake source: no network, exact figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from '@solana/web3.js';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { backoffMs, MarketScanner, parseScannerConfig, PollingSource, type SourceSink } from '../../engine/market/index.ts';
import { createLogger, registry } from '../../engine/infra/telemetry/index.ts';
import { PYTH_SOL_USD, pythAccount, RAYDIUM_COIN_VAULT, SOL } from '../quotes/support.ts';
import { HandSource, TOKENS, until } from './support.ts';

function config(extra: Record<string, unknown> = {}) {
  return parseScannerConfig({ subscriptionMode: 'rpc-polling', rpcUrl: 'http://127.0.0.1:9', oracles: [{ address: PYTH_SOL_USD, mint: SOL }], tokens: TOKENS, ...extra });
}

/** A logger whose JSON lines land in `lines`. */
function capture() {
  const lines: Record<string, any>[] = [];
  return { lines, log: createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(JSON.parse(l)) } }) };
}

test('backoff: doubles from initialMs per failure, capped at maxMs, jittered to 50–100 %', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => backoffMs(n, 250, 30_000, () => 1)), [250, 500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  assert.deepEqual([1, 2, 3, 9].map((n) => backoffMs(n, 250, 30_000, () => 0)), [125, 250, 500, 15_000]);
  assert.equal(backoffMs(0, 250, 30_000, () => 1), 250, 'attempt 0 counts as the first');
});

test('polling: failed polls are retried after growing delays until one succeeds', async () => {
  let failing = true;
  let calls = 0;
  const connection = {
    getMultipleAccountsInfoAndContext: async (keys: unknown[]) => {
      calls += 1;
      if (failing) throw new Error('503 Service Unavailable');
      return { context: { slot: 7 }, value: keys.map(() => null) };
    },
  } as unknown as Connection;
  const { lines, log } = capture();
  const source = new PollingSource({ config: config({ polling: { intervalMs: 10 }, reconnect: { initialMs: 10, maxMs: 40, staleAfterMs: 60_000 } }), connection, random: () => 1, log });
  const events: string[] = [];
  const sink: SourceSink = { account: () => undefined, slot: () => undefined, disconnected: () => void events.push('down'), reconnected: () => void events.push('up'), error: () => undefined };
  try {
    await source.watch([RAYDIUM_COIN_VAULT]);
    await source.start(sink);
    await until(() => calls >= 5, 'five failed polls');
    failing = false;
    await until(() => source.stats().connected, 'a successful poll');
    const delays = lines.filter((l) => l.msg === 'poll failed; backing off').map((l) => l.retryInMs);
    assert.deepEqual(delays.slice(0, 5), [10, 20, 40, 40, 40]);
    assert.deepEqual(events, ['up'], 'never live before the first success, so no disconnect; live after it');
  } finally {
    await source.stop();
  }
});


async function histogram(name: string, suffix: '_sum' | '_count', mode: string): Promise<number> {
  const values = (await registry.getSingleMetric(name)!.get()).values;
  return values.filter((v) => (v as { metricName?: string }).metricName === `${name}${suffix}` && v.labels.mode === mode).reduce((a, v) => a + v.value, 0);
}

test('latency: an update is timed from when its slot was first seen; lag is slots behind the newest', async () => {
  const connection = { getMultipleAccountsInfoAndContext: async (keys: unknown[]) => ({ context: { slot: 100 }, value: keys.map(() => null) }) } as unknown as Connection;
  const source = new HandSource();
  const scanner = new MarketScanner({ config: config(), bus: new MemoryBus(), cache: new MemoryCache(), source, connection, log: createLogger({ level: 'silent' }), now: () => 5_000_000 });
  const LATENCY = 'solrules_scanner_event_latency_seconds';
  const LAG = 'solrules_scanner_event_lag_slots';
  try {
    await scanner.start();
    const latency0 = [await histogram(LATENCY, '_sum', 'websocket'), await histogram(LATENCY, '_count', 'websocket')];
    const lag0 = [await histogram(LAG, '_sum', 'websocket'), await histogram(LAG, '_count', 'websocket')];
    const pyth = pythAccount();
    source.sink.slot(200, 5_000_000);
    source.sink.account({ address: PYTH_SOL_USD, account: pyth, slot: 200, receivedAt: 5_000_250, via: 'account' });
    await scanner.idle();
    assert.equal((await histogram(LATENCY, '_count', 'websocket')) - latency0[1]!, 1);
    assert.ok(Math.abs((await histogram(LATENCY, '_sum', 'websocket')) - latency0[0]! - 0.25) < 1e-9, 'slot 200 seen at t, the update received at t + 250 ms');
    // An update of an older slot (never seen as a slot of its own): no latency, but 2 slots of lag.
    source.sink.account({ address: PYTH_SOL_USD, account: pyth, slot: 198, receivedAt: 5_000_300, via: 'account' });
    await scanner.idle();
    assert.equal((await histogram(LATENCY, '_count', 'websocket')) - latency0[1]!, 1);
    assert.equal((await histogram(LAG, '_count', 'websocket')) - lag0[1]!, 2);
    assert.equal((await histogram(LAG, '_sum', 'websocket')) - lag0[0]!, 0 + 2);
  } finally {
    await scanner.stop();
  }
});

test('dedup: the scanner drops the same update for its default window of 5 s', async () => {
  let now = 8_000_000;
  const connection = { getMultipleAccountsInfoAndContext: async (keys: unknown[]) => ({ context: { slot: 100 }, value: keys.map(() => null) }) } as unknown as Connection;
  const source = new HandSource();
  const scanner = new MarketScanner({ config: config(), bus: new MemoryBus(), cache: new MemoryCache(() => now), source, connection, log: createLogger({ level: 'silent' }), now: () => now });
  try {
    await scanner.start();
    const u = { address: PYTH_SOL_USD, account: pythAccount(), slot: 300, receivedAt: now, via: 'account' as const };
    source.sink.account(u);
    await scanner.idle();
    now += 4_999;
    source.sink.account({ ...u, via: 'resync' });
    await scanner.idle();
    assert.equal(scanner.stats.duplicates, 1, 'again within 5 s: dropped');
    now += 1;
    source.sink.account({ ...u, via: 'poll' });
    await scanner.idle();
    assert.equal(scanner.stats.duplicates, 1, 'after 5 s: taken again');
  } finally {
    await scanner.stop();
  }
});

/** RPC-polling scanner against the local sandbox: changes found by polling, ≤ 100 keys per call, backoff through RPC failures. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair } from '@solana/web3.js';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { MarketScanner, PollingSource, type AccountUpdate, type SourceSink } from '../../engine/market/index.ts';
import type { SolrulesError } from '../../engine/errors/index.ts';
import { RAYDIUM_COIN_VAULT, raydiumNear, withTokenAmount } from '../quotes/support.ts';
import { fixtureSandbox, recorder, sandboxConfig, until } from './support.ts';

test('polling: a vault change is found by the next poll and published', async () => {
  const sb = await fixtureSandbox({ raydium: raydiumNear(1.01) });
  const bus = new MemoryBus();
  const rec = await recorder(bus);
  const scanner = new MarketScanner({ config: sandboxConfig(sb, { subscriptionMode: 'rpc-polling', polling: { intervalMs: 50 } }), bus, cache: new MemoryCache() });
  try {
    await scanner.start();
    await until(() => scanner.source.stats().connected, 'the first poll');
    const facts0 = rec.on('market.events.raydium-amm-v4.pool').length;
    const a = sb.getAccount(RAYDIUM_COIN_VAULT)!;
    sb.advanceSlots(1);
    sb.setAccount(RAYDIUM_COIN_VAULT, { ...a, data: withTokenAmount({ address: RAYDIUM_COIN_VAULT, ...a }, 1234n * 10n ** 9n).data });
    await until(() => rec.on('market.events.raydium-amm-v4.pool').some((f) => f.reserveA === (1234n * 10n ** 9n).toString()), 'the polled change');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(rec.on('market.events.raydium-amm-v4.pool').length - facts0, 1, 'unchanged accounts in later polls publish nothing');
    assert.ok((scanner.source as PollingSource).polls >= 3);
  } finally {
    await scanner.stop();
    await sb.close();
  }
});

function recordingSink() {
  const updates: AccountUpdate[] = [];
  const errors: SolrulesError[] = [];
  const events: string[] = [];
  const sink: SourceSink = {
    account: (u) => void updates.push(u),
    slot: () => undefined,
    disconnected: () => void events.push('disconnected'),
    reconnected: () => void events.push('reconnected'),
    error: (e) => void errors.push(e),
  };
  return { sink, updates, errors, events };
}

test('polling: 250 watched accounts take three getMultipleAccounts calls of at most 100 keys', async () => {
  const sb = await fixtureSandbox();
  const source = new PollingSource({ config: sandboxConfig(sb, { subscriptionMode: 'rpc-polling', polling: { intervalMs: 60_000 } }) });
  const { sink, updates, errors } = recordingSink();
  try {
    const keys = [RAYDIUM_COIN_VAULT, ...Array.from({ length: 249 }, () => Keypair.generate().publicKey.toBase58())];
    await source.watch(keys);
    await source.start(sink);
    await until(() => source.polls === 1, 'the first poll');
    const calls0 = sb.stats().rpcRequests.getMultipleAccounts ?? 0;
    await source.pollOnce();
    assert.equal((sb.stats().rpcRequests.getMultipleAccounts ?? 0) - calls0, 3);
    assert.deepEqual(errors, []);
    assert.equal(updates.length, 500);
    const missing = updates.filter((u) => u.address !== RAYDIUM_COIN_VAULT);
    assert.ok(missing.every((u) => u.account.owner === '11111111111111111111111111111111' && u.account.data.length === 0), 'absent accounts read as empty System accounts');
  } finally {
    await source.stop();
    await sb.close();
  }
});

test('polling: RPC failures are reported, back off, and the source recovers', async () => {
  const sb = await fixtureSandbox();
  const source = new PollingSource({ config: sandboxConfig(sb, { subscriptionMode: 'rpc-polling', polling: { intervalMs: 20 }, reconnect: { initialMs: 20, maxMs: 80, staleAfterMs: 60_000 } }) });
  const { sink, errors, events } = recordingSink();
  try {
    await source.watch([RAYDIUM_COIN_VAULT]);
    await source.start(sink);
    await until(() => source.stats().connected, 'the first poll');
    sb.faults.set({ rateLimit: true });
    await until(() => errors.length >= 3, 'three failed polls');
    assert.equal(errors[0]!.code, 'SCAN_RPC_FAILED');
    assert.equal(errors[0]!.context.status, 429);
    assert.deepEqual(events, ['disconnected']);
    assert.equal(source.stats().connected, false);
    sb.faults.set({ rateLimit: false });
    await until(() => source.stats().connected, 'recovery');
    assert.deepEqual(events, ['disconnected', 'reconnected']);
    assert.equal(source.stats().reconnects, 1);
  } finally {
    await source.stop();
    await sb.close();
  }
});

/**
 * Shredstream mode over loopback: a gRPC ShredstreamProxy of the test's own streams entries
 * (transactions built with web3.js), the sandbox answers RPC. A transaction touching a watched
 * account — directly or through a lookup table — triggers an RPC refresh long before the next poll.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair } from '@solana/web3.js';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { MarketScanner, ShredstreamSource } from '../../engine/market/index.ts';
import { RAYDIUM_AMM_V4_PROGRAM_ID } from '../../engine/venues/index.ts';
import { RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT, RAYDIUM_POOL, withTokenAmount } from '../quotes/support.ts';
import { fixtureSandbox, recorder, sandboxConfig, until } from './support.ts';
import { ALT_PROGRAM_ID, encodeEntries, FakeShredstreamProxy, legacyTx, lookupTableData, v0Tx } from './shred-support.ts';

test('shredstream: entries touching watched accounts trigger refreshes; lookup tables resolved; a dropped stream reconnects', async () => {
  const sb = await fixtureSandbox();
  const proxy = await new FakeShredstreamProxy().start();
  const table = Keypair.generate().publicKey.toBase58();
  sb.setAccount(table, { owner: ALT_PROGRAM_ID, data: lookupTableData([Keypair.generate().publicKey.toBase58(), RAYDIUM_PC_VAULT]) });
  const bus = new MemoryBus();
  const rec = await recorder(bus);
  const config = sandboxConfig(sb, {
    subscriptionMode: 'shredstream',
    shredstream: { url: proxy.address, refreshDelayMs: 10 },
    polling: { intervalMs: 60_000 },
    reconnect: { initialMs: 20, maxMs: 100, staleAfterMs: 60_000 },
  });
  const scanner = new MarketScanner({ config, bus, cache: new MemoryCache() });
  const source = scanner.source as ShredstreamSource;
  const reserveA = () => rec.on('market.events.raydium-amm-v4.pool').map((f) => f.reserveA as string);
  const reserveB = () => rec.on('market.events.raydium-amm-v4.pool').map((f) => f.reserveB as string);
  const setVault = (address: string, amount: bigint) => {
    const a = sb.getAccount(address)!;
    sb.setAccount(address, { ...a, data: withTokenAmount({ address, ...a }, amount).data });
  };
  try {
    await scanner.start();
    await until(() => proxy.calls.size === 1, 'the entries subscription');
    assert.ok(source.polls >= 1, 'the safety-net poll ran once');

    // 1. A transaction naming the pool and its vaults in its static keys.
    sb.advanceSlots(1);
    setVault(RAYDIUM_COIN_VAULT, 111n * 10n ** 9n);
    proxy.push(sb.slot, encodeEntries([{ transactions: [legacyTx(RAYDIUM_AMM_V4_PROGRAM_ID, [RAYDIUM_POOL, RAYDIUM_COIN_VAULT, RAYDIUM_PC_VAULT])] }]));
    await until(() => reserveA().includes((111n * 10n ** 9n).toString()), 'the refresh after the first entry', 3_000);

    // 2. A v0 transaction reaching the PC vault only through a lookup table.
    sb.advanceSlots(1);
    setVault(RAYDIUM_PC_VAULT, 222n * 10n ** 6n);
    proxy.push(sb.slot, encodeEntries([{ transactions: [v0Tx(RAYDIUM_AMM_V4_PROGRAM_ID, [RAYDIUM_PC_VAULT], { key: table, addresses: [Keypair.generate().publicKey.toBase58(), RAYDIUM_PC_VAULT] })] }]));
    await until(() => reserveB().includes((222n * 10n ** 6n).toString()), 'the refresh through the lookup table', 3_000);

    // 3. Unrelated transactions and bad bytes trigger nothing (bad bytes are a typed error).
    const refreshes = source.shredStats.refreshes;
    const errors = scanner.stats.errors;
    proxy.push(sb.slot, encodeEntries([{ transactions: [legacyTx(Keypair.generate().publicKey.toBase58(), [Keypair.generate().publicKey.toBase58()])] }]));
    proxy.push(sb.slot, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 9]));
    await until(() => source.shredStats.messages >= 4, 'both messages');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(source.shredStats.refreshes, refreshes);
    assert.equal(source.shredStats.decodeErrors, 1);
    assert.equal(scanner.stats.errors, errors + 1);

    // 4. The proxy drops the stream: the client resubscribes with backoff and keeps working.
    proxy.endStreams();
    await until(() => proxy.subscriptions === 2 && proxy.calls.size === 1, 'the resubscription', 3_000);
    sb.advanceSlots(1);
    setVault(RAYDIUM_COIN_VAULT, 333n * 10n ** 9n);
    proxy.push(sb.slot, encodeEntries([{ transactions: [legacyTx(RAYDIUM_AMM_V4_PROGRAM_ID, [RAYDIUM_COIN_VAULT])] }]));
    await until(() => reserveA().includes((333n * 10n ** 9n).toString()), 'the refresh after the reconnect', 3_000);
    assert.equal(source.stats().reconnects, 1);
    assert.equal(source.polls, 1, 'every change above came through shreds, not the 60 s poll');
  } finally {
    await scanner.stop();
    await proxy.close();
    await sb.close();
  }
});

/** Market state, dedup window, scanner config and volume monitor without a network. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { RAYDIUM_AMM_V4_PROGRAM_ID, WHIRLPOOL_PROGRAM_ID } from '../../engine/venues/index.ts';
import { Deduplicator, loadScannerConfig, MarketState, parseScannerConfig, VolumeMonitor, type AccountUpdate, type PoolChange } from '../../engine/market/index.ts';
import type { AccountSnapshot } from '../../engine/accounts/index.ts';
import { orcaAccounts, ORCA_POOL, RAYDIUM_COIN_VAULT, RAYDIUM_POOL, raydiumAccounts, SOL, USDC, withTokenAmount } from '../quotes/support.ts';

function update(address: string, account: AccountSnapshot, slot: number, receivedAt = 1_000_000): AccountUpdate {
  return { address, account, slot, receivedAt, via: 'account' };
}

function loaded(accounts: Map<string, AccountSnapshot>, pools: string[], slot = 100) {
  let now = 1_000_000;
  const market = new MarketState({ pools, oracles: [], slotMs: 400 }, () => now);
  for (const [a, s] of accounts) market.apply(update(a, s, slot, now));
  const first = market.flush();
  return { market, first, setNow: (t: number) => (now = t) };
}

test('market state: pools decode once their accounts arrive; missing dependencies are asked for', () => {
  const ray = raydiumAccounts();
  const market = new MarketState({ pools: [RAYDIUM_POOL], oracles: [], slotMs: 400 }, () => 1_000_000);
  market.apply(update(RAYDIUM_POOL, ray.get(RAYDIUM_POOL)!, 100));
  const r = market.flush();
  assert.equal(r.pools.length, 0);
  assert.deepEqual(r.missing.sort(), [...ray.keys()].filter((k) => k !== RAYDIUM_POOL).sort(), 'the two vaults');
  for (const a of r.missing) market.apply(update(a, ray.get(a)!, 100));
  const r2 = market.flush();
  assert.equal(r2.pools.length, 1);
  assert.equal(market.poolsFor(USDC, SOL).length, 1);
  assert.deepEqual(r2.pools[0]!.pool.reserves, { reserveA: 67_661_004_799_950n, reserveB: 4_936_181_262_839n });
  assert.equal(market.watchedAccounts().length, 3);
});

test('market state: a whirlpool needs its tick arrays, mints and vaults; all arrive, it quotes', () => {
  const orca = orcaAccounts();
  const { market, first } = loaded(orca, [ORCA_POOL]);
  assert.deepEqual(first.missing, []);
  assert.equal(first.pools.length, 1);
  const e = market.poolsFor(SOL, USDC)[0]!;
  assert.ok(e.venue.quoteExactIn(e.state, SOL, 10n ** 9n).amountOut > 0n);
  assert.ok(first.pools[0]!.pool.reserves!.reserveA > 0n);
});

test('market state: unchanged content moves freshness only; an older update is ignored; a live source vouches', () => {
  const { market, setNow } = loaded(raydiumAccounts(), [RAYDIUM_POOL], 100);
  const pool = market.pools.get(RAYDIUM_POOL)!;
  assert.equal(market.asOfSlot(pool), 100);
  const vault = market.accounts.get(RAYDIUM_COIN_VAULT)!;
  assert.equal(market.apply(update(RAYDIUM_COIN_VAULT, vault, 105)).changed, false);
  assert.equal(market.hasDirty, false);
  assert.equal(market.apply(update(RAYDIUM_COIN_VAULT, withTokenAmount(vault, 5n), 99)).changed, false, 'older than what is held');
  assert.equal(market.accounts.get(RAYDIUM_COIN_VAULT)!.slot, 105);
  market.vouch(140, 1_000_000);
  assert.equal(market.asOfSlot(pool), 140);
  assert.equal(market.poolsFor(SOL, USDC)[0]!.state.slot, 140);
  // Nothing vouches for 60 s: the estimated slot runs on, the state does not.
  setNow(1_060_000);
  assert.equal(market.currentSlot(), 140 + 150);
  assert.equal(market.poolsFor(SOL, USDC)[0]!.state.slot, 140);
});

test('market state: a broken vault takes the pool out of quoting with a typed error; fixing it brings it back', () => {
  const ray = raydiumAccounts();
  const { market } = loaded(ray, [RAYDIUM_POOL]);
  const vault = ray.get(RAYDIUM_COIN_VAULT)!;
  market.apply(update(RAYDIUM_COIN_VAULT, { ...vault, owner: '11111111111111111111111111111111', data: new Uint8Array(0) }, 101));
  const bad = market.flush();
  assert.equal(bad.errors[0]?.code, 'DEX_ACCOUNT_WRONG_OWNER');
  assert.equal(market.poolsFor(SOL, USDC).length, 0);
  market.apply(update(RAYDIUM_COIN_VAULT, vault, 102));
  assert.equal(market.flush().pools.length, 1);
  assert.equal(market.poolsFor(SOL, USDC).length, 1);
});

test('market state: a whirlpool vault holding another mint takes the pool out of quoting (DEX_ACCOUNT_MISMATCH); fixing it brings it back', () => {
  const orca = orcaAccounts();
  const { market, first } = loaded(orca, [ORCA_POOL]);
  assert.deepEqual(first.pools[0]!.pool.reserves, { reserveA: 101_826_710_217_770n, reserveB: 1_806_982_724_843n }, 'the vault balances of the README');
  const [vaultA, vaultB] = market.pools.get(ORCA_POOL)!.venue.vaults(first.pools[0]!.state);
  market.apply(update(vaultB, { ...orca.get(vaultA)!, address: vaultB }, 101));
  const bad = market.flush();
  assert.equal(bad.errors[0]?.code, 'DEX_ACCOUNT_MISMATCH');
  assert.equal(bad.errors[0]?.context.account, vaultB);
  assert.equal(market.poolsFor(SOL, USDC).length, 0);
  market.apply(update(vaultB, withTokenAmount(orca.get(vaultB)!, 7n), 102));
  assert.equal(market.flush().pools[0]?.pool.reserves?.reserveB, 7n);
  assert.equal(market.poolsFor(SOL, USDC).length, 1);
});

test('program discovery: a whirlpool is kept by its mints; another account of the program is not a pool', () => {
  const orca = orcaAccounts();
  const market = new MarketState({ pools: [], oracles: [], slotMs: 400 });
  const program = { programId: WHIRLPOOL_PROGRAM_ID, filters: [], mints: [SOL, USDC] };
  const tickArray = [...orca.entries()].find(([, a]) => a.owner === WHIRLPOOL_PROGRAM_ID && a.data.length === 9988)!;
  assert.equal(market.discover({ ...update(tickArray[0], tickArray[1], 100), via: 'program' }, program), 'not-a-pool');
  const pool = { ...update(ORCA_POOL, orca.get(ORCA_POOL)!, 100), via: 'program' as const };
  assert.equal(market.discover(pool, { ...program, mints: [SOL, '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU'] }), 'mints');
  assert.equal(market.discover(pool, program), 'kept');
});

test('program discovery: filters, mint list and non-pools are applied client-side', () => {
  const ray = raydiumAccounts();
  const market = new MarketState({ pools: [], oracles: [], slotMs: 400 });
  const pool = ray.get(RAYDIUM_POOL)!;
  const u = { ...update(RAYDIUM_POOL, pool, 100), via: 'program' as const, programId: RAYDIUM_AMM_V4_PROGRAM_ID };
  assert.equal(market.discover(u, { programId: RAYDIUM_AMM_V4_PROGRAM_ID, filters: [{ dataSize: 1 }], mints: [] }), 'filters');
  assert.equal(market.discover(u, { programId: RAYDIUM_AMM_V4_PROGRAM_ID, filters: [{ dataSize: 752 }], mints: [SOL, '7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU'] }), 'mints');
  const vault = { ...update(RAYDIUM_COIN_VAULT, ray.get(RAYDIUM_COIN_VAULT)!, 100), via: 'program' as const };
  assert.equal(market.discover(vault, { programId: RAYDIUM_AMM_V4_PROGRAM_ID, filters: [], mints: [] }), 'not-a-pool');
  assert.equal(market.discover(u, { programId: RAYDIUM_AMM_V4_PROGRAM_ID, filters: [{ dataSize: 752 }, { memcmp: { offset: 400, bytes: SOL } }], mints: [SOL, USDC] }), 'kept');
  assert.equal(market.discover(u, { programId: RAYDIUM_AMM_V4_PROGRAM_ID, filters: [], mints: [] }), 'known');
  assert.ok(market.isWatched(RAYDIUM_POOL));
});

test('dedup window: the same update is dropped until the window (default 5 s) has passed', async () => {
  let now = 0;
  const dedup = new Deduplicator(new MemoryCache(() => now), 5_000, 'test');
  const ray = raydiumAccounts();
  const u = update(RAYDIUM_COIN_VAULT, ray.get(RAYDIUM_COIN_VAULT)!, 100);
  assert.equal(await dedup.firstSeen(u), true);
  assert.equal(await dedup.firstSeen({ ...u, receivedAt: 5 }), false, 'same account, slot and content');
  assert.equal(await dedup.firstSeen({ ...u, slot: 101 }), true, 'a later slot is news');
  assert.equal(await dedup.firstSeen({ ...u, account: withTokenAmount(u.account, 1n) }), true, 'other content is news');
  now = 4_999;
  assert.equal(await dedup.firstSeen(u), false);
  now = 5_000;
  assert.equal(await dedup.firstSeen(u), true, 'the window has passed');
});

test('scanner config: defaults, and bad values named by field and value (YAML: file, line, column)', () => {
  const cfg = parseScannerConfig({ subscriptionMode: 'websocket', rpcUrl: 'http://127.0.0.1:8899', pools: [RAYDIUM_POOL] });
  assert.equal(cfg.dedupWindowMs, 5_000);
  assert.equal(cfg.polling.batchSize, 100);
  assert.equal(cfg.commitment, 'confirmed');
  assert.deepEqual(cfg.priceFeed.impactSizesUsd, [1_000, 10_000]);
  assert.deepEqual(cfg.reconnect, { initialMs: 250, maxMs: 30_000, staleAfterMs: 10_000 });
  assert.deepEqual(cfg.volume, { bucketMs: 60_000, spikeWindowMs: 300_000, spikeRatio: 3 });
  const bad: [Record<string, unknown>, string][] = [
    [{ subscriptionMode: 'grpc' }, 'subscriptionMode'],
    [{ polling: { batchSize: 101 } }, 'polling.batchSize'],
    [{ pools: ['not-base58!'] }, 'pools[0]'],
    [{ rpcUrl: 'ftp://x' }, 'rpcUrl'],
    [{ pollingg: {} }, 'pollingg'],
    [{ subscriptionMode: 'shredstream' }, 'shredstream.url'],
    [{ reconnect: { initialMs: 500, maxMs: 100 } }, 'reconnect.maxMs'],
    [{ tokens: [{ mint: SOL, symbol: 'SOL', decimals: 19 }] }, 'tokens[0].decimals'],
  ];
  for (const [patch, field] of bad) {
    assert.throws(
      () => parseScannerConfig({ subscriptionMode: 'websocket', rpcUrl: 'http://127.0.0.1:8899', pools: [RAYDIUM_POOL], ...patch }),
      (e: unknown) => isSolrulesError(e, 'SCAN_CONFIG_INVALID') && e.context.field === field,
      field,
    );
  }
  const yaml = ['subscriptionMode: rpc-polling', 'rpcUrl: http://127.0.0.1:8899', 'pools:', `  - ${RAYDIUM_POOL}`, 'polling:', '  intervalMs: 5', ''].join('\n');
  assert.throws(
    () => loadScannerConfig('market.yaml', yaml),
    (e: unknown) => {
      assert.ok(isSolrulesError(e, 'SCAN_CONFIG_INVALID'));
      assert.deepEqual([e.context.file, e.context.line, e.context.column, e.context.field, e.context.value], ['market.yaml', 6, 15, 'polling.intervalMs', 5]);
      assert.match(e.message, /^market\.yaml:6:15: /);
      return true;
    },
  );
});

test('scanner config reserves: Kamino reserves with their mint, market and lookup table; a bad one names file, line and column', () => {
  const base = ['subscriptionMode: rpc-polling', 'rpcUrl: http://127.0.0.1:8899', 'pools:', `  - ${RAYDIUM_POOL}`];
  const ok = loadScannerConfig('scanner.yaml', [...base, 'reserves:', `  - { address: ${ORCA_POOL}, mint: ${USDC}, lendingMarket: ${RAYDIUM_COIN_VAULT}, lookupTable: ${SOL} }`, ''].join('\n'));
  assert.deepEqual(ok.reserves, [{ address: ORCA_POOL, mint: USDC, lendingMarket: RAYDIUM_COIN_VAULT, lookupTable: SOL }]);
  assert.deepEqual(loadScannerConfig('scanner.yaml', [...base, ''].join('\n')).reserves, [], 'none: no flash-loan provider');
  const bad = (lines: string[], at: [number, number, string]) =>
    assert.throws(
      () => loadScannerConfig('scanner.yaml', [...base, 'reserves:', ...lines, ''].join('\n')),
      (e: unknown) => {
        assert.ok(isSolrulesError(e, 'SCAN_CONFIG_INVALID'));
        assert.deepEqual([e.context.line, e.context.column, e.context.field], at);
        assert.match(e.message, new RegExp(`^scanner\\.yaml:${at[0]}:${at[1]}: `));
        return true;
      },
    );
  const col = (line: string, value: string) => line.indexOf(value) + 1;
  const wrongMint = `  - { address: ${ORCA_POOL}, mint: not-a-mint }`;
  bad([wrongMint], [6, col(wrongMint, 'not-a-mint'), 'reserves[0].mint']);
  const unknownKey = `  - { address: ${ORCA_POOL}, mint: ${USDC}, lookuptable: ${SOL} }`;
  bad([unknownKey], [6, col(unknownKey, SOL), 'reserves[0].lookuptable']);
  const second = `  - { address: ${RAYDIUM_POOL}, mint: ${USDC} }`;
  bad([`  - { address: ${ORCA_POOL}, mint: ${USDC} }`, second], [7, col(second, USDC), 'reserves[1].mint']);
});

test('schemas/scanner.schema.json (generated from the parser\'s keys) accepts the example project\'s scanner file with reserves and refuses a bad reserve', async () => {
  const { validator } = await import('../../engine/schemas/index.ts');
  const { parseYaml } = await import('../../engine/config/index.ts');
  const { readFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { REPO_ROOT } = await import('../support/paths.ts');
  const validate = validator('scanner');
  const example = parseYaml(readFileSync(join(REPO_ROOT, 'examples/live/scanner.yaml'), 'utf8'), 'scanner.yaml').value as Record<string, unknown>;
  assert.ok(validate(example), JSON.stringify(validate.errors));
  assert.ok(validate({ ...example, reserves: [{ address: ORCA_POOL, mint: USDC, lookupTable: SOL }] }), JSON.stringify(validate.errors));
  assert.equal(validate({ ...example, reserves: [{ address: ORCA_POOL }] }), false, 'a reserve needs its mint');
  assert.equal(validate({ ...example, reserves: [{ address: ORCA_POOL, mint: USDC, lookuptable: SOL }] }), false, 'unknown key');
  // What the schema accepts the parser accepts too (same keys).
  assert.deepEqual(parseScannerConfig({ ...example, reserves: [{ address: ORCA_POOL, mint: USDC, lookupTable: SOL }] }).reserves, [{ address: ORCA_POOL, mint: USDC, lookupTable: SOL }]);
});

test('volume: trades inferred per slot, 24 h window, average size, spikes against the observed average', () => {
  let now = 0;
  const vol = new VolumeMonitor({ bucketMs: 60_000, spikeWindowMs: 300_000, spikeRatio: 3, usd: (m) => (m === USDC ? 1 : 50), decimals: (m) => (m === USDC ? 6 : 9) }, () => now);
  const state = { venue: 'raydium-amm-v4' as const, address: 'P', mintA: SOL, mintB: USDC };
  let reserves = { reserveA: 1_000n * 10n ** 9n, reserveB: 50_000n * 10n ** 6n };
  const change = (next: typeof reserves): PoolChange => {
    const c = { pool: { address: 'P', venue: { id: 'raydium-amm-v4' }, reserves: next } as never, state, previousReserves: reserves, causes: [] };
    reserves = next;
    return c;
  };
  // First sight: a baseline, no trade.
  assert.deepEqual(vol.observe({ pool: { address: 'P', venue: { id: 'raydium-amm-v4' }, reserves } as never, state, previousReserves: undefined, causes: [] }, 10), []);
  // Slot 11: 2 SOL in, 99 USDC out — delivered as two notifications (one per vault).
  assert.deepEqual(vol.observe(change({ ...reserves, reserveA: reserves.reserveA + 2n * 10n ** 9n }), 11), []);
  assert.deepEqual(vol.observe(change({ ...reserves, reserveB: reserves.reserveB - 99n * 10n ** 6n }), 11), []);
  const [trade] = vol.settleBefore(12);
  assert.deepEqual([trade!.inputMint, trade!.amountIn, trade!.outputMint, trade!.amountOut, trade!.usd], [SOL, 2n * 10n ** 9n, USDC, 99n * 10n ** 6n, 100]);
  // Slot 12: liquidity added on both sides — not a trade.
  vol.observe(change({ reserveA: reserves.reserveA + 10n ** 9n, reserveB: reserves.reserveB + 50n * 10n ** 6n }), 12);
  assert.deepEqual(vol.settleBefore(13), []);
  let fact = vol.fact(SOL);
  assert.deepEqual([fact.volume24hUsd, fact.trades24h, fact.averageTradeUsd, fact.spike], [100, 1, 100, false]);
  // Twelve quiet hours with a 100 USD trade an hour, then 2 000 USD in five minutes: a spike.
  for (let h = 1; h <= 12; h++) {
    now = h * 3_600_000;
    vol.observe(change({ ...reserves, reserveB: reserves.reserveB + 100n * 10n ** 6n }), 100 + h);
    vol.observe(change({ ...reserves, reserveA: reserves.reserveA - 2n * 10n ** 9n }), 100 + h);
    vol.settleBefore(101 + h);
  }
  now += 1_800_000; // half an hour later: nothing in the last five minutes
  assert.deepEqual([vol.fact(SOL).spike, vol.fact(SOL).spikeRatio], [false, 0]);
  now += 60_000;
  vol.observe(change({ ...reserves, reserveB: reserves.reserveB + 2_000n * 10n ** 6n }), 200);
  vol.observe(change({ ...reserves, reserveA: reserves.reserveA - 40n * 10n ** 9n }), 200);
  vol.settleBefore(201);
  fact = vol.fact(SOL);
  assert.equal(fact.trades24h, 14);
  assert.equal(fact.volume24hUsd, 100 + 1_200 + 2_000);
  assert.ok(fact.spike && fact.spikeRatio > 3, `ratio ${fact.spikeRatio}`);
  // The last 5 min (2 000 USD) over an average 5 min of the 12 h 31 min observed (3 300 USD in all).
  assert.equal(fact.spikeRatio, Math.round(((2_000 * 45_060_000) / (3_300 * 300_000)) * 1000) / 1000);
  // A day later the window is empty.
  now += 86_400_000;
  assert.equal(vol.fact(SOL).trades24h, 0);
});

/**
 * The market-data initializer on the sandbox: the SOL/USDC market of the real Whirlpool and DLMM
 * programs plus DLMM pairs the program created between fresh mints; every read goes through a
 * loopback proxy in front of the sandbox's RPC that records each call, so the batching (≤ 100
 * keys a call) is checked where the RPC sees it. Corrupted and missing accounts are reported not
 * ready with their reason, and the chain source trades only on the ready pools.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Connection, Keypair, PublicKey } from '@solana/web3.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { createManyDlmmPairs, createMarket, tokenBalance, writeMint, type Market } from '../../sandbox/market/index.ts';
import { tokenAccountData } from '../../sandbox/market/tokens.ts';
import { MemoryCache } from '../../engine/infra/cache/index.ts';
import { MemoryStore } from '../../engine/infra/store/index.ts';
import { MemoryBus } from '../../engine/infra/bus/index.ts';
import { registry, createLogger } from '../../engine/infra/telemetry/index.ts';
import { initializeMarket, parseScannerConfig, poolReadinessKey, routeHistoryFromStore, describeReadiness, type MarketReadiness } from '../../engine/market/index.ts';
import { ChainSource, type TradingEngine } from '../../engine/app/index.ts';
import { METEORA_DLMM_PROGRAM_ID, TOKEN_PROGRAM_ID } from '../../engine/venues/index.ts';

/** A JSON-RPC proxy that records every method and, for getMultipleAccounts, the number of keys. */
async function countingProxy(target: string): Promise<{ url: string; calls: { method: string; keys: number }[]; close(): Promise<void> }> {
  const calls: { method: string; keys: number }[] = [];
  const to = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        const parsed = JSON.parse(body.toString());
        for (const m of Array.isArray(parsed) ? parsed : [parsed]) calls.push({ method: m.method, keys: m.method === 'getMultipleAccounts' ? m.params[0].length : 0 });
      } catch {
        calls.push({ method: '<unparsable>', keys: 0 });
      }
      const up = request({ host: to.hostname, port: to.port, path: to.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length } }, (r) => {
        res.writeHead(r.statusCode ?? 500, { 'content-type': 'application/json' });
        r.pipe(res);
      });
      up.on('error', (e) => res.writeHead(502).end(String(e)));
      up.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}

const FRESH_PAIRS = 14;

async function setup(): Promise<{ sb: Sandbox; market: Market; fresh: string[] }> {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  const market = createMarket({ chain: sb.chain, seed: 1 });
  const fresh = createManyDlmmPairs(sb.chain, { count: FRESH_PAIRS, seed: 3 }).map((p) => p.address);
  sb.chain.advanceSlots(1);
  return { sb, market, fresh };
}

test('initializer: every pool ready, read in batches of at most 100 keys (counted at the RPC), reserves exact, readiness cached', async () => {
  const { sb, market, fresh } = await setup();
  const proxy = await countingProxy(sb.rpcUrl);
  try {
    const pools = [...market.pools.map((p) => p.address), ...fresh];
    const cache = new MemoryCache();
    const r = await initializeMarket({ connection: new Connection(proxy.url, 'confirmed'), commitment: 'confirmed', pools, oracles: [{ address: market.oracle!.address, mint: market.mints.sol }], cache, concurrency: 3 });
    assert.deepEqual(r.ready, pools, describeReadiness(r).join('\n'));
    assert.ok(r.pools.every((p) => p.ready && p.reason === undefined));
    // Every pool's vault balances as the chain holds them, to the atom.
    for (const p of r.pools) {
      const [a, b] = p.vaults!;
      assert.equal(p.reserves!.reserveA, tokenBalance(sb.chain, a), `${p.address} vault A`);
      assert.equal(p.reserves!.reserveB, tokenBalance(sb.chain, b), `${p.address} vault B`);
    }
    const whirlpool = r.pools.find((p) => p.venue === 'orca-whirlpool')!;
    assert.deepEqual(whirlpool.mints!.map((m) => [m.address, m.decimals, m.program]), [[market.mints.sol, 9, 'spl-token'], [market.mints.usdc, 6, 'spl-token']]);
    assert.ok(whirlpool.accounts.length >= 7, 'tick arrays, mints, vaults');
    assert.equal(r.oracles[0]!.ready, false, 'the market posts a pull-oracle PriceUpdateV2, which the scanner\'s push-oracle decoder refuses: reported, not hidden');
    // Batching, as the RPC saw it.
    const gma = proxy.calls.filter((c) => c.method === 'getMultipleAccounts');
    assert.ok(gma.length > 0);
    assert.ok(gma.every((c) => c.keys >= 1 && c.keys <= 100), JSON.stringify(gma));
    assert.equal(gma.length, r.rpc.calls, 'every call the initializer counted reached the RPC, and no other');
    assert.equal(proxy.calls.length, gma.length, `only getMultipleAccounts: ${JSON.stringify([...new Set(proxy.calls.map((c) => c.method))])}`);
    const keys = gma.reduce((a, c) => a + c.keys, 0);
    assert.equal(keys, r.rpc.accounts);
    assert.ok(keys > 100, `enough accounts to need several calls (${keys})`);
    // Each account read once: three rounds (pools → what they need → vaults), each in ⌈n/100⌉ calls.
    assert.ok(gma.length <= Math.ceil(keys / 100) + 3, `${gma.length} calls for ${keys} keys`);
    const distinct = new Set(r.pools.flatMap((p) => p.accounts));
    assert.ok(keys <= distinct.size + 2 + 1, `no account read twice (${keys} keys, ${distinct.size} distinct pool accounts + oracle + clock)`);
    // The scanner's seed: every account of every ready pool.
    const seeded = new Set(r.updates.map((u) => u.address));
    for (const a of distinct) assert.ok(seeded.has(a), a);
    // Readiness is in the cache for other processes.
    assert.equal(r.cached, pools.length);
    const entry = await cache.get<{ ready: boolean; venue: string; reserves: { reserveA: string } }>(poolReadinessKey(whirlpool.address));
    assert.equal(entry?.ready, true);
    assert.equal(entry?.reserves.reserveA, whirlpool.reserves!.reserveA.toString());
  } finally {
    await proxy.close();
    await sb.close();
  }
});

test('initializer: a missing pool, a corrupted pool, a vault of another mint, a missing mint and a non-pool are each not ready with their reason', async () => {
  const { sb, market, fresh } = await setup();
  try {
    const [corrupt, wrongVault, noMint, ...good] = fresh;
    const chain = sb.chain;
    // A pair whose discriminator is overwritten.
    const pairAcct = chain.getAccount(corrupt!)!;
    const data = Buffer.from(pairAcct.data);
    data.fill(0, 0, 8);
    chain.setAccount(corrupt!, { ...pairAcct, data });
    // A pair whose reserve X now holds another mint.
    const probe = await initializeMarket({ connection: new Connection(sb.rpcUrl, 'confirmed'), commitment: 'confirmed', pools: [wrongVault!, noMint!] });
    const [vx] = probe.pools[0]!.vaults!;
    const other = writeMint(chain, Keypair.generate().publicKey, 6, Keypair.generate().publicKey).toBase58();
    const vault = chain.getAccount(vx)!;
    chain.setAccount(vx, { ...vault, data: tokenAccountData(other, Keypair.generate().publicKey, 5n, null) });
    // A pair whose Y mint is gone.
    const mintY = probe.pools[1]!.mints![1].address;
    chain.setAccount(mintY, { lamports: 0n, owner: '11111111111111111111111111111111', data: new Uint8Array(0) });
    chain.advanceSlots(1);
    const missing = Keypair.generate().publicKey.toBase58();
    const notAPool = vx; // a token account
    const pools = [...market.pools.map((p) => p.address), ...good, corrupt!, wrongVault!, noMint!, missing, notAPool];
    const r: MarketReadiness = await initializeMarket({ connection: new Connection(sb.rpcUrl, 'confirmed'), commitment: 'confirmed', pools });
    const by = new Map(r.pools.map((p) => [p.address, p]));
    assert.deepEqual(r.ready, [...market.pools.map((p) => p.address), ...good]);
    const expect = (address: string, reason: string, code: string) => {
      const p = by.get(address)!;
      assert.equal(p.ready, false, address);
      assert.equal(p.reason, reason, `${address}: ${p.detail}`);
      assert.equal(p.code, code, `${address}: ${p.detail}`);
      assert.ok(p.detail && p.detail.length > 10);
    };
    expect(corrupt!, 'decode', 'DEX_ACCOUNT_BAD_DISCRIMINATOR');
    expect(wrongVault!, 'mismatch', 'DEX_ACCOUNT_MISMATCH');
    expect(noMint!, 'not-found', 'MARKET_ACCOUNT_NOT_FOUND');
    assert.match(by.get(noMint!)!.detail!, new RegExp(mintY));
    expect(missing, 'not-found', 'MARKET_ACCOUNT_NOT_FOUND');
    expect(notAPool, 'wrong-owner', 'SCAN_NOT_A_POOL');
    assert.equal(by.get(corrupt!)!.venue, 'meteora-dlmm');
    // Not-ready accounts do not reach the scanner's seed.
    assert.ok(!r.updates.some((u) => u.address === corrupt || u.address === wrongVault || u.address === missing));
    const lines = describeReadiness(r).join('\n');
    assert.match(lines, /5 NOT READY \(excluded from trading\)/);
    assert.match(lines, new RegExp(`NOT READY .*${wrongVault}.*mismatch \\(DEX_ACCOUNT_MISMATCH\\)`));
  } finally {
    await sb.close();
  }
});

test('chain source: trading starts only on the ready pools; the not-ready one is warned about and counted', async () => {
  const { sb, market, fresh } = await setup();
  try {
    const [broken] = fresh;
    const acct = sb.chain.getAccount(broken!)!;
    sb.chain.setAccount(broken!, { ...acct, owner: TOKEN_PROGRAM_ID });
    sb.chain.advanceSlots(1);
    assert.notEqual(TOKEN_PROGRAM_ID, METEORA_DLMM_PROGRAM_ID);
    const config = parseScannerConfig({ subscriptionMode: 'websocket', rpcUrl: sb.rpcUrl, wsUrl: sb.wsUrl, pools: [...market.pools.map((p) => p.address), broken], tokens: [{ mint: market.mints.sol, symbol: 'SOL', decimals: 9 }, { mint: market.mints.usdc, symbol: 'USDC', decimals: 6, usd: 1 }] });
    const warned: string[] = [];
    const log = createLogger({ level: 'warn', destination: { write: (s: string) => void warned.push(s) } as any });
    let reported: MarketReadiness | undefined;
    const source = new ChainSource({ config, log, durationMs: 50, onReady: (r) => (reported = r) });
    const bus = new MemoryBus();
    await source.run(bus, {} as TradingEngine);
    await source.stop();
    assert.ok(reported);
    assert.deepEqual(reported.ready, market.pools.map((p) => p.address));
    const watched = source.scanner!.market.entries().map((e) => e.state.address).sort();
    assert.deepEqual(watched, market.pools.map((p) => p.address).sort(), 'the scanners watch (and the engine trades on) the ready pools only');
    assert.ok(!source.scanner!.market.isWatched(broken!), 'the broken pool is not even watched');
    assert.ok(warned.some((l) => l.includes(broken!) && l.includes('NOT READY')), warned.join('\n'));
    const notReady = (await registry.getSingleMetric('solrules_market_pools_not_ready')!.get()).values.find((v) => v.labels.reason === 'wrong-owner');
    assert.equal(notReady?.value, 1);
    const ready = (await registry.getSingleMetric('solrules_market_pools_ready')!.get()).values;
    assert.equal(ready.find((v) => v.labels.venue === 'meteora-dlmm')?.value, 1);
    assert.equal(ready.find((v) => v.labels.venue === 'orca-whirlpool')?.value, 1);
  } finally {
    await sb.close();
  }
});

test('routes from history: filled round trips that returned more than they took, grouped by route and ranked by profit', async () => {
  const store = new MemoryStore();
  const legs = (a: string, b: string) => [{ pool: a, venue: 'orca-whirlpool', inputMint: 'USDC', outputMint: 'SOL' }, { pool: b, venue: 'meteora-dlmm', inputMint: 'SOL', outputMint: 'USDC' }];
  let n = 0;
  const record = async (route: ReturnType<typeof legs>, amountIn: bigint, amountOut: bigint, status: 'filled' | 'failed' = 'filled') => {
    const id = `ord_${n++}`;
    const order: any = { id, strategy: 'arbitrage', rule: 'r', ruleFile: 'f', ruleSetHash: 'h', side: 'roundtrip', inputMint: 'USDC', outputMint: 'USDC', amountIn, minAmountOut: amountIn, notionalUsd: 1, urgency: 'high', createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-01-01T01:00:00Z', params: { route: { legs: route } }, factsDigest: 'd', explanation: { ruleId: 'r', ruleSetHash: 'h', conditions: {} } };
    await store.insertOrder(order, status);
    await store.recordExecution({ orderId: id, executor: 'jito', status, amountIn, amountOut, feeAtoms: 0n, networkFeeLamports: 5000n, simulated: false, at: `2026-01-0${n}T00:00:00Z` });
  };
  await record(legs('P1', 'P2'), 1_000n, 1_010n);
  await record(legs('P1', 'P2'), 1_000n, 1_005n);
  await record(legs('P3', 'P4'), 1_000n, 1_100n);
  await record(legs('P5', 'P6'), 1_000n, 990n); // lost money
  await record(legs('P7', 'P8'), 1_000n, 2_000n, 'failed');
  const routes = await routeHistoryFromStore(store).profitableRoutes(10);
  assert.deepEqual(routes.map((r) => [r.legs.map((l) => l.pool).join('>'), r.profitableFills, r.profitAtoms]), [['P3>P4', 1, 100n], ['P1>P2', 2, 15n]]);
  assert.notEqual(routes[0]!.key, routes[1]!.key);
  assert.equal((await routeHistoryFromStore(store).profitableRoutes(1)).length, 1);
  assert.deepEqual(await routeHistoryFromStore(new MemoryStore()).profitableRoutes(10), []);
});

/**
 * Kamino reserves. No klend market or reserve exists on the sandbox yet (the reserve is being set
 * up elsewhere), so these reserve accounts are CONSTRUCTED here at the klend layout's offsets: they
 * show the checks and the fee arithmetic, not that the offsets match a reserve the program wrote.
 */
test('initializer: a Kamino reserve is read with the pools, checked, and its flash-loan fee and liquidity reported', async () => {
  const { KLEND_PROGRAM_ID, RESERVE_DISCRIMINATOR, RESERVE_LEN, flashLoanFee, reserveReadinessKey } = await import('../../engine/market/index.ts');
  const sb = await startSandbox({ slotMs: 'manual' });
  try {
    const market = createMarket({ chain: sb.chain, seed: 1, venues: ['orca-whirlpool'] });
    const vault = Keypair.generate().publicKey;
    sb.chain.setAccount(vault, { owner: TOKEN_PROGRAM_ID, lamports: 2_039_280n, data: tokenAccountData(market.mints.usdc, Keypair.generate().publicKey, 5_000_000_000n, null) });
    const lendingMarket = Keypair.generate().publicKey;
    const reserve = (mint: string, feeSf: bigint) => {
      const d = Buffer.alloc(RESERVE_LEN);
      RESERVE_DISCRIMINATOR.copy(d, 0);
      lendingMarket.toBuffer().copy(d, 32);
      new PublicKey(mint).toBuffer().copy(d, 128);
      vault.toBuffer().copy(d, 160);
      d.writeBigUInt64LE(5_000_000_000n, 224);
      d.writeBigUInt64LE(feeSf, 4904);
      const address = Keypair.generate().publicKey;
      sb.chain.setAccount(address, { owner: KLEND_PROGRAM_ID, lamports: 1n, data: d });
      return address.toBase58();
    };
    const feeSf = (1n << 60n) * 9n / 100_000n; // 0.9 bp
    const good = reserve(market.mints.usdc, feeSf);
    const disabled = reserve(market.mints.usdc, (1n << 64n) - 1n);
    const wrongMint = reserve(market.mints.sol, feeSf);
    const notKlend = market.mints.usdc;
    const cache = new MemoryCache();
    const r = await initializeMarket({
      connection: new Connection(sb.rpcUrl, 'confirmed'),
      commitment: 'confirmed',
      pools: [market.pool('orca-whirlpool').address],
      reserves: [good, disabled, wrongMint, notKlend].map((address) => ({ address, mint: market.mints.usdc, lendingMarket: lendingMarket.toBase58() })),
      cache,
    });
    const [ok, off, wrong, foreign] = r.reserves;
    assert.equal(ok!.ready, true, ok!.detail);
    assert.equal(ok!.reserve!.availableAmount, 5_000_000_000n);
    assert.equal(ok!.reserve!.supplyVault, vault.toBase58());
    assert.equal(flashLoanFee(ok!.reserve!, 1_000_000_000n), (1_000_000_000n * feeSf + (1n << 59n)) >> 60n, 'rounded to the nearest atom, as klend does');
    assert.ok(Math.abs(ok!.flashLoanFeeBps! - 0.9) < 1e-9);
    assert.deepEqual([off, wrong, foreign].map((x) => [x!.ready, x!.code]), [[false, 'MARKET_RESERVE_INVALID'], [false, 'MARKET_RESERVE_INVALID'], [false, 'MARKET_RESERVE_INVALID']]);
    assert.match(off!.detail!, /disabled/);
    assert.match(wrong!.detail!, /lends/);
    assert.match(foreign!.detail!, /owned by/);
    assert.equal((await cache.get<{ ready: boolean }>(reserveReadinessKey(good)))?.ready, true);
    assert.match(describeReadiness(r).join('\n'), /reserve .* ready: 5000000000 atoms available, flash-loan fee 0\.9000 bps/);
    assert.deepEqual(r.ready, [market.pool('orca-whirlpool').address], 'reserves do not change which pools trade');
  } finally {
    await sb.close();
  }
});

test('initializer: the Kamino reserve klend itself created on the sandbox is ready, with the liquidity deposited and its fee', async () => {
  const sb = await startSandbox({ slotMs: 'manual', genesisUnixMs: 1_700_000_000_000 });
  try {
    const market = createMarket({ chain: sb.chain, seed: 1, kamino: true });
    const k = market.kamino!;
    const r = await initializeMarket({
      connection: new Connection(sb.rpcUrl, 'confirmed'),
      commitment: 'confirmed',
      pools: market.pools.map((p) => p.address),
      reserves: [{ address: k.reserve.reserve, mint: market.mints.usdc, lendingMarket: k.lendingMarket }, { address: k.reserve.reserve, mint: market.mints.sol }],
    });
    const [real, wrongMint] = r.reserves;
    assert.equal(real!.ready, true, real!.detail);
    assert.equal(real!.reserve!.availableAmount, tokenBalance(sb.chain, real!.reserve!.supplyVault), 'available = what the supply vault holds');
    assert.equal(real!.reserve!.availableAmount, k.reserve.availableAmount);
    assert.equal(real!.reserve!.flashLoanFeeSf, k.reserve.flashLoanFeeSf);
    assert.equal(wrongMint!.ready, false);
    assert.equal(wrongMint!.code, 'MARKET_RESERVE_INVALID');
    assert.deepEqual(r.ready, market.pools.map((p) => p.address));
  } finally {
    await sb.close();
  }
});

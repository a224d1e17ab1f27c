/** `solrules quote` on the shared fixture accounts of every venue: output shape, agreement with the venue, refusals, usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../engine/cli/quote.ts';
import { loadAccountDir } from '../../engine/accounts/index.ts';
import { meteoraDlmm, orcaWhirlpool, raydiumClmm } from '../../engine/venues/index.ts';
import { REPO_ROOT, sharedFixture } from '../support/paths.ts';
import { fixturePool } from '../venues/raydium-clmm/fixture-pool.ts';

const ESSENTIALS = sharedFixture('accounts/orca-whirlpool/whirlpool-essentials');
const RAYDIUM = sharedFixture('accounts/raydium-amm-v4');
const SOL = 'So11111111111111111111111111111111111111112';
const USDC = 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await run(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

test('whirlpool SOL/USDC: prints exactly amountIn, amountOut, feeAmount, priceImpactBps, equal to the venue quote', async () => {
  const r = await cli(['--accounts', ESSENTIALS, '--pool', 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ', '--input-mint', USDC, '--amount', '1000000000000', '--timestamp', '1668008674']);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out) as Record<string, unknown>;
  assert.deepEqual(Object.keys(json), ['amountIn', 'amountOut', 'feeAmount', 'priceImpactBps']);
  const accounts = loadAccountDir(ESSENTIALS);
  const state = orcaWhirlpool.buildState(accounts.get('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ')!, accounts, { unixTimestamp: 1668008674n });
  const q = orcaWhirlpool.quoteExactIn(state, USDC, 10n ** 12n);
  assert.deepEqual(json, { amountIn: q.amountIn.toString(), amountOut: q.amountOut.toString(), feeAmount: q.feeAmount.toString(), priceImpactBps: q.priceImpactBps });
  assert.equal(json.amountOut, '24044844706139');
  assert.equal(typeof json.priceImpactBps, 'number');
});

test('raydium with --pool as a file (three captures share the address) and --exact-out', async () => {
  const pool = join(RAYDIUM, '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.capture-with-vaults.json');
  const inQuote = await cli(['--accounts', RAYDIUM, '--pool', pool, '--input-mint', SOL, '--amount', '1000000000']);
  assert.equal(inQuote.code, 0, inQuote.err);
  assert.deepEqual(JSON.parse(inQuote.out), { amountIn: '1000000000', amountOut: '72771136', feeAmount: '2500000', priceImpactBps: 0.1476 });
  const outQuote = await cli(['--accounts', RAYDIUM, '--pool', pool, '--input-mint', SOL, '--amount', '72771136', '--exact-out']);
  assert.equal(outQuote.code, 0, outQuote.err);
  const o = JSON.parse(outQuote.out) as Record<string, string>;
  assert.equal(o.amountOut, '72771136');
  assert.ok(BigInt(o.amountIn!) <= 1_000_000_000n);
  const details = await cli(['--accounts', RAYDIUM, '--pool', pool, '--input-mint', SOL, '--amount', '1000000000', '--details']);
  assert.equal((JSON.parse(details.out) as Record<string, unknown>).venue, 'raydium-amm-v4');
});

test('refusals exit 1 with the typed error: ambiguous pool files, unknown mint, not a pool', async () => {
  const ambiguous = await cli(['--accounts', RAYDIUM, '--pool', '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2', '--input-mint', SOL, '--amount', '1']);
  assert.equal(ambiguous.code, 1);
  assert.match(ambiguous.err, /3 different files/);
  const wrongMint = await cli(['--accounts', ESSENTIALS, '--pool', 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ', '--input-mint', 'orcaEKTdK7LKz57vaAYr9QeNsVEPfiu6QeMU1kektZE', '--amount', '5']);
  assert.equal(wrongMint.code, 1);
  assert.match(wrongMint.err, /DEX_MINT_NOT_IN_POOL/);
  const notPool = await cli(['--accounts', ESSENTIALS, '--pool', USDC, '--input-mint', SOL, '--amount', '5']);
  assert.equal(notPool.code, 1);
  assert.match(notPool.err, /DEX_UNKNOWN_VENUE/);
  const missing = await cli(['--accounts', ESSENTIALS, '--pool', '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2', '--input-mint', SOL, '--amount', '5']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /DEX_ACCOUNT_MISSING/);
});

test('several files for one address: identical copies quote, differing ones are refused naming both files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'solrules-quote-'));
  try {
    const pool = '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.capture-with-vaults.json';
    const coin = 'DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz.coin-vault.capture-with-vaults.json';
    for (const f of [pool, coin, 'HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz.pc-vault.capture-with-vaults.json']) copyFileSync(join(RAYDIUM, f), join(dir, f));
    mkdirSync(join(dir, 'again'));
    copyFileSync(join(RAYDIUM, coin), join(dir, 'again', coin));
    const args = ['--accounts', dir, '--pool', '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2', '--input-mint', SOL, '--amount', '1000000000'];
    const same = await cli(args);
    assert.equal(same.code, 0, same.err);
    assert.deepEqual(JSON.parse(same.out), { amountIn: '1000000000', amountOut: '72771136', feeAmount: '2500000', priceImpactBps: 0.1476 });
    const doc = JSON.parse(readFileSync(join(RAYDIUM, coin), 'utf8')) as { account: { data: [string, string] } };
    const data = Buffer.from(doc.account.data[0], 'base64');
    data[64] = data[64]! ^ 1; // the vault amount
    doc.account.data[0] = data.toString('base64');
    writeFileSync(join(dir, 'again', coin), JSON.stringify(doc));
    const differing = await cli(args);
    assert.equal(differing.code, 1);
    assert.match(differing.err, /DEX_ACCOUNT_MISMATCH/);
    assert.match(differing.err, /2 different files/);
    assert.ok(differing.err.includes(join(dir, 'again', coin)) && differing.err.includes(join(dir, coin)), differing.err);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('usage errors exit 2', async () => {
  assert.equal((await cli([])).code, 2);
  assert.equal((await cli(['--accounts', ESSENTIALS, '--pool', 'x', '--input-mint', SOL, '--amount', '1.5'])).code, 2);
  assert.equal((await cli(['--accounts', ESSENTIALS, '--pool', 'x', '--input-mint', SOL, '--amount', '-3'])).code, 2);
  assert.equal((await cli(['--accounts', '/nonexistent', '--pool', 'x', '--input-mint', SOL, '--amount', '1'])).code, 2);
  assert.equal((await cli(['--bogus'])).code, 2);
  assert.equal((await cli(['--help'])).code, 0);
});

test('npx solrules quote runs through the dispatcher', () => {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/solrules.js'), 'quote', '--accounts', ESSENTIALS, '--pool', '9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe', '--input-mint', USDC, '--amount', '1000000000', '--timestamp', '1668008674'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(Object.keys(JSON.parse(r.stdout) as object), ['amountIn', 'amountOut', 'feeAmount', 'priceImpactBps']);
});

// Meteora DLMM and Raydium CLMM account files

const ET_DIR = sharedFixture('accounts/meteora-dlmm/dlmm-sdk-commons-fixtures/EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig');
const T9_DIR = sharedFixture('accounts/meteora-dlmm/dlmm-sdk-commons-fixtures/9t3EyC9FweyL7PBWvKz3mrXg8B9fwFc9SK3QxM4ENqhd');

test('DLMM EtAd: exact in and exact out print what the venue quotes', async () => {
  const accounts = loadAccountDir(ET_DIR);
  const state = meteoraDlmm.buildState(accounts.get('EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig')!, accounts, { unixTimestamp: 1734391450n });
  for (const exactOut of [false, true]) {
    const r = await cli(['--accounts', ET_DIR, '--pool', 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig', '--input-mint', SOL, '--amount', '100000000', '--timestamp', '1734391450', ...(exactOut ? ['--exact-out'] : [])]);
    assert.equal(r.code, 0, r.err);
    const q = exactOut ? meteoraDlmm.quoteExactOut(state, SOL, 100_000_000n) : meteoraDlmm.quoteExactIn(state, SOL, 100_000_000n);
    assert.deepEqual(JSON.parse(r.out), { amountIn: q.amountIn.toString(), amountOut: q.amountOut.toString(), feeAmount: q.feeAmount.toString(), priceImpactBps: q.priceImpactBps });
  }
  const pinned = await cli(['--accounts', ET_DIR, '--pool', 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig', '--input-mint', SOL, '--amount', '100000000', '--timestamp', '1734391450']);
  assert.deepEqual(JSON.parse(pinned.out), { amountIn: '100000000', amountOut: '67686838', feeAmount: '1028615', priceImpactBps: 95.0438 });
});

test('DLMM 9t3Ey: a slot-activated pair needs --slot; fee on Y is excluded from the price impact', async () => {
  const args = ['--accounts', T9_DIR, '--pool', '9t3EyC9FweyL7PBWvKz3mrXg8B9fwFc9SK3QxM4ENqhd', '--input-mint', 'BBZU4HYvY4qMGE5MbWsVxGweGBZJqGRsgH8tAEAKusNk', '--amount', '1000000', '--timestamp', '1750000000'];
  const refused = await cli(args);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /DEX_POOL_NOT_TRADING/);
  const ok = await cli([...args, '--slot', '448432755']);
  assert.equal(ok.code, 0, ok.err);
  assert.deepEqual(JSON.parse(ok.out), { amountIn: '1000000', amountOut: '990000', feeAmount: '10000', priceImpactBps: 0 });
});

test('DLMM FJbEo: out of liquidity is exit 1 with the typed error', async () => {
  const dir = sharedFixture('accounts/meteora-dlmm/dlmm-sdk-artifacts/FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB');
  const r = await cli(['--accounts', dir, '--pool', 'FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB', '--input-mint', SOL, '--amount', '5000000000']);
  assert.equal(r.code, 1);
  assert.match(r.err, /DEX_INSUFFICIENT_LIQUIDITY/);
});

test('CLMM: the carbon fixtures alone are not quotable (no tick array, no extension); the consistent fixture pool is', async () => {
  const carbon = sharedFixture('accounts/raydium-clmm/carbon');
  const bare = await cli(['--accounts', carbon, '--pool', join(carbon, 'pool_state_account.json'), '--input-mint', SOL, '--amount', '1000000']);
  assert.equal(bare.code, 1);
  assert.match(bare.err, /DEX_/);
  const f = fixturePool();
  const dir = mkdtempSync(join(tmpdir(), 'solrules-clmm-'));
  try {
    const write = (address: string, data: Uint8Array) =>
      writeFileSync(join(dir, `${address}.json`), JSON.stringify({ pubkey: address, account: { data: [Buffer.from(data).toString('base64'), 'base64'], owner: 'CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK', lamports: 1, executable: false, rentEpoch: 0 } }));
    write(f.address, f.poolSnapshot.data);
    for (const [address, a] of f.accounts) write(address, a.data);
    const r = await cli(['--accounts', dir, '--pool', f.address, '--input-mint', SOL, '--amount', '2000000000', '--timestamp', '1750000000']);
    assert.equal(r.code, 0, r.err);
    const state = raydiumClmm.buildState(f.poolSnapshot, f.accounts, { unixTimestamp: 1750000000n });
    const q = raydiumClmm.quoteExactIn(state, SOL, 2_000_000_000n);
    assert.deepEqual(JSON.parse(r.out), { amountIn: '2000000000', amountOut: q.amountOut.toString(), feeAmount: q.feeAmount.toString(), priceImpactBps: q.priceImpactBps });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

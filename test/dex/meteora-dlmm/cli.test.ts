/** `solrules quote` on Meteora DLMM and Raydium CLMM account files: same numbers as the venues, refusals as typed errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../engine/cli/quote.ts';
import { loadAccountDir } from '../../../engine/accounts/index.ts';
import { meteoraDlmm, raydiumClmm } from '../../../engine/dex/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { fixturePool } from '../raydium-clmm/fixture-pool.ts';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await run(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

const ET_DIR = sharedFixture('accounts/meteora-dlmm/dlmm-sdk-commons-fixtures/EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig');
const T9_DIR = sharedFixture('accounts/meteora-dlmm/dlmm-sdk-commons-fixtures/9t3EyC9FweyL7PBWvKz3mrXg8B9fwFc9SK3QxM4ENqhd');
const WSOL = 'So11111111111111111111111111111111111111112';

test('DLMM EtAd: exact in and exact out print what the venue quotes', async () => {
  const accounts = loadAccountDir(ET_DIR);
  const state = meteoraDlmm.buildState(accounts.get('EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig')!, accounts, { unixTimestamp: 1734391450n });
  for (const exactOut of [false, true]) {
    const r = await cli(['--accounts', ET_DIR, '--pool', 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig', '--input-mint', WSOL, '--amount', '100000000', '--timestamp', '1734391450', ...(exactOut ? ['--exact-out'] : [])]);
    assert.equal(r.code, 0, r.err);
    const q = exactOut ? meteoraDlmm.quoteExactOut(state, WSOL, 100_000_000n) : meteoraDlmm.quoteExactIn(state, WSOL, 100_000_000n);
    assert.deepEqual(JSON.parse(r.out), { amountIn: q.amountIn.toString(), amountOut: q.amountOut.toString(), feeAmount: q.feeAmount.toString(), priceImpactBps: q.priceImpactBps });
  }
  const pinned = await cli(['--accounts', ET_DIR, '--pool', 'EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig', '--input-mint', WSOL, '--amount', '100000000', '--timestamp', '1734391450']);
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
  const r = await cli(['--accounts', dir, '--pool', 'FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB', '--input-mint', WSOL, '--amount', '5000000000']);
  assert.equal(r.code, 1);
  assert.match(r.err, /DEX_INSUFFICIENT_LIQUIDITY/);
});

test('CLMM: the carbon fixtures alone are not quotable (no tick array, no extension); the consistent fixture pool is', async () => {
  const carbon = sharedFixture('accounts/raydium-clmm/carbon');
  const bare = await cli(['--accounts', carbon, '--pool', join(carbon, 'pool_state_account.json'), '--input-mint', WSOL, '--amount', '1000000']);
  assert.equal(bare.code, 1);
  assert.match(bare.err, /DEX_/);
  const f = fixturePool();
  const dir = mkdtempSync(join(tmpdir(), 'solrules-clmm-'));
  try {
    const write = (address: string, data: Uint8Array) =>
      writeFileSync(join(dir, `${address}.json`), JSON.stringify({ pubkey: address, account: { data: [Buffer.from(data).toString('base64'), 'base64'], owner: 'CAMMCzo5YL8w4VFF8KVHrK22GGUsp5VTaW7grrKgrWqK', lamports: 1, executable: false, rentEpoch: 0 } }));
    write(f.address, f.poolSnapshot.data);
    for (const [address, a] of f.accounts) write(address, a.data);
    const r = await cli(['--accounts', dir, '--pool', f.address, '--input-mint', WSOL, '--amount', '2000000000', '--timestamp', '1750000000']);
    assert.equal(r.code, 0, r.err);
    const state = raydiumClmm.buildState(f.poolSnapshot, f.accounts, { unixTimestamp: 1750000000n });
    const q = raydiumClmm.quoteExactIn(state, WSOL, 2_000_000_000n);
    assert.deepEqual(JSON.parse(r.out), { amountIn: '2000000000', amountOut: q.amountOut.toString(), feeAmount: q.feeAmount.toString(), priceImpactBps: q.priceImpactBps });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

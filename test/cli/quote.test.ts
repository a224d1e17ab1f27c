/** `solrules quote` on the shared fixture accounts: output shape, agreement with the venue, refusals, usage errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../engine/cli/quote.ts';
import { loadAccountDir } from '../../engine/accounts/index.ts';
import { orcaWhirlpool } from '../../engine/dex/index.ts';
import { REPO_ROOT, sharedFixture } from '../support/paths.ts';

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

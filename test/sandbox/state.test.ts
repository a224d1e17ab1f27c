import { startSandbox, type Sandbox } from '../../sandbox/index.ts';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PublicKey, type Connection } from '@solana/web3.js';
import { loadAccountFile } from '../../engine/accounts/index.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { sharedFixture } from '../support/paths.ts';
import { connect, rpc } from './helpers.ts';

const WHIRLPOOL_PROGRAM = new PublicKey('whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc');
const SOL_USDC_WHIRLPOOL = 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ';
const SAMO_USDC_WHIRLPOOL = '9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe';
let sb: Sandbox;
let conn: Connection;

before(async () => {
  sb = await startSandbox({ slotMs: 'manual', accountsDir: sharedFixture('accounts') });
  conn = connect(sb);
});

after(() => sb.close());

test('loads the shared fixture accounts in both formats and reports what it skipped', () => {
  const [report] = sb.accountLoads;
  assert.ok(report);
  assert.ok(report.placed >= 80, `placed ${report.placed}`);
  assert.ok(report.withoutAddress.some((f) => f.endsWith('raydium-clmm/carbon/pool_state_account.json')), 'carbon dumps without an address are listed');
  const dups = report.duplicates.filter((d) => d.address === '58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2');
  assert.equal(dups.length, 2, 'the three Raydium captures of one pool are reported');
  assert.match(dups.at(-1)!.kept, /slot453868631\.json$/, 'the last file in path order wins, whatever the file system order');
  const kept = loadAccountFile(dups.at(-1)!.kept);
  assert.ok(Buffer.from(sb.getAccount('58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2')!.data).equals(Buffer.from(kept.data)));
});

test('a real Orca whirlpool reads back byte for byte through an unmodified Connection', async () => {
  const file = loadAccountFile(sharedFixture(`accounts/orca-whirlpool/whirlpool-essentials/sol_usdc_wp_whirlpool.${SOL_USDC_WHIRLPOOL}.json`));
  const info = await conn.getAccountInfo(new PublicKey(SOL_USDC_WHIRLPOOL));
  assert.ok(info);
  assert.ok(info.owner.equals(WHIRLPOOL_PROGRAM));
  assert.ok(info.data.equals(Buffer.from(file.data)));
  assert.equal(BigInt(info.lamports), file.lamports);
  const pools = await conn.getProgramAccounts(WHIRLPOOL_PROGRAM, { filters: [{ dataSize: 653 }], dataSlice: { offset: 0, length: 8 } });
  assert.deepEqual(pools.map((p) => p.pubkey.toBase58()).sort(), [SOL_USDC_WHIRLPOOL, SAMO_USDC_WHIRLPOOL].sort());
  assert.equal(pools[0]!.account.data.length, 8);
});

test('accounts recorded without lamports get the rent-exempt minimum; rentEpoch u64::MAX survives as a JSON integer', async () => {
  const amm = await conn.getAccountInfo(new PublicKey('58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2'));
  assert.equal(amm?.lamports, await conn.getMinimumBalanceForRentExemption(752));
  const raw = await fetch(sb.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getAccountInfo', params: ['58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2', { encoding: 'base64' }] }),
  }).then((r) => r.text());
  assert.match(raw, /"rentEpoch":18446744073709551615[,}]/);
});

test('fixture mints and token accounts parse as SPL Token and Token-2022 state', async () => {
  const usdc = await conn.getParsedAccountInfo(new PublicKey('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v'));
  const mint = usdc.value!.data as { program: string; parsed: { type: string; info: { decimals: number } } };
  assert.equal(mint.program, 'spl-token');
  assert.equal(mint.parsed.type, 'mint');
  assert.equal(mint.parsed.info.decimals, 6);
  const orca = await conn.getTokenAccountBalance(new PublicKey('7B8yNHX62NLvRswD86ttbGcV5TYxUsDNxEg2ZRMZLPRt'));
  assert.equal(orca.value.amount, '58875'); // asserted by the fixture's source repo
  const pyusd = await conn.getParsedAccountInfo(new PublicKey('2A7Cc48jwWWoixM5CWquQKEqk9KNQvY2Xw3WJbBRc6Ei'));
  const pyusdData = pyusd.value!.data as { program: string; parsed: { info: { tokenAmount: { amount: string } } } };
  assert.equal(pyusdData.program, 'spl-token-2022');
  assert.equal(pyusdData.parsed.info.tokenAmount.amount, '849007');
  const supply = await conn.getTokenSupply(new PublicKey('orcaEKTdK7LKz57vaAYr9QeNsVEPfiu6QeMU1kektZE'));
  assert.equal(supply.value.amount, '99999990272788');
});

test('setAccount validates its input and the harness can place snapshots directly', async () => {
  assert.throws(() => sb.setAccount('not-an-address', {}), (e) => isSolrulesError(e, 'SANDBOX_BAD_ADDRESS'));
  assert.throws(() => sb.setAccount(new PublicKey(SOL_USDC_WHIRLPOOL), { lamports: -1n }), (e) => isSolrulesError(e, 'SANDBOX_BAD_ACCOUNT') && e.context.field === 'lamports');
  const pyth = loadAccountFile(sharedFixture('accounts/pyth/H6ARHf6YXhGYeQfUzQNGk6rDNnLBQKrenN712K4AQJEG.SOL_USD.json'));
  const fresh = await startSandbox({ slotMs: 'manual', accounts: [pyth] });
  try {
    assert.equal((await rpc(fresh.rpcUrl, 'getAccountInfo', [pyth.address, { encoding: 'base64' }])).body.result.value.owner, pyth.owner);
    await assert.rejects(startSandbox({ slotMs: 'manual', accounts: [{ ...pyth, address: undefined }] }), (e) => isSolrulesError(e, 'SANDBOX_BAD_ACCOUNT'));
  } finally {
    await fresh.close();
  }
});

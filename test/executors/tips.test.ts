/**
 * The dynamic tip: Jito's tip floor (the fixture's recorded response, the sandbox's block engine
 * endpoint — never the real Jito), the advisor that picks the percentile from our landing
 * history, and the tip policy that bounds what the rules chose by profit share, floor and cap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keypair, PublicKey, SystemProgram, TransactionMessage, VersionedTransaction } from '@solana/web3.js';
import { startSandbox } from '../../sandbox/index.ts';
import { HttpTipFloor, parseTipFloor, percentileFor, StaticTipFloor, TipAdvisor, tipFloorFromFile } from '../../engine/executors/index.ts';
import { tipLamports, tipPolicyOf } from '../../engine/executors/live/plan.ts';
import { isSolrulesError } from '../../engine/errors/index.ts';
import { sharedFixture } from '../support/paths.ts';

const FIXTURE = sharedFixture('jito', 'tip-accounts-and-limits.json');

test('the fixture tip floor (SOL floats) parses to exact lamports', () => {
  const floor = tipFloorFromFile(FIXTURE)!;
  // 6.001000000000001e-06 SOL, 1e-05, 3.6196500000000005e-05, 0.0014479055000000002, 0.010007999, 9.836078125000002e-06
  assert.deepEqual(floor, { time: '2024-09-01T12:58:00Z', p25: 6001n, p50: 10000n, p75: 36197n, p95: 1447906n, p99: 10007999n, emaP50: 9836n });
  assert.equal(parseTipFloor([]), undefined);
  assert.throws(() => parseTipFloor([{ landed_tips_25th_percentile: 'x' }], 'here'), (e) => isSolrulesError(e, 'EXEC_BAD_TIP_FLOOR') && /here: landed_tips_25th_percentile/.test(e.message));
});

test('the advisor bids the 75th percentile until it has five bundles, then climbs as fewer land', () => {
  assert.equal(percentileFor(0, 0, 5), 75);
  assert.equal(percentileFor(1, 10, 5), 50);
  assert.equal(percentileFor(0.7, 10, 5), 75);
  assert.equal(percentileFor(0.5, 10, 5), 95);
  assert.equal(percentileFor(0.1, 10, 5), 99);
  const advisor = new TipAdvisor(new StaticTipFloor(tipFloorFromFile(FIXTURE)), { window: 10, now: () => Date.parse('2024-09-01T12:59:00Z') });
  let f = advisor.fact();
  assert.equal(f.source, 'jito-tip-floor');
  assert.equal(f.ageSeconds, 60);
  assert.equal(f.percentile, 75);
  assert.equal(f.recommendedLamports, '36197');
  for (let i = 0; i < 6; i++) advisor.record(true, 36197n);
  f = advisor.fact();
  assert.deepEqual([f.samples, f.landed, f.landingRate, f.percentile, f.recommendedLamports], [6, 6, 1, 50, '10000']);
  for (let i = 0; i < 6; i++) advisor.record(false, 10000n); // 4 landed of the last 10
  f = advisor.fact();
  assert.deepEqual([f.samples, f.landed, f.notLanded, f.landingRate, f.percentile, f.recommendedLamports], [10, 4, 6, 0.4, 95, '1447906']);
  assert.equal(f.recommendedSol, 0.001447906);
  assert.equal(new TipAdvisor(new StaticTipFloor(undefined)).fact().source, 'none');
});

test('a tip the rules chose is bounded by the profit share (a ceiling), the floor and the cap', () => {
  const route = (params: Record<string, unknown>) => ({ executor: 'jito', ruleId: 'r', params: { tipShareBps: 7000, tipFloorLamports: 10_000, tipCapLamports: 5_000_000, ...params } });
  assert.equal(tipLamports(1_000_000n, tipPolicyOf(route({}))), 700_000n, 'no chosen tip: the share of profit');
  assert.equal(tipLamports(1_000_000n, tipPolicyOf(route({ tipLamports: '36197' }))), 36_197n, 'the chosen tip');
  assert.equal(tipLamports(1_000_000n, tipPolicyOf(route({ tipLamports: '1447906' }))), 700_000n, 'never more than the share of the expected profit');
  assert.equal(tipLamports(1_000_000n, tipPolicyOf(route({ tipLamports: 2_000 }))), 10_000n, 'at least the floor');
  assert.equal(tipLamports(100_000_000n, tipPolicyOf(route({ tipLamports: '10007999' }))), 5_000_000n, 'at most the cap');
  assert.equal(tipLamports(1_000_000n, tipPolicyOf(route({ tipLamports: undefined }))), 700_000n, 'an absent tip fact leaves the share policy');
  assert.throws(() => tipPolicyOf(route({ tipLamports: -5 })), (e) => isSolrulesError(e, 'EXEC_BAD_TIP_POLICY'));
});

test("the sandbox's block engine serves a tip floor: its landed bundles' tips, or the one the harness sets", async () => {
  const sb = await startSandbox({ slotMs: 'manual' });
  try {
    const url = `${sb.blockEngineUrl}/api/v1/bundles/tip_floor`;
    const floor = new HttpTipFloor(url);
    await floor.refresh();
    assert.equal(floor.current(), undefined, 'nothing landed yet');
    assert.equal(floor.lastError, undefined);
    const payer = Keypair.generate();
    sb.airdrop(payer.publicKey, 1_000_000_000n);
    const send = async (tip: number) => {
      const tx = new VersionedTransaction(new TransactionMessage({ payerKey: payer.publicKey, recentBlockhash: sb.latestBlockhash().blockhash, instructions: [SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: new PublicKey(sb.tipAccounts[0]!), lamports: tip })] }).compileToV0Message());
      tx.sign([payer]);
      const res = await fetch(`${sb.blockEngineUrl}/api/v1/bundles`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'sendBundle', params: [[Buffer.from(tx.serialize()).toString('base64')], { encoding: 'base64' }] }) });
      const body = (await res.json()) as { result?: string };
      assert.ok(body.result, JSON.stringify(body));
      sb.advanceSlots(1);
    };
    for (const tip of [2_000, 4_000, 6_000, 8_000]) await send(tip);
    await floor.refresh();
    const mine = floor.current()!;
    assert.deepEqual([mine.p25, mine.p50, mine.p75, mine.p95, mine.p99], [2_000n, 4_000n, 6_000n, 8_000n, 8_000n]);
    const recorded = (JSON.parse((await import('node:fs')).readFileSync(FIXTURE, 'utf8')) as { tipFloorResponseExample: any[] }).tipFloorResponseExample[0];
    sb.setTipFloor(recorded);
    await floor.refresh();
    assert.deepEqual(floor.current(), tipFloorFromFile(FIXTURE));
    const down = new HttpTipFloor('http://127.0.0.1:1/api/v1/bundles/tip_floor', { timeoutMs: 500 });
    await down.refresh();
    assert.ok(down.lastError, 'an unreachable endpoint is an error kept, not a floor');
    assert.equal(down.current(), undefined);
  } finally {
    await sb.close();
  }
});

/**
 * Whirlpool decoders against every value the fixtures assert: whirlpool-essentials
 * (`_decoded-summary.json` and the README values from Orca's Python SDK tests) and the carbon
 * dumps' embedded `data_decoded`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadAccountDir, loadAccountFile } from '../../../engine/accounts/index.ts';
import {
  DYNAMIC_TICK_ARRAY_DISCRIMINATOR,
  FIXED_TICK_ARRAY_DISCRIMINATOR,
  ORACLE_DISCRIMINATOR,
  WHIRLPOOL_DISCRIMINATOR,
  decodePosition,
  decodeTickArray,
  decodeWhirlpool,
  oracleAddress,
  tickArrayAddress,
} from '../../../engine/venues/orca-whirlpool/index.ts';
import { isSolrulesError, type ErrorCode } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';

const ESSENTIALS = sharedFixture('accounts/orca-whirlpool/whirlpool-essentials');
const CARBON = sharedFixture('accounts/orca-whirlpool/carbon');
const summary = JSON.parse(readFileSync(`${ESSENTIALS}/_decoded-summary.json`, 'utf8')) as Record<string, Record<string, unknown>>;

function essentials(file: string) {
  return loadAccountFile(`${ESSENTIALS}/${file}`);
}

test('discriminators are sha256("account:<Name>")[0..8]', () => {
  for (const [name, d] of [
    ['Whirlpool', WHIRLPOOL_DISCRIMINATOR],
    ['TickArray', FIXED_TICK_ARRAY_DISCRIMINATOR],
    ['DynamicTickArray', DYNAMIC_TICK_ARRAY_DISCRIMINATOR],
    ['Oracle', ORACLE_DISCRIMINATOR],
  ] as const) {
    assert.deepEqual(Buffer.from(d), createHash('sha256').update(`account:${name}`).digest().subarray(0, 8));
  }
});

test('whirlpool-essentials: every whirlpool and tick array in _decoded-summary.json', () => {
  let whirlpools = 0;
  let arrays = 0;
  for (const [file, expected] of Object.entries(summary)) {
    if ('tickSpacing' in expected) {
      const w = decodeWhirlpool(essentials(file));
      assert.equal(essentials(file).data.length, expected.len);
      assert.equal(w.whirlpoolsConfig, expected.whirlpoolsConfig);
      assert.equal(w.tickSpacing, expected.tickSpacing);
      assert.equal(w.feeRate, expected.feeRate);
      assert.equal(w.protocolFeeRate, expected.protocolFeeRate);
      assert.equal(w.liquidity, BigInt(expected.liquidity as string));
      assert.equal(w.sqrtPrice, BigInt(expected.sqrtPrice as string));
      assert.equal(w.tickCurrentIndex, expected.tickCurrentIndex);
      assert.equal(w.tokenMintA, expected.tokenMintA);
      assert.equal(w.tokenVaultA, expected.tokenVaultA);
      assert.equal(w.tokenMintB, expected.tokenMintB);
      assert.equal(w.tokenVaultB, expected.tokenVaultB);
      whirlpools += 1;
    } else if ('startTickIndex' in expected) {
      const t = decodeTickArray(essentials(file));
      assert.equal(t.kind, 'fixed');
      assert.equal(t.startTickIndex, expected.startTickIndex);
      assert.equal(t.whirlpool, expected.whirlpool);
      assert.equal(t.initializedOffsets.length, expected.initialized);
      assert.deepEqual(t.initializedOffsets, expected.initializedTickOffsets);
      // the fixture file name carries the address: it must be the program-derived one
      assert.equal(tickArrayAddress(t.whirlpool, t.startTickIndex), file.split('.')[1]);
      arrays += 1;
    }
  }
  assert.equal(whirlpools, 2);
  assert.equal(arrays, 14);
});

test('README (orca_whirlpool_test3.py): SOL/USDC whirlpool HJPjo… field by field', () => {
  const w = decodeWhirlpool(essentials('sol_usdc_wp_whirlpool.HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ.json'));
  assert.equal(w.whirlpoolsConfig, '2LecshUwdy9xi7meFgHtFJQNSKk4KdTrcpvaB56dP2NQ');
  assert.equal(w.whirlpoolBump, 255);
  assert.equal(w.tickSpacing, 64);
  assert.equal(w.feeTierIndex, 64, 'not an adaptive-fee pool');
  assert.equal(w.feeRate, 2000);
  assert.equal(w.protocolFeeRate, 300);
  assert.equal(w.liquidity, 179999872843830n);
  assert.equal(w.sqrtPrice, 3706015876595606636n);
  assert.equal(w.tickCurrentIndex, -32101);
  assert.equal(w.protocolFeeOwedA, 533835902873n);
  assert.equal(w.protocolFeeOwedB, 25786963151n);
  assert.equal(w.feeGrowthGlobalA, 5195114924723508514n);
  assert.equal(w.feeGrowthGlobalB, 219749538362201637n);
  assert.equal(w.rewardLastUpdatedTimestamp, 1659764580n);
  assert.equal(w.rewardInfos[0]!.mint, 'orcaEKTdK7LKz57vaAYr9QeNsVEPfiu6QeMU1kektZE');
  assert.equal(w.rewardInfos[0]!.growthGlobalX64, 36063151640940598n);
});

test('README: SAMO/USDC tick array CHVT… ticks 0, 3, 29, 87; the 7 SAMO array starts', () => {
  const t = decodeTickArray(essentials('samo_usdc_wp_ta_n112640.CHVTbSXJ3W1XEjQXx7BhV2ZSfzmQcbZzKTGZa6ph6BoH.json'));
  assert.equal(t.startTickIndex, -112640);
  assert.equal(t.ticks[0]!.initialized, false);
  assert.equal(t.ticks[3]!.initialized, true);
  assert.equal(t.ticks[3]!.liquidityNet, 2413635782646n);
  assert.equal(t.ticks[3]!.liquidityGross, 2413635782646n);
  assert.equal(t.ticks[3]!.feeGrowthOutsideA, 139733337835095624306n);
  assert.equal(t.ticks[3]!.feeGrowthOutsideB, 1074482472267776n);
  assert.equal(t.ticks[29]!.liquidityNet, -16250028913342n);
  assert.equal(t.ticks[29]!.liquidityGross, 16250028913342n);
  assert.equal(t.ticks[87]!.initialized, false);
  const samo = [...loadAccountDir(ESSENTIALS).values()]
    .filter((a) => a.source?.includes('samo_usdc_wp_ta_'))
    .map((a) => decodeTickArray(a).startTickIndex)
    .sort((a, b) => b - a);
  assert.deepEqual(samo, [-95744, -101376, -107008, -112640, -118272, -123904, -129536]);
});

test('README: positions 5j3sz… (and SAMO B66p…) decode', () => {
  const p = decodePosition(essentials('sol_usdc_wp_position.5j3szbi2vnydYoyALNgttPD9YhCNwshUGkhzmzaP4WF7.json'));
  assert.equal(p.whirlpool, 'HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ');
  assert.equal(p.liquidity, 50496375n);
  assert.equal(p.tickLowerIndex, -33472);
  assert.equal(p.tickUpperIndex, -30976);
  assert.equal(p.feeOwedA, 1199710n);
  assert.equal(p.feeOwedB, 48310n);
  assert.equal(decodePosition(essentials('samo_usdc_wp_position.B66pRzGcKMmxRJ16KMkJMJoQWWhmyk4na4DPcv6X5ZRD.json')).whirlpool, '9vqYJjDUFecLL2xPUC4Rc7hyCtZ6iJ4mDiVZX7aFXoAe');
});

function carbon(file: string): { account: ReturnType<typeof loadAccountFile>; decoded: Record<string, { data: unknown }> } {
  const account = loadAccountFile(`${CARBON}/${file}`);
  const decoded = (JSON.parse(readFileSync(`${CARBON}/${file}`, 'utf8')) as { data_decoded: Record<string, { data: unknown }> }).data_decoded;
  return { account, decoded };
}

const big = (v: unknown): bigint => BigInt(v as string);

test('carbon whirlpool_account.json: every data_decoded field', () => {
  const { account, decoded: d } = carbon('whirlpool_account.json');
  const w = decodeWhirlpool(account);
  assert.equal(w.whirlpoolsConfig, d.whirlpoolsConfig!.data);
  assert.deepEqual([w.whirlpoolBump], d.whirlpoolBump!.data);
  assert.equal(w.tickSpacing, Number(d.tickSpacing!.data));
  const seed = d.tickSpacingSeed!.data as number[];
  assert.equal(w.feeTierIndex, seed[0]! + 256 * seed[1]!);
  assert.equal(w.feeRate, Number(d.feeRate!.data));
  assert.equal(w.protocolFeeRate, Number(d.protocolFeeRate!.data));
  assert.equal(w.liquidity, big(d.liquidity!.data));
  assert.equal(w.sqrtPrice, big(d.sqrtPrice!.data));
  assert.equal(w.tickCurrentIndex, Number(d.tickCurrentIndex!.data));
  assert.equal(w.protocolFeeOwedA, big(d.protocolFeeOwedA!.data));
  assert.equal(w.protocolFeeOwedB, big(d.protocolFeeOwedB!.data));
  assert.equal(w.tokenMintA, d.tokenMintA!.data);
  assert.equal(w.tokenVaultA, d.tokenVaultA!.data);
  assert.equal(w.feeGrowthGlobalA, big(d.feeGrowthGlobalA!.data));
  assert.equal(w.tokenMintB, d.tokenMintB!.data);
  assert.equal(w.tokenVaultB, d.tokenVaultB!.data);
  assert.equal(w.feeGrowthGlobalB, big(d.feeGrowthGlobalB!.data));
  assert.equal(w.rewardLastUpdatedTimestamp, big(d.rewardLastUpdatedTimestamp!.data));
  const rewards = d.rewardInfos!.data as Record<string, string>[];
  rewards.forEach((r, i) => {
    const ours = w.rewardInfos[i]!;
    assert.deepEqual(
      [ours.mint, ours.vault, ours.authority, ours.emissionsPerSecondX64, ours.growthGlobalX64],
      [r.mint, r.vault, r.authority, big(r.emissionsPerSecondX64), big(r.growthGlobalX64)],
    );
  });
  // README: the full-range "splash" pool
  assert.equal(w.tickSpacing, 32896);
  assert.equal(w.sqrtPrice, 1304381782533278221200000n);
  assert.equal(w.tickCurrentIndex, 223338);
  assert.equal(w.liquidity, 141421356n);
});

test('carbon tick_array_account.json: all 88 ticks, start and whirlpool', () => {
  const { account, decoded: d } = carbon('tick_array_account.json');
  const t = decodeTickArray(account);
  assert.equal(t.startTickIndex, Number(d.startTickIndex!.data));
  assert.equal(t.startTickIndex, -2894848);
  assert.equal(t.whirlpool, d.whirlpool!.data);
  const ticks = d.ticks!.data as { initialized: boolean; liquidityNet: string; liquidityGross: string; feeGrowthOutsideA: string; feeGrowthOutsideB: string; rewardGrowthsOutside: string[] }[];
  assert.equal(ticks.length, 88);
  ticks.forEach((x, i) => {
    const ours = t.ticks[i]!;
    assert.deepEqual(
      [ours.initialized, ours.liquidityNet, ours.liquidityGross, ours.feeGrowthOutsideA, ours.feeGrowthOutsideB, ...ours.rewardGrowthsOutside],
      [x.initialized, big(x.liquidityNet), big(x.liquidityGross), big(x.feeGrowthOutsideA), big(x.feeGrowthOutsideB), ...x.rewardGrowthsOutside.map(big)],
      `tick ${i}`,
    );
  });
});

test('carbon position_account.json: every data_decoded field', () => {
  const { account, decoded: d } = carbon('position_account.json');
  const p = decodePosition(account);
  assert.equal(p.whirlpool, d.whirlpool!.data);
  assert.equal(p.positionMint, d.positionMint!.data);
  assert.equal(p.liquidity, big(d.liquidity!.data));
  assert.equal(p.tickLowerIndex, Number(d.tickLowerIndex!.data));
  assert.equal(p.tickUpperIndex, Number(d.tickUpperIndex!.data));
  assert.equal(p.feeGrowthCheckpointA, big(d.feeGrowthCheckpointA!.data));
  assert.equal(p.feeOwedA, big(d.feeOwedA!.data));
  assert.equal(p.feeGrowthCheckpointB, big(d.feeGrowthCheckpointB!.data));
  assert.equal(p.feeOwedB, big(d.feeOwedB!.data));
  const rewards = d.rewardInfos!.data as { growthInsideCheckpoint: string; amountOwed: string }[];
  assert.deepEqual(p.rewardInfos, rewards.map((r) => ({ growthInsideCheckpoint: big(r.growthInsideCheckpoint), amountOwed: big(r.amountOwed) })));
});

test('carbon dynamic_tick_array_account0.json: variable-size layout, bitmap and tags agree', () => {
  const { account } = carbon('dynamic_tick_array_account0.json');
  const t = decodeTickArray(account);
  assert.equal(t.kind, 'dynamic');
  // 260 bytes = 8 + 4 + 32 + 16 + 88 tags + one 112-byte tick body
  assert.equal(account.data.length, 260);
  assert.equal(t.initializedOffsets.length, 1);
  const tick = t.ticks[t.initializedOffsets[0]!]!;
  assert.equal(tick.initialized, true);
  assert.equal(tick.liquidityNet, tick.liquidityGross, 'a single position opening here');
  assert.equal(t.startTickIndex % 88, 0);
  assert.equal(t.ticks.filter((x) => x.initialized).length, 1);
});

test('PDAs: the program test vector and the oracle seed', () => {
  // programs/whirlpool/src/util/sparse_swap.rs: test_derive_tick_array_pda
  assert.equal(tickArrayAddress('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ', -11264), '81T5kNuPRkyVzhwbe2RpKR7wmQpGJ7RBkGPdTqyfa5vq');
  assert.match(oracleAddress('HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ'), /^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
});

test('bad accounts raise DEX_ errors naming the account and field', () => {
  const good = essentials('sol_usdc_wp_whirlpool.HJPjoWUrhoZzkNfRpHuieeFk9WcZWjwy6PBjZ81ngndJ.json');
  const check = (data: Uint8Array, owner: string, code: ErrorCode, field: string) =>
    assert.throws(() => decodeWhirlpool({ ...good, data, owner }), (e) => {
      assert.ok(isSolrulesError(e, code), `${code}: ${String(e)}`);
      assert.equal(e.context.field, field);
      assert.equal(e.context.account, good.address);
      return true;
    });
  check(good.data, 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA', 'DEX_ACCOUNT_WRONG_OWNER', 'owner');
  check(good.data.subarray(0, 100), good.owner, 'DEX_ACCOUNT_TOO_SHORT', 'rewardInfos');
  const wrongDisc = new Uint8Array(good.data);
  wrongDisc[0] = wrongDisc[0]! ^ 1;
  check(wrongDisc, good.owner, 'DEX_ACCOUNT_BAD_DISCRIMINATOR', 'discriminator');
  const badFee = new Uint8Array(good.data);
  new DataView(badFee.buffer).setUint16(45, 60_001, true);
  check(badFee, good.owner, 'DEX_ACCOUNT_BAD_VALUE', 'feeRate');
  const badPrice = new Uint8Array(good.data);
  badPrice.fill(0, 65, 81);
  check(badPrice, good.owner, 'DEX_ACCOUNT_BAD_VALUE', 'sqrtPrice');
  const ta = essentials('sol_usdc_wp_ta_n33792.2Eh8HEeu45tCWxY6ruLLRN6VcTSD7bfshGj7bZA87Kne.json');
  const badBool = new Uint8Array(ta.data);
  badBool[12 + 5 * 113] = 7;
  assert.throws(() => decodeTickArray({ ...ta, data: badBool }), (e) => isSolrulesError(e, 'DEX_ACCOUNT_BAD_VALUE') && e.context.field === 'ticks[5].initialized');
});

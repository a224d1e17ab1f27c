/**
 * Raydium CLMM decoders: every value the fixture README and `_decoded-summary.json` assert, every
 * field against the SDK's own layouts (on the fixtures and on random accounts), the bitmap
 * extension's index mapping against the SDK's scanner, and the typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  ClmmConfigLayout,
  ObservationLayout,
  PoolInfoLayout,
  ProtocolPositionLayout,
  TickArrayBitmapExtensionLayout,
  TickArrayBitmapUtil,
  TickArrayLayout,
} from '@raydium-io/raydium-sdk-v2';
import { loadAccountFile } from '../../../engine/accounts/index.ts';
import {
  decodeAmmConfig,
  decodeObservationState,
  decodePoolState,
  decodeProtocolPositionState,
  decodeTickArrayBitmapExtension,
  decodeTickArrayState,
  raydiumClmm,
} from '../../../engine/venues/raydium-clmm/index.ts';
import { TickArrayIndex } from '../../../engine/venues/raydium-clmm/bitmap.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { encodeExtension, generatePool, Rng } from './support.ts';

const dir = (f: string) => sharedFixture('accounts/raydium-clmm/carbon', f);
const poolFile = loadAccountFile(dir('pool_state_account.json'));
const configFile = loadAccountFile(dir('amm_config_account.json'));
const tickArrayFile = loadAccountFile(dir('tick_array_state_account.json'));
const observationFile = loadAccountFile(dir('observation_state_account.json'));
const positionFile = loadAccountFile(dir('protocol_position_state_account.json'));
const big = (x: { toString(): string }) => BigInt(x.toString());

test('PoolState: every value the README and _decoded-summary.json assert', () => {
  const p = decodePoolState(poolFile.data, 'pool_state_account.json');
  assert.equal(p.ammConfig, '9iFER3bpjf1PTTCQCfTRu17EJgvsxo9pVyA9QWwEuX4x');
  assert.equal(p.owner, '888dRkBFryx1xWqDFf8RYtVyyRrVLeQeZ4XPySicXDv6');
  assert.equal(p.tokenMint0, 'So11111111111111111111111111111111111111112');
  assert.equal(p.tokenMint1, '4kzLMxfMZVf6UztzjMcAmyLfBYgFcr9FfpwusrqgEjiH');
  assert.equal(p.mintDecimals0, 9);
  assert.equal(p.mintDecimals1, 6);
  assert.equal(p.tokenVault0, '6G5MVC3hqo6oYyucP3F7HK5smyWye84AF8fLExDDMUNL');
  assert.equal(p.tokenVault1, 'E1NAfa5JAcNdKEzFiU4SkzX5uVi34pNhLdCJCmjA7nN');
  assert.equal(p.observationKey, '5TtidhhRv3YssrMCQmPiA8am21ZqsLRUgvq4ZHQESpTN');
  assert.equal(p.tickSpacing, 1);
  assert.equal(p.liquidity, 3464101788356n);
  assert.equal(p.sqrtPriceX64, 647525941329892376628n);
  assert.equal(p.tickCurrent, 71168);
  assert.equal(p.status, 0);
  assert.equal(p.feeGrowthGlobal0X64, 276776890511018n);
  assert.equal(p.feeGrowthGlobal1X64, 276132430949712850n);
  assert.equal(p.protocolFeesToken0, 7425061n);
  assert.equal(p.protocolFeesToken1, 7407817781n);
  assert.equal(p.fundFeesToken0, 2474997n);
  assert.equal(p.fundFeesToken1, 2469272531n);
  assert.equal(p.recentEpoch, 786n);
  assert.deepEqual(p.tickArrayBitmap, new Array(16).fill(0n));
  assert.equal(p.dynamicFeeInfo.disabled, true);

  const summary = JSON.parse(readFileSync(sharedFixture('accounts/raydium-clmm/_decoded-summary.json'), 'utf8'))['carbon/pool_state_account.json'];
  assert.equal(poolFile.data.length, summary.len);
  for (const key of ['ammConfig', 'tokenMint0', 'tokenMint1', 'tokenVault0', 'tokenVault1', 'observationKey', 'mintDecimals0', 'mintDecimals1', 'tickSpacing', 'tickCurrent'] as const) {
    assert.equal(p[key], summary[key], key);
  }
  assert.equal(p.liquidity, BigInt(summary.liquidity));
  assert.equal(p.sqrtPriceX64, BigInt(summary.sqrtPriceX64));
});

test('AmmConfig, TickArrayState, ProtocolPositionState and ObservationState: the README values', () => {
  const c = decodeAmmConfig(configFile.data);
  assert.equal(c.index, 4);
  assert.equal(c.tradeFeeRate, 100);
  assert.equal(c.protocolFeeRate, 120000);
  assert.equal(c.tickSpacing, 1);
  assert.equal(c.owner, 'projjosVCPQH49d5em7VYS7fJZzaqKixqKtus7yk416');
  assert.equal(c.fundOwner, 'FundHfY8oo8J9KYGyfXFFuQCHe7Z1VBNmsj84eMcdYs4');

  const t = decodeTickArrayState(tickArrayFile.data);
  assert.equal(t.poolId, '2AP2wU8HnpsxJ2ErSjWeSRzG1HLootMoisthJouWJLka');
  assert.equal(t.startTickIndex, -13860);
  assert.equal(t.recentEpoch, 786n);
  assert.equal(t.ticks.length, 60);

  const pos = decodeProtocolPositionState(positionFile.data);
  assert.equal(pos.poolId, '2AP2wU8HnpsxJ2ErSjWeSRzG1HLootMoisthJouWJLka');
  assert.equal(pos.tickLowerIndex, -13856);
  assert.equal(pos.tickUpperIndex, -13852);
  assert.equal(pos.tokenFeesOwed1, 7391n);

  const o = decodeObservationState(observationFile.data);
  assert.equal(o.observationIndex, 46);
  assert.equal(o.poolId, '6U4TBh3aJgiJ5EqCDEua4rP75HsqcfHapMKhhyuTqGuo');
  assert.equal(o.recentEpoch, 688n);
});

function comparePool(data: Uint8Array) {
  const ours = decodePoolState(data);
  const sdk = PoolInfoLayout.decode(Buffer.from(data));
  assert.equal(ours.ammConfig, sdk.configId.toBase58());
  assert.equal(ours.owner, sdk.creator.toBase58());
  assert.equal(ours.tokenMint0, sdk.mintA.toBase58());
  assert.equal(ours.tokenMint1, sdk.mintB.toBase58());
  assert.equal(ours.tokenVault0, sdk.vaultA.toBase58());
  assert.equal(ours.tokenVault1, sdk.vaultB.toBase58());
  assert.equal(ours.observationKey, sdk.observationId.toBase58());
  assert.equal(ours.mintDecimals0, sdk.mintDecimalsA);
  assert.equal(ours.mintDecimals1, sdk.mintDecimalsB);
  assert.equal(ours.tickSpacing, sdk.tickSpacing);
  assert.equal(ours.liquidity, big(sdk.liquidity));
  assert.equal(ours.sqrtPriceX64, big(sdk.sqrtPriceX64));
  assert.equal(ours.tickCurrent, sdk.tickCurrent);
  assert.equal(ours.feeGrowthGlobal0X64, big(sdk.feeGrowthGlobalX64A));
  assert.equal(ours.feeGrowthGlobal1X64, big(sdk.feeGrowthGlobalX64B));
  assert.equal(ours.protocolFeesToken0, big(sdk.protocolFeesTokenA));
  assert.equal(ours.protocolFeesToken1, big(sdk.protocolFeesTokenB));
  assert.equal(ours.status, sdk.status);
  assert.equal(ours.feeOn, sdk.feeOn);
  assert.equal(ours.fundFeesToken0, big(sdk.fundFeesTokenA));
  assert.equal(ours.fundFeesToken1, big(sdk.fundFeesTokenB));
  assert.equal(ours.openTime, big(sdk.startTime));
  assert.equal(ours.recentEpoch, big(sdk.recentEpoch));
  const bitmapBytes = Buffer.alloc(128);
  ours.tickArrayBitmap.forEach((w, i) => bitmapBytes.writeBigUInt64LE(w, i * 8));
  assert.deepEqual(bitmapBytes, Buffer.from(sdk.tickArrayBitmap));
  const d = sdk.dynamicFeeInfo;
  assert.deepEqual(
    [ours.dynamicFeeInfo.filterPeriod, ours.dynamicFeeInfo.decayPeriod, ours.dynamicFeeInfo.reductionFactor, ours.dynamicFeeInfo.dynamicFeeControl, ours.dynamicFeeInfo.maxVolatilityAccumulator, ours.dynamicFeeInfo.tickSpacingIndexReference, ours.dynamicFeeInfo.volatilityReference, ours.dynamicFeeInfo.volatilityAccumulator],
    [d.filterPeriod, d.decayPeriod, d.reductionFactor, d.dynamicFeeControl, d.maxVolatilityAccumulator, d.tickSpacingIndexReference, d.volatilityReference, d.volatilityAccumulator],
  );
  assert.equal(ours.dynamicFeeInfo.lastUpdateTimestamp, big(d.lastUpdateTimestamp));
  ours.rewardInfos.forEach((r, i) => {
    const s = sdk.rewardInfos[i]!;
    assert.deepEqual(
      [r.rewardState, r.openTime, r.endTime, r.lastUpdateTime, r.emissionsPerSecondX64, r.rewardTotalEmitted, r.rewardClaimed, r.tokenMint, r.tokenVault, r.authority, r.rewardGrowthGlobalX64],
      [s.state, big(s.openTime), big(s.endTime), big(s.lastUpdateTime), big(s.emissionsPerSecondX64), big(s.totalEmissioned), big(s.claimed), s.mint.toBase58(), s.vault.toBase58(), s.creator.toBase58(), big(s.growthGlobalX64)],
    );
  });
}

function compareTickArray(data: Uint8Array) {
  const ours = decodeTickArrayState(data);
  const sdk = TickArrayLayout.decode(Buffer.from(data));
  assert.equal(ours.poolId, sdk.poolId.toBase58());
  assert.equal(ours.startTickIndex, sdk.startTickIndex);
  assert.equal(ours.initializedTickCount, sdk.initializedTickCount);
  assert.equal(ours.recentEpoch, big(sdk.recentEpoch));
  ours.ticks.forEach((t, i) => {
    const s = sdk.ticks[i]!;
    assert.deepEqual(
      [t.tick, t.liquidityNet, t.liquidityGross, t.feeGrowthOutside0X64, t.feeGrowthOutside1X64, ...t.rewardGrowthsOutsideX64, t.orderPhase, t.ordersAmount, t.partFilledOrdersRemaining, t.unfilledRatioX64],
      [s.tick, big(s.liquidityNet), big(s.liquidityGross), big(s.feeGrowthOutsideX64A), big(s.feeGrowthOutsideX64B), ...s.rewardGrowthsOutsideX64.map(big), big(s.orderPhase), big(s.ordersAmount), big(s.partFilledOrdersRemaining), big(s.unfilledRatioX64)],
      `tick ${i}`,
    );
  });
}

test('every field equals the SDK layouts on the fixtures', () => {
  comparePool(poolFile.data);
  compareTickArray(tickArrayFile.data);
  const c = decodeAmmConfig(configFile.data);
  const sc = ClmmConfigLayout.decode(Buffer.from(configFile.data));
  assert.deepEqual([c.bump, c.index, c.owner, c.protocolFeeRate, c.tradeFeeRate, c.tickSpacing, c.fundFeeRate, c.fundOwner], [sc.bump, sc.index, sc.owner.toBase58(), sc.protocolFeeRate, sc.tradeFeeRate, sc.tickSpacing, sc.fundFeeRate, sc.fundOwner.toBase58()]);
  const o = decodeObservationState(observationFile.data);
  const so = ObservationLayout.decode(Buffer.from(observationFile.data));
  assert.deepEqual([o.initialized, o.recentEpoch, o.observationIndex, o.poolId], [so.initialized, big(so.recentEpoch), so.observationIndex, so.poolId.toBase58()]);
  o.observations.forEach((x, i) => assert.deepEqual([x.blockTimestamp, x.tickCumulative], [so.observations[i]!.blockTimestamp, big(so.observations[i]!.tickCumulative)]));
  const p = decodeProtocolPositionState(positionFile.data);
  const sp = ProtocolPositionLayout.decode(Buffer.from(positionFile.data));
  assert.deepEqual(
    [p.bump, p.poolId, p.tickLowerIndex, p.tickUpperIndex, p.liquidity, p.feeGrowthInside0LastX64, p.feeGrowthInside1LastX64, p.tokenFeesOwed0, p.tokenFeesOwed1, ...p.rewardGrowthInside, p.recentEpoch],
    [sp.bump, sp.poolId.toBase58(), sp.tickLower, sp.tickUpper, big(sp.liquidity), big(sp.feeGrowthInsideLastX64A), big(sp.feeGrowthInsideLastX64B), big(sp.tokenFeesOwedA), big(sp.tokenFeesOwedB), ...sp.rewardGrowthInside.map(big), big(sp.recentEpoch)],
  );
});

test('every field equals the SDK layouts on 200 random pools and their tick arrays (limit orders, dynamic fee)', () => {
  for (let seed = 1; seed <= 200; seed++) {
    const g = generatePool(seed);
    comparePool(g.pool);
    for (const a of g.tickArrays.values()) compareTickArray(a.data);
  }
});

test('bitmap extension: set bits map to the start indexes the SDK scanner finds (both sides, every spacing)', () => {
  const rng = new Rng(4242);
  for (let k = 0; k < 300; k++) {
    const tickSpacing = rng.pick([1, 2, 4, 8, 10, 14]);
    const positive = Array.from({ length: 14 }, () => new Array<bigint>(8).fill(0n));
    const negative = Array.from({ length: 14 }, () => new Array<bigint>(8).fill(0n));
    const pool: bigint[] = new Array(16).fill(0n);
    for (let i = rng.int(0, 12); i > 0; i--) {
      const which = rng.int(0, 2);
      const bit = rng.int(0, which === 2 ? 1023 : 511);
      const words = which === 0 ? positive[rng.int(0, 13)]! : which === 1 ? negative[rng.int(0, 13)]! : pool;
      words[bit >> 6] = words[bit >> 6]! | (1n << BigInt(bit & 63));
    }
    const ext = encodeExtension('11111111111111111111111111111111', positive, negative);
    const ours = new TickArrayIndex('pool', tickSpacing, pool, decodeTickArrayBitmapExtension(ext));
    const poolBytes = Buffer.alloc(128);
    pool.forEach((w, i) => poolBytes.writeBigUInt64LE(w, i * 8));
    const sdk = TickArrayBitmapUtil.findTickArrayStartIndex({ tickSpacing, poolBitmap: poolBytes, tickArrayBitmap: TickArrayBitmapExtensionLayout.decode(ext), findInfo: { type: 'all' } });
    assert.deepEqual(ours.allStarts, [...sdk].sort((a, b) => a - b), `case ${k}, spacing ${tickSpacing}`);
  }
});

test('typed errors: wrong discriminator, short data, wrong owner, tick array of the wrong size', () => {
  assert.throws(() => decodePoolState(configFile.data, 'cfg'), (e) => isSolrulesError(e, 'DEX_ACCOUNT_BAD_DISCRIMINATOR') && e.context.account === 'cfg');
  assert.throws(() => decodePoolState(poolFile.data.subarray(0, 600), 'pool'), (e) => isSolrulesError(e, 'DEX_ACCOUNT_TOO_SHORT') && e.context.account === 'pool');
  assert.throws(() => decodeTickArrayState(new Uint8Array([...tickArrayFile.data, 0]), 'ta'), (e) => isSolrulesError(e, 'DEX_ACCOUNT_BAD_VALUE') && e.context.field === '<layout>');
  const zeroSpacing = new Uint8Array(poolFile.data);
  zeroSpacing[235] = 0;
  zeroSpacing[236] = 0;
  assert.throws(() => decodePoolState(zeroSpacing, 'pool'), (e) => isSolrulesError(e, 'DEX_ACCOUNT_BAD_VALUE') && e.context.field === 'tick_spacing' && e.context.offset === 235);
  assert.throws(() => raydiumClmm.buildState({ ...poolFile, owner: '11111111111111111111111111111111' }, new Map()), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER') && e.context.field === 'owner');
  assert.throws(() => raydiumClmm.buildState({ ...poolFile, address: 'AcPS8SrzXDwPxk6LLz2tykwFEsSeD5LtctMLVeh2shq8' }, new Map()), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISSING') && e.context.field === 'amm_config');
});

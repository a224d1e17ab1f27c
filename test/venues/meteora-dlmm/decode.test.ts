/**
 * Meteora DLMM decoders: every value the fixture README and `_decoded-summary.json` assert (pairs,
 * bin arrays, reserves, mints), the carbon LbPair / Oracle / PresetParameter assertions, every field
 * against the SDK's IDL coder on all fixture pairs and bin arrays and on random ones, and the
 * typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Connection } from '@solana/web3.js';
import { loadAccountDir, loadAccountFile, type AccountSnapshot } from '../../../engine/accounts/index.ts';
import {
  BinArrayBins,
  decodeBinArray,
  decodeBinArrayBitmapExtension,
  decodeLbPair,
  decodeOracle,
  decodePresetParameter,
  getPriceFromId,
  meteoraDlmm,
} from '../../../engine/venues/meteora-dlmm/index.ts';
import { decodeMint, decodeTokenAccount } from '../../../engine/venues/spl-token/index.ts';
import { isSolrulesError } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { generatePair } from './support.ts';

const sdk = createRequire(import.meta.url)('@meteora-ag/dlmm') as typeof import('@meteora-ag/dlmm');
const program = sdk.createProgram(new Connection('http://127.0.0.1:9'));
// The SDK coder's output, loosely typed: compared field by field below.
type Decoded = Record<string, any>;
const sdkDecode = (name: string, data: Uint8Array): Decoded => sdk.decodeAccount(program, name as never, Buffer.from(data)) as Decoded;
const big = (x: { toString(): string }) => BigInt(x.toString());

const ROOT = sharedFixture('accounts/meteora-dlmm');
const summary = JSON.parse(readFileSync(join(ROOT, '_decoded-summary.json'), 'utf8')) as Record<string, Record<string, unknown>>;
const file = (rel: string): AccountSnapshot => loadAccountFile(join(ROOT, rel));

test('carbon LbPair, Oracle and PresetParameter: the asserted values', () => {
  const p = decodeLbPair(file('carbon/lb_pair_account.json').data, 'lb_pair_account.json');
  assert.equal(p.activeId, -1054);
  assert.equal(p.binStep, 80);
  assert.equal(p.parameters.baseFactor, 62500);
  assert.equal(p.parameters.filterPeriod, 300);
  assert.equal(p.parameters.decayPeriod, 1200);
  assert.equal(p.parameters.reductionFactor, 5000);
  assert.equal(p.parameters.variableFeeControl, 7500);
  assert.equal(p.parameters.maxVolatilityAccumulator, 150000);
  assert.equal(p.parameters.minBinId, -5458);
  assert.equal(p.parameters.maxBinId, 5458);
  assert.equal(p.parameters.protocolShare, 500);
  assert.equal(p.pairType, 3);
  assert.equal(p.tokenXMint, 'FzytSxQv6nBgH3dByVJtgMVg6rANTZaZPzU6dcRbpump');
  assert.equal(p.tokenYMint, 'So11111111111111111111111111111111111111112');
  assert.equal(p.reserveX, '7SWjpLPaLKxGogCY321XRFbiSiAkXSKh8q8qioGdu8N8');
  assert.equal(p.reserveY, 'iiWfKZygJii3g8RrKyWVQJdc6CciK2xGpuD8aCbgqbS');
  assert.deepEqual(p.protocolFee, { amountX: 317260998460n, amountY: 240423958n });
  assert.deepEqual(p.vParameters, { volatilityAccumulator: 150000, volatilityReference: 75000, indexReference: -886, lastUpdateTimestamp: 1748616125n });
  assert.equal(p.binArrayBitmap[7], 3377699720527872n);
  assert.equal(p.binArrayBitmap.filter((w) => w !== 0n).length, 1);
  assert.equal(p.baseKey, 'VamLzWq6NAZMK8Vw2tFEfr4bkkeeaS7yDDf2C5sNqLQ');
  assert.equal(p.creator, '5oWhudgFVd1mEeKTzduHreYWSmYgfsMmBFLxqkD5AeJT');
  assert.equal(p.oracle, 'YJ2QX2V48nZiB4kH2XtRZnLNKkA7v7N1sXnWfQ8n9Jq');

  assert.deepEqual(decodeOracle(file('carbon/oracle_account.json').data), { idx: 0n, activeSize: 1n, length: 100n });
  assert.deepEqual(decodePresetParameter(file('carbon/preset_parameter_account.json').data), {
    binStep: 30,
    baseFactor: 10000,
    filterPeriod: 30,
    decayPeriod: 600,
    reductionFactor: 5000,
    variableFeeControl: 15000,
    maxVolatilityAccumulator: 350000,
    minBinId: -14577,
    maxBinId: 14577,
    protocolShare: 500,
  });
});

test('_decoded-summary.json: every lb pair, bin array, reserve and mint', () => {
  let checked = 0;
  for (const [rel, want] of Object.entries(summary)) {
    const account = file(rel);
    assert.equal(account.data.length, want.len, `${rel} length`);
    if (want.len === 904) {
      const p = decodeLbPair(account.data, rel);
      const got: Record<string, unknown> = {
        baseFactor: p.parameters.baseFactor,
        filterPeriod: p.parameters.filterPeriod,
        decayPeriod: p.parameters.decayPeriod,
        reductionFactor: p.parameters.reductionFactor,
        variableFeeControl: p.parameters.variableFeeControl,
        maxVolAcc: p.parameters.maxVolatilityAccumulator,
        minBinId: p.parameters.minBinId,
        maxBinId: p.parameters.maxBinId,
        protocolShare: p.parameters.protocolShare,
        baseFeePowerFactor: p.parameters.baseFeePowerFactor,
        volatilityAccumulator: p.vParameters.volatilityAccumulator,
        volatilityReference: p.vParameters.volatilityReference,
        indexReference: p.vParameters.indexReference,
        lastUpdateTimestamp: Number(p.vParameters.lastUpdateTimestamp),
        pairType: p.pairType,
        activeId: p.activeId,
        binStep: p.binStep,
        status: p.status,
        activationType: p.activationType,
        tokenXMint: p.tokenXMint,
        tokenYMint: p.tokenYMint,
        reserveX: p.reserveX,
        reserveY: p.reserveY,
        protocolFeeX: Number(p.protocolFee.amountX),
        protocolFeeY: Number(p.protocolFee.amountY),
      };
      for (const [k, v] of Object.entries(want)) if (k !== 'len') assert.equal(got[k], v, `${rel} ${k}`);
    } else if (want.len === 10136) {
      const b = decodeBinArray(account.data, rel);
      assert.equal(b.index, BigInt(want.index as number), `${rel} index`);
      assert.equal(b.lbPair, want.lbPair);
      const nonEmpty = b.bins.filter((x) => x.amountX > 0n || x.amountY > 0n);
      assert.equal(nonEmpty.length, want.nonEmptyBins, `${rel} non-empty bins`);
      for (const s of want.sample as { binId: number; amountX: number; amountY: number; priceQ64: string }[]) {
        const bin = b.bins[s.binId - Number(b.index) * 70]!;
        assert.deepEqual([bin.amountX, bin.amountY, bin.price], [BigInt(s.amountX), BigInt(s.amountY), BigInt(s.priceQ64)], `${rel} bin ${s.binId}`);
      }
    } else if (want.len === 82 || (want.supply !== undefined && want.decimals !== undefined)) {
      const m = decodeMint(account);
      assert.equal(m.supply, BigInt(want.supply as number));
      assert.equal(m.decimals, want.decimals);
    } else if (want.mint !== undefined) {
      const t = decodeTokenAccount(account);
      assert.deepEqual([t.mint, t.owner, t.amount, t.state], [want.mint, want.owner, BigInt(want.amount as number), want.state === 1 ? 'initialized' : want.state]);
    }
    checked++;
  }
  assert.ok(checked >= 40, `${checked} summary entries`);
});

test('README: the pairs of dlmm-sdk-artifacts and dlmm-sdk-commons-fixtures', () => {
  const fj = decodeLbPair(file('dlmm-sdk-artifacts/FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB/FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB.json').data);
  assert.deepEqual([fj.binStep, fj.activeId, fj.tokenXMint, fj.tokenYMint], [10, 0, 'FQuMNJ6UcrkA3xMLsmmLL8sk47RkZYod57mX3a8w1brg', 'So11111111111111111111111111111111111111112']);
  const fjArrays = [...loadAccountDir(join(ROOT, 'dlmm-sdk-artifacts/FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB')).values()].filter((a) => a.data.length === 10136).map((a) => decodeBinArray(a.data));
  assert.deepEqual(fjArrays.map((b) => Number(b.index)).sort((a, b) => a - b), [-3, -1, 0, 2]);
  for (const b of fjArrays) assert.equal(b.bins.filter((x) => x.amountX + x.amountY > 0n).length, 1);

  const jlp = decodeLbPair(file('dlmm-sdk-artifacts/jlp-hubsol-6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM/6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM.json').data);
  assert.deepEqual([jlp.binStep, jlp.activeId, jlp.parameters.baseFactor, jlp.parameters.protocolShare, jlp.vParameters.lastUpdateTimestamp], [8, 3774, 6250, 500, 1735556862n]);
  const jlpDir = loadAccountDir(join(ROOT, 'dlmm-sdk-artifacts/jlp-hubsol-6StaAqeVjKUPTgMLmcLmdpmUjoYHRcZ6uViLdWNdUghM'));
  const indexes = [...jlpDir.values()].filter((a) => a.data.length === 10136).map((a) => decodeBinArray(a.data));
  assert.deepEqual(indexes.map((b) => Number(b.index)).sort((a, b) => a - b), [50, 51, 53, 54]);
  const active = indexes.find((b) => b.index === 53n)!;
  assert.ok(active.bins[3774 - 53 * 70]!.amountX > 0n || active.bins[3774 - 53 * 70]!.amountY > 0n);
  assert.equal(decodeTokenAccount(jlpDir.get('GsFx4ZtbojMJgwfjkse8wu7e1P9KSPA1JaLXKrH8xHP6')!).amount, 11788067880n);
  assert.equal(decodeTokenAccount(jlpDir.get('9Xb8K1CKzwERAZL9ezVxpnYtgtpic6ag3fxfUwDqD5wR')!).amount, 270934780429n);
  assert.equal(decodeMint(jlpDir.get('27G8MtK7VtTcCHkpASjSDdkWWYfoqT6ggEuKidVJidD4')!).decimals, 6);
  assert.equal(decodeMint(jlpDir.get('HUBsveNpjo5pWqNkH57QzxjQASdTVXcSK7bVKTSZtcSX')!).decimals, 9);

  const commons = (pair: string) => loadAccountDir(join(ROOT, 'dlmm-sdk-commons-fixtures', pair));
  const et = commons('EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig');
  const etPair = decodeLbPair(et.get('EtAdVRLFH22rjWh3mcUasKFF27WtHhsaCvK27tPFFWig')!.data);
  assert.deepEqual([etPair.tokenXMint, etPair.binStep, etPair.activeId], ['Df6yfrKC8kZE3KNkrHERKzAetSxbrWeniQfyJY4Jpump', 250, 15]);
  assert.equal(decodeTokenAccount(et.get(etPair.reserveX)!).amount, 4362066806n);
  assert.equal(decodeTokenAccount(et.get(etPair.reserveY)!).amount, 1820186920n);
  const b5 = commons('B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc');
  const b5Pair = decodeLbPair(b5.get('B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc')!.data);
  assert.deepEqual([b5Pair.tokenXMint, b5Pair.binStep, b5Pair.activeId], ['B4rGSdcBrmLEPUQXpZa91PMsRE3GqNcjLd6EMvM3yaj2', 10, 0]);
  assert.equal(b5.get(b5Pair.tokenXMint)!.owner, 'TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb');
  const t9 = commons('9t3EyC9FweyL7PBWvKz3mrXg8B9fwFc9SK3QxM4ENqhd');
  const t9Pair = decodeLbPair(t9.get('9t3EyC9FweyL7PBWvKz3mrXg8B9fwFc9SK3QxM4ENqhd')!.data);
  assert.deepEqual([t9Pair.tokenXMint, t9Pair.tokenYMint, t9Pair.binStep, t9Pair.activeId], ['BBZU4HYvY4qMGE5MbWsVxGweGBZJqGRsgH8tAEAKusNk', '31iVdsS8fkURXg737XQwYhXVAuGv2vNYHjyDiURStkaU', 10, 0]);
});

function comparePair(data: Uint8Array, label: string) {
  const o = decodeLbPair(data, label);
  const s = sdkDecode('lbPair', data);
  const sp = s.parameters;
  assert.deepEqual(
    [o.parameters.baseFactor, o.parameters.filterPeriod, o.parameters.decayPeriod, o.parameters.reductionFactor, o.parameters.variableFeeControl, o.parameters.maxVolatilityAccumulator, o.parameters.minBinId, o.parameters.maxBinId, o.parameters.protocolShare, o.parameters.baseFeePowerFactor, o.parameters.functionType, o.parameters.collectFeeMode],
    [sp.baseFactor, sp.filterPeriod, sp.decayPeriod, sp.reductionFactor, sp.variableFeeControl, sp.maxVolatilityAccumulator, sp.minBinId, sp.maxBinId, sp.protocolShare, sp.baseFeePowerFactor, sp.functionType, sp.collectFeeMode],
    `${label} parameters`,
  );
  const v = s.vParameters;
  assert.deepEqual([o.vParameters.volatilityAccumulator, o.vParameters.volatilityReference, o.vParameters.indexReference, o.vParameters.lastUpdateTimestamp], [v.volatilityAccumulator, v.volatilityReference, v.indexReference, big(v.lastUpdateTimestamp)], `${label} v_parameters`);
  assert.deepEqual(
    [o.pairType, o.activeId, o.binStep, o.status, o.requireBaseFactorSeed, o.activationType, o.creatorPoolOnOffControl, o.tokenXMint, o.tokenYMint, o.reserveX, o.reserveY, o.oracle, o.lastUpdatedAt, o.preActivationSwapAddress, o.baseKey, o.activationPoint, o.preActivationDuration, o.creator, o.tokenMintXProgramFlag, o.tokenMintYProgramFlag, o.version],
    [s.pairType, s.activeId, s.binStep, s.status, s.requireBaseFactorSeed, s.activationType, s.creatorPoolOnOffControl, s.tokenXMint.toBase58(), s.tokenYMint.toBase58(), s.reserveX.toBase58(), s.reserveY.toBase58(), s.oracle.toBase58(), big(s.lastUpdatedAt), s.preActivationSwapAddress.toBase58(), s.baseKey.toBase58(), big(s.activationPoint), big(s.preActivationDuration), s.creator.toBase58(), s.tokenMintXProgramFlag, s.tokenMintYProgramFlag, s.version],
    `${label} fields`,
  );
  assert.deepEqual([o.protocolFee.amountX, o.protocolFee.amountY], [big(s.protocolFee.amountX), big(s.protocolFee.amountY)]);
  assert.deepEqual(o.binArrayBitmap, s.binArrayBitmap.map(big), `${label} bitmap`);
  o.rewardInfos.forEach((r, i) => {
    const x = s.rewardInfos[i];
    assert.deepEqual([r.mint, r.vault, r.funder, r.rewardDuration, r.rewardDurationEnd, r.rewardRate, r.lastUpdateTime, r.cumulativeSecondsWithEmptyLiquidityReward], [x.mint.toBase58(), x.vault.toBase58(), x.funder.toBase58(), big(x.rewardDuration), big(x.rewardDurationEnd), big(x.rewardRate), big(x.lastUpdateTime), big(x.cumulativeSecondsWithEmptyLiquidityReward)]);
  });
}

function compareBinArray(data: Uint8Array, label: string) {
  const o = decodeBinArray(data, label);
  const s = sdkDecode('binArray', data);
  assert.deepEqual([o.index, o.version, o.lbPair], [big(s.index), s.version, s.lbPair.toBase58()]);
  o.bins.forEach((b, i) => {
    const x = s.bins[i];
    assert.deepEqual(
      [b.amountX, b.amountY, b.price, b.liquiditySupply, b.fulfilledOrderAmountX, b.fulfilledOrderAmountY, b.limitOrderFeeAskSide, b.limitOrderFeeBidSide, b.feeAmountXPerTokenStored, b.feeAmountYPerTokenStored, b.openOrderAmount, b.totalProcessingOrderAmount, b.processedOrderRemainingAmount, b.orderAge, b.limitOrderAskSide],
      [big(x.amountX), big(x.amountY), big(x.price), big(x.liquiditySupply), big(x.fulfilledOrderAmountX), big(x.fulfilledOrderAmountY), big(x.limitOrderFeeAskSide), big(x.limitOrderFeeBidSide), big(x.feeAmountXPerTokenStored), big(x.feeAmountYPerTokenStored), big(x.openOrderAmount), big(x.totalProcessingOrderAmount), big(x.processedOrderRemainingAmount), x.orderAge, x.limitOrderAskSide],
      `${label} bin ${i}`,
    );
  });
}

test('every field equals the SDK IDL coder on all fixture pairs and bin arrays, and on 200 random pairs', () => {
  const all = loadAccountDir(ROOT);
  let pairs = 0;
  let arrays = 0;
  for (const [key, a] of all) {
    if (a.data.length === 904) (comparePair(a.data, key), pairs++);
    if (a.data.length === 10136) (compareBinArray(a.data, key), arrays++);
  }
  comparePair(file('carbon/lb_pair_account.json').data, 'carbon');
  assert.ok(pairs >= 5 && arrays >= 14, `${pairs} pairs, ${arrays} bin arrays`);
  const o = decodeOracle(file('carbon/oracle_account.json').data);
  const so = sdkDecode('oracle', file('carbon/oracle_account.json').data);
  assert.deepEqual([o.idx, o.activeSize, o.length], [big(so.idx), big(so.activeSize), big(so.length)]);
  for (let seed = 1; seed <= 200; seed++) {
    const g = generatePair(seed);
    comparePair(g.pair, `random ${seed}`);
    for (const b of g.binArrays) compareBinArray(b.data, `random ${seed} array ${b.index}`);
    if (g.extension) {
      const e = decodeBinArrayBitmapExtension(g.extension.data);
      const se = sdkDecode('binArrayBitmapExtension', g.extension.data);
      assert.deepEqual(e.positiveBinArrayBitmap, se.positiveBinArrayBitmap.map((w: unknown[]) => w.map((x) => big(x as bigint))));
      assert.deepEqual(e.negativeBinArrayBitmap, se.negativeBinArrayBitmap.map((w: unknown[]) => w.map((x) => big(x as bigint))));
    }
  }
});

test('stored bin prices equal getPriceFromId (the program’s pow) on every fixture bin', () => {
  const all = loadAccountDir(ROOT);
  let n = 0;
  for (const a of all.values()) {
    if (a.data.length !== 10136) continue;
    const b = decodeBinArray(a.data);
    const pair = [...all.values()].find((p) => p.address === b.lbPair);
    if (!pair) continue;
    const binStep = decodeLbPair(pair.data).binStep;
    b.bins.forEach((bin, i) => {
      if (bin.price === 0n) return;
      assert.equal(getPriceFromId(Number(b.index) * 70 + i, binStep), bin.price);
      n++;
    });
  }
  assert.ok(n > 100, `${n} prices`);
});

test('bins read on demand (what quotes hold) equal the full decode on every fixture bin array; bad data and indexes are typed errors', () => {
  const all = loadAccountDir(ROOT);
  let n = 0;
  for (const a of all.values()) {
    if (a.data.length !== 10136) continue;
    const full = decodeBinArray(a.data);
    const lazy = new BinArrayBins(a.data, a.address);
    assert.deepEqual([lazy.index, lazy.lbPair], [full.index, full.lbPair]);
    full.bins.forEach((bin, i) => {
      const { amountX, amountY, price, openOrderAmount, processedOrderRemainingAmount, limitOrderAskSide } = bin;
      assert.deepEqual(lazy.bin(i), { amountX, amountY, price, openOrderAmount, processedOrderRemainingAmount, limitOrderAskSide });
      n++;
    });
    for (const i of [-1, 70, 1.5]) assert.throws(() => lazy.bin(i), (e: unknown) => isSolrulesError(e) && e.code === 'DEX_ACCOUNT_BAD_VALUE');
  }
  assert.ok(n >= 700, `${n} bins`);
  assert.throws(() => new BinArrayBins(new Uint8Array(10136)), (e: unknown) => isSolrulesError(e) && e.code === 'DEX_ACCOUNT_BAD_DISCRIMINATOR');
});

test('typed errors: wrong discriminator, short data, wrong owner, missing Token-2022 mint', () => {
  const pair = file('dlmm-sdk-artifacts/FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB/FJbEo74c2W4QLBBVUfUvi8VBWXtMdJVPuFpq2f6UV1iB.json');
  assert.throws(() => decodeBinArray(pair.data, 'x'), (e) => isSolrulesError(e, 'DEX_ACCOUNT_BAD_DISCRIMINATOR') && e.context.account === 'x');
  assert.throws(() => decodeLbPair(pair.data.subarray(0, 300), 'x'), (e) => isSolrulesError(e, 'DEX_ACCOUNT_TOO_SHORT'));
  const zeroStep = new Uint8Array(pair.data);
  zeroStep[80] = 0;
  zeroStep[81] = 0;
  assert.throws(() => decodeLbPair(zeroStep, 'x'), (e) => isSolrulesError(e, 'DEX_ACCOUNT_BAD_VALUE') && e.context.field === 'bin_step' && e.context.offset === 80);
  assert.throws(() => meteoraDlmm.buildState({ ...pair, owner: '11111111111111111111111111111111' }, new Map()), (e) => isSolrulesError(e, 'DEX_ACCOUNT_WRONG_OWNER'));
  const b5 = loadAccountDir(join(ROOT, 'dlmm-sdk-commons-fixtures/B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc'));
  const b5Pair = b5.get('B5Eia4cE71tKuEDaqPHucJLG2fxySKyKzLMewd2nUvoc')!;
  b5.delete('B4rGSdcBrmLEPUQXpZa91PMsRE3GqNcjLd6EMvM3yaj2');
  assert.throws(() => meteoraDlmm.buildState(b5Pair, b5), (e) => isSolrulesError(e, 'DEX_ACCOUNT_MISSING') && e.context.account === 'B4rGSdcBrmLEPUQXpZa91PMsRE3GqNcjLd6EMvM3yaj2');
});

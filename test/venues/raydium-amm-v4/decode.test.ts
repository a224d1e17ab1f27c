/**
 * Raydium AMM v4 `AmmInfo` and its vaults against every value in the fixture README and
 * `_decoded-summary.json`, and field by field against the official SDK's `liquidityStateV4Layout`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadAccountFile } from '../../../engine/accounts/index.ts';
import { AMM_STATUS_NAMES, decodeAmmInfo } from '../../../engine/venues/raydium-amm-v4/index.ts';
import { decodeTokenAccount } from '../../../engine/venues/spl-token/index.ts';
import { isSolrulesError, type ErrorCode } from '../../../engine/errors/index.ts';
import { sharedFixture } from '../../support/paths.ts';
import { liquidityStateV4Layout } from './sdk.ts';

const DIR = sharedFixture('accounts/raydium-amm-v4');
const summary = JSON.parse(readFileSync(`${DIR}/_decoded-summary.json`, 'utf8')) as Record<string, Record<string, unknown>>;
const POOLS = Object.keys(summary).filter((f) => f.startsWith('58oQ'));

test('every AmmInfo capture: all values of _decoded-summary.json', () => {
  assert.equal(POOLS.length, 3);
  for (const file of POOLS) {
    const s = summary[file]!;
    const account = loadAccountFile(`${DIR}/${file}`);
    const a = decodeAmmInfo(account);
    assert.equal(account.data.length, s.len);
    assert.equal(a.status, s.status);
    assert.equal(a.nonce, BigInt(s.nonce as number));
    assert.equal(a.coinDecimals, s.coinDecimals);
    assert.equal(a.pcDecimals, s.pcDecimals);
    assert.equal(`${a.tradeFee.numerator}/${a.tradeFee.denominator}`, s.tradeFee);
    assert.equal(`${a.swapFee.numerator}/${a.swapFee.denominator}`, s.swapFee);
    assert.equal(a.needTakePnlCoin, BigInt(s.needTakePnlCoin as number));
    assert.equal(a.needTakePnlPc, BigInt(s.needTakePnlPc as number));
    assert.equal(a.poolOpenTime, BigInt(s.poolOpenTime as number));
    for (const key of ['coinVault', 'pcVault', 'coinMint', 'pcMint', 'lpMint', 'openOrders', 'market', 'marketProgram', 'targetOrders', 'ammOwner'] as const) {
      assert.equal(a[key], s[key], `${file} ${key}`);
    }
    assert.equal(a.lpAmount, BigInt(s.lpAmount as number));
    assert.equal(a.recentEpoch, BigInt(s.recentEpoch as number));
  }
});

test('README (Go test at slot 453868631): SwapOnly, 9/6 decimals, 25/10000 fees, need_take_pnl, vaults and mints', () => {
  const a = decodeAmmInfo(loadAccountFile(`${DIR}/58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.slot453868631.json`));
  assert.equal(a.status, 6);
  assert.equal(AMM_STATUS_NAMES[a.status], 'SwapOnly');
  assert.equal(a.coinDecimals, 9);
  assert.equal(a.pcDecimals, 6);
  assert.deepEqual(a.swapFee, { numerator: 25n, denominator: 10000n });
  assert.deepEqual(a.tradeFee, { numerator: 25n, denominator: 10000n });
  assert.equal(a.needTakePnlCoin, 183502858n);
  assert.equal(a.needTakePnlPc, 21928100n);
  assert.equal(a.coinVault, 'DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz');
  assert.equal(a.pcVault, 'HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz');
  assert.equal(a.coinMint, 'So11111111111111111111111111111111111111112');
  assert.equal(a.pcMint, 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v');
});

test('README: vaults of the capture-with-vaults snapshot, owned by the AMM authority; ~72.95 USDC/SOL', () => {
  const coin = decodeTokenAccount(loadAccountFile(`${DIR}/DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz.coin-vault.capture-with-vaults.json`));
  const pc = decodeTokenAccount(loadAccountFile(`${DIR}/HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz.pc-vault.capture-with-vaults.json`));
  for (const [v, file] of [
    [coin, 'DQyrAcCrDXQ7NeoqGgDCZwBvWDcYmFCjSb9JtteuvPpz.coin-vault.capture-with-vaults.json'],
    [pc, 'HLmqeL62xR1QoZ1HKKbXRrdN1p3phKpxRMb2VVopvBBz.pc-vault.capture-with-vaults.json'],
  ] as const) {
    const s = summary[file]!;
    assert.equal(v.mint, s.mint);
    assert.equal(v.owner, s.owner);
    assert.equal(v.amount, BigInt(s.amount as number));
    assert.equal(v.state, s.state === 1 ? 'initialized' : 'other');
    assert.equal(v.owner, '5Q544fKrFoe6tsEbD7S8EmxGTJYAKtTVhAW5Q5pge4j1');
  }
  assert.equal(coin.amount, 67661004799950n);
  assert.equal(pc.amount, 4936181262839n);
  // need_take_pnl is 0/0 in this capture: price = pc / coin, in whole units (1e9 / 1e6)
  const centsPerSol = (pc.amount * 1000n * 100n) / coin.amount;
  assert.equal(centsPerSol, 7295n);
});

test('every capture decodes the same as the SDK layout (liquidityStateV4Layout), field by field', () => {
  for (const file of POOLS) {
    const account = loadAccountFile(`${DIR}/${file}`);
    const a = decodeAmmInfo(account);
    const sdk = liquidityStateV4Layout.decode(Buffer.from(account.data)) as unknown as Record<string, { toString(): string }>;
    const pairs: [unknown, string][] = [
      [a.status, 'status'], [a.nonce, 'nonce'], [a.orderNum, 'maxOrder'], [a.depth, 'depth'], [a.coinDecimals, 'baseDecimal'],
      [a.pcDecimals, 'quoteDecimal'], [a.state, 'state'], [a.resetFlag, 'resetFlag'], [a.minSize, 'minSize'],
      [a.volMaxCutRatio, 'volMaxCutRatio'], [a.amountWave, 'amountWaveRatio'], [a.coinLotSize, 'baseLotSize'],
      [a.pcLotSize, 'quoteLotSize'], [a.minPriceMultiplier, 'minPriceMultiplier'], [a.maxPriceMultiplier, 'maxPriceMultiplier'],
      [a.sysDecimalValue, 'systemDecimalValue'], [a.minSeparate.numerator, 'minSeparateNumerator'],
      [a.minSeparate.denominator, 'minSeparateDenominator'], [a.tradeFee.numerator, 'tradeFeeNumerator'],
      [a.tradeFee.denominator, 'tradeFeeDenominator'], [a.pnl.numerator, 'pnlNumerator'], [a.pnl.denominator, 'pnlDenominator'],
      [a.swapFee.numerator, 'swapFeeNumerator'], [a.swapFee.denominator, 'swapFeeDenominator'],
      [a.needTakePnlCoin, 'baseNeedTakePnl'], [a.needTakePnlPc, 'quoteNeedTakePnl'], [a.totalPnlPc, 'quoteTotalPnl'],
      [a.totalPnlCoin, 'baseTotalPnl'], [a.poolOpenTime, 'poolOpenTime'], [a.orderbookToInitTime, 'orderbookToInitTime'],
      [a.swapCoinInAmount, 'swapBaseInAmount'], [a.swapPcOutAmount, 'swapQuoteOutAmount'], [a.swapAccPcFee, 'swapBase2QuoteFee'],
      [a.swapPcInAmount, 'swapQuoteInAmount'], [a.swapCoinOutAmount, 'swapBaseOutAmount'], [a.swapAccCoinFee, 'swapQuote2BaseFee'],
      [a.coinVault, 'baseVault'], [a.pcVault, 'quoteVault'], [a.coinMint, 'baseMint'], [a.pcMint, 'quoteMint'],
      [a.lpMint, 'lpMint'], [a.openOrders, 'openOrders'], [a.market, 'marketId'], [a.marketProgram, 'marketProgramId'],
      [a.targetOrders, 'targetOrders'], [a.ammOwner, 'owner'], [a.lpAmount, 'lpReserve'],
    ];
    for (const [ours, key] of pairs) assert.equal(String(ours), sdk[key]!.toString(), `${file}: ${key}`);
  }
});

test('bad AmmInfo data raises DEX_ errors naming account and field', () => {
  const good = loadAccountFile(`${DIR}/58oQChx4yWmvKdwLLZzBi4ChoCc2fqCUWBkwMihLYQo2.capture-c.json`);
  const expect = (data: Uint8Array, code: ErrorCode, field: string, owner = good.owner) =>
    assert.throws(() => decodeAmmInfo({ ...good, data, owner }), (e) => {
      assert.ok(isSolrulesError(e, code), String(e));
      assert.equal(e.context.field, field);
      assert.equal(e.context.account, good.address);
      return true;
    });
  expect(good.data.subarray(0, 700), 'DEX_ACCOUNT_TOO_SHORT', 'padding2');
  expect(new Uint8Array([...good.data, 0]), 'DEX_ACCOUNT_BAD_VALUE', '<length>');
  expect(good.data, 'DEX_ACCOUNT_WRONG_OWNER', 'owner', 'whirLbMiicVdio4qvUfM5KAg6Ct8VwpYzGff3uctyCc');
  const status = new Uint8Array(good.data);
  status[0] = 9;
  expect(status, 'DEX_ACCOUNT_BAD_VALUE', 'status');
  const fee = new Uint8Array(good.data);
  fee.fill(0, 184, 192);
  expect(fee, 'DEX_ACCOUNT_BAD_VALUE', 'swapFee');
});
